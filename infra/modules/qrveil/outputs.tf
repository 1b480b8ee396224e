output "bucket_name" {
  description = "The bucket holding keys/ and jobs/ (for `qrveil --remote --bucket`)."
  value       = aws_s3_bucket.this.id
}

output "presign_url" {
  description = "The presign endpoint apps call (`qrveil --remote --presign-url`, TransportConfig.Remote)."
  value       = aws_lambda_function_url.presign.function_url
}

output "token_secret_arn" {
  description = "Secrets Manager secret to put the bearer token in (it starts empty)."
  value       = aws_secretsmanager_secret.presign_token.arn
}

output "function_name" {
  description = "The job function (for direct invocations with {\"job_id\": ...})."
  value       = aws_lambda_function.function.function_name
}

output "dead_letter_queue_url" {
  description = "Job events Lambda gave up on (retries exhausted, or older than function_max_event_age_seconds), as on-failure destination records."
  value       = aws_sqs_queue.function_dead_letters.url
}
