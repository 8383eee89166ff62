variable "project_id" {
  description = "Google Cloud project that hosts Bazaar."
  type        = string
}

variable "region" {
  description = "Region of the functions, Cloud SQL, the serverless NEGs and Cloud Scheduler."
  type        = string
  default     = "europe-west1"
}

variable "domain" {
  description = "Public host name of the API (managed certificate, host rule)."
  type        = string
}

variable "name" {
  description = "Prefix of the shared resources (network, load balancer, database instance)."
  type        = string
  default     = "bazaar"

  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,14}$", var.name))
    error_message = "name must be 2-15 lowercase letters, digits or hyphens (it prefixes names with tight limits)."
  }
}

variable "environment" {
  description = "Label value and BAZAAR_ENV of the functions."
  type        = string
  default     = "production"
}

variable "labels" {
  description = "Extra labels for every resource that takes labels."
  type        = map(string)
  default     = {}
}

variable "public_base_url" {
  description = "Base of the links in emails; defaults to https://<domain>."
  type        = string
  default     = null
}

variable "web_app_origins" {
  description = "Origins allowed to PUT to signed upload URLs (bucket CORS); defaults to the public base URL."
  type        = list(string)
  default     = null
}

variable "api_cors_origins" {
  description = "Origins the load balancer answers CORS preflights for; empty when the web app is same-origin."
  type        = list(string)
  default     = []
}

variable "mail_from" {
  description = "MAIL_FROM of the functions; defaults to Bazaar <no-reply@<domain>>."
  type        = string
  default     = null
}

variable "smtp_host" {
  description = "SMTP relay host used by the mail-sending functions."
  type        = string
}

variable "smtp_port" {
  description = "SMTP relay port (STARTTLS)."
  type        = number
  default     = 587
}

variable "smtp_username" {
  description = "SMTP user name; the password lives in Secret Manager (smtp-password)."
  type        = string
  default     = ""
}

variable "log_level" {
  description = "LOG_LEVEL of the functions."
  type        = string
  default     = "INFO"
}

variable "function_min_instances" {
  description = "Warm instances per function name; latency-critical ones default to 1, the rest to 0."
  type        = map(number)
  default = {
    create_session = 1
    get_me         = 1
  }
}

variable "function_max_instances" {
  description = "Per-function override of function_default_max_instances."
  type        = map(number)
  default     = {}
}

variable "function_default_max_instances" {
  description = "Upper bound of instances per function; with the pool size it bounds database connections."
  type        = number
  default     = 5
}

variable "function_concurrency" {
  description = "Concurrent requests per instance (gen2 allows more than one)."
  type        = number
  default     = 20
}

variable "function_sizing" {
  description = "Instance size per `uses:` group, instead of 512M / 1 vCPU / function_concurrency (first matching group alphabetically)."
  type = map(object({
    memory      = string
    cpu         = string
    concurrency = optional(number)
  }))
  # imaging: index_product_image decodes uploads of up to 40 megapixels into RGB
  # (~120 MB, ~280 MB while converting from RGBA/CMYK) and scales renditions from them;
  # with the Python runtime that is roughly 400 MB per request at worst. 2Gi keeps
  # headroom for 2 at once (the search by image decodes in draft mode, far smaller), and
  # on 1 vCPU more concurrent CPU-bound decodes would only queue.
  default = {
    imaging = { memory = "2Gi", cpu = "1", concurrency = 2 }
  }
}

variable "vision_location" {
  description = "VISION_LOCATION: region of the Vision API Product Search resources; null means var.region. Product Search runs in us-west1, us-east1, europe-west1 and asia-east1 only."
  type        = string
  default     = null

  validation {
    condition     = var.vision_location == null ? true : contains(["us-west1", "us-east1", "europe-west1", "asia-east1"], var.vision_location)
    error_message = "vision_location must be a Product Search location: us-west1, us-east1, europe-west1 or asia-east1."
  }
}

variable "vision_product_set" {
  description = "VISION_PRODUCT_SET: the Product Search product set that holds the reference images."
  type        = string
  default     = "bazaar-products"
}

