output "urls" {
  description = "Cloud Run URL of each function."
  value       = { for name, fn in google_cloudfunctions2_function.fn : name => fn.service_config[0].uri }
}

output "service_accounts" {
  description = "Runtime service account email of each function."
  value       = { for name, sa in google_service_account.fn : name => sa.email }
}

output "database_iam_users" {
  description = "PostgreSQL user name (IAM database user) of each function that uses the database."
  value       = { for name, user in google_sql_user.fn : name => user.name }
}

output "database_roles" {
  description = "IAM database user of each database function => the PostgreSQL role (manifest `database_role`) to grant it."
  value       = { for name, user in google_sql_user.fn : user.name => local.database_roles[name] }
}

output "database_grants_sql" {
  description = "The statements that give each IAM database user exactly its role (run as the migrator after the migrations; docs/operations.md)."
  value = join("\n", [
    for name, user in google_sql_user.fn : format(
      "%s GRANT %s TO \"%s\";",
      join(" ", [for role in distinct(values(local.database_roles)) : format("REVOKE %s FROM \"%s\";", role, user.name) if role != local.database_roles[name]]),
      local.database_roles[name], user.name,
    )
  ])
}

output "http_services" {
  description = "Cloud Run service name of each HTTP function (the load balancer's backends)."
  value       = { for name, f in local.http_functions : name => local.service_names[name] }
}

output "push_targets" {
  description = "Push endpoint, Cloud Run service (Eventarc destination) and OIDC identity of each pubsub function."
  value = {
    for name, f in local.background_functions : name => {
      uri           = google_cloudfunctions2_function.fn[name].service_config[0].uri
      service       = local.service_names[name]
      invoker_email = google_service_account.invoker[name].email
      invoker_name  = google_service_account.invoker[name].name
    } if f.trigger == "pubsub"
  }
}

output "scheduled_jobs" {
  description = "Schedule, URL and OIDC identity of each scheduled internal function."
  value = {
    for name, f in local.background_functions : name => {
      schedule      = f.schedule
      cron          = f.cron
      uri           = google_cloudfunctions2_function.fn[name].service_config[0].uri
      invoker_email = google_service_account.invoker[name].email
    } if f.schedule != null
  }
}
