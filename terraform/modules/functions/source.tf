# Each function deploys the folder that `nox -s build` assembled for it (main.py,
# requirements.txt and a copy of common/). The object name carries the content hash,
# so a code change is a new object and therefore a new build and revision.

data "archive_file" "source" {
  for_each = local.functions

  type        = "zip"
  source_dir  = "${var.source_root}/${each.key}"
  output_path = "${path.root}/.terraform/function-zips/${each.key}.zip"

  lifecycle {
    precondition {
      condition     = fileexists("${var.source_root}/${each.key}/main.py")
      error_message = "${var.source_root}/${each.key}/main.py is missing: run `nox -s build` before plan/apply."
    }
  }
}

resource "google_storage_bucket_object" "source" {
  for_each = local.functions

  bucket = var.source_bucket
  name   = "functions/${each.key}/${data.archive_file.source[each.key].output_md5}.zip"
  source = data.archive_file.source[each.key].output_path
}