variable "vision_product_category" {
  description = "VISION_PRODUCT_CATEGORY: Product Search category of the products (general-v1 covers every kind of goods)."
  type        = string
  default     = "general-v1"
}

variable "firestore_location" {
  description = "Location of the Firestore database (chat rooms); null means var.region. It cannot change once the database exists."
  type        = string
  default     = null
}

variable "database_pool_size" {
  description = "DATABASE_POOL_SIZE per instance. Keep functions x max instances x pool below max_connections."
  type        = number
  default     = 5
}

variable "sql_tier" {
  description = "Cloud SQL machine tier (Enterprise edition)."
  type        = string
  default     = "db-custom-2-8192"
}

variable "sql_database_version" {
  description = "Cloud SQL PostgreSQL major version (local development runs PostgreSQL 18)."
  type        = string
  default     = "POSTGRES_18"
}

variable "sql_ssl_mode" {
  description = "TRUSTED_CLIENT_CERTIFICATE_REQUIRED suits the Cloud SQL connectors; ENCRYPTED_ONLY also admits plain TLS clients."
  type        = string
  default     = "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"
}

variable "sql_backup_location" {
  description = "Where automated backups are stored (a multi-region keeps them out of the instance's region)."
  type        = string
  default     = "eu"
}

variable "sessions_rate_limit_per_minute" {
  description = "POST /v1/sessions requests per client IP and minute before Cloud Armor answers 429."
  type        = number
  default     = 30
}

variable "password_resets_rate_limit_per_minute" {
  description = "POST /v1/password-resets requests per client IP and minute before Cloud Armor answers 429."
  type        = number
  default     = 10
}

variable "image_search_rate_limit_per_minute" {
  description = "POST /v1/products:searchByImage requests per client IP and minute before Cloud Armor answers 429."
  type        = number
  default     = 20
}

variable "kms_key_name" {
  description = "Optional Cloud KMS key in var.region for the Pub/Sub topics and the image repository (CMEK); null keeps Google-managed encryption. The Pub/Sub and Artifact Registry service agents need encrypt/decrypt on it."
  type        = string
  default     = null
}

variable "object_events_topic" {
  description = "Topic of events.yaml that receives the upload bucket's object notifications."
  type        = string
  default     = "gcs-object-events"
}

variable "migration_principals" {
  description = "Principals (e.g. group:db-admins@example.com) allowed to impersonate the migrator service account."
  type        = list(string)
  default     = []
}

variable "lb_default_function" {
  description = "HTTP function that receives requests no route matches; it must answer 404/405 problem+json."
  type        = string
  default     = "api_docs"
}

variable "edge_regions" {
  description = "Regions of the edge workers (edge_workers/services.yaml) => their data-residency zone (eu, americas, asia). It must include `region`."
  type        = map(string)
  default = {
    "europe-west1"    = "eu"
    "us-east1"        = "americas"
    "asia-northeast1" = "asia"
  }
}

variable "edge_worker_images" {
  description = "Edge worker => container image by digest, built by Cloud Build (edge_workers/cloudbuild.yaml)."
  type        = map(string)
}

variable "edge_subnet_range" {
  description = "Range the edge workers' per-region subnets (/26 each, direct VPC egress) are cut from."
  type        = string
  default     = "10.30.0.0/20"
}

variable "fraud_model_version" {
  description = "Fraud model version the workers load at start: gs://<fraud model bucket>/fraud/<version>/model.onnx (docs/fraud-model.md)."
  type        = string
}

variable "fraud_budget_ms" {
  description = "Time place_order waits for the fraud worker's decision before applying fraud_on_failure."
  type        = number
  default     = 50
}

variable "fraud_on_failure" {
  description = "What an order does when the fraud check is late or fails: allow (screened afterwards from order.placed) or review (held)."
  type        = string
  default     = "allow"

  validation {
    condition     = contains(["allow", "review"], var.fraud_on_failure)
    error_message = "fraud_on_failure is allow or review."
  }
}
