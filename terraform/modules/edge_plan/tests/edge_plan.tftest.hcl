# Offline tests of how edge_workers/services.yaml becomes regional services and routes:
#   cd terraform/modules/edge_plan && terraform init && terraform test
# `python tools/iac/check.py` runs them in a temporary copy.

variables {
  services = yamldecode(file("../../../edge_workers/services.yaml"))
  regions = {
    "europe-west1"    = "eu"
    "us-central1"     = "americas"
    "asia-northeast1" = "asia"
  }
  primary_region = "europe-west1"
}

run "every_service_runs_in_every_region" {
  command = plan

  assert {
    condition     = length(output.instances) == length(var.services) * 3
    error_message = "One Cloud Run service per service and region."
  }
  assert {
    condition     = output.instances["anonymizer-us-central1"].zone == "americas" && output.instances["fraud-asia-northeast1"].zone == "asia"
    error_message = "Each instance holds its region's zone."
  }
  assert {
    condition     = output.primary_instances["fraud"] == "fraud-europe-west1"
    error_message = "place_order and Pub/Sub push call the fraud worker of the functions' region."
  }
}

run "identities_are_per_zone_not_per_region" {
  command = plan

  variables {
    regions = {
      "europe-west1"    = "eu"
      "europe-north1"   = "eu"
      "us-central1"     = "americas"
      "asia-northeast1" = "asia"
    }
  }

  assert {
    condition     = length(output.identities) == length(var.services) * 3
    error_message = "Two regions of one zone share the zone's identity (and so its key)."
  }
  assert {
    condition     = join(",", output.zones["eu"]) == "europe-north1,europe-west1"
    error_message = "A zone lists its regions."
  }
}

run "only_routed_services_get_load_balancer_rules" {
  command = plan

  assert {
    condition     = toset([for r in output.route_rules : r.service]) == toset(["anonymizer"])
    error_message = "The fraud worker has no public route; the anonymizer's routes go to it."
  }
  assert {
    condition     = alltrue([for r in output.route_rules : r.priority >= 3 && r.priority <= 9])
    error_message = "Edge rules sit between the bucket rules (1-2) and the manifest's (10+)."
  }
}

run "a_zone_without_a_region_is_refused" {
  command = plan

  variables {
    regions = {
      "europe-west1" = "eu"
      "us-central1"  = "americas"
    }
  }

  expect_failures = [var.regions]
}

run "an_edge_route_may_not_shadow_a_function_route" {
  command = plan

  variables {
    function_routes = ["POST /v1/interactions"]
  }

  expect_failures = [output.route_rules]
}
