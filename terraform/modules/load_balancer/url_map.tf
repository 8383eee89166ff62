# The URL map: one route rule per manifest route, generated (and ordered) by the
# manifest module, which also explains the matching choices. Here each rule gets:
# - the method matched on the ":method" pseudo-header, which header_matches documents for
#   exactly this; with CORS origins configured OPTIONS matches too, and the load balancer
#   answers the preflight from the route's cors_policy;
# - the backend service of the function that serves the route.
# One more rule, first in evaluation order: GET/HEAD under /media/ go to the renditions
# backend bucket (media.tf) with the prefix rewritten to "/", so /media/products/... reads
# the object products/... (the manifest module refuses API routes under /media/).
# Anything unmatched (unknown path, or a known path with another method) goes to the
# default function, which answers 404 or 405 as problem+json (see README).

locals {
  cors = length(var.cors_origins) > 0
}

resource "google_compute_url_map" "api" {
  name            = "${var.name}-api"
  description     = "Bazaar API routes, generated from functions/manifest.yaml"
  default_service = google_compute_backend_service.fn[var.default_function].id

  host_rule {
    hosts        = [var.domain]
    path_matcher = "api"
  }

  path_matcher {
    name            = "api"
    default_service = google_compute_backend_service.fn[var.default_function].id

    # Generated API priorities start at 10, so 1 is free and evaluated first.
    route_rules {
      priority = 1
      service  = google_compute_backend_bucket.media.id

      match_rules {
        prefix_match = var.media_path_prefix

        header_matches {
          header_name = ":method"
          regex_match = "^(GET|HEAD)$"
        }
      }

      route_action {
        url_rewrite {
          path_prefix_rewrite = "/"
        }
      }
    }

    # GET/HEAD under /models/ read the model bucket (models.tf), the path as the object name.
    route_rules {
      priority = 2
      service  = google_compute_backend_bucket.models.id

      match_rules {
        prefix_match = var.model_path_prefix

        header_matches {
          header_name = ":method"
          regex_match = "^(GET|HEAD)$"
        }
      }
    }

    # Edge routes (priorities 3-9) go to the nearest region's edge worker.
    dynamic "route_rules" {
      for_each = var.edge_route_rules
      iterator = route

      content {
        priority = route.value.priority
        service  = var.edge_backends[route.value.service]

        match_rules {
          full_path_match = route.value.path

          header_matches {
            header_name = ":method"
            regex_match = "^(${join("|", concat([route.value.method], local.cors ? ["OPTIONS"] : []))})$"
          }
        }

        dynamic "route_action" {
          for_each = local.cors ? [route.value.path] : []

          content {
            cors_policy {
              allow_origins     = var.cors_origins
              allow_methods     = [route.value.method]
              allow_headers     = ["Authorization", "Content-Type", "X-Device-Id"]
              expose_headers    = ["Retry-After"]
              max_age           = 3600
              allow_credentials = false
            }
          }
        }
      }
    }

    dynamic "route_rules" {
      for_each = var.route_rules
      iterator = route

      content {
        priority = route.value.priority
        service  = google_compute_backend_service.fn[route.value.function].id

        match_rules {
          full_path_match = route.value.templated ? null : route.value.path
          regex_match     = route.value.templated ? route.value.regex : null

          header_matches {
            header_name = ":method"
            regex_match = "^(${join("|", concat(route.value.methods, local.cors ? ["OPTIONS"] : []))})$"
          }
        }

        dynamic "route_action" {
          for_each = local.cors ? [route.value.path] : []

          content {
            cors_policy {
              allow_origins     = var.cors_origins
              allow_methods     = var.path_methods[route_action.value]
              allow_headers     = ["Authorization", "Content-Type", "Idempotency-Key", "If-None-Match"]
              expose_headers    = ["ETag", "Retry-After", "Idempotent-Replayed", "Location"]
              max_age           = 3600
              allow_credentials = false
            }
          }
        }
      }
    }
  }

  lifecycle {
    precondition {
      condition     = contains(keys(var.functions), var.default_function)
      error_message = "default_function ${var.default_function} is not an HTTP function of the manifest."
    }
    precondition {
      condition     = alltrue([for r in var.route_rules : r.priority > 2 && !startswith(r.path, var.media_path_prefix) && !startswith(r.path, var.model_path_prefix)])
      error_message = "API routes must not use priorities 1-2 or paths under ${var.media_path_prefix} or ${var.model_path_prefix}; they belong to the renditions and model routes."
    }
  }
}
