# One environment composed from small modules. functions/manifest.yaml decides which
# functions, routes, schedules and IAM grants exist; events.yaml decides the topics and
# the push subscriptions / Eventarc triggers. Adding a function or a subscription there
# needs no change here.

locals {
  manifest = yamldecode(file("${path.root}/../functions/manifest.yaml"))
  events   = yamldecode(file("${path.root}/events.yaml"))
  # The edge workers (regional Cloud Run services): modules/edge_plan, modules/edge_workers.
  edge_services = yamldecode(file("${path.root}/../edge_workers/services.yaml"))

  # One workflow per workflows/<id>.yaml; what each may do is declared in workflows.yaml.
  workflow_declarations = yamldecode(file("${path.root}/workflows.yaml"))
  workflow_sources = {
    for name in fileset("${path.root}/../workflows", "*.yaml") :
    trimsuffix(name, ".yaml") => file("${path.root}/../workflows/${name}")
  }

  labels = merge(var.labels, {
    app         = "bazaar"
    environment = var.environment
    managed-by  = "terraform"
  })

  public_base_url = coalesce(var.public_base_url, "https://${var.domain}")
  # The load balancer serves the renditions bucket under /media/ (load_balancer module).
  media_base_url = "https://${var.domain}/media"
  # ... and the model bucket under /models/, the object names starting with models/.
  model_base_url = "https://${var.domain}"

  # Read by common/settings.py; per-function values (DATABASE_IAM_USER, secrets, the
  # `uses:` environment below) are added by the functions module. MEDIA_BASE_URL goes to
  # every function: production settings refuse a non-https value, and the catalog reads
  # present rendition URLs.
  function_environment = {
    BAZAAR_ENV           = var.environment
    GOOGLE_CLOUD_PROJECT = var.project_id
    CLOUD_SQL_INSTANCE   = module.database.connection_name
    CLOUD_SQL_IP_TYPE    = "PRIVATE"
    DATABASE_NAME        = module.database.database_name
    DATABASE_POOL_SIZE   = tostring(var.database_pool_size)
    PUBLIC_BASE_URL      = local.public_base_url
    MEDIA_BASE_URL       = local.media_base_url
    MAIL_FROM            = coalesce(var.mail_from, "Bazaar <no-reply@${var.domain}>")
    SMTP_HOST            = var.smtp_host
    SMTP_PORT            = tostring(var.smtp_port)
    SMTP_USERNAME        = var.smtp_username
    LOG_LEVEL            = var.log_level
  }

  # Per `uses:` group, given only to the functions that use it (functions module).
  recognizer_environment = {
    IMAGE_RECOGNITION       = "vision"
    VISION_LOCATION         = coalesce(var.vision_location, var.region)
    VISION_PRODUCT_SET      = var.vision_product_set
    VISION_PRODUCT_CATEGORY = var.vision_product_category
  }
  use_environment = {
    storage = {
      UPLOAD_BUCKET     = module.storage.upload_bucket
      RENDITIONS_BUCKET = module.storage.renditions_bucket
    }
    upload_urls = {
      UPLOAD_BUCKET = module.storage.upload_bucket
    }
    imaging = local.recognizer_environment
    vision  = local.recognizer_environment
    # Federated learning: where model versions are read (all of these) and written.
    federated = { MODEL_BASE_URL = local.model_base_url }
    models    = { MODEL_BASE_URL = local.model_base_url }
    # A noisy round of few devices drowns the signal (z·C/Σw; docs/decisions/0024): the
    # aggregation waits for 200 updates in production.
    model_publisher = { MODEL_BUCKET = module.storage.model_bucket, MODEL_BASE_URL = local.model_base_url, FL_MIN_UPDATES = "200" }
    # Fraud screening in the order path: the fraud worker of the functions' region, with
    # the budget and the rule for a late or failed answer (docs/decisions/0025).
    fraud = {
      FRAUD_URL        = module.edge_workers.urls[module.edge_plan.primary_instances["fraud"]]
      FRAUD_BUDGET_MS  = tostring(var.fraud_budget_ms)
      FRAUD_ON_FAILURE = var.fraud_on_failure
    }
    analytics_export = { ANALYTICS_BUCKET = module.storage.analytics_bucket }
  }

  # Every /26 of the edge subnets, one per edge region in a stable order.
  edge_subnets = { for i, region in sort(keys(var.edge_regions)) : region => cidrsubnet(var.edge_subnet_range, 6, i) }

  # The object-notification topic is written by Cloud Storage only, so no function may
  # name it in `publishes:` (the lookup below fails the plan).
  app_topics = { for name, id in module.pubsub.topic_ids : name => id if name != var.object_events_topic }
}

