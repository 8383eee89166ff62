# Only the containers live here. Their values are added out of band (see README,
# "Secrets"), so no secret ever passes through Terraform state. Accessor grants are
# made per function service account in the functions module, on these secrets only.

resource "google_secret_manager_secret" "this" {
  for_each = var.secrets

  secret_id   = each.key
  labels      = var.labels
  annotations = { purpose = each.value }

  replication {
    auto {}
  }
}
