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
