output "backend_services" {
  description = "Routed worker => its backend service (the load balancer's edge route rules)."
  value       = { for name, b in google_compute_backend_service.edge : name => b.id }
}

output "urls" {
  description = "\"<service>-<region>\" => the Cloud Run URL of that instance."
  value       = { for key, s in google_cloud_run_v2_service.edge : key => s.uri }
}

output "push_targets" {
  description = "Worker fed by Pub/Sub push => its primary region's URL and the push identity."
  value = {
    for name, sa in google_service_account.push : name => {
      uri           = google_cloud_run_v2_service.edge["${name}-${one([for key, i in var.instances : i.region if i.service == name && i.primary])}"].uri
      invoker_email = sa.email
      invoker_name  = sa.name
    }
  }
}

output "service_accounts" {
  description = "\"<service>-<zone>\" => runtime service account email."
  value       = { for key, sa in google_service_account.edge : key => sa.email }
}

output "database_roles" {
  description = "IAM database user of each edge identity with a database_role => the PostgreSQL role to grant it."
  value       = { for key, user in google_sql_user.edge : user.name => var.services[var.identities[key].service].database_role }
}

output "pseudonym_key_secrets" {
  description = "Zone => the secret holding its pseudonym keys (values added out of band)."
  value       = { for zone, s in google_secret_manager_secret.pseudonym_keys : zone => s.id }
}
