variable "secrets" {
  description = "Secret ids and what they hold."
  type        = map(string)
  default = {
    firebase-web-api-key = "Firebase Web API key; the functions sign users in through the Identity Toolkit REST API with it."
    smtp-password        = "Password of the SMTP relay user (SMTP_USERNAME)."
  }
}

variable "labels" {
  description = "Labels of the secrets."
  type        = map(string)
}
