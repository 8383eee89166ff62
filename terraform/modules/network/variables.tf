variable "name" {
  description = "Prefix of the network resources."
  type        = string
}

variable "region" {
  description = "Region of the subnet and the connector."
  type        = string
}

variable "connector_cidr" {
  description = "A /28 that no other subnet or peering uses."
  type        = string
  default     = "10.8.0.0/28"
}

variable "connector_machine_type" {
  description = "Machine type of the connector instances."
  type        = string
  default     = "e2-micro"
}

variable "connector_max_instances" {
  description = "Upper bound of connector instances (3-10)."
  type        = number
  default     = 3
}
