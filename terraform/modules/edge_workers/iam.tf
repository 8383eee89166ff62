# One runtime identity per service and zone, granted exactly what that service needs.

resource "google_service_account" "edge" {
  for_each = var.identities

  account_id   = each.value.sa_id
  display_name = "Bazaar edge worker ${each.value.service} (${each.value.zone})"
  description  = "Runtime identity of the ${each.value.service} edge workers of the ${each.value.zone} zone"
}

# The anonymizers read every zone's keys (a client keeps its zone's pseudonym in whichever
# region serves it); nothing else of Secret Manager.
resource "google_secret_manager_secret_iam_member" "zone_keys" {
  for_each = merge([
    for key, id in var.identities : {
      for zone in keys(var.zones) : "${key}-${zone}" => { identity = key, zone = zone }
    } if contains(local.zone_key_services, id.service)
  ]...)

  secret_id = google_secret_manager_secret.pseudonym_keys[each.value.zone].id
  role      = "roles/secretmanager.secretAccessor"
  member    = "serviceAccount:${google_service_account.edge[each.value.identity].email}"
}

resource "google_pubsub_topic_iam_member" "publisher" {
  for_each = merge([
    for key, id in var.identities : {
      for topic, topic_id in lookup(var.publish_topics, id.service, {}) : "${key}-${topic}" => {
        identity = key
        topic    = topic_id
      }
    }
  ]...)

  topic  = each.value.topic
  role   = "roles/pubsub.publisher"
  member = "serviceAccount:${google_service_account.edge[each.value.identity].email}"
}

# The fraud workers read the model versions (loaded at start), nothing else of the bucket.
resource "google_storage_bucket_iam_member" "model_reader" {
  for_each = { for key, id in var.identities : key => id if id.service == "fraud" }

  bucket = var.fraud_model_bucket
  role   = "roles/storage.objectViewer"
  member = "serviceAccount:${google_service_account.edge[each.key].email}"
}

# database_role: the Cloud SQL connector and an IAM database user, on this instance only.
resource "google_project_iam_member" "sql_client" {
  for_each = local.database_identities

  project = var.project_id
  role    = "roles/cloudsql.client"
  member  = "serviceAccount:${google_service_account.edge[each.key].email}"

  condition {
    title      = "bazaar-sql-instance-only"
    expression = "resource.name == 'projects/${var.project_id}/instances/${var.sql_instance_name}' && resource.service == 'sqladmin.googleapis.com'"
  }
}

resource "google_project_iam_member" "sql_instance_user" {
  for_each = local.database_identities

  project = var.project_id
  role    = "roles/cloudsql.instanceUser"
  member  = "serviceAccount:${google_service_account.edge[each.key].email}"

  condition {
    title      = "bazaar-sql-instance-only"
    expression = "resource.name == 'projects/${var.project_id}/instances/${var.sql_instance_name}' && resource.service == 'sqladmin.googleapis.com'"
  }
}

resource "google_sql_user" "edge" {
  for_each = local.database_identities

  name     = trimsuffix(google_service_account.edge[each.key].email, ".gserviceaccount.com")
  instance = var.sql_instance_name
  type     = "CLOUD_IAM_SERVICE_ACCOUNT"
}

# Pub/Sub push to a worker without public routes authenticates as this account.
resource "google_service_account" "push" {
  for_each = { for name, s in var.services : name => s if length(s.routes) == 0 }

  account_id   = substr("inv-edge-${each.key}", 0, 30)
  display_name = "Invokes the ${each.key} edge workers"
  description  = "OIDC identity of the Pub/Sub push subscriptions that feed the ${each.key} edge workers"
}

resource "google_cloud_run_v2_service_iam_member" "push" {
  for_each = { for key, i in var.instances : key => i if !i.routed }

  project  = var.project_id
  location = each.value.region
  name     = google_cloud_run_v2_service.edge[each.key].name
  role     = "roles/run.invoker"
  member   = "serviceAccount:${google_service_account.push[each.value.service].email}"
}

resource "google_cloud_run_v2_service_iam_member" "callers" {
  for_each = merge([
    for key, i in var.instances : {
      for member in lookup(var.invokers, i.service, []) : "${key}-${member}" => {
        instance = key
        member   = member
      }
    }
  ]...)

  project  = var.project_id
  location = var.instances[each.value.instance].region
  name     = google_cloud_run_v2_service.edge[each.value.instance].name
  role     = "roles/run.invoker"
  member   = each.value.member
}

# Routed workers sit behind the external load balancer, which forwards requests without
# an identity token: allUsers as invoker with ingress "internal and Cloud Load Balancing"
# (set above), as for the HTTP functions. Callers are authenticated by the application.
resource "google_cloud_run_v2_service_iam_member" "public" {
  #checkov:skip=CKV2_BZR_1:Routed edge workers behind the external load balancer need allUsers as invoker; ingress is internal-and-gclb (see checkov-waivers.yaml)
  for_each = { for key, i in var.instances : key => i if i.routed }

  project  = var.project_id
  location = each.value.region
  name     = google_cloud_run_v2_service.edge[each.key].name
  role     = "roles/run.invoker"
  member   = "allUsers"
}
