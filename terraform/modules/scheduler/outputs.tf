output "jobs" {
  description = "Job name => unix-cron schedule."
  value       = { for name, job in google_cloud_scheduler_job.job : job.name => job.schedule }
}
