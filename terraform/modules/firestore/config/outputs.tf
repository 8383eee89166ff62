output "database" {
  description = "google_firestore_database settings: name, type, location, concurrency, PITR, delete protection, deletion policy."
  value       = local.database
}

output "rules_release" {
  description = "Name of the Firebase Rules release of the (default) database."
  value       = local.rules_release
}

output "rules_files" {
  description = "The ruleset's source files (name, content)."
  value       = local.rules_files
}

output "indexes" {
  description = "Composite indexes by key collection/field:ORDER,...: collection, query_scope, fields."
  value       = local.indexes
}
