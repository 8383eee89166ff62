# The manifest interpreted: per-function names and identities, unix-cron schedules and
# load balancer route rules. No provider and no resources, so `terraform test` can run
# it offline (tests/), and the other modules only consume its outputs.

locals {
  functions = {
    for name, f in var.functions : name => {
      trigger  = f.trigger
      routes   = f.routes
      uses     = f.uses
      schedule = f.schedule
      # IAM and database grants beyond `uses:` (validated in variables.tf).
      database_role = f.database_role
      publishes     = f.publishes
      # Function ids (and so Cloud Run service names) may not contain underscores.
      id = replace(name, "_", "-")
      # Service account ids have 30 characters at most; long names keep a stable hash.
      sa_id      = length("fn-${replace(name, "_", "-")}") <= 30 ? "fn-${replace(name, "_", "-")}" : "fn-${substr(replace(name, "_", "-"), 0, 20)}-${substr(sha1(name), 0, 6)}"
      invoker_id = length("inv-${replace(name, "_", "-")}") <= 30 ? "inv-${replace(name, "_", "-")}" : "inv-${substr(replace(name, "_", "-"), 0, 19)}-${substr(sha1(name), 0, 6)}"
      # The manifest speaks "every N minutes|hours" (App Engine cron style); Cloud
      # Scheduler wants unix-cron.
      cron = f.schedule == null ? null : (
        can(regex("^every 1 minutes?$", f.schedule)) ? "* * * * *" :
        can(regex("^every [0-9]+ minutes?$", f.schedule)) ? "*/${regex("[0-9]+", f.schedule)} * * * *" :
        can(regex("^every 1 hours?$", f.schedule)) ? "0 * * * *" :
        can(regex("^every [0-9]+ hours?$", f.schedule)) ? "0 */${regex("[0-9]+", f.schedule)} * * *" :
        f.schedule
      )
    }
  }
}
