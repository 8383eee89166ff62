variable "secrets" {
  description = "Secret ids and what they hold."
  type        = map(string)
  default = {
    firebase-web-api-key  = "Firebase Web API key; the functions sign users in through the Identity Toolkit REST API with it."
    smtp-password         = "Password of the SMTP relay user (SMTP_USERNAME)."
    page-token-key        = "HMAC-SHA256 key that signs page tokens (PAGE_TOKEN_KEY), at least 32 characters."
    stripe-secret-key     = "Stripe secret API key (STRIPE_SECRET_KEY, sk_live_...), given only to functions that use payments."
    stripe-webhook-secret = "Signing secret of the Stripe webhook endpoint (STRIPE_WEBHOOK_SECRET, whsec_...), given only to the webhook door."
    pseudonym-key         = "HMAC-SHA256 key of pseudonymous account and device ids (PSEUDONYM_KEY), at least 32 characters."
  }
}

variable "labels" {
  description = "Labels of the secrets."
  type        = map(string)
}
