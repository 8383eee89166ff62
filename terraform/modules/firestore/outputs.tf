output "database_name" {
  description = "Name of the Firestore database the functions use."
  value       = google_firestore_database.main.name
}

output "rules_release" {
  description = "The Firebase Rules release that serves firestore.rules."
  value       = google_firebaserules_release.firestore.name
}
