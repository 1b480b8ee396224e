resource "aws_s3_bucket" "this" {
  # checkov:skip=CKV_AWS_18:Access logs would record every object key (job and key ids) in a second bucket; operators who want them set aws_s3_bucket_logging on their own log bucket.
  # checkov:skip=CKV_AWS_21:Objects are write-once (output and status are written with If-None-Match) and expire within days; versions would only keep expired ciphertexts.
  # checkov:skip=CKV_AWS_144:Nothing here needs a second region: jobs live a day and a client uploads its server key again when it is missing.
  bucket        = var.bucket_name
  bucket_prefix = var.bucket_name == null ? "${var.name_prefix}-" : null
  tags          = local.tags
}

resource "aws_s3_bucket_public_access_block" "this" {
  bucket                  = aws_s3_bucket.this.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_ownership_controls" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    object_ownership = "BucketOwnerEnforced"
  }
}

resource "aws_s3_bucket_server_side_encryption_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.this.arn
    }
    # One data key per bucket rather than per object: thousands of small job objects.
    bucket_key_enabled = true
  }
}

# Only TLS: presigned URLs are https, and nothing else should reach the bucket in clear.
resource "aws_s3_bucket_policy" "this" {
  bucket = aws_s3_bucket.this.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "TlsOnly"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = [aws_s3_bucket.this.arn, "${aws_s3_bucket.this.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
  depends_on = [aws_s3_bucket_public_access_block.this]
}

resource "aws_s3_bucket_lifecycle_configuration" "this" {
  bucket = aws_s3_bucket.this.id
  rule {
    id     = "expire-jobs"
    status = "Enabled"
    filter {
      prefix = local.jobs_prefix
    }
    expiration {
      days = var.jobs_expiry_days
    }
  }
  rule {
    id     = "expire-keys"
    status = "Enabled"
    filter {
      prefix = local.keys_prefix
    }
    expiration {
      days = var.keys_expiry_days
    }
  }
  # Presigned single PUTs never leave parts behind, but a caller with credentials may.
  rule {
    id     = "abort-incomplete-uploads"
    status = "Enabled"
    filter {}
    abort_incomplete_multipart_upload {
      days_after_initiation = 1
    }
  }
}

# Browsers need CORS to use presigned URLs; apps do not, so there is no rule unless the
# operator names web origins.
resource "aws_s3_bucket_cors_configuration" "this" {
  count  = length(var.cors_allowed_origins) > 0 ? 1 : 0
  bucket = aws_s3_bucket.this.id
  cors_rule {
    allowed_methods = ["PUT", "GET"]
    allowed_origins = var.cors_allowed_origins
    allowed_headers = ["content-type"]
    max_age_seconds = 3600
  }
}

# Each job's input starts the job function (manifest first, then input: see the SDK).
resource "aws_s3_bucket_notification" "this" {
  bucket = aws_s3_bucket.this.id
  lambda_function {
    lambda_function_arn = aws_lambda_function.function.arn
    events              = ["s3:ObjectCreated:*"]
    filter_prefix       = local.jobs_prefix
    filter_suffix       = local.input_suffix
  }
  depends_on = [aws_lambda_permission.s3_invokes_function]
}
