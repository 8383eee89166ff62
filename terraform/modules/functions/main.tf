# Which functions get which grants. Least privilege follows the manifest's `uses:` list
# (as interpreted by modules/manifest): a grant exists only for what a function declares.

locals {
  functions = var.functions

  http_functions       = { for name, f in local.functions : name => f if f.trigger == "http" }
  background_functions = { for name, f in local.functions : name => f if f.trigger != "http" }

  database_users = { for name, f in local.functions : name => f if contains(f.uses, "database") }
  # `auth` (verifying ID tokens against Google's public keys) earns nothing; only
  # administering users does.
  auth_admin_users    = { for name, f in local.functions : name => f if contains(f.uses, "auth_admin") }
  storage_users       = { for name, f in local.functions : name => f if contains(f.uses, "storage") }
  upload_url_users    = { for name, f in local.functions : name => f if contains(f.uses, "upload_urls") }
  model_publishers    = { for name, f in local.functions : name => f if contains(f.uses, "model_publisher") }
  analytics_exporters = { for name, f in local.functions : name => f if contains(f.uses, "analytics_export") }
  firestore_users     = { for name, f in local.functions : name => f if contains(f.uses, "firestore") }

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
    FIREBASE_WEB_API_KEY = { use = "auth_client", secret = var.secrets["firebase-web-api-key"] }
    SMTP_PASSWORD        = { use = "mail", secret = var.secrets["smtp-password"] }
    PAGE_TOKEN_KEY       = { use = "page_tokens", secret = var.secrets["page-token-key"] }
    PSEUDONYM_KEY        = { use = "pseudonyms", secret = var.secrets["pseudonym-key"] }
    # Every zone's keys ([current, previous] each, modules/edge_workers): the feed and the
    # purchase features key a user as the anonymizer of their zone did.
    PSEUDONYM_KEYS_EU       = { use = "zone_pseudonyms", secret = var.secrets["pseudonym-keys-eu"] }
    PSEUDONYM_KEYS_AMERICAS = { use = "zone_pseudonyms", secret = var.secrets["pseudonym-keys-americas"] }
    PSEUDONYM_KEYS_ASIA     = { use = "zone_pseudonyms", secret = var.secrets["pseudonym-keys-asia"] }
    # The provider's API key to those that call it; the webhook door gets the signing
    # secret only (it verifies callbacks and calls nothing).
    STRIPE_SECRET_KEY     = { use = "payments", secret = var.secrets["stripe-secret-key"] }
    STRIPE_WEBHOOK_SECRET = { use = "payments_webhook", secret = var.secrets["stripe-webhook-secret"] }
  }

  secret_grants = merge([
    for name, f in local.functions : {
      for env, s in local.secret_env : "${name}/${env}" => { function = name, secret = s.secret }
      if contains(f.uses, s.use)
    }
  ]...)

  # Publisher on the topics the function's manifest entry `publishes` to, and no other.
  publisher_grants = merge([
    for name, f in local.functions : {
      for topic in f.publishes : "${name}/${topic}" => { function = name, topic = var.publish_topics[topic] }
    }
  ]...)

  # PostgreSQL role of each function's IAM database user (docs/operations.md).
  database_roles = { for name, f in local.database_users : name => f.database_role }

  sql_instance_condition = "resource.name == 'projects/${var.project_id}/instances/${var.sql_instance_name}' && resource.service == 'sqladmin.googleapis.com'"
}
