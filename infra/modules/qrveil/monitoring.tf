locals {
  # Per function: its name, and what its errors mean for the alarm's reader.
  monitored = {
    function = {
      name   = local.function_name
      errors = "The qrveil job function failed invocations (storage errors, crashes, timeouts; a bad job ends as a failed status instead); each leaves a client waiting. See its log group and dead-letter queue."
    }
    presign = {
      name   = local.presign_name
      errors = "The qrveil presign endpoint failed invocations (wrong tokens are 401 answers, not errors)."
    }
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
