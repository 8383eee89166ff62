# Subscriptions with `via: eventarc` get an Eventarc trigger instead (eventarc.tf).
locals {
  push_subscriptions = { for name, s in var.subscriptions : name => s if s.via == "push" }
  # Where each push subscription delivers, and as whom: a function's own URL, or an edge
  # worker's /_events/<subscription> path.
  push_endpoints = {
    for name, s in local.push_subscriptions : name => (
      s.function != null ? {
        known         = contains(keys(var.push_targets), s.function)
        uri           = try(var.push_targets[s.function].uri, "")
        audience      = try(var.push_targets[s.function].uri, "")
        invoker_email = try(var.push_targets[s.function].invoker_email, "")
        label         = { function = replace(s.function, "_", "-") }
        } : {
        known         = contains(keys(var.service_push_targets), s.service)
        uri           = "${try(var.service_push_targets[s.service].uri, "")}/_events/${name}"
        audience      = try(var.service_push_targets[s.service].uri, "")
        invoker_email = try(var.service_push_targets[s.service].invoker_email, "")
        label         = { edge-worker = s.service }
      }
    )
  }
  eventarc_subscriptions = { for name, s in var.subscriptions : name => s if s.via == "eventarc" }
}

resource "google_pubsub_subscription" "push" {
  for_each = local.push_subscriptions

  name   = each.key
  topic  = google_pubsub_topic.topic[each.value.topic].id
  labels = merge(var.labels, local.push_endpoints[each.key].label)
  # Changing a filter replaces the subscription (the API cannot update it).
  filter = each.value.filter

  ack_deadline_seconds       = 60
  message_retention_duration = "604800s"

  push_config {
    push_endpoint = local.push_endpoints[each.key].uri

    oidc_token {
      service_account_email = local.push_endpoints[each.key].invoker_email
      audience              = local.push_endpoints[each.key].audience
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
      condition     = local.push_endpoints[each.key].known
      error_message = "Subscription ${each.key} pushes to ${coalesce(each.value.function, each.value.service)}, which is neither a `trigger: pubsub` function of the manifest nor an edge worker."
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
  for_each = merge(
    { for name, t in var.push_targets : name => t.invoker_name },
    { for name, t in var.service_push_targets : "edge-${name}" => t.invoker_name },
  )

  service_account_id = each.value
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = local.pubsub_agent
}