module "manifest" {
  source = "./modules/manifest"

  functions = local.manifest
}

module "network" {
  source = "./modules/network"

  name   = var.name
  region = var.region

  depends_on = [google_project_service.enabled]
}

module "database" {
  source = "./modules/database"

  project_id           = var.project_id
  name                 = var.name
  region               = var.region
  network_id           = module.network.network_id
  private_service_link = module.network.private_service_access
  tier                 = var.sql_tier
  database_version     = var.sql_database_version
  ssl_mode             = var.sql_ssl_mode
  backup_location      = var.sql_backup_location
  migration_principals = var.migration_principals
  labels               = local.labels

  depends_on = [google_project_service.enabled]
}

module "secrets" {
  source = "./modules/secrets"

  labels = local.labels

  depends_on = [google_project_service.enabled]
}

module "storage" {
  source = "./modules/storage"

  project_id          = var.project_id
  region              = var.region
  web_app_origins     = var.web_app_origins != null ? var.web_app_origins : [local.public_base_url]
  object_events_topic = module.pubsub.topic_ids[var.object_events_topic]
  object_event_types  = local.events.topics[var.object_events_topic].events
  labels              = local.labels

  depends_on = [google_project_service.enabled]
}

module "firestore" {
  source = "./modules/firestore"

  project_id = var.project_id
  location   = coalesce(var.firestore_location, var.region)
  rules      = file("${path.root}/../firestore.rules")
  indexes    = jsondecode(file("${path.root}/../firestore.indexes.json"))

  depends_on = [google_project_service.enabled]
}

module "pubsub" {
  source = "./modules/pubsub"

  project_id    = var.project_id
  region        = var.region
  topics        = local.events.topics
  subscriptions = local.events.subscriptions
  push_targets  = module.functions.push_targets
  # Subscriptions with `service:` push to an edge worker (its primary region's service).
  service_push_targets = module.edge_workers.push_targets
  kms_key_name         = var.kms_key_name
  labels               = local.labels

  depends_on = [google_project_service.enabled]
}

module "functions" {
  source = "./modules/functions"

  project_id        = var.project_id
  region            = var.region
  functions         = module.manifest.functions
  source_root       = "${path.root}/../build/functions"
  source_bucket     = module.storage.function_source_bucket
  upload_bucket     = module.storage.upload_bucket
  renditions_bucket = module.storage.renditions_bucket
  model_bucket      = module.storage.model_bucket
  analytics_bucket  = module.storage.analytics_bucket
  vpc_connector     = module.network.vpc_connector_id
  sql_instance_name = module.database.instance_name
  publish_topics    = local.app_topics
  # The residency zones' pseudonym keys live with the edge workers (stored in their zone).
  secrets = merge(module.secrets.secret_ids, {
    for zone, id in module.edge_workers.pseudonym_key_secrets : "pseudonym-keys-${zone}" => id
  })
  environment           = local.function_environment
  use_environment       = local.use_environment
  sizing                = var.function_sizing
  min_instances         = var.function_min_instances
  max_instances         = var.function_max_instances
  default_max_instances = var.function_default_max_instances
  concurrency           = var.function_concurrency
  kms_key_name          = var.kms_key_name
  labels                = local.labels

  depends_on = [google_project_service.enabled]
}

module "workflows" {
  source = "./modules/workflows"

