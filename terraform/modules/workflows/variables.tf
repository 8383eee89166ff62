variable "project_id" {
  type = string
}

variable "region" {
  description = "Workflows location (the functions' region)."
  type        = string
}

variable "workflows" {
  description = "terraform/workflows.yaml, decoded (see ./grants/variables.tf)."
  type = map(object({
    description    = optional(string, "")
    calls          = optional(list(string), [])
    publishes      = optional(list(string), [])
    started_by     = optional(list(string), [])
    callbacks_from = optional(list(string), [])
  }))
}

variable "sources" {
  description = "Workflow id (file stem) => the YAML source of workflows/<id>.yaml."
  type        = map(string)
}

variable "function_urls" {
  description = "Function name => Cloud Run URL."
  type        = map(string)
}

variable "function_services" {
  description = "Function name => Cloud Run service name (a gen2 function's service carries its id)."
  type        = map(string)
}

variable "function_service_accounts" {
  description = "Function name => runtime service account email."
  type        = map(string)
}

variable "topic_ids" {
  description = "Topic name => topic id (application topics)."
  type        = map(string)
}

variable "kms_key_name" {
  description = "Optional Cloud KMS key (CMEK) for the workflow sources and execution data; null keeps Google-managed encryption."
  type        = string
  default     = null
}

variable "labels" {
  type    = map(string)
  default = {}
}
