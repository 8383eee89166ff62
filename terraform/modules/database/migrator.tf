# Migrations run as their own identity, which owns the schema and grants the function
# users their privileges. People impersonate it; nobody holds a key.

resource "google_service_account" "migrator" {
  account_id   = "${var.name}-migrator"
  display_name = "Bazaar schema migrations"
}

resource "google_sql_user" "migrator" {
  name     = trimsuffix(google_service_account.migrator.email, ".gserviceaccount.com")
  instance = google_sql_database_instance.main.name
  type     = "CLOUD_IAM_SERVICE_ACCOUNT"
}

resource "google_project_iam_member" "migrator" {
  for_each = toset(["roles/cloudsql.client", "roles/cloudsql.instanceUser"])

  project = var.project_id
  role    = each.value
  member  = "serviceAccount:${google_service_account.migrator.email}"

  condition {
    title      = "bazaar-sql-instance-only"
    expression = "resource.name == 'projects/${var.project_id}/instances/${google_sql_database_instance.main.name}' && resource.service == 'sqladmin.googleapis.com'"
  }
}

resource "google_service_account_iam_member" "migrator_impersonation" {
  for_each = toset(var.migration_principals)

  service_account_id = google_service_account.migrator.name
  role               = "roles/iam.serviceAccountTokenCreator"
  member             = each.value
}
