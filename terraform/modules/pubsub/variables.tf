variable "project_id" {
  description = "Project of the topics (its number names the Pub/Sub service agent)."
  type        = string
}

variable "topics" {
  description = "events.yaml `topics`: name => { events, outbox (false: published directly, never by the outbox sweep) }."
  type = map(object({
    events = optional(list(string), [])
    outbox = optional(bool, true)
  }))
}

variable "region" {
  description = "Region of the functions, and so of the Eventarc triggers that deliver to them."
  type        = string
}

variable "subscriptions" {
  description = "events.yaml `subscriptions`: name => { topic, function or service (an edge worker), filter, max_delivery_attempts, via (push | eventarc) }."
  type = map(object({
    topic                 = string
    function              = optional(string)
    service               = optional(string)
    filter                = optional(string)
    max_delivery_attempts = optional(number, 5)
    via                   = optional(string, "push")
  }))

  validation {
    condition     = alltrue([for s in values(var.subscriptions) : s.max_delivery_attempts >= 5 && s.max_delivery_attempts <= 100])
    error_message = "max_delivery_attempts must be between 5 and 100 (Pub/Sub limits)."
  }
  validation {
    condition     = alltrue([for s in values(var.subscriptions) : (s.function == null) != (s.service == null)])
    error_message = "A subscription names exactly one of function (a pubsub function) or service (an edge worker)."
  }
  validation {
    condition     = alltrue([for s in values(var.subscriptions) : s.service == null || s.via == "push"])
    error_message = "Edge workers are fed by push subscriptions only."
  }
  validation {
    condition     = alltrue([for s in values(var.subscriptions) : contains(["push", "eventarc"], s.via)])
    error_message = "via must be push (the default) or eventarc."
  }
  validation {
    condition     = alltrue([for s in values(var.subscriptions) : s.via != "eventarc" || s.filter == null])
    error_message = "An Eventarc trigger on a Pub/Sub topic takes no attribute filter: drop `filter` or use via: push."
  }
}

variable "push_targets" {
  description = "Per pubsub function: uri, service (Cloud Run service name), invoker_email, invoker_name."
  type = map(object({
    uri           = string
    service       = string
    invoker_email = string
    invoker_name  = string
  }))
}

variable "service_push_targets" {
  description = "Per edge worker fed by push: uri (its primary region's service URL), invoker_email, invoker_name. Pushed to <uri>/_events/<subscription>."
  type = map(object({
    uri           = string
    invoker_email = string
    invoker_name  = string
  }))
  default = {}
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
