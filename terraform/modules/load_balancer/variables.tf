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

variable "security_policy_name" {
  description = "Name of the Cloud Armor policy."
  type        = string
}

variable "log_sample_rate" {
  description = "Share of requests logged by the backends (1.0 = all)."
  type        = number
  default     = 1.0
}
