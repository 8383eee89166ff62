output "topic_ids" {
  description = "Topic id by events.yaml name."
  value       = { for name, t in google_pubsub_topic.topic : name => t.id }
}

output "dead_letter_topic_ids" {
  description = "Dead-letter topic id by dead-letter topic name."
  value       = { for name, t in google_pubsub_topic.dead_letter : t.name => t.id }
}

output "subscriptions" {
  description = "Push subscription names."
  value       = [for s in google_pubsub_subscription.push : s.name]
}

output "eventarc_triggers" {
  description = "Per `via: eventarc` subscription: the trigger id and the Pub/Sub subscription that Eventarc created and manages for it."
  value = {
    for name, t in google_eventarc_trigger.subscription : name => {
      trigger      = t.id
      subscription = try(t.transport[0].pubsub[0].subscription, null)
    }
  }
}
