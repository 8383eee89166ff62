output "workflow_ids" {
  description = "Workflow id => full resource name (what ExecutionsClient.create_execution takes as parent)."
  value       = { for id, w in google_workflows_workflow.workflow : id => w.id }
}

output "service_accounts" {
  description = "Workflow id => its service account email."
  value       = { for id, sa in google_service_account.workflow : id => sa.email }
}
