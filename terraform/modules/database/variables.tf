variable "project_id" {
  description = "Project of the instance (used in IAM conditions)."
  type        = string
}

variable "name" {
  description = "Prefix of the instance name."
  type        = string
}

variable "region" {
  description = "Region of the primary; the standby runs in another zone of it."
  type        = string
}

variable "network_id" {
  description = "VPC that gets the private IP."
  type        = string
}

variable "private_service_link" {
  description = "Id of the private service access connection; the instance waits for it."
  type        = string
}

variable "tier" {
  description = "Machine tier."
  type        = string
}

variable "database_version" {
  description = "POSTGRES_16 or newer."
  type        = string
  default     = "POSTGRES_18"

  validation {
    condition     = can(regex("^POSTGRES_(1[6-9]|[2-9][0-9])$", var.database_version))
    error_message = "database_version must be POSTGRES_16 or newer."
  }
}

variable "ssl_mode" {
  description = "Cloud SQL ssl_mode."
  type        = string
  default     = "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"

  validation {
    condition     = contains(["ENCRYPTED_ONLY", "TRUSTED_CLIENT_CERTIFICATE_REQUIRED"], var.ssl_mode)
    error_message = "ssl_mode must refuse unencrypted connections."
  }
}

variable "disk_size_gb" {
  description = "Initial disk size; it grows automatically."
  type        = number
  default     = 20
}

variable "backup_location" {
  description = "Location of the automated backups."
  type        = string
}

variable "retained_backups" {
  description = "Number of daily backups kept."
  type        = number
  default     = 30
}

variable "migration_principals" {
  description = "Principals allowed to impersonate the migrator."
  type        = list(string)
  default     = []
}

variable "labels" {
  description = "Labels of the instance."
  type        = map(string)
}
