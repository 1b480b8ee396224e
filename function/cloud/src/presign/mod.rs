//! The presign endpoint: for a caller holding the operator's bearer token, a new job id and
//! short-lived URLs for exactly that job's objects (and the server key, if the bucket lacks
//! it). Apps never hold AWS credentials; the URLs carry this function's narrow permissions.

use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::Client;
use qrveil_protocol::job::paths;
use qrveil_protocol::presign::{PresignError, PresignRequest, PresignResponse, REQUEST_LIMIT};
use qrveil_protocol::{JobId, KeyId};
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::time::{Duration, SystemTime};

pub mod limits;
use limits::{Admission, Limiter};

/// The limits table cannot be reached: refused, since an unmetered answer could cost anything.
fn unmetered(e: &limits::LimitError) -> Reply {
    tracing::error!(error = %e, "rate limits unavailable");
    refuse(503, "the endpoint cannot meter requests right now; try again")
}

/// An HTTP answer, independent of the Lambda event types.
#[derive(Debug, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
    /// Seconds for a `Retry-After` header (a 429's).
    pub retry_after: Option<u64>,
}

/// A JSON answer; a body that cannot be written (it never should) becomes a bare 500.
fn reply(status: u16, body: &impl serde::Serialize) -> Reply {
    match serde_json::to_vec(body) {
        Ok(body) => Reply { status, body, retry_after: None },
        Err(_) => Reply { status: 500, body: br#"{"error":"internal error"}"#.to_vec(), retry_after: None },
    }
}

/// A refusal, logged by its status and reason (never the token or the body).
fn refuse(status: u16, error: impl Into<String>) -> Reply {
    let error = error.into();
    tracing::warn!(status, reason = %error, "presign request refused");
    reply(status, &PresignError { error })
}

/// Over a limit: 429, saying which and when to ask again (also as `Retry-After`).
fn too_many(reason: &str, retry_after: u64) -> Reply {
    let refusal = refuse(429, format!("over {reason}; try again in {retry_after} s"));
    Reply { retry_after: Some(retry_after), ..refusal }
}

/// Why the endpoint cannot start or answer.
#[derive(Debug, thiserror::Error)]
pub enum PresignFailure {
    #[error("cannot read secret {secret_id}: {detail}")]
    Secret { secret_id: String, detail: String },
    #[error("secret {secret_id} must hold a token of at least 16 characters")]
    ShortToken { secret_id: String },
    #[error("could not presign: {0}")]
    Presign(String),
    #[error(transparent)]
    Store(#[from] qrveil_protocol::StoreError),
    #[error(transparent)]
    Limits(#[from] limits::LimitError),
    #[error("over {reason}")]
    Limited { reason: &'static str, retry_after: u64 },
}

/// Fetch the bearer token from Secrets Manager (a secret string, surrounding blanks ignored).
pub async fn token_from_secret(
    client: &aws_sdk_secretsmanager::Client,
    secret_id: &str,
) -> Result<String, PresignFailure> {
    let out = client.get_secret_value().secret_id(secret_id).send().await.map_err(|e| PresignFailure::Secret {
        secret_id: secret_id.to_string(),
        detail: aws_sdk_secretsmanager::error::DisplayErrorContext(e).to_string(),
    })?;
    let token = out.secret_string().unwrap_or_default().trim().to_string();
    if token.len() < 16 {
        return Err(PresignFailure::ShortToken { secret_id: secret_id.to_string() });
    }
    Ok(token)
}

pub struct Presigner {
    client: Client,
    bucket: String,
    token_digest: [u8; 32],
    ttl: Duration,
    serves_pbs: bool,
    limiter: Option<Limiter>,
}

/// A signed `PUT` and the headers it was signed over.
type SignedPut = (String, BTreeMap<String, String>);

impl Presigner {
    pub fn new(client: Client, bucket: impl Into<String>, token: &str, ttl: Duration) -> Self {
        let token_digest = Sha256::digest(token.as_bytes()).into();
        Self { client, bucket: bucket.into(), token_digest, ttl, serves_pbs: false, limiter: None }
    }

    /// Whether the deployment evaluates PBS-tier jobs (`QRVEIL_PBS_TIER`). Only then are server
    /// keys taken: a linear-only deployment never reads one, so an upload would only park bytes.
    pub fn serving_pbs(mut self, serves_pbs: bool) -> Self {
        self.serves_pbs = serves_pbs;
        self
    }

    /// Meter requests with `limiter` (without one, nothing bounds what a leaked token costs).
    pub fn limited_by(mut self, limiter: Limiter) -> Self {
        self.limiter = Some(limiter);
        self
    }

    /// Whether `Authorization` carries the token. Digests are compared, so the time taken says
    /// nothing about how much of a guess was right.
    fn authorised(&self, authorization: Option<&str>) -> bool {
        let Some(token) = authorization.and_then(|h| h.strip_prefix("Bearer ")) else { return false };
        let digest: [u8; 32] = Sha256::digest(token.trim().as_bytes()).into();
        digest == self.token_digest
    }

    /// Answer one request from `source` (the caller's address, as the Function URL saw it).
    pub async fn handle(&self, method: &str, authorization: Option<&str>, source: &str, body: &[u8]) -> Reply {
        if method != "POST" {
            return refuse(
                405,
                "use POST with a JSON body: {} for a linear-tier job, {\"key_id\": \"...\"} for a PBS-tier one",
            );
        }
        if !self.authorised(authorization) {
            return refuse(401, "missing or wrong bearer token (Authorization: Bearer <token>)");
        }
        if body.len() > REQUEST_LIMIT {
            return refuse(413, format!("request body over {REQUEST_LIMIT} bytes"));
        }
        let request = match PresignRequest::from_body(body) {
            Ok(r) => r,
            Err(e) => return refuse(400, e),
        };
        if request.key_id.is_some() && !self.serves_pbs {
            return refuse(
                422,
                "this deployment evaluates the linear tier only and takes no server keys: use a style on the linear tier (send {}), or ask the operator to enable the PBS tier",
            );
        }
        let Some(sizes) = request.sizes else {
            return refuse(
                400,
                "sizes is required: {\"manifest\": bytes, \"input\": bytes} (and \"server_key\" with a key_id); update the SDK",
            );
        };
        if let Err(e) = sizes.check(request.key_id.is_some()) {
            return refuse(400, e);
        }
        // An install is metered by its id; one that sent none, by its address.
        let client = request.client_id.as_ref().map_or_else(|| format!("at-{source}"), |c| c.as_str().to_string());
        if let Some(limiter) = &self.limiter {
            match limiter.admit_job(&client, source, SystemTime::now()).await {
                Ok(Admission::Admitted) => {}
                Ok(Admission::Refused { reason, retry_after }) => return too_many(reason, retry_after),
                Err(e) => return unmetered(&e),
            }
        }
        match self.urls(&request, &client).await {
            Ok(response) => {
                // The job and whether it uploads a key; the URLs carry signatures and stay out.
                let key = request.key_id.as_ref().map(|k| k.short().to_string());
                let key_put = response.server_key_put.is_some();
                tracing::info!(job = %response.job_id.as_str(), key, key_put, "presigned a job");
                reply(200, &response)
            }
            Err(PresignFailure::Limited { reason, retry_after }) => too_many(reason, retry_after),
            Err(PresignFailure::Limits(e)) => unmetered(&e),
            Err(e) => {
                tracing::error!(error = %e, "presigning failed");
                refuse(502, "could not reach the bucket; try again")
            }
        }
    }

    async fn urls(&self, request: &PresignRequest, client: &str) -> Result<PresignResponse, PresignFailure> {
        let job = JobId::random();
        let config = PresigningConfig::expires_in(self.ttl).map_err(|e| PresignFailure::Presign(e.to_string()))?;
        let store = crate::s3::S3Store::new(self.client.clone(), &self.bucket, tokio::runtime::Handle::current());
        let sizes = request.sizes.unwrap_or_default();
        let put = |key: String, length: u64| {
            let config = config.clone();
            async move {
                let put = self.client.put_object().bucket(&self.bucket).key(key).content_length(length as i64);
                let req = put.presigned(config).await;
                req.map(|r| r.uri().to_string()).map_err(|e| PresignFailure::Presign(e.to_string()))
            }
        };
        let get = |key: String| {
            let config = config.clone();
            async move {
                let req = self.client.get_object().bucket(&self.bucket).key(key).presigned(config).await;
                req.map(|r| r.uri().to_string()).map_err(|e| PresignFailure::Presign(e.to_string()))
            }
        };
        // A server key only for a job that names one (PBS tier), and only if the bucket lacks it.
        let (server_key_put, server_key_headers) = match &request.key_id {
            Some(key) => {
                match self.key_upload(&store, key, sizes.server_key.unwrap_or_default(), &config, client).await? {
                    Some((url, headers)) => (Some(url), headers),
                    None => (None, BTreeMap::new()),
                }
            }
            None => (None, BTreeMap::new()),
        };
        Ok(PresignResponse {
            server_key_put,
            server_key_headers,
            manifest_put: put(paths::manifest(&job), sizes.manifest).await?,
            input_put: put(paths::input(&job), sizes.input).await?,
            status_get: get(paths::status(&job)).await?,
            output_get: get(paths::output(&job)).await?,
            expires_in_seconds: self.ttl.as_secs(),
            job_id: job,
        })
    }

    /// An upload for server key `key`, unless the bucket holds exactly it. The URL is signed
    /// over the key id as SHA-256 checksum, so S3 stores no other bytes under that id (a leaked
    /// token cannot park data there), and, for a first upload, over `if-none-match: *`.
    async fn key_upload(
        &self,
        store: &crate::s3::S3Store,
        key: &KeyId,
        size: u64,
        config: &PresigningConfig,
        client: &str,
    ) -> Result<Option<SignedPut>, PresignFailure> {
        let path = paths::server_key(key);
        let checksum = key.checksum_sha256();
        let first = match store.checksum_sha256_async(&path).await? {
            Some(Some(stored)) if stored == checksum => return Ok(None),
            None => true,
            // An object that is not known to be this key (uploaded without a checksum, or
            // damaged) would fail every job with a bad key until it expires: offer a fresh
            // upload, which the checksum still limits to the right bytes.
            Some(_) => false,
        };
        if let Some(limiter) = &self.limiter {
            if let Admission::Refused { reason, retry_after } =
                limiter.admit_key_upload(client, SystemTime::now()).await?
            {
                return Err(PresignFailure::Limited { reason, retry_after });
            }
        }
        let length = size as i64;
        // The algorithm named as well (x-amz-sdk-checksum-algorithm): S3 needs only the value,
        // but S3-compatible stores (moto) keep the checksum for a HEAD only when it is named.
        let put = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(path)
            .content_length(length)
            .checksum_algorithm(aws_sdk_s3::types::ChecksumAlgorithm::Sha256)
            .checksum_sha256(checksum);
        let put = if first { put.if_none_match("*") } else { put };
        let signed = put.presigned(config.clone()).await.map_err(|e| PresignFailure::Presign(e.to_string()))?;
        // What the client must add to its PUT: its length it sends anyway (from the body).
        let headers = signed
            .headers()
            .map(|(name, value)| (name.to_ascii_lowercase(), value.to_string()))
            .filter(|(name, _)| name != "content-length")
            .collect();
        Ok(Some((signed.uri().to_string(), headers)))
    }
}

#[cfg(test)]
mod tests;
