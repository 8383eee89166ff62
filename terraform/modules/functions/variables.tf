variable "project_id" {
  description = "Project of the functions."
  type        = string
}

variable "region" {
  description = "Region of the functions."
  type        = string
}

variable "functions" {
  description = "The manifest as interpreted by the manifest module (ids, account ids, uses, database_role, publishes)."
  type = map(object({
    trigger       = string
    routes        = list(string)
    uses          = list(string)
    schedule      = string
    database_role = string
    publishes     = list(string)
    cron          = string
    id            = string
    sa_id         = string
    invoker_id    = string
  }))
}

variable "source_root" {
  description = "Folder with one built folder per function (nox -s build)."
  type        = string
}

variable "source_bucket" {
  description = "Bucket that receives the source zips."
  type        = string
}

variable "upload_bucket" {
  description = "Bucket that functions using `storage` may write and sign URLs for."
  type        = string
}

variable "renditions_bucket" {
  description = "Public renditions bucket: functions using `storage` write it, those using `vision` read it."
  type        = string
}

variable "analytics_bucket" {
  description = "Private bucket of the k-anonymous exports: only functions using `analytics_export` may create objects in it."
  type        = string
}

variable "model_bucket" {
  description = "Public model bucket: only functions using `model_publisher` may create objects in it."
  type        = string
}

variable "vpc_connector" {
  description = "Serverless VPC Access connector id for egress to Cloud SQL."
  type        = string
}

variable "sql_instance_name" {
  description = "Cloud SQL instance the database users belong to."
  type        = string
}

variable "publish_topics" {
  description = "Application topics (name => id); a function gets publisher on those its manifest entry `publishes` to."
  type        = map(string)
}

variable "secrets" {
  description = "Secret ids by name (firebase-web-api-key, smtp-password, page-token-key, stripe-secret-key, stripe-webhook-secret, pseudonym-key)."
  type        = map(string)
}

variable "environment" {
  description = "Environment variables common to all functions."
  type        = map(string)
}

variable "use_environment" {
  description = "Environment variables per `uses:` group (group => name => value), given only to the functions that use the group."
  type        = map(map(string))
  default     = {}
}

variable "runtime" {
  description = "Cloud Functions runtime."
  type        = string
  default     = "python311"
}

variable "memory" {
  description = "Memory per instance."
  type        = string
  default     = "512M"
}

variable "cpu" {
  description = "vCPUs per instance; concurrency above 1 needs at least 1."
  type        = string
  default     = "1"
}

variable "sizing" {
  description = <<-EOT
    Instance size per `uses:` group: group => { memory, cpu, concurrency (optional) }. A
    function that uses a listed group gets that size instead of memory / cpu / concurrency
    (the first matching group in alphabetical order wins).
  EOT
  type = map(object({
    memory      = string
    cpu         = string
    concurrency = optional(number)
  }))
  default = {}
}

variable "min_instances" {
  description = "Warm instances per function name (default 0)."
  type        = map(number)
  default     = {}
}

variable "max_instances" {
  description = "Per-function maximum instances."
  type        = map(number)
  default     = {}
}

variable "default_max_instances" {
  description = "Maximum instances when max_instances names no value."
  type        = number
  default     = 5
}

variable "concurrency" {
  description = "Concurrent requests per instance."
  type        = number
  default     = 20
}

variable "labels" {
  description = "Labels of the functions."
  type        = map(string)
}

variable "kms_key_name" {
  description = "Optional Cloud KMS key for the image repository (CMEK); null keeps Google-managed encryption."
  type        = string
  default     = null
}
