# Federated model versions: https://<domain>/models/v<version>-<digest>.json is the object
# models/v<version>-<digest>.json of the public model bucket, through Cloud CDN (no path
# rewrite: the object names start with models/). MODEL_BASE_URL is https://<domain>.

resource "google_compute_backend_bucket" "models" {
  name        = "${var.name}-models"
  description = "Federated model versions (${var.model_bucket}) behind Cloud CDN"
  bucket_name = var.model_bucket
  enable_cdn  = true
  # JSON of floats compresses well; the CDN negotiates gzip/brotli with each client.
  compression_mode = "AUTOMATIC"

  # aggregate_fl_round writes every version with `Cache-Control: public, max-age=31536000,
  # immutable` under a content-addressed name, so the edge may keep it for a year.
  cdn_policy {
    cache_mode         = "CACHE_ALL_STATIC"
    default_ttl        = 3600
    max_ttl            = 31536000
    client_ttl         = 31536000
    serve_while_stale  = 86400
    request_coalescing = true

    negative_caching = true
    negative_caching_policy {
      code = 404
      ttl  = 60
    }
  }

  custom_response_headers = ["X-Content-Type-Options: nosniff"]
}
