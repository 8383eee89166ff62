# edge_workers/services.yaml interpreted for every edge region: one Cloud Run service per
# (service, region), the zone whose keys it holds, and the load balancer routes of the
# services that have public paths. No provider and no resources, so `terraform test` runs
# it offline (tests/); modules/edge_workers and modules/load_balancer consume its outputs.

locals {
  region_codes = { for region in keys(var.regions) : region => join("", [for part in split("-", region) : substr(part, 0, 2)]) }

  instances = merge([
    for service, s in var.services : {
      for region, zone in var.regions : "${service}-${region}" => {
        service = service
        region  = region
        zone    = zone
        # Cloud Run service names: lower case, digits and hyphens, at most 49 characters.
        name    = "edge-${service}-${region}"
        routed  = length(s.routes) > 0
        primary = region == var.primary_region
      }
    }
  ]...)

  # Service accounts are per (service, zone): a zone's anonymizers read that zone's key
  # only. Ids have 30 characters at most.
  identities = merge([
    for service, s in var.services : {
      for zone in distinct(values(var.regions)) : "${service}-${zone}" => {
        service = service
        zone    = zone
        sa_id   = substr("edge-${service}-${zone}", 0, 30)
      }
    }
  ]...)

  # Edge routes go first (priorities 3-9: 1 and 2 are the media and model buckets, the
  # manifest's generated rules start at 10). Exact paths only: edge routes take no ids.
  edge_routes = flatten([
    for service in sort(keys(var.services)) : [
      for route in var.services[service].routes : {
        service = service
        method  = split(" ", route)[0]
        path    = split(" ", route)[1]
      }
    ]
  ])
  route_rules = [
    for i, route in local.edge_routes : merge(route, { priority = 3 + i })
  ]
}
