# Object events of the upload bucket feed the image pipeline through Pub/Sub.

data "google_storage_project_service_account" "gcs" {
  project = var.project_id
}

resource "google_pubsub_topic_iam_member" "gcs_publisher" {
  topic  = var.object_events_topic
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${data.google_storage_project_service_account.gcs.email_address}"
}

resource "google_storage_notification" "uploads" {
  bucket         = google_storage_bucket.uploads.name
  topic          = var.object_events_topic
  payload_format = "JSON_API_V1"
  event_types    = var.object_event_types

  # The notification is validated against the topic's IAM policy at creation.
  depends_on = [google_pubsub_topic_iam_member.gcs_publisher]
}
