resource "aws_cloudwatch_log_group" "function" {
  name              = "/aws/lambda/${local.function_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn
  tags              = local.tags
}

resource "aws_cloudwatch_log_group" "presign" {
  name              = "/aws/lambda/${local.presign_name}"
  retention_in_days = var.log_retention_days
  kms_key_id        = aws_kms_key.this.arn
  tags              = local.tags
}

# A bad job ends as a failed status, not a function error: errors here are storage trouble,
# crashes or timeouts, and each one leaves a client waiting.
resource "aws_cloudwatch_metric_alarm" "function_errors" {
  alarm_name          = "${local.function_name}-errors"
  alarm_description   = "The qrveil job function failed invocations (storage errors, crashes, timeouts); see its log group and dead-letter queue."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.function.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  tags                = local.tags
}

resource "aws_cloudwatch_metric_alarm" "presign_errors" {
  alarm_name          = "${local.presign_name}-errors"
  alarm_description   = "The qrveil presign endpoint failed invocations (wrong tokens are 401 answers, not errors)."
  namespace           = "AWS/Lambda"
  metric_name         = "Errors"
  dimensions          = { FunctionName = aws_lambda_function.presign.function_name }
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 0
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = var.alarm_actions
  tags                = local.tags
}
