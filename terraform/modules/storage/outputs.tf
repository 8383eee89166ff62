output "upload_bucket" {
  description = "Name of the upload bucket."
  value       = google_storage_bucket.uploads.name
}

output "renditions_bucket" {
  description = "Name of the public renditions bucket (the load balancer's /media/ backend)."
  value       = google_storage_bucket.renditions.name
}

output "model_bucket" {
  description = "Name of the public model bucket (the load balancer's /models/ backend)."
  value       = google_storage_bucket.models.name
}

output "function_source_bucket" {
  description = "Name of the bucket that holds the function zips."
  value       = google_storage_bucket.function_source.name
}

output "access_log_bucket" {
  description = "Name of the access-log bucket."
  value       = google_storage_bucket.access_logs.name
}

output "fraud_model_bucket" {
  description = "Name of the private bucket of the fraud model versions."
  value       = google_storage_bucket.fraud_models.name
}

output "analytics_bucket" {
  description = "Name of the private bucket of the k-anonymous exports."
  value       = google_storage_bucket.analytics.name
}
