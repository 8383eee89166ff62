# Cloud Firestore for the chat rooms (docs/decisions/0019 and 0020): the (default) database,
# the security rules the Firebase client SDKs meet, and the composite indexes. The settings
# come from ./config, which `terraform test` checks offline. Functions reach the database
# with roles/datastore.user (`uses: [firestore]`, modules/functions); server clients bypass
# the rules, as they do everywhere.

module "config" {
  source = "./config"

  location = var.location
  rules    = var.rules
  indexes  = var.indexes
}

resource "google_firestore_database" "main" {
  project                           = var.project_id
  name                              = module.config.database.name
  location_id                       = module.config.database.location
  type                              = module.config.database.type
  concurrency_mode                  = module.config.database.concurrency_mode
  app_engine_integration_mode       = module.config.database.app_engine_integration_mode
  point_in_time_recovery_enablement = module.config.database.point_in_time_recovery
  delete_protection_state           = module.config.database.delete_protection
  deletion_policy                   = module.config.database.deletion_policy
}

# A ruleset is immutable: a change of firestore.rules makes a new one, released before the
# old one goes.
resource "google_firebaserules_ruleset" "firestore" {
  project = var.project_id

  source {
    dynamic "files" {
      for_each = module.config.rules_files
      content {
        name    = files.value.name
        content = files.value.content
      }
    }
  }

  lifecycle {
    create_before_destroy = true
  }

  depends_on = [google_firestore_database.main]
}

resource "google_firebaserules_release" "firestore" {
  project      = var.project_id
  name         = module.config.rules_release
  ruleset_name = "projects/${var.project_id}/rulesets/${google_firebaserules_ruleset.firestore.name}"

  depends_on = [google_firestore_database.main]
}

resource "google_firestore_index" "composite" {
  for_each = module.config.indexes

  project     = var.project_id
  database    = google_firestore_database.main.name
  collection  = each.value.collection
  query_scope = each.value.query_scope

  dynamic "fields" {
    for_each = each.value.fields
    content {
      field_path   = fields.value.field_path
      order        = fields.value.order
      array_config = fields.value.array_config
    }
  }
}
