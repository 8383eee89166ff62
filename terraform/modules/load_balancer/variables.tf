variable "name" {
  description = "Prefix of the load balancer resources."
  type        = string
}

variable "region" {
  description = "Region of the functions (and so of the serverless NEGs)."
  type        = string
}

variable "domain" {
  description = "Host name served (certificate and host rule)."
  type        = string
}

variable "functions" {
  description = "HTTP functions: name => Cloud Run service name."
  type        = map(string)
}

variable "media_bucket" {
  description = "Public bucket of the product image renditions, served at media_path_prefix through Cloud CDN."
  type        = string
}

variable "media_path_prefix" {
  description = "Path prefix of the renditions; the URL map strips it before reading the bucket."
  type        = string
  default     = "/media/"

  validation {
    condition     = can(regex("^/[a-z0-9-]+/$", var.media_path_prefix))
    error_message = "media_path_prefix must be one path segment between slashes, e.g. /media/."
  }
}

variable "model_bucket" {
  description = "Public bucket of the federated model versions, served at model_path_prefix through Cloud CDN."
  type        = string
}

variable "model_path_prefix" {
  description = "Path prefix of the model objects (their names start with it, minus the leading slash)."
  type        = string
  default     = "/models/"

  validation {
    condition     = can(regex("^/[a-z0-9-]+/$", var.model_path_prefix))
    error_message = "model_path_prefix must be one path segment between slashes, e.g. /models/."
  }
}

variable "route_rules" {
  description = "Ordered route rules from the manifest module."
  type = list(object({
    priority  = number
    function  = string
    method    = string
    methods   = list(string)
    path      = string
    templated = bool
    regex     = string
  }))
}

variable "path_methods" {
  description = "Methods served per path (CORS allow_methods)."
  type        = map(list(string))
}

variable "default_function" {
  description = "Function that receives unmatched requests and answers 404/405."
  type        = string
}

variable "cors_origins" {
  description = "Origins allowed cross-origin; empty disables CORS handling at the load balancer."
  type        = list(string)
  default     = []
}

variable "sessions_rate_limit" {
  description = "POST /v1/sessions per client IP per minute."
  type        = number
}

variable "password_resets_rate_limit" {
  description = "POST /v1/password-resets per client IP per minute."
  type        = number
}

variable "image_search_rate_limit" {
  description = "POST /v1/products:searchByImage per client IP per minute."
  type        = number
}

variable "security_policy_name" {
  description = "Name of the Cloud Armor policy."
  type        = string
}

variable "log_sample_rate" {
  description = "Share of requests logged by the backends (1.0 = all)."
  type        = number
  default     = 1.0
}

variable "edge_backends" {
  description = "Routed edge worker => its backend service (modules/edge_workers)."
  type        = map(string)
  default     = {}
}

variable "edge_route_rules" {
  description = "modules/edge_plan route_rules: { service, method, path, priority } (priorities 3-9)."
  type = list(object({
    service  = string
    method   = string
    path     = string
    priority = number
  }))
  default = []
}
