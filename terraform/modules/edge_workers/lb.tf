# Routed workers behind the global external Application Load Balancer: one serverless NEG
# per region and one backend service per worker holding all of them. The load balancer
# sends a client to the nearest region; outlier detection ejects a region whose service
# answers 5xx, so its clients move to the next nearest one.

resource "google_compute_region_network_endpoint_group" "edge" {
  for_each = { for key, i in var.instances : key => i if i.routed }

  name                  = each.value.name
  region                = each.value.region
  network_endpoint_type = "SERVERLESS"

  cloud_run {
    service = google_cloud_run_v2_service.edge[each.key].name
  }
}

resource "google_compute_backend_service" "edge" {
  for_each = { for name, s in var.services : name => s if length(s.routes) > 0 }

  name                  = "${var.name}-edge-${each.key}"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  security_policy       = var.security_policy
  # The client's country (CLDR region code) for the worker: the zone of its keys checks
  # it, the anonymizer keeps the country and drops the IP.
  custom_request_headers = ["X-Client-Region:{client_region}"]

  dynamic "backend" {
    for_each = { for key, i in var.instances : key => i if i.service == each.key }

    content {
      group = google_compute_region_network_endpoint_group.edge[backend.key].id
    }
  }

  outlier_detection {
    consecutive_errors = 5
    interval {
      seconds = 10
    }
    base_ejection_time {
      seconds = 30
    }
    max_ejection_percent = 50
  }

  log_config {
    enable      = true
    sample_rate = var.log_sample_rate
  }
}
