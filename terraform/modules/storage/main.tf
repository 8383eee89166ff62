# Five buckets: uploads (client PUTs through signed URLs), renditions (public WebP
# renditions served through the load balancer's CDN), models (public federated model
# versions, also behind the CDN), function sources (zips read by Cloud Build) and access
# logs of the others. All use uniform access; all but the renditions and models buckets
# are private with public access prevention enforced.

resource "google_storage_bucket" "access_logs" {
  #checkov:skip=CKV_GCP_62:the access-log bucket cannot log to itself (CKV_GCP_63) and a log-of-logs bucket would need the same waiver (see checkov-waivers.yaml)
  name                        = "${var.project_id}-bazaar-access-logs"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  labels                      = var.labels

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      age = var.access_log_retention_days
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = 7
    }
    action {
      type = "Delete"
    }
  }
}

resource "google_storage_bucket" "uploads" {
  name                        = "${var.project_id}-bazaar-uploads"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  labels                      = var.labels

  versioning {
    enabled = true
  }

  # Overwritten or deleted images stay restorable for a while, then go.
  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.noncurrent_retention_days
    }
    action {
      type = "Delete"
    }
  }

  lifecycle_rule {
    condition {
      age = 1
    }
    action {
      type = "AbortIncompleteMultipartUpload"
    }
  }

  # Browsers PUT the image bytes straight to the signed URL.
  cors {
    origin          = var.web_app_origins
    method          = ["PUT", "GET", "HEAD"]
    response_header = ["Content-Type", "x-goog-content-length-range"]
    max_age_seconds = 3600
  }

  logging {
    log_bucket        = google_storage_bucket.access_logs.name
    log_object_prefix = "uploads/"
  }
}

# Written only by the image pipeline (functions that use `storage`): scaled-down WebP
# renditions without any metadata, named products/<product_id>/<image_id>/<rendition>.webp
# and written with `Cache-Control: public, max-age=31536000, immutable`. The load
# balancer serves them at https://<domain>/media/... through Cloud CDN (backend bucket).
resource "google_storage_bucket" "renditions" {
  #checkov:skip=CKV_GCP_114:public by design: it holds only metadata-free WebP renditions served through Cloud CDN (see checkov-waivers.yaml)
  name                        = "${var.project_id}-bazaar-renditions"
  location                    = var.region
  uniform_bucket_level_access = true
  # "inherited" rather than "enforced": enforcement would refuse the allUsers grant
  # below. An organization policy that enforces prevention blocks it as well.
  public_access_prevention = "inherited"
  labels                   = var.labels

  versioning {
    enabled = true
  }

  # A re-processed or deleted image leaves its old renditions restorable for a while.
  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.noncurrent_retention_days
    }
    action {
      type = "Delete"
    }
  }

  logging {
    log_bucket        = google_storage_bucket.access_logs.name
    log_object_prefix = "renditions/"
  }
}

# Anyone may read an object they know the name of, nothing else: legacyObjectReader
# holds storage.objects.get only. objectViewer would add storage.objects.list, letting
# anyone enumerate every rendition, including those of unlisted products.
resource "google_storage_bucket_iam_member" "renditions_public" {
  #checkov:skip=CKV_GCP_28:public read of the renditions only (objects.get, no listing): metadata-free WebP images shown on public product pages (see checkov-waivers.yaml)
  bucket = google_storage_bucket.renditions.name
  role   = "roles/storage.legacyObjectReader"
  member = "allUsers"
}

# Federated learning's model versions (docs/decisions/0024-federated-learning.md): one JSON
# object per version, models/v<version>-<content digest>.json, written once (if the name is
# free) by aggregate_fl_round with `Cache-Control: public, max-age=31536000, immutable`, and
# read by devices and the feed at https://<domain>/models/... through Cloud CDN (backend
# bucket). Nothing is overwritten, so object versioning would keep nothing.
resource "google_storage_bucket" "models" {
  #checkov:skip=CKV_GCP_114:public by design: it holds only the published model versions (item factors of promoted and popular products), served through Cloud CDN (see checkov-waivers.yaml)
  #checkov:skip=CKV_GCP_78:versioning off: objects are content-addressed and never overwritten or deleted by the platform (see checkov-waivers.yaml)
  name                        = "${var.project_id}-bazaar-models"
  location                    = var.region
  uniform_bucket_level_access = true
  # "inherited" rather than "enforced": enforcement would refuse the allUsers grant below.
  public_access_prevention = "inherited"
  labels                   = var.labels

  versioning {
    enabled = false
  }

  logging {
    log_bucket        = google_storage_bucket.access_logs.name
    log_object_prefix = "models/"
  }
}

# Anyone may read a model object they know the name of (devices download the URL that
# GET /v1/fl/model answers), nothing else: legacyObjectReader is storage.objects.get only.
resource "google_storage_bucket_iam_member" "models_public" {
  #checkov:skip=CKV_GCP_28:public read of the model objects only (objects.get, no listing): published model versions, no device data (see checkov-waivers.yaml)
  bucket = google_storage_bucket.models.name
  role   = "roles/storage.legacyObjectReader"
  member = "allUsers"
}

# The fraud model versions (fraud/<version>/model.onnx + meta.json, written by
# `nox -s train-fraud` through the release procedure in docs/fraud-model.md): private, read
# by the fraud edge workers only (modules/edge_workers), kept with their history.
resource "google_storage_bucket" "fraud_models" {
  name                        = "${var.project_id}-bazaar-fraud-models"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  labels                      = var.labels

  versioning {
    enabled = true
  }

  logging {
    log_bucket        = google_storage_bucket.access_logs.name
    log_object_prefix = "fraud-models/"
  }
}

# k-anonymous exports for analysis (exports/<dataset>/<release id>.jsonl,
# docs/decisions/0030-k-anonymous-exports.md): private; release_analytics_export creates
# objects, analysts are granted read out of band.
resource "google_storage_bucket" "analytics" {
  name                        = "${var.project_id}-bazaar-analytics"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  labels                      = var.labels

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.noncurrent_retention_days
    }
    action {
      type = "Delete"
    }
  }

  logging {
    log_bucket        = google_storage_bucket.access_logs.name
    log_object_prefix = "analytics/"
  }
}

resource "google_storage_bucket" "function_source" {
  name                        = "${var.project_id}-bazaar-function-source"
  location                    = var.region
  uniform_bucket_level_access = true
  public_access_prevention    = "enforced"
  labels                      = var.labels

  versioning {
    enabled = true
  }

  lifecycle_rule {
    condition {
      days_since_noncurrent_time = var.noncurrent_retention_days
    }
    action {
      type = "Delete"
    }
  }

  logging {
    log_bucket        = google_storage_bucket.access_logs.name
    log_object_prefix = "function-source/"
  }
}

# Cloud Storage writes usage/access logs as this Google group.
resource "google_storage_bucket_iam_member" "access_log_writer" {
  bucket = google_storage_bucket.access_logs.name
  role   = "roles/storage.objectCreator"
  member = "group:cloud-storage-analytics@google.com"
}
