# One Cloud Workflows workflow per workflows/<id>.yaml, each running as its own service
# account that may invoke exactly the functions it calls, publish to exactly its topics
# and write its logs; the functions that start it or send it callbacks get
# roles/workflows.invoker. What each workflow may do is declared in terraform/workflows.yaml
# (interpreted and checked by ./grants). Zero workflow files: nothing is created.

module "grants" {
  source = "./grants"

  workflows      = var.workflows
  source_ids     = keys(var.sources)
  function_names = keys(var.function_service_accounts)
  topic_names    = keys(var.topic_ids)
}

locals {
  workflows = module.grants.workflows
}

resource "google_service_account" "workflow" {
  for_each = local.workflows

  account_id   = each.value.sa_id
  display_name = "Workflow ${each.key}"
  description  = "Runs workflow ${each.key}; calls: ${join(", ", each.value.calls)}; publishes: ${join(", ", each.value.publishes)}"
}

resource "google_workflows_workflow" "workflow" {
  for_each = local.workflows

  name            = each.key
  region          = var.region
  description     = each.value.description
  service_account = google_service_account.workflow[each.key].id
  source_contents = var.sources[each.key]
  # Exceptions only: LOG_ALL_CALLS would log call arguments and responses (personal data).
  call_log_level  = "LOG_ERRORS_ONLY"
  crypto_key_name = var.kms_key_name
  labels          = var.labels

  user_env_vars = { for variable, fn in each.value.url_variables : variable => var.function_urls[fn] }
}

# Gen2 functions are Cloud Run services: run.invoker on the service is the invoke
# permission (HTTP calls with `auth: {type: OIDC}`).
resource "google_cloud_run_v2_service_iam_member" "calls" {
  for_each = module.grants.invocations

  project  = var.project_id
  location = var.region
  name     = var.function_services[each.value.function]
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.workflow[each.value.workflow].email}"
}

resource "google_pubsub_topic_iam_member" "publishes" {
  for_each = module.grants.publications

  project = var.project_id
  topic   = var.topic_ids[each.value.topic]
  role    = "roles/pubsub.publisher"
  member  = "serviceAccount:${google_service_account.workflow[each.value.workflow].email}"
}

# sys.log and call logs go to Cloud Logging as the workflow's account; logWriter can only
# be granted on the project (it writes log entries, reads nothing).
resource "google_project_iam_member" "log_writer" {
  for_each = local.workflows

  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = "serviceAccount:${google_service_account.workflow[each.key].email}"
}

# workflows.executions.create (start) and workflows.callbacks.send (the webhook door
# resuming a saga) are both in roles/workflows.invoker, grantable on the project only.
resource "google_project_iam_member" "workflow_invoker" {
  for_each = toset(module.grants.workflow_invokers)

  project = var.project_id
  role    = "roles/workflows.invoker"
  member  = "serviceAccount:${var.function_service_accounts[each.key]}"
}
