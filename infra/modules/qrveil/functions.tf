# The job function: started by S3 on each jobs/<id>/input, evaluates the style on the
# ciphertexts and writes output and status. Rust on the OS-only runtime: the zip holds one
# executable, `bootstrap`, built from the qrveil-function binary.
resource "aws_lambda_function" "function" {
  # checkov:skip=CKV_AWS_117:The function talks only to S3, CloudWatch and SQS through their public endpoints; a VPC would add NAT cost and no private resource to protect.
  # checkov:skip=CKV_AWS_272:Operators build the zip from source (cargo lambda build); code signing needs a signing profile they may add.
  # checkov:skip=CKV_AWS_116:Failed events go to the SQS dead-letter queue as the on-failure destination of aws_lambda_function_event_invoke_config.function, whose record also says why (RetriesExhausted, EventAgeExceeded); a dead_letter_config as well would put each one in the queue twice.
  function_name                  = local.function_name
  description                    = "qrveil: evaluates a style on encrypted QR modules (S3 jobs/*/input events)"
  role                           = aws_iam_role.function.arn
  filename                       = var.function_zip
  source_code_hash               = filebase64sha256(var.function_zip)
  runtime                        = "provided.al2023"
  handler                        = "bootstrap"
  architectures                  = [var.architecture]
  memory_size                    = var.pbs_tier ? var.pbs_function_memory_mb : var.function_memory_mb
  timeout                        = var.function_timeout_seconds
  reserved_concurrent_executions = var.function_reserved_concurrency
  kms_key_arn                    = aws_kms_key.this.arn
  environment {
    variables = {
      QRVEIL_BUCKET          = aws_s3_bucket.this.id
      QRVEIL_KEY_CACHE_BYTES = tostring(var.pbs_tier ? var.key_cache_bytes : 0)
      QRVEIL_PBS_TIER        = var.pbs_tier ? "1" : "0"
    }
  }
  tracing_config {
    mode = "Active"
  }
  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.this["function"].name
  }
  tags       = local.tags
  depends_on = [aws_iam_role_policy.function]
}

resource "aws_lambda_permission" "s3_invokes_function" {
  statement_id   = "S3InvokesOnJobInput"
  action         = "lambda:InvokeFunction"
  function_name  = aws_lambda_function.function.function_name
  principal      = "s3.amazonaws.com"
  source_arn     = aws_s3_bucket.this.arn
  source_account = local.account_id
}

# How Lambda handles the S3 events (asynchronous invocations) of the job function.
# - Age: without a bound Lambda keeps an event it cannot run (throttled at the reserved
#   concurrency, or between retries) for up to 6 hours, long after its client gave up
#   (WaitPolicy::default().timeout in sdk/src/transport.rs, `qrveil --timeout`: 600 s). Past
#   function_max_event_age_seconds the event goes to the dead-letter queue instead, where an
#   alarm shows it.
# - Retries: 2 (Lambda's most, about 1 and 2 minutes after a failure). Only storage errors,
#   crashes and timeouts fail an invocation (a bad job ends as a failed status), a retry is safe
#   (the function reads the job's status first and writes output and status only if absent),
#   and a transient S3 error usually clears within minutes: both retries of a short job fit
#   in a client's 600 s. After a 900 s timeout the event is too old to retry, so a job that
#   cannot finish is not run three times.
resource "aws_lambda_function_event_invoke_config" "function" {
  function_name                = aws_lambda_function.function.function_name
  maximum_event_age_in_seconds = var.function_max_event_age_seconds
  maximum_retry_attempts       = 2
  destination_config {
    on_failure {
      destination = aws_sqs_queue.function_dead_letters.arn
    }
  }
}

# Failed job events (see above): the role's sqs:SendMessage and kms:GenerateDataKey let
# Lambda deliver them with the function's credentials.
resource "aws_sqs_queue" "function_dead_letters" {
  name                              = "${local.function_name}-dead-letters"
  message_retention_seconds         = 1209600
  kms_master_key_id                 = aws_kms_key.this.arn
  kms_data_key_reuse_period_seconds = 3600
  tags                              = local.tags
}

