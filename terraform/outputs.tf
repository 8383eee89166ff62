output "load_balancer_ip" {
  description = "Point the A record of var.domain here; the managed certificate provisions after that."
  value       = module.load_balancer.ip_address
}

output "function_urls" {
  description = "Cloud Run URLs of the functions (reachable only through the load balancer or internally)."
  value       = module.functions.urls
}

output "function_service_accounts" {
  description = "Runtime service account of each function."
  value       = module.functions.service_accounts
}

output "firestore_rules_release" {
  description = "The Firebase Rules release serving firestore.rules to the (default) Firestore database."
  value       = module.firestore.rules_release
}

output "database_connection_name" {
  description = "CLOUD_SQL_INSTANCE of the functions; also what the Cloud SQL Auth Proxy takes."
  value       = module.database.connection_name
}

output "database_iam_users" {
  description = "PostgreSQL user names of the function service accounts (IAM database users)."
  value       = module.functions.database_iam_users
}

output "database_roles" {
  description = "IAM database user => the PostgreSQL role it is granted (the manifest's `database_role`)."
  value       = merge(module.functions.database_roles, module.edge_workers.database_roles)
}

output "database_grants_sql" {
  description = "GRANT (and REVOKE of every other function role) per IAM database user; run as the migrator after `alembic upgrade head` (docs/operations.md)."
  value       = module.functions.database_grants_sql
}

output "migrator_service_account" {
  description = "Service account that runs migrations (owner of the schema)."
  value       = module.database.migrator_email
}

output "upload_bucket" {
  description = "Bucket that receives image uploads through signed URLs."
  value       = module.storage.upload_bucket
}

output "renditions_bucket" {
  description = "Public bucket of the product image renditions, served at media_base_url through Cloud CDN."
  value       = module.storage.renditions_bucket
}

output "media_base_url" {
  description = "MEDIA_BASE_URL of the functions: https://<domain>/media, the renditions through the load balancer."
  value       = local.media_base_url
}

output "eventarc_triggers" {
  description = "Per `via: eventarc` subscription: the trigger and the Pub/Sub subscription Eventarc manages for it (set its dead-letter policy once, see README)."
  value       = module.pubsub.eventarc_triggers
}

output "secret_ids" {
  description = "Secrets whose versions are added out of band (see README)."
  value       = module.secrets.secret_ids
}

output "topics" {
  description = "Pub/Sub topic ids by name, dead-letter topics included."
  value       = merge(module.pubsub.topic_ids, module.pubsub.dead_letter_topic_ids)
}

output "route_rules" {
  description = "Generated URL map route rules in evaluation order."
  value       = module.load_balancer.route_priorities
}

output "workflows" {
  description = "Workflow id => resource name (ExecutionsClient.create_execution's parent); empty until workflows/*.yaml exist."
  value       = module.workflows.workflow_ids
}

output "workflow_service_accounts" {
  description = "Workflow id => its service account (run.invoker on its calls, publisher on its topics)."
  value       = module.workflows.service_accounts
}

output "edge_worker_urls" {
  description = "\"<service>-<region>\" => Cloud Run URL of each edge worker."
  value       = module.edge_workers.urls
}

output "pseudonym_key_secrets" {
  description = "Zone => the Secret Manager secret of its pseudonym keys (add versions out of band, README \"Secrets\")."
  value       = module.edge_workers.pseudonym_key_secrets
}
