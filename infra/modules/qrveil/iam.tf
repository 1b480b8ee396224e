# Least privilege, object by object (paths from function/protocol/src/job.rs, in main.tf's
# locals.objects; infra/check.sh checks both).

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

data "aws_iam_policy_document" "function" {
  # The job's inputs, and its status: a redelivered event finds the status and does no work
  # twice.
  statement {
    sid       = "ReadKeysAndJobs"
    actions   = ["s3:GetObject"]
    resources = [local.objects.server_key, local.objects.manifest, local.objects.input, local.objects.status]
  }
  # Results, each written once (If-None-Match).
  statement {
    sid       = "WriteResults"
    actions   = ["s3:PutObject"]
    resources = [local.objects.output, local.objects.status]
  }
  # Without it S3 answers 403 instead of 404 for an object that is not there yet (a new job's
  # status, a key not uploaded), and the function could not tell them apart.
  statement {
    sid       = "MissingObjectsReadAsMissing"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn]
  }
  statement {
    sid       = "BucketAndQueueEncryption"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.this.arn]
  }
  statement {
    sid       = "DeadLetters"
    actions   = ["sqs:SendMessage"]
    resources = [aws_sqs_queue.function_dead_letters.arn]
  }
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this["function"].arn}:*"]
  }
  # X-Ray's write actions take no resource.
  statement {
    sid       = "Traces"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
}

# A presigned URL carries its signer's permissions: these are what apps can do with one.
data "aws_iam_policy_document" "presign" {
  statement {
    sid       = "ClientsUpload"
    actions   = ["s3:PutObject"]
    resources = [local.objects.server_key, local.objects.manifest, local.objects.input]
  }
  # HEAD of the server key (is it uploaded yet?) and the job's results.
  statement {
    sid       = "ClientsDownload"
    actions   = ["s3:GetObject"]
    resources = [local.objects.server_key, local.objects.status, local.objects.output]
  }
  # 404, not 403, for a server key that is not uploaded yet.
  statement {
    sid       = "MissingObjectsReadAsMissing"
    actions   = ["s3:ListBucket"]
    resources = [local.bucket_arn]
  }
  statement {
    sid       = "BucketAndSecretEncryption"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [aws_kms_key.this.arn]
  }
  # The rate limits: read a counter, update it only over what was read.
  statement {
    sid       = "RateLimits"
    actions   = ["dynamodb:GetItem", "dynamodb:UpdateItem"]
    resources = [aws_dynamodb_table.limits.arn]
  }
  statement {
    sid       = "BearerToken"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [aws_secretsmanager_secret.presign_token.arn]
  }
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.this["presign"].arn}:*"]
  }
  statement {
    sid       = "Traces"
    actions   = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"]
    resources = ["*"]
  }
}

resource "aws_iam_role" "function" {
  name_prefix        = "${local.function_name}-"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = local.tags
}

resource "aws_iam_role_policy" "function" {
  name   = "qrveil-function"
  role   = aws_iam_role.function.id
  policy = data.aws_iam_policy_document.function.json
}

resource "aws_iam_role" "presign" {
  name_prefix        = "${local.presign_name}-"
  assume_role_policy = data.aws_iam_policy_document.lambda_assume.json
  tags               = local.tags
}

resource "aws_iam_role_policy" "presign" {
  name   = "qrveil-presign"
  role   = aws_iam_role.presign.id
  policy = data.aws_iam_policy_document.presign.json
}
