variable "project_id" {
  description = "Project of the Firestore database."
  type        = string
}

variable "location" {
  description = "Firestore location (a region such as europe-west1, or a multi-region such as eur3); it cannot change once the database exists."
  type        = string
}

variable "rules" {
  description = "The text of firestore.rules (repository root)."
  type        = string
}

variable "indexes" {
  description = "firestore.indexes.json (repository root), decoded: the composite indexes."
  type        = any
}
