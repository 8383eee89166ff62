# Cloud Armor in front of every backend. Rules are evaluated by priority and the first
# match decides, so the WAF denies come before the throttle, whose "allow" for conforming
# requests would otherwise end the evaluation.

resource "google_compute_security_policy" "edge" {
  name        = var.security_policy_name
  description = "Bazaar API edge policy: OWASP WAF, throttles on sign-in, reset mails, image search"
  type        = "CLOUD_ARMOR"

  # JSON bodies are parsed so the WAF inspects values, not the raw JSON text.
  advanced_options_config {
    json_parsing = "STANDARD"
    log_level    = "NORMAL"
  }

  adaptive_protection_config {
    layer_7_ddos_defense_config {
      enable = true
    }
  }

  rule {
    description = "SQL injection (OWASP CRS 3.3)"
    priority    = 1000
    action      = "deny(403)"
    match {
      expr {
        expression = "evaluatePreconfiguredWaf('sqli-v33-stable', {'sensitivity': 1})"
      }
    }
  }

  rule {
    description = "Cross-site scripting (OWASP CRS 3.3)"
    priority    = 1001
    action      = "deny(403)"
    match {
      expr {
        expression = "evaluatePreconfiguredWaf('xss-v33-stable', {'sensitivity': 1})"
      }
    }
  }

  rule {
    description = "Log4Shell probes (CVE-2021-44228)"
    priority    = 1002
    action      = "deny(403)"
    match {
      expr {
        expression = "evaluatePreconfiguredExpr('cve-canary')"
      }
    }
  }

  # Password guessing: the application also throttles per email and address; this stops
  # floods before they reach a function.
  rule {
    description = "Throttle sign-ins per client IP"
    priority    = 2000
    action      = "throttle"
    match {
      expr {
        expression = "request.method == 'POST' && request.path == '/v1/sessions'"
      }
    }
    rate_limit_options {
      conform_action = "allow"
      exceed_action  = "deny(429)"
      enforce_on_key = "IP"
      rate_limit_threshold {
        count        = var.sessions_rate_limit
        interval_sec = 60
      }
    }
  }

  # Reset mails: the application also limits them per email and address; this stops a
  # mailbox flood (and the database writes behind it) at the edge.
  rule {
    description = "Throttle password-reset requests per client IP"
    priority    = 2001
    action      = "throttle"
    match {
      expr {
        expression = "request.method == 'POST' && request.path == '/v1/password-resets'"
      }
    }
    rate_limit_options {
      conform_action = "allow"
      exceed_action  = "deny(429)"
      enforce_on_key = "IP"
      rate_limit_threshold {
        count        = var.password_resets_rate_limit
        interval_sec = 60
      }
    }
  }

  # Search by image is anonymous and decodes an upload per request (CPU and memory).
  rule {
    description = "Throttle search by image per client IP"
    priority    = 2002
    action      = "throttle"
    match {
      expr {
        expression = "request.method == 'POST' && request.path == '/v1/products:searchByImage'"
      }
    }
    rate_limit_options {
      conform_action = "allow"
      exceed_action  = "deny(429)"
      enforce_on_key = "IP"
      rate_limit_threshold {
        count        = var.image_search_rate_limit
        interval_sec = 60
      }
    }
  }

  rule {
    description = "Default: allow"
    priority    = 2147483647
    action      = "allow"
    match {
      versioned_expr = "SRC_IPS_V1"
      config {
        src_ip_ranges = ["*"]
      }
    }
  }
}
