# Who may invoke which function. A gen2 function is served by a Cloud Run service, and
# run.invoker on that service is the invoke permission.

locals {
  # service_config.service may hold the full resource name; NEGs and IAM want the last part.
  service_names = {
    for name, fn in google_cloudfunctions2_function.fn : name => reverse(split("/", fn.service_config[0].service))[0]
  }
}

# Pub/Sub push, Eventarc and Cloud Scheduler authenticate with an OIDC token of this
# account; it can invoke its own function and nothing else.
resource "google_service_account" "invoker" {
  for_each = local.background_functions

  account_id   = each.value.invoker_id
  display_name = "Invokes ${each.key}"
  description  = "OIDC identity of the ${each.value.trigger == "pubsub" ? "Pub/Sub push subscriptions / Eventarc triggers" : "Cloud Scheduler job"} that call ${each.key}"
}

resource "google_cloud_run_v2_service_iam_member" "invoker" {
  for_each = local.background_functions

  project  = var.project_id
  location = var.region
  name     = local.service_names[each.key]
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.invoker[each.key].email}"
}

# HTTP functions only: the external load balancer forwards requests without an identity
# token, so the documented setup for a public API behind a serverless NEG is allUsers as
# invoker together with ingress "internal and load balancing" (set on the function),
# which keeps the run.app URL closed to the internet. Callers are authenticated by the
# application (Firebase ID tokens). internal/pubsub functions never get this grant; the
# custom policy CKV2_BZR_1 fails on any other allUsers invoker.
resource "google_cloud_run_v2_service_iam_member" "public" {
  #checkov:skip=CKV2_BZR_1:HTTP functions behind the external load balancer need allUsers as invoker; ingress is internal-and-gclb (see checkov-waivers.yaml)
  for_each = local.http_functions

  project  = var.project_id
  location = var.region
  name     = local.service_names[each.key]
  role     = "roles/run.invoker"
  member   = "allUsers"
}
