variable "project_id" {
  description = "Project of the topics (its number names the Pub/Sub service agent)."
  type        = string
}

variable "topics" {
  description = "events.yaml `topics`: name => { events }."
  type = map(object({
    events = optional(list(string), [])
  }))
}

variable "subscriptions" {
  description = "events.yaml `subscriptions`: name => { topic, function, filter, max_delivery_attempts }."
  type = map(object({
    topic                 = string
    function              = string
    filter                = optional(string)
    max_delivery_attempts = optional(number, 5)
  }))

  validation {
    condition     = alltrue([for s in values(var.subscriptions) : s.max_delivery_attempts >= 5 && s.max_delivery_attempts <= 100])
    error_message = "max_delivery_attempts must be between 5 and 100 (Pub/Sub limits)."
  }
}

variable "push_targets" {
  description = "Per pubsub function: uri, invoker_email, invoker_name."
  type = map(object({
    uri           = string
    invoker_email = string
    invoker_name  = string
  }))
}

variable "kms_key_name" {
  description = "Optional CMEK key for all topics."
  type        = string
  default     = null
}

variable "labels" {
  description = "Labels of topics and subscriptions."
  type        = map(string)
}
