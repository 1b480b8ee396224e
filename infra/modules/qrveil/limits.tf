# What a leaked app token can cost: the presign endpoint meters every request in this table
# (function/cloud/src/presign/limits.rs): a token bucket per client id and per source address,
# the deployment's daily job budget, and each client's daily server-key uploads. Rows carry an
# `expires` time-to-live, so the table holds only recent counters.
resource "aws_dynamodb_table" "limits" {
  # checkov:skip=CKV2_AWS_16:Auto scaling applies to provisioned capacity; this table is on-demand (PAY_PER_REQUEST).
  name         = "${var.name_prefix}-limits"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  attribute {
    name = "pk"
    type = "S"
  }
  ttl {
    attribute_name = "expires"
    enabled        = true
  }
  server_side_encryption {
    enabled     = true
    kms_key_arn = aws_kms_key.this.arn
  }
  # Counters a minute old are worthless after a restore, but checkov asks and it costs little.
  point_in_time_recovery {
    enabled = true
  }
  deletion_protection_enabled = true
  tags                        = local.tags
}

locals {
  # The presign endpoint's info line for each job it admits (presign/mod.rs).
  admitted_job_pattern = "\"presigned a job\""
  admitted_job_metric = {
    name      = "PresignedJobs"
    namespace = "qrveil/${var.name_prefix}"
  }
}

resource "aws_cloudwatch_log_metric_filter" "presigned_jobs" {
  name           = "${local.presign_name}-jobs"
  log_group_name = aws_cloudwatch_log_group.this["presign"].name
  pattern        = local.admitted_job_pattern
  metric_transformation {
    name      = local.admitted_job_metric.name
    namespace = local.admitted_job_metric.namespace
    value     = "1"
    unit      = "Count"
  }
}

# 80% of the daily job budget spent in the last 24 hours: the deployment is close to refusing
# everyone (a leaked token being spent, or real growth that needs a bigger budget).
resource "aws_cloudwatch_metric_alarm" "daily_budget" {
  alarm_name          = "${local.presign_name}-daily-budget"
  alarm_description   = "qrveil presigned over 80% of daily_job_budget (${var.daily_job_budget}) jobs in the last 24 hours; at 100% every client gets 429 until midnight UTC. A leaked app token, or growth: rotate the token or raise the budget."
  namespace           = local.admitted_job_metric.namespace
  metric_name         = local.admitted_job_metric.name
  statistic           = "Sum"
  period              = 86400
  evaluation_periods  = 1
  threshold           = floor(var.daily_job_budget * 0.8)
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  tags                = local.tags
  depends_on          = [aws_cloudwatch_log_metric_filter.presigned_jobs]
}
