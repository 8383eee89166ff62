# Topics and push subscriptions from terraform/events.yaml. Every topic has a
# dead-letter topic, and every dead-letter topic a pull subscription that keeps what
# lands there, so a poison message is parked, never lost.

data "google_project" "this" {
  project_id = var.project_id
}

locals {
  pubsub_agent = "serviceAccount:service-${data.google_project.this.number}@gcp-sa-pubsub.iam.gserviceaccount.com"
}

resource "google_pubsub_topic" "topic" {
  for_each = var.topics

  name   = each.key
  labels = merge(var.labels, { topic = each.key })
  # Lets a subscription seek back and replay the last week after a bad deploy.
  message_retention_duration = "604800s"
  # Google-managed encryption unless a CMEK key is given (checkov-waivers.yaml, CKV_GCP_83).
  kms_key_name = var.kms_key_name
}

resource "google_pubsub_topic" "dead_letter" {
  for_each = var.topics

  name                       = "${each.key}-dead-letter"
  labels                     = merge(var.labels, { topic = "${each.key}-dead-letter" })
  message_retention_duration = "604800s"
  kms_key_name               = var.kms_key_name
}

resource "google_pubsub_subscription" "dead_letter_hold" {
  for_each = var.topics

  name                       = "${each.key}-dead-letter-hold"
  topic                      = google_pubsub_topic.dead_letter[each.key].id
  labels                     = var.labels
  ack_deadline_seconds       = 60
  message_retention_duration = "2678400s" # the 31-day maximum: time to inspect and replay
  retain_acked_messages      = true

  expiration_policy {
    ttl = "" # never expires, even when nobody pulls
  }
}

# The Pub/Sub service agent forwards undeliverable messages: it must publish to the
# dead-letter topic and acknowledge on the source subscription.
resource "google_pubsub_topic_iam_member" "agent_dead_letter_publisher" {
  for_each = var.topics

  topic  = google_pubsub_topic.dead_letter[each.key].id
  role   = "roles/pubsub.publisher"
  member = local.pubsub_agent
}
