# Offline tests of the manifest interpretation (no provider needed):
#   cd terraform/modules/manifest && terraform init && terraform test
# `python tools/iac/check.py` runs them in a temporary copy.

run "real_manifest_routes_are_ordered_and_unique" {
  command = plan

  variables {
    functions = yamldecode(file("../../../functions/manifest.yaml"))
  }

  assert {
    condition     = length(distinct(output.route_rules[*].priority)) == length(output.route_rules)
    error_message = "Route priorities must be unique."
  }
  assert {
    condition     = alltrue([for i, r in output.route_rules : i == 0 ? true : r.priority > output.route_rules[i - 1].priority])
    error_message = "Priorities must increase in list order."
  }
  assert {
    condition     = alltrue([for i, r in output.route_rules : i == 0 ? true : (r.templated ? true : !output.route_rules[i - 1].templated)])
    error_message = "Exact paths must come before templated ones."
  }
  assert {
    condition     = length(output.route_rules) == length(flatten([for f in values(var.functions) : try(f.routes, [])]))
    error_message = "Every manifest route must become exactly one rule."
  }
}

run "real_manifest_grants_by_what_each_function_does" {
  command = plan

  variables {
    functions = yamldecode(file("../../../functions/manifest.yaml"))
  }

  assert {
    condition = alltrue([
      for name in ["list_categories", "get_product", "search_products", "search_products_by_image"] :
      output.functions[name].database_role == "bazaar_reader" && length(setintersection(output.functions[name].uses, ["auth", "auth_admin", "auth_client", "pubsub", "storage"])) == 0
    ])
    error_message = "Anonymous public reads connect as bazaar_reader and earn no Firebase, Pub/Sub or bucket grant."
  }
  assert {
    condition     = toset([for name, f in output.functions : name if contains(f.uses, "auth_client")]) == toset(["create_session", "refresh_session", "confirm_email"])
    error_message = "Only password sign-in, token refresh and applying a verification code use the Web API key (auth_client)."
  }
  assert {
    condition     = !contains(output.functions["get_me"].uses, "auth_admin") && !contains(output.functions["create_product"].uses, "auth_admin")
    error_message = "Verifying an ID token (auth) needs no Firebase Auth admin."
  }
  assert {
    condition     = toset(output.functions["sweep_outbox"].publishes) == setsubtract(toset(flatten([for f in values(output.functions) : f.publishes])), [for name, t in yamldecode(file("../../events.yaml")).topics : name if !try(t.outbox, true)])
    error_message = "The outbox sweep publishes whatever any function publishes through the outbox: not the telemetry topics published directly (events.yaml `outbox: false`)."
  }
  assert {
    condition     = alltrue([for f in values(output.functions) : f.database_role != "bazaar_reader" || length(f.publishes) == 0])
    error_message = "The read-only role publishes nothing."
  }
}

