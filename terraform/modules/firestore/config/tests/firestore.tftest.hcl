# Offline tests of the Firestore configuration (no provider needed):
#   cd terraform/modules/firestore/config && terraform init && terraform test
# `python tools/iac/check.py` runs them in a temporary copy.

variables {
  location = "europe-west1"
  rules    = file("../../../../firestore.rules")
  indexes  = jsondecode(file("../../../../firestore.indexes.json"))
}

run "the_database_is_native_recoverable_and_protected" {
  command = plan

  assert {
    condition     = output.database.name == "(default)" && output.database.type == "FIRESTORE_NATIVE"
    error_message = "The chat rooms live in the (default) database, in native mode (the client SDKs' real-time reads)."
  }
  assert {
    condition     = output.database.point_in_time_recovery == "POINT_IN_TIME_RECOVERY_ENABLED"
    error_message = "Point-in-time recovery must be on."
  }
  assert {
    condition     = output.database.delete_protection == "DELETE_PROTECTION_ENABLED" && output.database.deletion_policy == "ABANDON"
    error_message = "Delete protection must be on, and terraform destroy must not delete the database."
  }
  assert {
    condition     = output.database.location == "europe-west1"
    error_message = "The database sits where var.location says."
  }
}

run "the_repository_rules_are_released_to_the_default_database" {
  command = plan

  assert {
    condition     = output.rules_release == "cloud.firestore"
    error_message = "The (default) database reads the release named cloud.firestore."
  }
  assert {
    condition     = output.rules_files == [{ name = "firestore.rules", content = file("../../../../firestore.rules") }]
    error_message = "The ruleset is exactly firestore.rules of the repository, the file the rules tests check."
  }
}

run "the_rooms_query_has_its_composite_index" {
  command = plan

  assert {
    condition = (
      output.indexes["rooms/members:CONTAINS,last_message_at:DESCENDING"].collection == "rooms" &&
      output.indexes["rooms/members:CONTAINS,last_message_at:DESCENDING"].query_scope == "COLLECTION" &&
      [for f in output.indexes["rooms/members:CONTAINS,last_message_at:DESCENDING"].fields : "${f.field_path} ${coalesce(f.order, "-")} ${coalesce(f.array_config, "-")}"] == ["members - CONTAINS", "last_message_at DESCENDING -"]
    )
    error_message = "GET /v1/chats (members array-contains uid, newest last_message_at first) needs this index."
  }
  assert {
    condition     = length(output.indexes) == 1
    error_message = "One composite index today: the rooms list."
  }
}

run "an_index_field_with_both_order_and_array_config_is_refused" {
  command = plan

  variables {
    indexes = {
      indexes = [{
        collectionGroup = "rooms"
        fields = [
          { fieldPath = "members", arrayConfig = "CONTAINS", order = "ASCENDING" },
          { fieldPath = "last_message_at", order = "DESCENDING" },
        ]
      }]
    }
  }

  expect_failures = [var.indexes]
}

run "rules_without_version_2_are_refused" {
  command = plan

  variables {
    rules = "service cloud.firestore { match /databases/{database}/documents { } }"
  }

  expect_failures = [var.rules]
}
