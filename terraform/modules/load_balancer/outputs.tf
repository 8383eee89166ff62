output "ip_address" {
  description = "Global anycast address of the load balancer."
  value       = google_compute_global_address.lb.address
}

output "url_map" {
  description = "Id of the API URL map."
  value       = google_compute_url_map.api.id
}

output "route_priorities" {
  description = "Route rules in evaluation order (for review in plans)."
  value = concat(
    ["1 GET|HEAD ${var.media_path_prefix}* -> renditions bucket (CDN, prefix rewritten to /)"],
    ["2 GET|HEAD ${var.model_path_prefix}* -> model bucket (CDN, path kept as the object name)"],
    [for r in var.edge_route_rules : "${r.priority} ${r.method} ${r.path} -> edge worker ${r.service} (nearest region)"],
    [for r in var.route_rules : "${r.priority} ${r.method} ${r.path} -> ${r.function}"],
  )
}

output "security_policy" {
  description = "Id of the Cloud Armor policy every backend service uses (the edge workers' too)."
  value       = google_compute_security_policy.edge.id
}
