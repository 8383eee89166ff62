# PostgreSQL for all functions: regional HA, private IP only, IAM database
# authentication, point-in-time recovery. Function service accounts become IAM database
# users in the functions module; schema privileges are granted by the migrations.

resource "google_sql_database_instance" "main" {
  #checkov:skip=CKV2_GCP_13:log_duration=on writes a log line per statement; Query Insights records latency per query shape instead (see checkov-waivers.yaml)
  name                = "${var.name}-pg"
  database_version    = var.database_version
  region              = var.region
  deletion_protection = true

  settings {
    tier                        = var.tier
    edition                     = "ENTERPRISE"
    availability_type           = "REGIONAL"
    disk_type                   = "PD_SSD"
    disk_size                   = var.disk_size_gb
    disk_autoresize             = true
    deletion_protection_enabled = true
    user_labels                 = var.labels

    backup_configuration {
      enabled                        = true
      location                       = var.backup_location
      start_time                     = "02:00"
      point_in_time_recovery_enabled = true
      transaction_log_retention_days = 7

      backup_retention_settings {
        retained_backups = var.retained_backups
        retention_unit   = "COUNT"
      }
    }

    ip_configuration {
      ipv4_enabled    = false
      private_network = var.network_id
      ssl_mode        = var.ssl_mode
    }

    # Sunday 03:00 UTC, the quietest hour; "stable" gets updates after the preview track.
    maintenance_window {
      day          = 7
      hour         = 3
      update_track = "stable"
    }

    insights_config {
      query_insights_enabled  = true
      query_string_length     = 1024
      record_application_tags = true
      record_client_address   = false
      query_plans_per_minute  = 5
    }

    database_flags {
      name  = "cloudsql.iam_authentication"
      value = "on"
    }
    # Logging flags per the CIS benchmark (checkov CKV_GCP_51..58, 108..111).
    database_flags {
      name  = "log_checkpoints"
      value = "on"
    }
    database_flags {
      name  = "log_connections"
      value = "on"
    }
    database_flags {
      name  = "log_disconnections"
      value = "on"
    }
    database_flags {
      name  = "log_lock_waits"
      value = "on"
    }
    database_flags {
      name  = "log_min_messages"
      value = "error"
    }
    database_flags {
      name  = "log_min_error_statement"
      value = "error"
    }
    database_flags {
      name  = "log_temp_files"
      value = "0"
    }
    # -1: no statement text with parameters in the logs; Query Insights covers slow queries.
    database_flags {
      name  = "log_min_duration_statement"
      value = "-1"
    }
    database_flags {
      name  = "log_hostname"
      value = "on"
    }
    database_flags {
      name  = "log_statement"
      value = "ddl"
    }
    # pgaudit also needs `CREATE EXTENSION pgaudit` (a migration).
    database_flags {
      name  = "cloudsql.enable_pgaudit"
      value = "on"
    }
    database_flags {
      name  = "pgaudit.log"
      value = "ddl,role"
    }
  }

  depends_on = [var.private_service_link]
}

resource "google_sql_database" "bazaar" {
  name     = "bazaar"
  instance = google_sql_database_instance.main.name

  # Never drop the data with a plan; removing the instance is a deliberate, separate act.
  deletion_policy = "ABANDON"
}
