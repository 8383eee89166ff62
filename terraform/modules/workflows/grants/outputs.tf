output "workflows" {
  description = "Per workflow: description, calls, publishes, sa_id, url_variables (env name => function)."
  value       = local.workflows

  precondition {
    condition     = length(local.unknown_functions) == 0
    error_message = "terraform/workflows.yaml names functions that functions/manifest.yaml lacks: ${join(", ", local.unknown_functions)}."
  }
  precondition {
    condition     = length(local.unknown_topics) == 0
    error_message = "terraform/workflows.yaml names topics that events.yaml lacks: ${join(", ", local.unknown_topics)}."
  }
  precondition {
    condition     = length(local.undeclared_sources) == 0 && length(local.missing_sources) == 0
    error_message = "Every workflows/<id>.yaml needs an entry in terraform/workflows.yaml and the other way round (no entry: ${join(", ", local.undeclared_sources)}; no file: ${join(", ", local.missing_sources)})."
  }
}

output "invocations" {
  description = "\"workflow/function\" => {workflow, function}: run.invoker on that function's service."
  value       = local.invocations
}

output "publications" {
  description = "\"workflow/topic\" => {workflow, topic}: pubsub.publisher on that topic."
  value       = local.publications
}

output "workflow_invokers" {
  description = "Functions that start executions or send callbacks (roles/workflows.invoker)."
  value       = local.workflow_invokers
}
