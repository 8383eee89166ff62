# One runtime service account per function, granted exactly what its `uses:` declares.

resource "google_service_account" "fn" {
  for_each = local.functions

  account_id   = each.value.sa_id
  display_name = "Bazaar function ${each.key}"
  description  = "Runtime identity of ${each.key}; uses: ${join(", ", each.value.uses)}"
}

# database: connect through the Cloud SQL connector and log in as an IAM database user,
# on this instance only (IAM condition on the instance name).
resource "google_project_iam_member" "sql_client" {
  for_each = local.database_users

  project = var.project_id
  role    = "roles/cloudsql.client"
  member  = "serviceAccount:${google_service_account.fn[each.key].email}"

  condition {
    title      = "bazaar-sql-instance-only"
    expression = local.sql_instance_condition
  }
}

resource "google_project_iam_member" "sql_instance_user" {
  for_each = local.database_users

  project = var.project_id
  role    = "roles/cloudsql.instanceUser"
  member  = "serviceAccount:${google_service_account.fn[each.key].email}"

  condition {
    title      = "bazaar-sql-instance-only"
    expression = local.sql_instance_condition
  }
}

resource "google_sql_user" "fn" {
  for_each = local.database_users

  # Cloud SQL names IAM service-account users by the email without the domain suffix.
  name     = trimsuffix(google_service_account.fn[each.key].email, ".gserviceaccount.com")
  instance = var.sql_instance_name
  type     = "CLOUD_IAM_SERVICE_ACCOUNT"
}

# auth_admin: creating, disabling and deleting users, custom claims, action links.
# Firebase Authentication has no resource below the project, so the project is the
# narrowest scope this role can be granted on. `auth` (verifying ID tokens) needs no role.
resource "google_project_iam_member" "firebase_auth" {
  #checkov:skip=CKV_GCP_42:firebaseauth.admin is the only role that creates users and sets custom claims; project is its only scope, granted to `uses: [auth_admin]` only (see checkov-waivers.yaml)
  for_each = local.auth_admin_users

  project = var.project_id
  role    = "roles/firebaseauth.admin"
  member  = "serviceAccount:${google_service_account.fn[each.key].email}"
}

# firestore: read and write the chat documents with the server client, which bypasses the
# security rules (as every server client does). datastore.user is the narrowest predefined
# role with document reads and writes (no index, import/export or database administration);
# the (default) database is the only one in the project, so the project scope adds nothing.
resource "google_project_iam_member" "firestore_user" {
  for_each = local.firestore_users

  project = var.project_id
  role    = "roles/datastore.user"
  member  = "serviceAccount:${google_service_account.fn[each.key].email}"
}

# pubsub: publish to each topic of the function's `publishes:`, granted on the topic.
resource "google_pubsub_topic_iam_member" "publisher" {
  for_each = local.publisher_grants

  topic  = each.value.topic
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.fn[each.value.function].email}"
}

# auth_client / mail / page_tokens / pseudonyms / payments / payments_webhook: read the one secret that
# the function's use needs.
resource "google_secret_manager_secret_iam_member" "accessor" {
  for_each = local.secret_grants

  project   = var.project_id
  secret_id = each.value.secret
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.fn[each.value.function].email}"
}

# storage: the image pipeline's objects of the upload and renditions buckets, granted on
# those buckets only. objectUser (create, read, update, delete, list objects and multipart
# uploads) is all the pipeline does: read an upload, delete it, write, overwrite (a retry)
# and delete renditions; objectAdmin would add object/managed-folder IAM, which uniform
# bucket-level access makes moot. It also covers Vision Product Search reading reference
# images from gs:// with the caller's credentials (create-reference-images docs): only
# the indexing function creates them, and it uses `storage`.
resource "google_storage_bucket_iam_member" "uploads" {
  for_each = local.storage_users

  bucket = var.upload_bucket
  role   = "roles/storage.objectUser"
  member = "serviceAccount:${google_service_account.fn[each.key].email}"
}

