variable "name_prefix" {
  description = "Prefix of every resource name (functions, roles, log groups, secret, alarms)."
  type        = string
  default     = "qrveil"
  validation {
    condition     = can(regex("^[a-z][a-z0-9-]{1,30}$", var.name_prefix))
    error_message = "name_prefix must be 2-31 characters of a-z, 0-9 and '-', starting with a letter."
  }
}

variable "bucket_name" {
  description = "Name of the S3 bucket for keys and jobs. Leave null for a generated unique name starting with name_prefix."
  type        = string
  default     = null
  validation {
    condition     = var.bucket_name == null || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name: 3-63 characters of a-z, 0-9, '.' and '-'."
  }
}

variable "function_zip" {
  description = "Path of the job function's zip: `cargo lambda build --release --locked --output-format zip` writes target/lambda/qrveil-function/bootstrap.zip."
  type        = string
  validation {
    condition     = endswith(var.function_zip, ".zip")
    error_message = "function_zip must be the path of a .zip holding the `bootstrap` executable."
  }
}

variable "presign_zip" {
  description = "Path of the presign endpoint's zip: target/lambda/qrveil-presign/bootstrap.zip after `cargo lambda build`."
  type        = string
  validation {
    condition     = endswith(var.presign_zip, ".zip")
    error_message = "presign_zip must be the path of a .zip holding the `bootstrap` executable."
  }
}

variable "architecture" {
  description = "CPU architecture the zips were built for: arm64 (Graviton, cheaper per vCPU; `cargo lambda build --arm64`) or x86_64."
  type        = string
  default     = "arm64"
  validation {
    condition     = contains(["arm64", "x86_64"], var.architecture)
    error_message = "architecture must be arm64 or x86_64."
  }
}

variable "pbs_tier" {
  description = "Also evaluate jobs on the PBS tier (styles that need bootstrapping; none of the built-ins does). Those need memory for expanded server keys: the function then gets pbs_function_memory_mb. Without it, such jobs fail with tier-not-served."
  type        = bool
  default     = false
}

variable "function_memory_mb" {
  description = "Memory of the job function when it serves the linear tier only. Sized from the measured peak of a version-40 linear job (docs/cloud.md) with room to spare; Lambda's CPU share grows with memory."
  type        = number
  default     = 256
  validation {
    condition     = var.function_memory_mb >= 128 && var.function_memory_mb <= 10240
    error_message = "function_memory_mb must be 128-10240."
  }
}

variable "pbs_function_memory_mb" {
  description = "Memory of the job function when pbs_tier is on. Lambda gives CPU in proportion: 10240 MB is 6 vCPUs, and PBS throughput scales with them."
  type        = number
  default     = 10240
  validation {
    condition     = var.pbs_function_memory_mb >= 2048 && var.pbs_function_memory_mb <= 10240
    error_message = "pbs_function_memory_mb must be 2048-10240 (an expanded server key alone needs several hundred MB)."
  }
}

variable "function_timeout_seconds" {
  description = "Timeout of the job function. A version-40 code is about 70 000 PBS: minutes even on 6 vCPUs."
  type        = number
  default     = 900
  validation {
    condition     = var.function_timeout_seconds >= 60 && var.function_timeout_seconds <= 900
    error_message = "function_timeout_seconds must be 60-900."
  }
}

variable "function_reserved_concurrency" {
  description = "Reserved (and maximum) concurrent job functions: bounds cost and the account concurrency this service can take."
  type        = number
  default     = 10
  validation {
    condition     = var.function_reserved_concurrency >= 1 && floor(var.function_reserved_concurrency) == var.function_reserved_concurrency
    error_message = "function_reserved_concurrency must be a whole number >= 1."
  }
}

variable "function_max_event_age_seconds" {
  description = "Longest an S3 job event may wait in Lambda's queue (throttled, or between retries) before it goes to the dead-letter queue unprocessed. Clients stop waiting after 600 s (WaitPolicy::default() in the SDK, `qrveil --timeout`): keep this at their wait, so no job runs for a client that has gone and a queued one shows in the dead-letter alarm while it still matters."
  type        = number
  default     = 600
  validation {
    condition     = var.function_max_event_age_seconds >= 60 && var.function_max_event_age_seconds <= 21600 && floor(var.function_max_event_age_seconds) == var.function_max_event_age_seconds
    error_message = "function_max_event_age_seconds must be a whole number of seconds, 60-21600 (Lambda's limits); set it to how long clients wait (600 by default)."
  }
}

variable "key_cache_bytes" {
  description = "Bytes of expanded server keys each warm job function keeps when pbs_tier is on (one expanded key is a few hundred MB); must fit in pbs_function_memory_mb with room for a job."
  type        = number
  default     = 1073741824
  validation {
    condition     = var.key_cache_bytes >= 0 && floor(var.key_cache_bytes) == var.key_cache_bytes
    error_message = "key_cache_bytes must be a whole number of bytes >= 0."
  }
}