run "fixture_routes_schedules_and_names" {
  command = plan

  variables {
    functions = {
      verify_vendor = { trigger = "http", routes = ["POST /v1/admin/vendors/{vendor_id}:verify"], uses = ["database"], database_role = "bazaar_admin" }
      get_vendor    = { trigger = "http", routes = ["GET /v1/vendors/{vendor_id}"] }
      get_me        = { trigger = "http", routes = ["GET /v1/vendors/me", "GET /docs/swagger.css"] }
      sweep         = { trigger = "internal", schedule = "every 1 minutes" }
      reconcile     = { trigger = "internal", schedule = "every 5 minutes" }
      nightly       = { trigger = "internal", schedule = "every 6 hours" }
      cron_style    = { trigger = "internal", schedule = "15 3 * * 1" }
      notify        = { trigger = "pubsub" }

      a_function_with_a_very_long_descriptive_name = { trigger = "pubsub" }
    }
  }

  assert {
    condition     = [for r in output.route_rules : "${r.priority} ${r.method} ${r.path}"] == ["10 GET /docs/swagger.css", "20 GET /v1/vendors/me", "30 POST /v1/admin/vendors/{vendor_id}:verify", "40 GET /v1/vendors/{vendor_id}"]
    error_message = "Exact paths first, then templated, each sorted by path."
  }
  assert {
    condition     = output.route_rules[2].regex == "^/v1/admin/vendors/[^/:]+:verify$"
    error_message = "A {param}:verb segment must become [^/:]+:verb."
  }
  assert {
    condition     = output.route_rules[3].regex == "^/v1/vendors/[^/:]+$" && !can(regex(output.route_rules[3].regex, "/v1/vendors/42:verify"))
    error_message = "A parameter must not swallow a :verb suffix."
  }
  assert {
    condition     = can(regex(output.route_rules[2].regex, "/v1/admin/vendors/v-123:verify")) && !can(regex(output.route_rules[2].regex, "/v1/admin/vendors/a/b:verify"))
    error_message = "The parameter matches exactly one path segment."
  }
  assert {
    condition     = output.route_rules[0].methods == tolist(["GET", "HEAD"]) && output.route_rules[2].methods == tolist(["POST"])
    error_message = "GET routes also take HEAD; others only their method."
  }
  assert {
    condition     = output.route_rules[0].templated == false && output.route_rules[0].path == "/docs/swagger.css"
    error_message = "Paths without parameters are exact matches."
  }
  assert {
    condition = (
      output.functions["sweep"].cron == "* * * * *" &&
      output.functions["reconcile"].cron == "*/5 * * * *" &&
      output.functions["nightly"].cron == "0 */6 * * *" &&
      output.functions["cron_style"].cron == "15 3 * * 1" &&
      output.functions["notify"].cron == null
    )
    error_message = "Schedules must translate to unix-cron."
  }
  assert {
    condition = (
      output.functions["verify_vendor"].id == "verify-vendor" &&
      output.functions["verify_vendor"].sa_id == "fn-verify-vendor" &&
      output.functions["verify_vendor"].invoker_id == "inv-verify-vendor"
    )
    error_message = "Ids use hyphens; account ids are fn-/inv- prefixed."
  }
  assert {
    condition = alltrue([
      for f in values(output.functions) : length(f.sa_id) <= 30 && length(f.invoker_id) <= 30 && can(regex("^[a-z][-a-z0-9]{4,28}[a-z0-9]$", f.sa_id))
    ])
    error_message = "Service account ids must be valid and at most 30 characters."
  }
  assert {
    condition     = output.path_methods["/v1/vendors/me"] == tolist(["GET", "HEAD"])
    error_message = "path_methods lists the methods served on a path."
  }
}

