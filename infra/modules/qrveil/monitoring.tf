# Logs and alarms. Every alarm notifies var.alarm_actions; infra/check.sh checks each by name,
# and that the rejected-token filter matches the line the presign code logs.
locals {
  # Per function: its name, and what its errors and throttles mean for the alarm's reader.
  monitored = {
    function = {
      name      = local.function_name
      errors    = "The qrveil job function failed invocations (storage errors, crashes, timeouts; a bad job ends as a failed status instead); each leaves a client waiting. See its log group and dead-letter queue."
      throttles = "The qrveil job function hit its reserved concurrency (function_reserved_concurrency): S3 events wait in Lambda's queue, and those older than function_max_event_age_seconds go to the dead-letter queue unprocessed."
    }
    presign = {
      name      = local.presign_name
      errors    = "The qrveil presign endpoint failed invocations (wrong tokens are 401 answers, not errors)."
      throttles = "The qrveil presign endpoint hit its reserved concurrency (presign_reserved_concurrency): apps got HTTP 429 instead of job URLs."
    }
  }

  # What the presign endpoint logs (function/cloud/src/presign.rs, `refuse`) when it answers
  # 401, as the text log format writes it:
  #   WARN <span>: presign request refused status=401 reason=missing or wrong bearer token (...)
  # Both quoted terms must appear; other refusals (400, 405, 413) differ in status.
  rejected_token_pattern = "\"presign request refused\" \"status=401\""
  rejected_token_metric = {
    name      = "PresignRejectedTokens"
    namespace = "qrveil/${var.name_prefix}"
  }
}

resource "aws_cloudwatch_log_group" "this" {
  for_each          = local.monitored
  name              = "/aws/lambda/${each.value.name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn
  tags              = local.tags
}

resource "aws_cloudwatch_metric_alarm" "errors" {
  for_each            = local.monitored
  alarm_name          = "${each.value.name}-errors"
  alarm_description   = each.value.errors
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = each.value.name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  tags                = local.tags
  depends_on          = [aws_lambda_function.function, aws_lambda_function.presign]
}

# Any throttled invocation in 5 minutes: for the job function, S3 events queue up while
# clients wait (at most 600 s by default); for the presign endpoint, apps get 429.
resource "aws_cloudwatch_metric_alarm" "throttles" {
  for_each            = local.monitored
  alarm_name          = "${each.value.name}-throttles"
  alarm_description   = each.value.throttles
  namespace           = "AWS/Lambda"
  metric_name         = "Throttles"
  dimensions          = { FunctionName = each.value.name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  tags                = local.tags
  depends_on          = [aws_lambda_function.function, aws_lambda_function.presign]
}

# Any message in the dead-letter queue: a job event Lambda gave up on (retries exhausted or
# older than function_max_event_age_seconds), so its client never got a result. The alarm
# stays on until the operator has read the records and purged the queue.
resource "aws_cloudwatch_metric_alarm" "dead_letters" {
  alarm_name          = "${local.function_name}-dead-letters"
  alarm_description   = "Job events the qrveil job function gave up on are in ${aws_sqs_queue.function_dead_letters.name}; each record says why (RetriesExhausted or EventAgeExceeded) and holds the S3 event. Fix the cause, then purge the queue."
  namespace           = "AWS/SQS"
  metric_name         = "ApproximateNumberOfMessagesVisible"
  dimensions          = { QueueName = aws_sqs_queue.function_dead_letters.name }
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  tags                = local.tags
}

# The presign endpoint's 401 answers, counted from its log (no metric of its own carries them).
resource "aws_cloudwatch_log_metric_filter" "presign_rejected_tokens" {
  name           = "${local.presign_name}-rejected-tokens"
  log_group_name = aws_cloudwatch_log_group.this["presign"].name
  pattern        = local.rejected_token_pattern
  metric_transformation {
    name      = local.rejected_token_metric.name
    namespace = local.rejected_token_metric.namespace
    value     = "1"
    unit      = "Count"
  }
}

# More than rejected_tokens_alarm_threshold 401s in 5 minutes: someone probing the public URL,
# or apps still sending a token the operator has replaced.
resource "aws_cloudwatch_metric_alarm" "presign_rejected_tokens" {
  alarm_name          = "${local.presign_name}-rejected-tokens"
  alarm_description   = "The qrveil presign endpoint answered 401 (missing or wrong bearer token) more than ${var.rejected_tokens_alarm_threshold} times in 5 minutes: apps with an old token, or someone guessing. Its log group has each refusal (never the token)."
  namespace           = local.rejected_token_metric.namespace
  metric_name         = local.rejected_token_metric.name
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = var.rejected_tokens_alarm_threshold
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  tags                = local.tags
  depends_on          = [aws_cloudwatch_log_metric_filter.presign_rejected_tokens]
}
