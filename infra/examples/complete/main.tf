# A complete deployment of qrveil: build the two Lambda zips first (see infra/README.md),
# then `terraform init && terraform apply`.

terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 6.20, < 7.0"
    }
  }
}

provider "aws" {
  region = var.region
}

variable "region" {
  description = "AWS region to deploy to."
  type        = string
  default     = "eu-west-1"
}

variable "alarm_email" {
  description = "Email address told when an alarm fires (confirm the subscription email). Empty for no notifications."
  type        = string
  default     = ""
}

locals {
  name_prefix = "qrveil"
  alarm_topic = "${local.name_prefix}-alarms"
  account_id  = data.aws_caller_identity.current.account_id
  region      = data.aws_region.current.region
  partition   = data.aws_partition.current.partition
  # The module names every alarm <name_prefix>-...: only those may publish to the topic.
  module_alarms = "arn:${local.partition}:cloudwatch:${local.region}:${local.account_id}:alarm:${local.name_prefix}-*"

  # The topic's key. CloudWatch publishes alarms as its service principal, and SNS encrypts
  # each message with that publisher's kms:GenerateDataKey* and kms:Decrypt on the key. The
  # policy of an AWS-managed key such as alias/aws/sns cannot grant them, so alarm messages
  # are dropped. aws:SourceAccount keeps other accounts' alarms off this key; the topic policy
  # below says which alarms may publish.
  alarm_key_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "AccountAdministers"
        Effect    = "Allow"
        Principal = { AWS = "arn:${local.partition}:iam::${local.account_id}:root" }
        Action    = "kms:*"
        Resource  = "*"
      },
      {
        Sid       = "CloudWatchAlarmsPublish"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = ["kms:Decrypt", "kms:GenerateDataKey*"]
        Resource  = "*"
        Condition = { StringEquals = { "aws:SourceAccount" = local.account_id } }
      },
    ]
  }

  # Replaces the topic's default policy: this account's principals keep their IAM permissions;
  # the CloudWatch service principal may publish for this deployment's alarms only.
  alarm_topic_policy = {
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "CloudWatchAlarmsPublish"
        Effect    = "Allow"
        Principal = { Service = "cloudwatch.amazonaws.com" }
        Action    = "sns:Publish"
        Resource  = "arn:${local.partition}:sns:${local.region}:${local.account_id}:${local.alarm_topic}"
        Condition = {
          ArnLike      = { "aws:SourceArn" = local.module_alarms }
          StringEquals = { "aws:SourceAccount" = local.account_id }
        }
      },
    ]
  }
}

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

resource "aws_kms_key" "alarms" {
  count                   = var.alarm_email == "" ? 0 : 1
  description             = "${local.alarm_topic}: the alarm topic (CloudWatch may use it)"
  enable_key_rotation     = true
  deletion_window_in_days = 30
  policy                  = jsonencode(local.alarm_key_policy)
}

resource "aws_sns_topic" "alarms" {
  count             = var.alarm_email == "" ? 0 : 1
  name              = local.alarm_topic
  kms_master_key_id = aws_kms_key.alarms[0].arn
}

resource "aws_sns_topic_policy" "alarms" {
  count  = var.alarm_email == "" ? 0 : 1
  arn    = aws_sns_topic.alarms[0].arn
  policy = jsonencode(local.alarm_topic_policy)
}

resource "aws_sns_topic_subscription" "alarm_email" {
  count     = var.alarm_email == "" ? 0 : 1
  topic_arn = aws_sns_topic.alarms[0].arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

module "qrveil" {
  source      = "../../modules/qrveil"
  name_prefix = local.name_prefix

  # What `cargo lambda build --release --locked --arm64 --output-format zip` writes (run at the
  # repository root).
  function_zip = "${path.module}/../../../target/lambda/qrveil-function/bootstrap.zip"
  presign_zip  = "${path.module}/../../../target/lambda/qrveil-presign/bootstrap.zip"
  architecture = "arm64"

  # Every built-in style runs on the linear tier: the default memory fits it. Set
  # pbs_tier = true to also serve styles that need bootstrapping (then 10 GB, 6 vCPUs).
  pbs_tier                      = false
  function_reserved_concurrency = 10
  jobs_expiry_days              = 1
  keys_expiry_days              = 90
  tags                          = { "environment" = "example" }

  # Every alarm (errors, throttles, dead letters, rejected tokens) e-mails alarm_email.
  alarm_actions = aws_sns_topic.alarms[*].arn
}

output "bucket_name" {
  description = "The bucket holding keys/ and jobs/."
  value       = module.qrveil.bucket_name
}

output "presign_url" {
  description = "The presign endpoint for apps and `qrveil --remote --presign-url`."
  value       = module.qrveil.presign_url
}

output "token_secret_arn" {
  description = "Put the bearer token here after the first apply."
  value       = module.qrveil.token_secret_arn
}
