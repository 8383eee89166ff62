# One Cloud Scheduler job per `schedule:` in the manifest (translated to unix-cron by
# the manifest module), calling the function's URL with an OIDC token of that
# function's own invoker account.

resource "google_cloud_scheduler_job" "job" {
  for_each = var.jobs

  name             = replace(each.key, "_", "-")
  description      = "Runs ${each.key} (${each.value.schedule})"
  region           = var.region
  schedule         = each.value.cron
  time_zone        = "Etc/UTC"
  attempt_deadline = "320s" # a little above the function's 300 s timeout

  # The next tick is the retry: a failed sweep is not worth a pile-up of attempts.
  retry_config {
    retry_count = 0
  }

  http_target {
    http_method = "POST"
    uri         = each.value.uri

    oidc_token {
      service_account_email = each.value.invoker_email
      audience              = each.value.uri
    }
  }
}
