variable "project_id" {
  description = "Project; bucket names start with it to be globally unique."
  type        = string
}

variable "region" {
  description = "Location of the buckets (same region as the functions)."
  type        = string
}

variable "web_app_origins" {
  description = "Origins allowed by the upload bucket's CORS policy."
  type        = list(string)
}

variable "object_events_topic" {
  description = "Topic id that receives the upload bucket's notifications."
  type        = string
}

variable "object_event_types" {
  description = "Notification event types (from events.yaml)."
  type        = list(string)
}

variable "noncurrent_retention_days" {
  description = "Days an overwritten or deleted object version is kept."
  type        = number
  default     = 30
}

variable "access_log_retention_days" {
  description = "Days access logs are kept."
  type        = number
  default     = 365
}

variable "labels" {
  description = "Labels of the buckets."
  type        = map(string)
}
