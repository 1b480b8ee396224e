//! Settings of the two Lambda handlers, read from the environment. Terraform (`infra/`) sets
//! them; `infra/check.sh` checks its names against these, so a rename here fails there.

/// Bucket for direct invocations that name none (S3 events carry their bucket).
pub const BUCKET: &str = "QRVEIL_BUCKET";
/// Bound in bytes for expanded server keys kept warm between invocations.
pub const KEY_CACHE_BYTES: &str = "QRVEIL_KEY_CACHE_BYTES";
/// `1` to evaluate PBS-tier jobs too (needs memory for server keys), `0` for the linear tier only.
/// The presign endpoint reads it as well: it hands out server-key uploads only when `1` (unset: `0`).
pub const PBS_TIER: &str = "QRVEIL_PBS_TIER";
/// Secrets Manager id (name or ARN) of the presign endpoint's bearer token.
pub const TOKEN_SECRET_ID: &str = "QRVEIL_TOKEN_SECRET_ID";
/// Lifetime of presigned URLs, in seconds.
pub const URL_TTL_SECONDS: &str = "QRVEIL_URL_TTL_SECONDS";
/// `1` for path-style S3 URLs (S3-compatible servers on a plain address).
pub const S3_FORCE_PATH_STYLE: &str = "QRVEIL_S3_FORCE_PATH_STYLE";

/// DynamoDB table of the presign endpoint's rate limits; unset, requests are not metered.
pub const LIMITS_TABLE: &str = "QRVEIL_LIMITS_TABLE";
/// Presign requests one client id may make at once, and then per minute.
pub const CLIENT_BURST: &str = "QRVEIL_CLIENT_BURST";
pub const CLIENT_PER_MINUTE: &str = "QRVEIL_CLIENT_PER_MINUTE";
/// The same for one source address (a leaked token's holder can make up client ids).
pub const ADDRESS_BURST: &str = "QRVEIL_ADDRESS_BURST";
pub const ADDRESS_PER_MINUTE: &str = "QRVEIL_ADDRESS_PER_MINUTE";
/// Jobs per UTC day, all clients together: the ceiling on what a leaked token costs.
pub const DAILY_JOBS: &str = "QRVEIL_DAILY_JOBS";
/// Server-key uploads per client id and UTC day.
pub const DAILY_KEY_UPLOADS: &str = "QRVEIL_DAILY_KEY_UPLOADS";

/// Default presigned URL lifetime: long enough for a large job's upload, run and download.
pub const DEFAULT_URL_TTL_SECONDS: u64 = 3600;

/// A setting the handler cannot start with.
#[derive(Debug, thiserror::Error)]
pub enum SettingError {
    #[error("{name}={value:?} is not a whole number")]
    NotANumber { name: &'static str, value: String },
    #[error("{name} must be set: {why}")]
    Missing { name: &'static str, why: &'static str },
}

/// A setting that must parse as a number if present.
pub fn number(name: &'static str, default: u64) -> Result<u64, SettingError> {
    match std::env::var(name) {
        Err(_) => Ok(default),
        Ok(value) => value.trim().parse().map_err(|_| SettingError::NotANumber { name, value }),
    }
}

/// A setting that must be present.
pub fn required(name: &'static str, why: &'static str) -> Result<String, SettingError> {
    std::env::var(name).map_err(|_| SettingError::Missing { name, why })
}
