locals {
  services = toset([
    "artifactregistry.googleapis.com", # gen2 build images
    "cloudbuild.googleapis.com",
    "cloudfunctions.googleapis.com",
    "cloudscheduler.googleapis.com",
    "compute.googleapis.com",
    "eventarc.googleapis.com", # `via: eventarc` subscriptions of events.yaml
    # Chat rooms (modules/firestore): the database and its security rules releases.
    "firebaserules.googleapis.com",
    "firestore.googleapis.com",
    "iam.googleapis.com",
    "identitytoolkit.googleapis.com", # Firebase Authentication
    "pubsub.googleapis.com",
    "run.googleapis.com",
    "secretmanager.googleapis.com",
    "servicenetworking.googleapis.com", # private service access for Cloud SQL
    "sqladmin.googleapis.com",
    "storage.googleapis.com",
    # `uses: [vision]`: annotate and Product Search. Vision has no IAM role for these calls
    # in the project: enabling the API is what lets the function accounts use it.
    "vision.googleapis.com",
    "vpcaccess.googleapis.com",
    # Cloud Workflows (modules/workflows) and its Executions API (create_execution, callbacks).
    "workflowexecutions.googleapis.com",
    "workflows.googleapis.com",
  ])
}

resource "google_project_service" "enabled" {
  for_each = local.services

  project = var.project_id
  service = each.value

  # Other stacks in the project may rely on the same APIs.
  disable_on_destroy = false
}
