# qrveil on AWS: the bucket clients write encrypted jobs to, the job function S3 starts on
# each job's input, and the presign endpoint that lets apps use the bucket without AWS
# credentials. The function code's names (binaries, settings, object paths) are checked
# against this configuration by infra/check.sh.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.region
  partition  = data.aws_partition.current.partition

  function_name = "${var.name_prefix}-function"
  presign_name  = "${var.name_prefix}-presign"

  # The storage layout (function/protocol/src/job.rs): keys/<key id>/server-key and
  # jobs/<job id>/{manifest,input,output,status}. S3 starts the function on each input.
  keys_prefix  = "keys/"
  jobs_prefix  = "jobs/"
  input_suffix = "/input"

  bucket_arn = aws_s3_bucket.this.arn
  objects = {
    server_key = "${local.bucket_arn}/keys/*/server-key"
    manifest   = "${local.bucket_arn}/jobs/*/manifest"
    input      = "${local.bucket_arn}/jobs/*/input"
    output     = "${local.bucket_arn}/jobs/*/output"
    status     = "${local.bucket_arn}/jobs/*/status"
  }

  tags = merge({ "app" = "qrveil" }, var.tags)
}

# One customer-managed key for the bucket, the logs, the secret, the dead-letter queue and
# the functions' environment.
resource "aws_kms_key" "this" {
  description             = "qrveil (${var.name_prefix}): bucket, logs, token secret, dead letters"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        # The account administers the key; the roles below get use of it through IAM.
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "LogsEncryptTheseLogGroups"
        Effect    = "Allow"
        Principal = { Service = "logs.${local.region}.amazonaws.com" }
        Action    = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"]
        Resource  = "*"
        Condition = {
          ArnLike = {
            "kms:EncryptionContext:aws:logs:arn" = "arn:${local.partition}:logs:${local.region}:${local.account_id}:log-group:/aws/lambda/${var.name_prefix}-*"
          }
        }
      },
    ]
  })
  tags = local.tags
}

resource "aws_kms_alias" "this" {
  name          = "alias/${var.name_prefix}"
  target_key_id = aws_kms_key.this.key_id
}
