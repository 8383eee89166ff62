# events.yaml subscriptions with `via: eventarc`: an Eventarc trigger on the topic
# instead of a push subscription, so that the function receives the messagePublished
# CloudEvent (the shape a gen2 Pub/Sub-triggered function is written for). Eventarc
# creates and owns the Pub/Sub subscription behind the trigger (eventarc-<region>-...);
# it takes no attribute filter, so the function ignores what it does not handle.
#
# The trigger's identity is the function's invoker account (functions module): it holds
# run.invoker on that one Cloud Run service, and the function keeps ingress "internal
# only" and no public invoker: Eventarc in the same project counts as internal traffic
# (cloud.google.com/run/docs/securing/ingress).

resource "google_eventarc_trigger" "subscription" {
  for_each = local.eventarc_subscriptions

  name     = each.key
  location = var.region
  labels   = merge(var.labels, { function = replace(each.value.function, "_", "-") })

  matching_criteria {
    attribute = "type"
    value     = "google.cloud.pubsub.topic.v1.messagePublished"
  }

  # An existing topic may be given for messagePublished triggers; Eventarc does not
  # delete it with the trigger.
  transport {
    pubsub {
      topic = google_pubsub_topic.topic[each.value.topic].id
    }
  }

  destination {
    cloud_run_service {
      service = var.push_targets[each.value.function].service
      region  = var.region
    }
  }

  service_account = var.push_targets[each.value.function].invoker_email

  lifecycle {
    precondition {
      condition     = contains(keys(var.topics), each.value.topic)
      error_message = "Subscription ${each.key} names topic ${each.value.topic}, which events.yaml does not declare."
    }
    precondition {
      condition     = contains(keys(var.push_targets), each.value.function)
      error_message = "Subscription ${each.key} delivers to ${each.value.function}, which is not a `trigger: pubsub` function of the manifest."
    }
  }

  depends_on = [google_project_iam_member.eventarc_receiver]
}

# Google's trigger guides grant roles/eventarc.eventReceiver to every trigger identity;
# the roles page says Pub/Sub sources do not need it
# (cloud.google.com/eventarc/docs/roles-permissions). Kept so that a change of event
# source (e.g. to Cloud Storage direct events) needs no IAM change: it only lets the
# trigger receive events, gives no data access, and the project is its only scope.
resource "google_project_iam_member" "eventarc_receiver" {
  # Keyed by function: the account emails are only known after apply.
  for_each = toset([for s in values(local.eventarc_subscriptions) : s.function])

  project = var.project_id
  role    = "roles/eventarc.eventReceiver"
  member  = "serviceAccount:${var.push_targets[each.key].invoker_email}"
}

# max_delivery_attempts and dead-lettering: Eventarc's own subscription retries with
# backoff (10 s .. 600 s) for its 24 h retention and then drops the message; a trigger
# cannot configure a dead-letter topic (its retry_policy only accepts max_attempts = 1).
# Terraform cannot manage that subscription either, so the dead-letter policy is set on
# it once after apply (README, "Eventarc deliveries"). This grant is the half Terraform
# can do: the Pub/Sub service agent must be subscriber on a subscription it dead-letters.
resource "google_pubsub_subscription_iam_member" "eventarc_agent_subscriber" {
  for_each = local.eventarc_subscriptions

  subscription = google_eventarc_trigger.subscription[each.key].transport[0].pubsub[0].subscription
  role         = "roles/pubsub.subscriber"
  member       = local.pubsub_agent
}
