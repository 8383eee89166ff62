# Offline tests of the workflow declarations (no provider needed):
#   cd terraform/modules/workflows/grants && terraform init && terraform test
# `python tools/iac/check.py` runs them in a temporary copy.

variables {
  function_names = ["reserve_stock", "release_stock", "place_order", "receive_stripe_webhook", "sweep_outbox"]
  topic_names    = ["orders", "identity"]
}

run "the_repository_declarations_match_the_workflow_files" {
  command = plan

  variables {
    workflows      = yamldecode(file("../../../workflows.yaml"))
    source_ids     = [for name in fileset("../../../../workflows", "*.yaml") : trimsuffix(name, ".yaml")]
    function_names = keys(yamldecode(file("../../../../functions/manifest.yaml")))
    topic_names    = keys(yamldecode(file("../../../events.yaml")).topics)
  }

  assert {
    condition     = length(output.workflows) == length(var.source_ids)
    error_message = "One declaration per workflows/*.yaml file (zero of each today)."
  }
  assert {
    condition     = length(output.invocations) == length(flatten([for w in values(output.workflows) : w.calls]))
    error_message = "One run.invoker grant per declared call."
  }
}

run "fixture_grants_exactly_what_each_workflow_declares" {
  command = plan

  variables {
    source_ids = ["purchase", "a_saga_with_a_rather_long_descriptive_id"]
    workflows = {
      purchase = {
        description    = "Reserve, pay, confirm or compensate."
        calls          = ["reserve_stock", "release_stock", "reserve_stock"]
        publishes      = ["orders"]
        started_by     = ["place_order"]
        callbacks_from = ["receive_stripe_webhook"]
      }
      a_saga_with_a_rather_long_descriptive_id = {
        calls      = ["release_stock"]
        started_by = ["place_order"]
      }
    }
  }

  assert {
    condition     = sort(keys(output.invocations)) == sort(["a_saga_with_a_rather_long_descriptive_id/release_stock", "purchase/release_stock", "purchase/reserve_stock"])
    error_message = "run.invoker exactly on the functions each workflow calls, once each."
  }
  assert {
    condition     = sort(keys(output.publications)) == sort(["purchase/orders"])
    error_message = "pubsub.publisher exactly on the declared topics."
  }
  assert {
    condition     = output.workflow_invokers == tolist(["place_order", "receive_stripe_webhook"])
    error_message = "Starters and callback senders get roles/workflows.invoker, once per function."
  }
  assert {
    condition     = tomap(output.workflows["purchase"].url_variables) == tomap({ RESERVE_STOCK_URL = "reserve_stock", RELEASE_STOCK_URL = "release_stock" })
    error_message = "Each callee's URL reaches the workflow as <FUNCTION>_URL."
  }
  assert {
    condition = (
      output.workflows["purchase"].sa_id == "wf-purchase" &&
      can(regex("^wf-a-saga-with-a-rather-[0-9a-f]{6}$", output.workflows["a_saga_with_a_rather_long_descriptive_id"].sa_id)) &&
      alltrue([for w in values(output.workflows) : length(w.sa_id) <= 30])
    )
    error_message = "Service account ids: wf-<id> with hyphens, at most 30 characters."
  }
  assert {
    condition     = length(output.workflows["a_saga_with_a_rather_long_descriptive_id"].publishes) == 0
    error_message = "A workflow that declares no topic publishes to none."
  }
}

run "rejects_a_call_to_an_unknown_function" {
  command = plan

  variables {
    source_ids = ["purchase"]
    workflows  = { purchase = { calls = ["no_such_function"] } }
  }

  expect_failures = [output.workflows]
}

run "rejects_an_unknown_topic" {
  command = plan

  variables {
    source_ids = ["purchase"]
    workflows  = { purchase = { publishes = ["no-such-topic"] } }
  }

  expect_failures = [output.workflows]
}

run "rejects_an_unknown_starter" {
  command = plan

  variables {
    source_ids = ["purchase"]
    workflows  = { purchase = { started_by = ["nobody"] } }
  }

  expect_failures = [output.workflows]
}

run "rejects_a_workflow_file_without_a_declaration" {
  command = plan

  variables {
    source_ids = ["purchase", "refund"]
    workflows  = { purchase = {} }
  }

  expect_failures = [output.workflows]
}

run "rejects_a_declaration_without_a_file" {
  command = plan

  variables {
    source_ids = []
    workflows  = { purchase = {} }
  }

  expect_failures = [output.workflows]
}

run "rejects_an_id_the_service_does_not_take" {
  command = plan

  variables {
    source_ids = ["Purchase.Saga"]
    workflows  = { "Purchase.Saga" = {} }
  }

  expect_failures = [var.workflows]
}
