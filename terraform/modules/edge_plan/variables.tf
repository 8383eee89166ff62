variable "services" {
  description = "edge_workers/services.yaml: name => { app, requirements, routes, url_setting, database_role }."
  type = map(object({
    app           = string
    requirements  = string
    routes        = optional(list(string), [])
    url_setting   = string
    database_role = optional(string)
  }))
}

variable "regions" {
  description = "Region => data-residency zone (eu, americas, asia) of the edge workers."
  type        = map(string)

  validation {
    condition     = alltrue([for z in values(var.regions) : contains(["eu", "americas", "asia"], z)])
    error_message = "Each edge region belongs to one of the zones eu, americas, asia."
  }
  validation {
    condition     = length(setsubtract(["eu", "americas", "asia"], values(var.regions))) == 0
    error_message = "Edge workers run in at least one region of each zone: Europe, the Americas and Asia."
  }
}

variable "primary_region" {
  description = "Region of the functions: its fraud worker is the one place_order and Pub/Sub push call."
  type        = string
}

variable "function_routes" {
  description = "Every \"METHOD /path\" the functions' manifest serves (an edge route may not shadow one)."
  type        = list(string)
  default     = []
}
