# Product image renditions: https://<domain>/media/<object name> is served from the
# public renditions bucket through Cloud CDN. The URL map strips the /media prefix
# (url_rewrite, see url_map.tf), so /media/products/<product>/<image>/<rendition>.webp
# reads the object products/<product>/<image>/<rendition>.webp.

resource "google_compute_backend_bucket" "media" {
  name        = "${var.name}-media"
  description = "Product image renditions (${var.media_bucket}) behind Cloud CDN"
  bucket_name = var.media_bucket
  enable_cdn  = true
  # WebP is already compressed.
  compression_mode = "DISABLED"

  # The pipeline writes every rendition with `Cache-Control: public, max-age=31536000,
  # immutable` (a new image is a new object name), and CACHE_ALL_STATIC honours that
  # header up to max_ttl; an object written without one is still cached, for default_ttl.
  # (USE_ORIGIN_HEADERS would do as well, but it forbids the TTL fields and the provider
  # has a history of sending them anyway.)
  cdn_policy {
    cache_mode         = "CACHE_ALL_STATIC"
    default_ttl        = 3600
    max_ttl            = 31536000
    client_ttl         = 31536000
    serve_while_stale  = 86400
    request_coalescing = true

    # A rendition requested before it exists (or after deletion) is not re-fetched from
    # the bucket on every request, but is not remembered for long either.
    negative_caching = true
    negative_caching_policy {
      code = 404
      ttl  = 60
    }
  }

  custom_response_headers = ["X-Content-Type-Options: nosniff"]
}
