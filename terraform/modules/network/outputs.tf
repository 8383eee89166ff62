output "network_id" {
  description = "Id of the VPC (Cloud SQL private network)."
  value       = google_compute_network.vpc.id
}

output "vpc_connector_id" {
  description = "Serverless VPC Access connector of the functions."
  value       = google_vpc_access_connector.functions.id
}

output "private_service_access" {
  description = "The peering Cloud SQL needs before it can take a private IP."
  value       = google_service_networking_connection.private_services.id
}
