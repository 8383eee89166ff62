# Which functions get which grants. Least privilege follows the manifest's `uses:` list
# (as interpreted by modules/manifest): a grant exists only for what a function declares.

locals {
  functions = var.functions

  http_functions       = { for name, f in local.functions : name => f if f.trigger == "http" }
  background_functions = { for name, f in local.functions : name => f if f.trigger != "http" }

  database_users = { for name, f in local.functions : name => f if contains(f.uses, "database") }
  auth_users     = { for name, f in local.functions : name => f if contains(f.uses, "auth") }
  storage_users  = { for name, f in local.functions : name => f if contains(f.uses, "storage") }
  vision_users   = { for name, f in local.functions : name => f if contains(f.uses, "vision") }

  # Instance size: the first `uses:` group (alphabetically) that var.sizing lists, else
  # the module defaults. Image decoding is what needs more than the defaults.
  sizes = {
    for name, f in local.functions : name => try(
      [for use, size in var.sizing : size if contains(f.uses, use)][0],
      { memory = var.memory, cpu = var.cpu, concurrency = var.concurrency },
    )
  }

  # Environment earned by `uses:` groups (var.use_environment), per function.
  use_environment = {
    for name, f in local.functions : name => merge(concat(
      [{}], [for use, env in var.use_environment : env if contains(f.uses, use)],
    )...)
  }

  # Where Vision API Product Search is offered (its product sets are regional).
  product_search_locations = ["us-west1", "us-east1", "europe-west1", "asia-east1"]

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
