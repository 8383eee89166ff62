variable "location" {
  description = "Firestore location: a region (europe-west1) or a multi-region (eur3, nam5)."
  type        = string

  validation {
    condition     = can(regex("^[a-z]+[0-9]*(-[a-z]+[0-9]+)?$", var.location))
    error_message = "location must be a Firestore region such as europe-west1 or a multi-region such as eur3."
  }
}

variable "rules" {
  description = "The text of firestore.rules (repository root): the security rules the client SDKs meet."
  type        = string

  validation {
    condition     = strcontains(var.rules, "rules_version = '2';") && strcontains(var.rules, "service cloud.firestore")
    error_message = "firestore.rules must declare rules_version = '2' and service cloud.firestore."
  }
}

variable "indexes" {
  description = "firestore.indexes.json (repository root, the Firebase CLI's format), decoded."
  type = object({
    indexes = list(object({
      collectionGroup = string
      queryScope      = optional(string, "COLLECTION")
      fields = list(object({
        fieldPath   = string
        order       = optional(string)
        arrayConfig = optional(string)
      }))
    }))
    fieldOverrides = optional(list(any), [])
  })

  validation {
    condition = alltrue(flatten([
      for index in var.indexes.indexes : [
        for field in index.fields : (field.order == null) != (field.arrayConfig == null)
      ]
    ]))
    error_message = "Each index field takes exactly one of order (ASCENDING|DESCENDING) or arrayConfig (CONTAINS)."
  }
  validation {
    condition     = alltrue([for index in var.indexes.indexes : length(index.fields) >= 2])
    error_message = "A composite index has two fields or more (single fields are indexed automatically)."
  }
}