resource "google_storage_bucket_iam_member" "renditions_writer" {
  for_each = local.storage_users

  bucket = var.renditions_bucket
  role   = "roles/storage.objectUser"
  member = "serviceAccount:${google_service_account.fn[each.key].email}"
}

# model_publisher: aggregate_fl_round writes each new model version once. objectCreator
# creates objects and nothing else (no read, overwrite, delete or list): a version is
# content-addressed and written with ifGenerationMatch=0; it reads versions back through
# the public URL like every device.
resource "google_storage_bucket_iam_member" "model_publisher" {
  for_each = local.model_publishers

  bucket = var.model_bucket
  role   = "roles/storage.objectCreator"
  member = "serviceAccount:${google_service_account.fn[each.key].email}"
}

# analytics_export: release_analytics_export writes each k-anonymous release once
# (exports/<dataset>/<release id>.jsonl, ifGenerationMatch=0). objectCreator only: no read,
# overwrite, delete or list of what analysts are given.
resource "google_storage_bucket_iam_member" "analytics_exporter" {
  for_each = local.analytics_exporters

  bucket = var.analytics_bucket
  role   = "roles/storage.objectCreator"
  member = "serviceAccount:${google_service_account.fn[each.key].email}"
}

# upload_urls: a V4 signed URL is authorized as its signer, so the signer may create
# objects in the upload bucket (objectCreator: no read, overwrite or delete; every upload
# has a fresh name) and signs with its own identity (signBlob on itself), since functions
# have no key files.
resource "google_storage_bucket_iam_member" "upload_signer" {
  for_each = local.upload_url_users

  bucket = var.upload_bucket
  role   = "roles/storage.objectCreator"
  member = "serviceAccount:${google_service_account.fn[each.key].email}"
}

resource "google_service_account_iam_member" "self_signing" {
  for_each = local.upload_url_users

  service_account_id = google_service_account.fn[each.key].name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = "serviceAccount:${google_service_account.fn[each.key].email}"
}

# Cloud Build runs the gen2 builds as this account instead of the default compute one,
# with the three grants Google documents for a custom build account, each narrowed:
# logs, images in our own repository only, and sources in the function buckets only.
resource "google_service_account" "build" {
  account_id   = "fn-builder"
  display_name = "Bazaar function builds"
}

resource "google_project_iam_member" "build_logs" {
  project = var.project_id
  role    = "roles/logging.logWriter"
  member  = "serviceAccount:${google_service_account.build.email}"
}

# Cloud Functions copies each upload into its own gcf-v2-sources-* bucket before the
# build, a bucket Terraform does not create; the condition keeps the read to those.
resource "google_project_iam_member" "build_sources" {
  project = var.project_id
  role    = "roles/storage.objectViewer"
  member  = "serviceAccount:${google_service_account.build.email}"

  condition {
    title      = "function-sources-only"
    expression = "resource.name.startsWith('projects/_/buckets/gcf-v2-sources-') || resource.name.startsWith('projects/_/buckets/${var.source_bucket}')"
  }
}

resource "google_artifact_registry_repository" "functions" {
  repository_id = "bazaar-functions"
  location      = var.region
  format        = "DOCKER"
  description   = "Images built from the function sources"
  labels        = var.labels
  kms_key_name  = var.kms_key_name

  # The deployed image is always among the newest, so old ones can go.
  cleanup_policies {
    id     = "keep-recent"
    action = "KEEP"
    most_recent_versions {
      keep_count = 5
    }
  }

  cleanup_policies {
    id     = "delete-old"
    action = "DELETE"
    condition {
      older_than = "2592000s"
    }
  }
}

resource "google_artifact_registry_repository_iam_member" "build_writer" {
  project    = var.project_id
  location   = google_artifact_registry_repository.functions.location
  repository = google_artifact_registry_repository.functions.name
  role       = "roles/artifactregistry.writer"
  member     = "serviceAccount:${google_service_account.build.email}"
}
