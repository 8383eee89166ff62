# The workflow declarations (terraform/workflows.yaml) interpreted: per workflow its
# service account id, the functions it invokes with their URL variables, the topics it
# publishes to, and the functions that may start it or send it callbacks. No provider and
# no resources, so `terraform test` runs it offline (tests/); ../ creates what it says.

locals {
  workflows = {
    for id, w in var.workflows : id => {
      description = w.description
      calls       = distinct(w.calls)
      publishes   = distinct(w.publishes)
      # Service account ids take no "_" and at most 30 characters (long ids keep a hash).
      sa_id = length("wf-${replace(id, "_", "-")}") <= 30 ? "wf-${replace(id, "_", "-")}" : "wf-${substr(replace(id, "_", "-"), 0, 20)}-${substr(sha1(id), 0, 6)}"
      # sys.get_env("<FUNCTION>_URL") in the YAML: the production URL of each callee.
      url_variables = { for fn in distinct(w.calls) : "${upper(fn)}_URL" => fn }
    }
  }

  invocations = { for pair in flatten([
    for id, w in local.workflows : [for fn in w.calls : { workflow = id, function = fn }]
  ]) : "${pair.workflow}/${pair.function}" => pair }

  publications = { for pair in flatten([
    for id, w in local.workflows : [for topic in w.publishes : { workflow = id, topic = topic }]
  ]) : "${pair.workflow}/${pair.topic}" => pair }

  # roles/workflows.invoker holds workflows.executions.create and workflows.callbacks.send;
  # its lowest grantable level is the project, so one grant per function suffices.
  workflow_invokers = sort(distinct(flatten([
    for w in values(var.workflows) : concat(w.started_by, w.callbacks_from)
  ])))

  unknown_functions = sort(distinct([
    for fn in flatten([for w in values(var.workflows) : concat(w.calls, w.started_by, w.callbacks_from)]) :
    fn if !contains(var.function_names, fn)
  ]))
  unknown_topics = sort(distinct([
    for topic in flatten([for w in values(var.workflows) : w.publishes]) : topic if !contains(var.topic_names, topic)
  ]))
  undeclared_sources = sort([for id in var.source_ids : id if !contains(keys(var.workflows), id)])
  missing_sources    = sort([for id in keys(var.workflows) : id if !contains(var.source_ids, id)])
}
