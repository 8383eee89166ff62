# Which functions get which grants. Least privilege follows the manifest's `uses:` list
# (as interpreted by modules/manifest): a grant exists only for what a function declares.

locals {
  functions = var.functions

  http_functions       = { for name, f in local.functions : name => f if f.trigger == "http" }
  background_functions = { for name, f in local.functions : name => f if f.trigger != "http" }

  database_users = { for name, f in local.functions : name => f if contains(f.uses, "database") }
  auth_users     = { for name, f in local.functions : name => f if contains(f.uses, "auth") }
  storage_users  = { for name, f in local.functions : name => f if contains(f.uses, "storage") }

  # Secret env vars and the `uses:` entry that earns them.
  secret_env = {
    FIREBASE_WEB_API_KEY = { use = "auth", secret = var.secrets["firebase-web-api-key"] }
    SMTP_PASSWORD        = { use = "mail", secret = var.secrets["smtp-password"] }
  }

  secret_grants = merge([
    for name, f in local.functions : {
      for env, s in local.secret_env : "${name}/${env}" => { function = name, secret = s.secret }
      if contains(f.uses, s.use)
    }
  ]...)

  publisher_grants = merge([
    for name, f in local.functions : {
      for topic, id in var.publish_topics : "${name}/${topic}" => { function = name, topic = id }
    } if contains(f.uses, "pubsub")
  ]...)

  sql_instance_condition = "resource.name == 'projects/${var.project_id}/instances/${var.sql_instance_name}' && resource.service == 'sqladmin.googleapis.com'"
}
