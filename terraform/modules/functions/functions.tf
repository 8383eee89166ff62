resource "google_cloudfunctions2_function" "fn" {
  for_each = local.functions

  name        = each.value.id
  location    = var.region
  description = "Bazaar ${each.key} (trigger: ${each.value.trigger})"
  labels      = merge(var.labels, { function = each.value.id, trigger = each.value.trigger })

  build_config {
    runtime           = var.runtime
    entry_point       = each.key
    service_account   = google_service_account.build.id
    docker_repository = google_artifact_registry_repository.functions.id

    source {
      storage_source {
        bucket = var.source_bucket
        object = google_storage_bucket_object.source[each.key].name
      }
    }
  }

  service_config {
    # Sized per `uses:` group (var.sizing, e.g. imaging), else the module defaults.
    available_memory                 = local.sizes[each.key].memory
    available_cpu                    = local.sizes[each.key].cpu
    max_instance_request_concurrency = coalesce(local.sizes[each.key].concurrency, var.concurrency)
    min_instance_count               = lookup(var.min_instances, each.key, 0)
    max_instance_count               = lookup(var.max_instances, each.key, var.default_max_instances)
    # Pub/Sub push waits at most the 60 s ack deadline; scheduled sweeps may take longer.
    timeout_seconds = each.value.trigger == "internal" ? 300 : 60

    # HTTP functions are reached through the load balancer only; the others only by
    # Pub/Sub push and Cloud Scheduler, which count as internal traffic.
    ingress_settings               = each.value.trigger == "http" ? "ALLOW_INTERNAL_AND_GCLB" : "ALLOW_INTERNAL_ONLY"
    all_traffic_on_latest_revision = true
    service_account_email          = google_service_account.fn[each.key].email

    vpc_connector                 = var.vpc_connector
    vpc_connector_egress_settings = "PRIVATE_RANGES_ONLY"

    environment_variables = merge(
      var.environment,
      # Set by the platform anyway; declaring it avoids a permanent diff.
      { LOG_EXECUTION_ID = "true" },
      contains(each.value.uses, "database") ? {
        DATABASE_IAM_USER = trimsuffix(google_service_account.fn[each.key].email, ".gserviceaccount.com")
      } : {},
      # storage: bucket names; imaging / vision: the recognizer settings.
      local.use_environment[each.key],
    )

    # Resolved when an instance starts: a rotated secret reaches new instances only.
    dynamic "secret_environment_variables" {
      for_each = { for env, s in local.secret_env : env => s if contains(each.value.uses, s.use) }
      content {
        key        = secret_environment_variables.key
        project_id = var.project_id
        secret     = secret_environment_variables.value.secret
        version    = "latest"
      }
    }
  }

  lifecycle {
    precondition {
      condition     = alltrue([for name in concat(keys(var.min_instances), keys(var.max_instances)) : contains(keys(var.functions), name)])
      error_message = "min_instances / max_instances name a function that is not in functions/manifest.yaml."
    }
    precondition {
      condition     = !contains(each.value.uses, "vision") || contains(local.product_search_locations, try(local.use_environment[each.key]["VISION_LOCATION"], ""))
      error_message = "${each.key} uses vision: VISION_LOCATION (var.vision_location, default the region) must be a Vision API Product Search location: ${join(", ", local.product_search_locations)}."
    }
  }

  # The first revision must be able to read its secrets and reach its database, and the
  # build must be allowed.
  depends_on = [
    google_secret_manager_secret_iam_member.accessor,
    google_project_iam_member.sql_client,
    google_project_iam_member.sql_instance_user,
    google_sql_user.fn,
    google_project_iam_member.build_logs,
    google_project_iam_member.build_sources,
    google_artifact_registry_repository_iam_member.build_writer,
  ]
}
