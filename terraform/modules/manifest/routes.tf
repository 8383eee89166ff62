# Route rules of the load balancer's URL map, from the manifest's "METHOD /path" routes.
#
# - A path without parameters is matched exactly (full_path_match).
# - A path with {param} segments becomes a regex (regex_match): the API puts custom verbs
#   inside a segment (/v1/admin/vendors/{vendor_id}:verify), which a path template cannot
#   express (its variables capture whole segments), and the parameter class excludes ":"
#   so that /x/{id} never swallows /x/{id}:verb.
# - Exact paths come first, then templated ones, each sorted by path, so a literal segment
#   (/v1/vendors/me) wins over a parameter (/v1/vendors/{id}); priorities step by 10.
# - GET routes also take HEAD.

locals {
  routes = flatten([
    for fn, f in var.functions : [
      for route in f.routes : {
        function  = fn
        method    = split(" ", route)[0]
        path      = split(" ", route)[1]
        templated = strcontains(route, "{")
        regex     = "^${replace(replace(split(" ", route)[1], ".", "\\."), "/\\{[A-Za-z0-9_]+\\}/", "[^/:]+")}$"
        methods   = split(" ", route)[0] == "GET" ? ["GET", "HEAD"] : [split(" ", route)[0]]
      }
    ]
  ])

  # Grouped, so that a "METHOD /path" served twice reaches the output precondition.
  routes_by_key = { for r in local.routes : "${r.method} ${r.path}" => r... }
  duplicates    = [for key, rs in local.routes_by_key : "${key} (${join(", ", rs[*].function)})" if length(rs) > 1]

  route_rules = [
    for i, s in sort([for r in local.routes : "${r.templated ? 1 : 0}|${r.path}|${r.method}"]) :
    merge(local.routes_by_key["${split("|", s)[2]} ${split("|", s)[1]}"][0], { priority = (i + 1) * 10 })
  ]

  # All methods served on a path, for CORS preflights when functions share a path.
  path_methods = { for path, methods in { for r in local.routes : r.path => r.methods... } : path => distinct(flatten(methods)) }
}