# The presign endpoint: apps hold no AWS credentials. With the operator's bearer token (read
# from Secrets Manager at cold start, never from a variable) it answers a new job id and
# short-lived URLs for exactly that job's objects.
resource "aws_lambda_function" "presign" {
  # checkov:skip=CKV_AWS_117:Talks only to S3 and Secrets Manager through their public endpoints; no private resource to protect.
  # checkov:skip=CKV_AWS_272:Operators build the zip from source (cargo lambda build); code signing needs a signing profile they may add.
  # checkov:skip=CKV_AWS_116:Called synchronously through its Function URL: a failure is the caller's HTTP error, there is no event to keep.
  function_name                  = local.presign_name
  description                    = "qrveil: issues presigned URLs for one job to a caller holding the bearer token"
  role                           = aws_iam_role.presign.arn
  filename                       = var.presign_zip
  source_code_hash               = filebase64sha256(var.presign_zip)
  runtime                        = "provided.al2023"
  handler                        = "bootstrap"
  architectures                  = [var.architecture]
  memory_size                    = 256
  timeout                        = 10
  reserved_concurrent_executions = var.presign_reserved_concurrency
  kms_key_arn                    = aws_kms_key.this.arn
  environment {
    variables = {
      QRVEIL_BUCKET             = aws_s3_bucket.this.id
      QRVEIL_PBS_TIER           = var.pbs_tier ? "1" : "0"
      QRVEIL_TOKEN_SECRET_ID    = aws_secretsmanager_secret.presign_token.arn
      QRVEIL_URL_TTL_SECONDS    = tostring(var.url_ttl_seconds)
      QRVEIL_LIMITS_TABLE       = aws_dynamodb_table.limits.name
      QRVEIL_CLIENT_BURST       = tostring(var.client_burst)
      QRVEIL_CLIENT_PER_MINUTE  = tostring(var.client_per_minute)
      QRVEIL_ADDRESS_BURST      = tostring(var.address_burst)
      QRVEIL_ADDRESS_PER_MINUTE = tostring(var.address_per_minute)
      QRVEIL_DAILY_JOBS         = tostring(var.daily_job_budget)
      QRVEIL_DAILY_KEY_UPLOADS  = tostring(var.daily_key_uploads)
    }
  }
  tracing_config {
    mode = "Active"
  }
  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.this["presign"].name
  }
  tags       = local.tags
  depends_on = [aws_iam_role_policy.presign]
}

# The token itself is not in Terraform (nor in its state): after apply, put a random value:
#   aws secretsmanager put-secret-value --secret-id <token_secret_arn> --secret-string "$(openssl rand -base64 32)"
resource "aws_secretsmanager_secret" "presign_token" {
  # checkov:skip=CKV2_AWS_57:The token is shared with the operator's apps; rotating it is a release of theirs, done with put-secret-value (the endpoint reads it again on each cold start).
  name_prefix = "${var.name_prefix}-presign-token-"
  description = "Bearer token apps send to the qrveil presign endpoint (at least 16 characters)"
  kms_key_id  = aws_kms_key.this.arn
  tags        = local.tags
}

resource "aws_lambda_function_url" "presign" {
  # checkov:skip=CKV_AWS_258:Apps cannot sign requests with AWS credentials; the function authorises every request with the bearer token and answers 401 otherwise.
  function_name      = aws_lambda_function.presign.function_name
  authorization_type = "NONE"
}

# A public Function URL needs both permissions (since October 2025), and neither allows
# invoking the function other than through its URL.
resource "aws_lambda_permission" "presign_url" {
  # checkov:skip=CKV_AWS_301:The presign endpoint is public by design (apps hold no AWS credentials); the function answers 401 to any request without the bearer token.
  statement_id           = "PublicFunctionUrl"
  action                 = "lambda:InvokeFunctionUrl"
  function_name          = aws_lambda_function.presign.function_name
  principal              = "*"
  function_url_auth_type = "NONE"
}

resource "aws_lambda_permission" "presign_invoke_via_url" {
  # checkov:skip=CKV_AWS_301:Limited to invocations through the Function URL (invoked_via_function_url), which the bearer token guards.
  statement_id             = "InvokeOnlyViaFunctionUrl"
  action                   = "lambda:InvokeFunction"
  function_name            = aws_lambda_function.presign.function_name
  principal                = "*"
  invoked_via_function_url = true
}
