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
  description = "Email address told when a function fails (confirm the subscription email). Empty for no notifications."
  type        = string
  default     = ""
}

resource "aws_sns_topic" "alarms" {
  count             = var.alarm_email == "" ? 0 : 1
  name              = "qrveil-alarms"
  kms_master_key_id = "alias/aws/sns"
}

resource "aws_sns_topic_subscription" "alarm_email" {
  count     = var.alarm_email == "" ? 0 : 1
  topic_arn = aws_sns_topic.alarms[0].arn
  protocol  = "email"
  endpoint  = var.alarm_email
}

module "qrveil" {
  source = "../../modules/qrveil"

  # What `cargo lambda build --release --arm64 --output-format zip` writes (run at the
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
  alarm_actions                 = aws_sns_topic.alarms[*].arn
  tags                          = { "environment" = "example" }
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