run "catalog_routes_share_paths_by_method" {
  command = plan

  # The catalog's shape: one path served by several functions, one per method, a custom
  # verb beside a collection, and a sub-collection under a parameter.
  variables {
    functions = {
      list_categories              = { trigger = "http", routes = ["GET /v1/categories"] }
      create_product               = { trigger = "http", routes = ["POST /v1/products"] }
      search_products              = { trigger = "http", routes = ["GET /v1/products"] }
      search_products_by_image     = { trigger = "http", routes = ["POST /v1/products:searchByImage"], uses = ["database", "imaging", "vision"], database_role = "bazaar_reader" }
      get_product                  = { trigger = "http", routes = ["GET /v1/products/{product_id}"] }
      update_product               = { trigger = "http", routes = ["PATCH /v1/products/{product_id}"] }
      unlist_product               = { trigger = "http", routes = ["DELETE /v1/products/{product_id}"] }
      request_product_image_upload = { trigger = "http", routes = ["POST /v1/products/{product_id}/images"], uses = ["storage"] }
      index_product_image          = { trigger = "pubsub", uses = ["storage", "imaging", "vision"] }
    }
  }

  assert {
    condition = [for r in output.route_rules : "${r.priority} ${r.method} ${r.path} ${r.function}"] == [
      "10 GET /v1/categories list_categories",
      "20 POST /v1/products:searchByImage search_products_by_image",
      "30 GET /v1/products search_products",
      "40 POST /v1/products create_product",
      "50 POST /v1/products/{product_id}/images request_product_image_upload",
      "60 DELETE /v1/products/{product_id} unlist_product",
      "70 GET /v1/products/{product_id} get_product",
      "80 PATCH /v1/products/{product_id} update_product",
    ]
    error_message = "Same path, different methods: one rule per method, each to its own function, in a stable order."
  }
  assert {
    condition = (
      output.route_rules[1].templated == false && output.route_rules[1].methods == tolist(["POST"]) &&
      output.route_rules[2].methods == tolist(["GET", "HEAD"]) && output.route_rules[3].methods == tolist(["POST"])
    )
    error_message = "/v1/products and /v1/products:searchByImage are exact matches, each rule with its own method."
  }
  assert {
    condition = (
      output.route_rules[5].regex == "^/v1/products/[^/:]+$" &&
      output.route_rules[5].regex == output.route_rules[6].regex && output.route_rules[6].regex == output.route_rules[7].regex &&
      output.route_rules[5].methods == tolist(["DELETE"]) && output.route_rules[7].methods == tolist(["PATCH"])
    )
    error_message = "GET, PATCH and DELETE on /v1/products/{product_id} share the regex and differ by :method."
  }
  assert {
    condition = (
      can(regex(output.route_rules[5].regex, "/v1/products/7f0c")) &&
      !can(regex(output.route_rules[5].regex, "/v1/products/7f0c/images")) &&
      !can(regex(output.route_rules[5].regex, "/v1/products:searchByImage")) &&
      output.route_rules[4].regex == "^/v1/products/[^/:]+/images$" &&
      can(regex(output.route_rules[4].regex, "/v1/products/7f0c/images"))
    )
    error_message = "The product parameter must not swallow /images or the :searchByImage verb."
  }
  assert {
    condition = (
      toset(output.path_methods["/v1/products"]) == toset(["GET", "HEAD", "POST"]) &&
      toset(output.path_methods["/v1/products/{product_id}"]) == toset(["DELETE", "GET", "HEAD", "PATCH"])
    )
    error_message = "path_methods (CORS allow_methods) lists every method of a shared path."
  }
  assert {
    condition = (
      can(regex("^fn-request-product-imag-[0-9a-f]{6}$", output.functions["request_product_image_upload"].sa_id)) &&
      output.functions["index_product_image"].invoker_id == "inv-index-product-image"
    )
    error_message = "Account ids over 30 characters are shortened with a hash; shorter ones are kept."
  }
}

run "rejects_a_route_under_media" {
  command = plan

  variables {
    functions = {
      one = { trigger = "http", routes = ["GET /media/products/{product_id}"] }
    }
  }

  expect_failures = [var.functions]
}

run "rejects_a_route_served_twice" {
  command = plan

  variables {
    functions = {
      one = { trigger = "http", routes = ["GET /v1/me"] }
      two = { trigger = "http", routes = ["GET /v1/me"] }
    }
  }

  expect_failures = [output.route_rules]
}

run "rejects_a_schedule_on_an_http_function" {
  command = plan

  variables {
    functions = {
      one = { trigger = "http", routes = ["GET /v1/me"], schedule = "every 1 minutes" }
    }
  }

  expect_failures = [var.functions]
}

run "rejects_a_malformed_route" {
  command = plan

  variables {
    functions = {
      one = { trigger = "http", routes = ["/v1/me"] }
    }
  }

  expect_failures = [var.functions]
}

run "rejects_routes_on_a_pubsub_function" {
  command = plan

  variables {
    functions = {
      one = { trigger = "pubsub", routes = ["POST /v1/x"] }
    }
  }

  expect_failures = [var.functions]
}

run "rejects_a_database_function_without_a_role" {
  command = plan

  variables {
    functions = {
      one = { trigger = "http", routes = ["GET /v1/me"], uses = ["database"] }
    }
  }

  expect_failures = [var.functions]
}

run "rejects_a_role_without_the_database" {
  command = plan

  variables {
    functions = {
      one = { trigger = "http", routes = ["GET /v1/me"], database_role = "bazaar_reader" }
    }
  }

  expect_failures = [var.functions]
}

run "rejects_a_publisher_without_topics" {
  command = plan

  variables {
    functions = {
      one = { trigger = "internal", uses = ["pubsub"] }
    }
  }

  expect_failures = [var.functions]
}
