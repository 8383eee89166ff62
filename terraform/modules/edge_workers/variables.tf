variable "project_id" {
  description = "Project of the edge workers."
  type        = string
}

variable "name" {
  description = "Prefix of the shared resources (subnets, backend services, secrets)."
  type        = string
}

variable "services" {
  description = "edge_workers/services.yaml: name => { routes, url_setting, database_role, ... }."
  type = map(object({
    app           = string
    requirements  = string
    routes        = optional(list(string), [])
    url_setting   = string
    database_role = optional(string)
  }))
}

variable "instances" {
  description = "edge_plan's instances: \"<service>-<region>\" => { service, region, zone, name, routed, primary }."
  type = map(object({
    service = string
    region  = string
    zone    = string
    name    = string
    routed  = bool
    primary = bool
  }))
}

variable "identities" {
  description = "edge_plan's identities: \"<service>-<zone>\" => { service, zone, sa_id }."
  type = map(object({
    service = string
    zone    = string
    sa_id   = string
  }))
}

variable "zones" {
  description = "edge_plan's zones: zone => its regions (the pseudonym key of a zone is replicated there only)."
  type        = map(list(string))
}

variable "images" {
  description = "Service => container image built by Cloud Build from edge_workers/<service>/Dockerfile (edge_workers/cloudbuild.yaml), by digest."
  type        = map(string)

  validation {
    condition     = alltrue([for image in values(var.images) : can(regex("@sha256:[0-9a-f]{64}$", image))])
    error_message = "Deploy images by digest (…@sha256:…), so a region never runs another build than the others."
  }
}

variable "network_id" {
  description = "The VPC whose private IPs (Cloud SQL) the workers reach by direct VPC egress."
  type        = string
}

variable "subnet_cidrs" {
  description = "Region => the /26 (or larger) range of the edge workers' subnet in that region."
  type        = map(string)
}

variable "sql_instance_name" {
  description = "Cloud SQL instance the workers with a database_role connect to (IAM database users)."
  type        = string
}

variable "environment" {
  description = "Settings every worker gets (BAZAAR_ENV, GOOGLE_CLOUD_PROJECT, CLOUD_SQL_INSTANCE, ...)."
  type        = map(string)
}

variable "service_environment" {
  description = "Service => extra settings (FRAUD_MODEL_URI, FRAUD_BUDGET_MS, ...)."
  type        = map(map(string))
  default     = {}
}

variable "fraud_model_bucket" {
  description = "Private bucket of the fraud model versions: the fraud workers read it, nothing else."
  type        = string
}

variable "publish_topics" {
  description = "Service => { topic name => topic id } it publishes to (the anonymizer: interactions, analytics)."
  type        = map(map(string))
  default     = {}
}

variable "invokers" {
  description = "Service => members that may call it besides Pub/Sub push (place_order's account for the fraud worker)."
  type        = map(list(string))
  default     = {}
}

variable "min_instances" {
  description = "Service => warm instances per region (the fraud worker loads its model at start)."
  type        = map(number)
  default     = { fraud = 1, anonymizer = 1 }
}

variable "max_instances" {
  description = "Maximum instances per service and region."
  type        = number
  default     = 100
}

variable "concurrency" {
  description = "Service => concurrent requests per instance. A fraud decision costs 2-3 ms of CPU (bench/fraud_latency.py): 8 at a time keeps the queue inside the order path's budget, and Cloud Run adds instances instead."
  type        = map(number)
  default     = { fraud = 8, anonymizer = 80 }
}

variable "security_policy" {
  description = "Cloud Armor policy of the backend services of routed workers."
  type        = string
}

variable "log_sample_rate" {
  description = "Share of requests the load balancer logs."
  type        = number
  default     = 1
}

variable "labels" {
  description = "Labels of every resource."
  type        = map(string)
}
