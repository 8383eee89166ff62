output "secret_ids" {
  description = "Secret id (short name) by secret name."
  value       = { for name, secret in google_secret_manager_secret.this : name => secret.secret_id }
}