  project_id                = var.project_id
  region                    = var.region
  workflows                 = local.workflow_declarations
  sources                   = local.workflow_sources
  function_urls             = module.functions.urls
  function_services         = { for name, f in module.manifest.functions : name => f.id }
  function_service_accounts = module.functions.service_accounts
  topic_ids                 = local.app_topics
  kms_key_name              = var.kms_key_name
  labels                    = local.labels

  depends_on = [google_project_service.enabled]
}

module "scheduler" {
  source = "./modules/scheduler"

  region = var.region
  jobs   = module.functions.scheduled_jobs

  depends_on = [google_project_service.enabled]
}

module "load_balancer" {
  source = "./modules/load_balancer"

  name                 = var.name
  region               = var.region
  domain               = var.domain
  functions            = module.functions.http_services
  media_bucket         = module.storage.renditions_bucket
  model_bucket         = module.storage.model_bucket
  route_rules          = module.manifest.route_rules
  path_methods         = module.manifest.path_methods
  default_function     = var.lb_default_function
  cors_origins         = var.api_cors_origins
  sessions_rate_limit  = var.sessions_rate_limit_per_minute
  security_policy_name = "${var.name}-edge"

  # Edge routes (edge_workers/services.yaml) go to the nearest region's worker.
  edge_backends    = module.edge_workers.backend_services
  edge_route_rules = module.edge_plan.route_rules

  # Cloud Armor throttles per client IP and minute (besides sessions_rate_limit above).
  password_resets_rate_limit = var.password_resets_rate_limit_per_minute
  image_search_rate_limit    = var.image_search_rate_limit_per_minute

  depends_on = [google_project_service.enabled]
}

module "edge_plan" {
  source = "./modules/edge_plan"

  services        = local.edge_services
  regions         = var.edge_regions
  primary_region  = var.region
  function_routes = flatten([for f in values(local.manifest) : try(f.routes, [])])
}

# Where Cloud Build pushes the edge worker images (edge_workers/cloudbuild.yaml).
resource "google_artifact_registry_repository" "edge_workers" {
  repository_id = "edge-workers"
  location      = var.region
  format        = "DOCKER"
  description   = "Container images of the edge workers, deployed by digest"
  labels        = local.labels

  depends_on = [google_project_service.enabled]
}

module "edge_workers" {
  source = "./modules/edge_workers"

  project_id         = var.project_id
  name               = var.name
  services           = local.edge_services
  instances          = module.edge_plan.instances
  identities         = module.edge_plan.identities
  zones              = module.edge_plan.zones
  images             = var.edge_worker_images
  network_id         = module.network.network_id
  subnet_cidrs       = local.edge_subnets
  sql_instance_name  = module.database.instance_name
  fraud_model_bucket = module.storage.fraud_model_bucket
  security_policy    = module.load_balancer.security_policy
  labels             = local.labels

  environment = {
    BAZAAR_ENV           = var.environment
    GOOGLE_CLOUD_PROJECT = var.project_id
    CLOUD_SQL_INSTANCE   = module.database.connection_name
    CLOUD_SQL_IP_TYPE    = "PRIVATE"
    DATABASE_NAME        = module.database.database_name
    LOG_LEVEL            = var.log_level
  }
  service_environment = {
    fraud = { FRAUD_MODEL_URI = "gs://${module.storage.fraud_model_bucket}/fraud/${var.fraud_model_version}/model.onnx" }
  }
  publish_topics = {
    anonymizer = { for topic in ["interactions", "analytics"] : topic => local.app_topics[topic] }
    # The fraud worker publishes its cases' events from its outbox rows right after commit
    # (the outbox sweep is the backstop).
    fraud = { fraud = local.app_topics["fraud"] }
  }
  # The functions that screen orders (`uses: [fraud]`) call the fraud worker.
  invokers = {
    fraud = [for name, f in module.manifest.functions : "serviceAccount:${module.functions.service_accounts[name]}" if contains(f.uses, "fraud")]
  }

  depends_on = [google_project_service.enabled]
}