variable "presign_reserved_concurrency" {
  description = "Reserved (and maximum) concurrent presign endpoint instances; throttles token guessing and bounds cost."
  type        = number
  default     = 20
  validation {
    condition     = var.presign_reserved_concurrency >= 1 && floor(var.presign_reserved_concurrency) == var.presign_reserved_concurrency
    error_message = "presign_reserved_concurrency must be a whole number >= 1."
  }
}

variable "url_ttl_seconds" {
  description = "Lifetime of the presigned URLs the endpoint hands out: long enough to upload, wait for and download one job."
  type        = number
  default     = 3600
  validation {
    condition     = var.url_ttl_seconds >= 60 && var.url_ttl_seconds <= 43200
    error_message = "url_ttl_seconds must be 60-43200 (URLs signed with the function's role credentials cannot outlive them)."
  }
}

variable "jobs_expiry_days" {
  description = "Days after which job objects (manifest, input, output, status under jobs/) are deleted."
  type        = number
  default     = 1
  validation {
    condition     = var.jobs_expiry_days >= 1 && floor(var.jobs_expiry_days) == var.jobs_expiry_days
    error_message = "jobs_expiry_days must be a whole number >= 1."
  }
}

variable "keys_expiry_days" {
  description = "Days after which uploaded server keys under keys/ are deleted; a client whose key expired uploads it again on its next job."
  type        = number
  default     = 90
  validation {
    condition     = var.keys_expiry_days >= 1 && floor(var.keys_expiry_days) == var.keys_expiry_days
    error_message = "keys_expiry_days must be a whole number >= 1."
  }
}

variable "cors_allowed_origins" {
  description = "Web origins (https://...) allowed to PUT and GET through presigned URLs from a browser. Mobile apps need none; empty means no CORS rule."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for o in var.cors_allowed_origins : startswith(o, "https://")])
    error_message = "cors_allowed_origins must be https:// origins."
  }
}

variable "log_retention_days" {
  description = "Days the functions' logs are kept (they hold ids and timings, never payloads, keys or ciphertexts)."
  type        = number
  default     = 365
  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, ...)."
  }
}

variable "rejected_tokens_alarm_threshold" {
  description = "401 answers (missing or wrong bearer token) per 5 minutes above which the presign endpoint alarms."
  type        = number
  default     = 10
  validation {
    condition     = var.rejected_tokens_alarm_threshold >= 0 && floor(var.rejected_tokens_alarm_threshold) == var.rejected_tokens_alarm_threshold
    error_message = "rejected_tokens_alarm_threshold must be a whole number >= 0."
  }
}

variable "alarm_actions" {
  description = "ARNs (e.g. SNS topics) every alarm notifies: function errors and throttles, dead letters, rejected tokens. An encrypted SNS topic needs a customer-managed key CloudWatch may use (see examples/complete)."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for a in var.alarm_actions : startswith(a, "arn:")])
    error_message = "alarm_actions must be ARNs."
  }
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

# What a leaked app token can cost (docs/cloud.md works the defaults out per day).
variable "client_burst" {
  description = "Presign requests one install (client id) may make at once."
  type        = number
  default     = 10
  validation {
    condition     = var.client_burst >= 1 && floor(var.client_burst) == var.client_burst
    error_message = "client_burst must be a whole number of at least 1."
  }
}

variable "client_per_minute" {
  description = "Presign requests one install may make per minute after its burst."
  type        = number
  default     = 6
  validation {
    condition     = var.client_per_minute >= 1 && floor(var.client_per_minute) == var.client_per_minute
    error_message = "client_per_minute must be a whole number of at least 1."
  }
}

variable "address_burst" {
  description = "Presign requests one source address may make at once (a token's holder can make up client ids, not addresses)."
  type        = number
  default     = 30
  validation {
    condition     = var.address_burst >= 1 && floor(var.address_burst) == var.address_burst
    error_message = "address_burst must be a whole number of at least 1."
  }
}

variable "address_per_minute" {
  description = "Presign requests one source address may make per minute after its burst."
  type        = number
  default     = 20
  validation {
    condition     = var.address_per_minute >= 1 && floor(var.address_per_minute) == var.address_per_minute
    error_message = "address_per_minute must be a whole number of at least 1."
  }
}

variable "daily_job_budget" {
  description = "Jobs the presign endpoint admits per UTC day, all clients together: the ceiling on what a leaked token costs. An alarm fires at 80%."
  type        = number
  default     = 10000
  validation {
    condition     = var.daily_job_budget >= 1 && floor(var.daily_job_budget) == var.daily_job_budget
    error_message = "daily_job_budget must be a whole number of at least 1."
  }
}

variable "daily_key_uploads" {
  description = "Server-key uploads (about 43 MB each, PBS tier only) one install may make per UTC day."
  type        = number
  default     = 3
  validation {
    condition     = var.daily_key_uploads >= 1 && floor(var.daily_key_uploads) == var.daily_key_uploads
    error_message = "daily_key_uploads must be a whole number of at least 1."
  }
}
