variable "functions" {
  description = "functions/manifest.yaml, decoded. Of `uses`, database, auth_admin, auth_client, pubsub, mail, page_tokens, pseudonyms, zone_pseudonyms, storage, upload_urls, model_publisher, analytics_export, fraud, payments, payments_webhook and firestore earn IAM grants elsewhere (database with `database_role`, pubsub on the `publishes` topics); other groups (auth: verifying tokens needs no role) earn none."
  type = map(object({
    trigger  = string
    routes   = optional(list(string), [])
    uses     = optional(list(string), [])
    schedule = optional(string)
    # The PostgreSQL role granted to the function's IAM database user (with `database`).
    database_role = optional(string)
    # The topics it publishes to (with `pubsub`): publisher on each, on no other.
    publishes = optional(list(string), [])
  }))

  validation {
    condition     = alltrue([for name, f in var.functions : can(regex("^[a-z][a-z0-9_]{1,61}[a-z0-9]$", name))])
    error_message = "Function names must be lowercase snake_case (they become entry points and, with hyphens, function ids)."
  }
  validation {
    condition     = alltrue([for f in values(var.functions) : contains(["http", "internal", "pubsub"], f.trigger)])
    error_message = "trigger must be http, internal or pubsub."
  }
  validation {
    condition     = alltrue([for f in values(var.functions) : (f.trigger == "http") == (length(f.routes) > 0)])
    error_message = "http functions need routes; internal and pubsub functions must have none."
  }
  validation {
    condition     = alltrue([for f in values(var.functions) : contains(f.uses, "database") == (f.database_role != null)])
    error_message = "A function that uses `database` names its `database_role` (and only such a function does)."
  }
  validation {
    condition     = alltrue([for f in values(var.functions) : f.database_role == null ? true : can(regex("^bazaar_[a-z_]+$", f.database_role))])
    error_message = "database_role must read bazaar_<what the function does> (a role made by the migrations)."
  }
  validation {
    condition     = alltrue([for f in values(var.functions) : contains(f.uses, "pubsub") == (length(f.publishes) > 0)])
    error_message = "A function that uses `pubsub` lists the topics it `publishes` to (and only such a function does)."
  }
  validation {
    condition     = alltrue([for f in values(var.functions) : f.schedule == null ? true : f.trigger == "internal"])
    error_message = "Only internal functions may have a schedule."
  }
  validation {
    condition = alltrue([
      for f in values(var.functions) : f.schedule == null ? true : (
        can(regex("^every [0-9]+ (minute|hour)s?$", f.schedule)) || length(split(" ", f.schedule)) == 5
      )
    ])
    error_message = "schedule must read \"every N minutes\", \"every N hours\" or be a 5-field unix-cron expression."
  }
  validation {
    condition     = alltrue([for route in flatten([for f in values(var.functions) : f.routes]) : can(regex("^(GET|POST|PUT|PATCH|DELETE) /[A-Za-z0-9/_.:{}-]*$", route))])
    error_message = "Every route must read \"METHOD /path\" with a method in GET|POST|PUT|PATCH|DELETE and only [A-Za-z0-9/_.:{}-] in the path."
  }
  validation {
    condition     = alltrue([for route in flatten([for f in values(var.functions) : f.routes]) : !can(regex("^[A-Z]+ /media(/|$)", route))])
    error_message = "Paths under /media/ are served by the load balancer from the renditions bucket (Cloud CDN); no function route may use them."
  }
}
