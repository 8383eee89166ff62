# A private network for the functions' egress to Cloud SQL. Nothing in it is reachable
# from outside: Cloud SQL has a private IP only and the functions reach it through the
# Serverless VPC Access connector. (Direct VPC egress would save the connector, but
# google_cloudfunctions2_function does not expose it in provider 6.x.)

resource "google_compute_network" "vpc" {
  name                    = "${var.name}-vpc"
  auto_create_subnetworks = false
  routing_mode            = "REGIONAL"
}

resource "google_compute_subnetwork" "serverless" {
  name                     = "${var.name}-serverless"
  network                  = google_compute_network.vpc.id
  region                   = var.region
  ip_cidr_range            = var.connector_cidr
  private_ip_google_access = true

  log_config {
    aggregation_interval = "INTERVAL_10_MIN"
    flow_sampling        = 0.5
    metadata             = "INCLUDE_ALL_METADATA"
  }
}

resource "google_vpc_access_connector" "functions" {
  name          = "${var.name}-conn"
  region        = var.region
  machine_type  = var.connector_machine_type
  min_instances = 2
  max_instances = var.connector_max_instances

  subnet {
    name = google_compute_subnetwork.serverless.name
  }
}

# Private service access: Cloud SQL gets its private IP from this peered range.
resource "google_compute_global_address" "private_services" {
  name          = "${var.name}-private-services"
  network       = google_compute_network.vpc.id
  purpose       = "VPC_PEERING"
  address_type  = "INTERNAL"
  prefix_length = 20
}

resource "google_service_networking_connection" "private_services" {
  network                 = google_compute_network.vpc.id
  service                 = "servicenetworking.googleapis.com"
  reserved_peering_ranges = [google_compute_global_address.private_services.name]

  # Deleting the peering fails while Cloud SQL still uses it; let the instance go first.
  deletion_policy = "ABANDON"
}

# Explicit, logged default deny: the connector adds its own narrower allow rules.
resource "google_compute_firewall" "deny_all_ingress" {
  name          = "${var.name}-deny-all-ingress"
  network       = google_compute_network.vpc.id
  direction     = "INGRESS"
  priority      = 65534
  source_ranges = ["0.0.0.0/0"]

  deny {
    protocol = "all"
  }

  log_config {
    metadata = "INCLUDE_ALL_METADATA"
  }
}
