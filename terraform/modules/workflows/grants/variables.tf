variable "workflows" {
  description = "terraform/workflows.yaml, decoded: per workflow id (the file stem of workflows/<id>.yaml) what it calls, publishes, and who starts it or sends it callbacks."
  type = map(object({
    description    = optional(string, "")
    calls          = optional(list(string), [])
    publishes      = optional(list(string), [])
    started_by     = optional(list(string), [])
    callbacks_from = optional(list(string), [])
  }))

  validation {
    condition     = alltrue([for id in keys(var.workflows) : can(regex("^[a-z][a-z0-9_-]{0,62}$", id))])
    error_message = "Workflow ids are lowercase letters, digits, _ and -, starting with a letter (the service allows 64 characters)."
  }
}

variable "source_ids" {
  description = "Ids of the workflows/*.yaml files (file stems)."
  type        = list(string)
}

variable "function_names" {
  description = "Names of functions/manifest.yaml."
  type        = list(string)
}

variable "topic_names" {
  description = "Topic names of terraform/events.yaml."
  type        = list(string)
}
