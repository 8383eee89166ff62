# One serverless NEG and backend service per HTTP function. A gen2 function is served by
# its Cloud Run service, so the NEG points at that service.

resource "google_compute_region_network_endpoint_group" "fn" {
  for_each = var.functions

  name                  = "${var.name}-${replace(each.key, "_", "-")}"
  region                = var.region
  network_endpoint_type = "SERVERLESS"

  cloud_run {
    service = each.value
  }
}

# Serverless backends take no health check, port or timeout: Cloud Run handles those.
resource "google_compute_backend_service" "fn" {
  for_each = var.functions

  name                  = "${var.name}-${replace(each.key, "_", "-")}"
  load_balancing_scheme = "EXTERNAL_MANAGED"
  security_policy       = google_compute_security_policy.edge.id
  # The client's country (CLDR region code): place_order compares it with the shipping
  # country (fraud screening), the feed picks the zone's pseudonym key by it.
  custom_request_headers = ["X-Client-Region:{client_region}"]

  backend {
    group = google_compute_region_network_endpoint_group.fn[each.key].id
  }

  log_config {
    enable      = true
    sample_rate = var.log_sample_rate
  }
}
