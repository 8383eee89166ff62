# Subscriptions with `via: eventarc` get an Eventarc trigger instead (eventarc.tf).
locals {
  push_subscriptions     = { for name, s in var.subscriptions : name => s if s.via == "push" }
  eventarc_subscriptions = { for name, s in var.subscriptions : name => s if s.via == "eventarc" }
}

resource "google_pubsub_subscription" "push" {
  for_each = local.push_subscriptions

  name   = each.key
  topic  = google_pubsub_topic.topic[each.value.topic].id
  labels = merge(var.labels, { function = replace(each.value.function, "_", "-") })
  # Changing a filter replaces the subscription (the API cannot update it).
  filter = each.value.filter

  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"

  push_config {
    push_endpoint = var.push_targets[each.value.function].uri

    oidc_token {
      service_account_email = var.push_targets[each.value.function].invoker_email
      audience              = var.push_targets[each.value.function].uri
    }
  }

  retry_policy {
    minimum_backoff = "10s"
    maximum_backoff = "600s"
  }

  dead_letter_policy {
    dead_letter_topic     = google_pubsub_topic.dead_letter[each.value.topic].id
    max_delivery_attempts = each.value.max_delivery_attempts
  }

  expiration_policy {
    ttl = ""
  }

  lifecycle {
    precondition {
      condition     = contains(keys(var.topics), each.value.topic)
      error_message = "Subscription ${each.key} names topic ${each.value.topic}, which events.yaml does not declare."
    }
    precondition {
      condition     = contains(keys(var.push_targets), each.value.function)
      error_message = "Subscription ${each.key} pushes to ${each.value.function}, which is not a `trigger: pubsub` function of the manifest."
    }
  }
}

resource "google_pubsub_subscription_iam_member" "agent_subscriber" {
  for_each = local.push_subscriptions

  subscription = google_pubsub_subscription.push[each.key].name
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}

# Lets Pub/Sub mint OIDC tokens for the push identity, which is also the identity of the
# Eventarc triggers (implicit for projects created after April 2021, needed for older
# ones; granted on the account, not the project).
resource "google_service_account_iam_member" "agent_token_creator" {
  for_each = var.push_targets

  service_account_id = each.value.invoker_name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}
