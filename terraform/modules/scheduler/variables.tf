variable "region" {
  description = "Cloud Scheduler location."
  type        = string
}

variable "jobs" {
  description = "Per scheduled function: schedule (as written), cron, uri, invoker_email."
  type = map(object({
    schedule      = string
    cron          = string
    uri           = string
    invoker_email = string
  }))
}
