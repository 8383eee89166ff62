# The Firestore configuration interpreted: the database's settings, the rules release and the
# composite indexes, from firestore.rules and firestore.indexes.json at the repository root.
# No provider and no resources, so `terraform test` checks it offline (tests/); ../ creates
# what it says.

locals {
  database = {
    # The one database of the project; the Firebase client SDKs use it unless told otherwise.
    name     = "(default)"
    type     = "FIRESTORE_NATIVE"
    location = var.location
    # Chat writes are atomic batches with create() preconditions and Increment() counters,
    # no long read-write transactions: optimistic concurrency suits them.
    concurrency_mode            = "OPTIMISTIC"
    app_engine_integration_mode = "DISABLED"
    # Seven days of versions to read or restore from after a bad write or deploy.
    point_in_time_recovery = "POINT_IN_TIME_RECOVERY_ENABLED"
    # Deleting the database needs this turned off first, in a separate reviewed change.
    delete_protection = "DELETE_PROTECTION_ENABLED"
    # `terraform destroy` forgets the database instead of deleting the chat history.
    deletion_policy = "ABANDON"
  }

  # The release the Firestore service reads for the (default) database.
  rules_release = "cloud.firestore"
  rules_files   = [{ name = "firestore.rules", content = var.rules }]

  # collection/field:ORDER,... => the google_firestore_index arguments.
  indexes = {
    for index in var.indexes.indexes :
    "${index.collectionGroup}/${join(",", [for f in index.fields : "${f.fieldPath}:${coalesce(f.order, f.arrayConfig)}"])}" => {
      collection  = index.collectionGroup
      query_scope = index.queryScope
      fields = [for f in index.fields : {
        field_path   = f.fieldPath
        order        = f.order
        array_config = f.arrayConfig
      }]
    }
  }
}
