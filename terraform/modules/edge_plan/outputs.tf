output "instances" {
  description = "\"<service>-<region>\" => { service, region, zone, name, routed, primary }."
  value       = local.instances
}

output "identities" {
  description = "\"<service>-<zone>\" => { service, zone, sa_id }: one runtime identity per service and zone."
  value       = local.identities
}

output "zones" {
  description = "Zone => its edge regions."
  value       = { for zone in distinct(values(var.regions)) : zone => sort([for r, z in var.regions : r if z == zone]) }
}

output "route_rules" {
  description = "Load balancer rules of the edge routes: { service, method, path, priority }."
  value       = local.route_rules

  precondition {
    condition     = length(local.route_rules) <= 7
    error_message = "Edge routes use priorities 3-9: at most 7 of them."
  }
  precondition {
    condition     = length(setintersection([for r in local.route_rules : "${r.method} ${r.path}"], var.function_routes)) == 0
    error_message = "An edge route may not also be a function's route: the load balancer would send it to one of them only."
  }
  precondition {
    condition     = alltrue([for r in local.route_rules : !strcontains(r.path, "{")])
    error_message = "Edge routes are exact paths."
  }
}

output "primary_instances" {
  description = "Service => the instance in the primary region (what place_order and Pub/Sub push call)."
  value       = { for key, i in local.instances : i.service => key if i.primary }

  precondition {
    condition     = contains(keys(var.regions), var.primary_region)
    error_message = "The primary region (the functions') must be one of the edge regions."
  }
}
