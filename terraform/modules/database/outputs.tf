output "instance_name" {
  description = "Cloud SQL instance name."
  value       = google_sql_database_instance.main.name
}

output "connection_name" {
  description = "project:region:instance, as the connectors expect it."
  value       = google_sql_database_instance.main.connection_name
}

output "database_name" {
  description = "The application database."
  value       = google_sql_database.bazaar.name
}

output "migrator_email" {
  description = "Service account that runs migrations."
  value       = google_service_account.migrator.email
}
