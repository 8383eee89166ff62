# The edge workers (edge_workers/services.yaml) as Cloud Run services in every edge region.
# A service with public routes (the anonymizer) takes traffic only from the global load
# balancer (lb.tf: serverless NEGs, the nearest healthy region first). One without (the
# fraud worker) is called at its run.app URL by place_order, whose VPC connector carries
# private ranges only, and by Pub/Sub push: "internal" ingress would refuse the former, so
# its ingress is open and run.invoker (iam.tf: those two identities only) is what guards it.

locals {
  zone_key_services = ["anonymizer"]
  database_identities = {
    for key, id in var.identities : key => id if var.services[id.service].database_role != null
  }
}

resource "google_cloud_run_v2_service" "edge" {
  for_each = var.instances

  name     = each.value.name
  location = each.value.region
  ingress  = each.value.routed ? "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER" : "INGRESS_TRAFFIC_ALL"
  labels   = merge(var.labels, { edge-worker = each.value.service, zone = each.value.zone })

  template {
    service_account                  = google_service_account.edge["${each.value.service}-${each.value.zone}"].email
    max_instance_request_concurrency = var.concurrency[each.value.service]
    timeout                          = "10s"

    scaling {
      # Warm instances: the fraud worker loads its model at start, and the order path's
      # budget (FRAUD_BUDGET_MS) leaves no room for a cold start.
      min_instance_count = var.min_instances[each.value.service]
      max_instance_count = var.max_instances
    }

    vpc_access {
      egress = "PRIVATE_RANGES_ONLY"

      network_interfaces {
        network    = var.network_id
        subnetwork = google_compute_subnetwork.edge[each.value.region].id
      }
    }

    containers {
      image = var.images[each.value.service]

      resources {
        limits = { cpu = "1", memory = "1Gi" }
        # CPU always allocated: the model stays loaded and background retries (the
        # anonymizer's buffer) run between requests.
        cpu_idle          = false
        startup_cpu_boost = true
      }

      dynamic "env" {
        for_each = merge(
          var.environment,
          lookup(var.service_environment, each.value.service, {}),
          {
            EDGE_REGION    = each.value.region
            RESIDENCY_ZONE = each.value.zone
          },
          var.services[each.value.service].database_role == null ? {} : {
            DATABASE_IAM_USER = trimsuffix(google_service_account.edge["${each.value.service}-${each.value.zone}"].email, ".gserviceaccount.com")
          },
        )

        content {
          name  = env.key
          value = env.value
        }
      }

      # Every zone's keys: a client is keyed in its own zone (X-Client-Region) even when
      # the load balancer sends it to another zone's region (an outage, a traveller).
      dynamic "env" {
        for_each = contains(local.zone_key_services, each.value.service) ? keys(var.zones) : []

        content {
          name = "PSEUDONYM_KEYS_${upper(env.value)}"

          value_source {
            secret_key_ref {
              secret  = google_secret_manager_secret.pseudonym_keys[env.value].secret_id
              version = "latest"
            }
          }
        }
      }

      startup_probe {
        period_seconds    = 2
        failure_threshold = 30

        http_get {
          path = "/healthz"
        }
      }

      liveness_probe {
        period_seconds = 30

        http_get {
          path = "/healthz"
        }
      }
    }
  }
}

# Direct VPC egress needs a subnet in each region; the VPC's routes reach Cloud SQL's
# private IP from all of them.
resource "google_compute_subnetwork" "edge" {
  for_each = var.subnet_cidrs

  name                     = "${var.name}-edge-${each.key}"
  network                  = var.network_id
  region                   = each.key
  ip_cidr_range            = each.value
  private_ip_google_access = true

  log_config {
    aggregation_interval = "INTERVAL_10_MIN"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

# One HMAC key list per data-residency zone ([current, previous], added out of band like
# every secret), stored only in that zone's regions.
resource "google_secret_manager_secret" "pseudonym_keys" {
  for_each = var.zones

  secret_id   = "${var.name}-pseudonym-keys-${each.key}"
  labels      = merge(var.labels, { zone = each.key })
  annotations = { purpose = "HMAC keys of the pseudonyms of the ${each.key} zone (current first, then the previous one during a rotation)" }

  replication {
    user_managed {
      dynamic "replicas" {
        for_each = each.value

        content {
          location = replicas.value
        }
      }
    }
  }
}
