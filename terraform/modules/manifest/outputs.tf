output "functions" {
  description = "Per function: trigger, routes, uses, schedule, database_role, publishes, cron, id, sa_id, invoker_id."
  value       = local.functions
}

output "route_rules" {
  description = "URL map route rules in evaluation order: priority, function, method(s), path, templated, regex."
  value       = local.route_rules

  precondition {
    condition     = length(local.duplicates) == 0
    error_message = "Routes served by more than one function: ${join("; ", local.duplicates)}."
  }
  precondition {
    condition     = length(local.route_rules) <= 200
    error_message = "A path matcher holds at most 200 route rules; split the URL map."
  }
}

output "path_methods" {
  description = "Methods served per path."
  value       = local.path_methods
}
