//! The presign endpoint: for a caller holding the operator's bearer token, a new job id and
//! short-lived URLs for exactly that job's objects (and the server key, if the bucket lacks
//! it). Apps never hold AWS credentials; the URLs carry this function's narrow permissions.

use aws_sdk_s3::presigning::PresigningConfig;
use aws_sdk_s3::Client;
use qrveil_protocol::job::paths;
use qrveil_protocol::presign::{PresignError, PresignRequest, PresignResponse, REQUEST_LIMIT};
use qrveil_protocol::JobId;
use sha2::{Digest, Sha256};
use std::time::Duration;

/// An HTTP answer, independent of the Lambda event types.
#[derive(Debug, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub body: Vec<u8>,
}

/// A JSON answer; a body that cannot be written (it never should) becomes a bare 500.
fn reply(status: u16, body: &impl serde::Serialize) -> Reply {
    match serde_json::to_vec(body) {
        Ok(body) => Reply { status, body },
        Err(_) => Reply { status: 500, body: br#"{"error":"internal error"}"#.to_vec() },
    }
}

/// A refusal, logged by its status and reason (never the token or the body).
fn refuse(status: u16, error: impl Into<String>) -> Reply {
    let error = error.into();
    tracing::warn!(status, reason = %error, "presign request refused");
    reply(status, &PresignError { error })
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
}

impl Presigner {
    pub fn new(client: Client, bucket: impl Into<String>, token: &str, ttl: Duration) -> Self {
        Self { client, bucket: bucket.into(), token_digest: Sha256::digest(token.as_bytes()).into(), ttl }
    }

    /// Whether `Authorization` carries the token. Digests are compared, so the time taken says
    /// nothing about how much of a guess was right.
    fn authorised(&self, authorization: Option<&str>) -> bool {
        let Some(token) = authorization.and_then(|h| h.strip_prefix("Bearer ")) else { return false };
        let digest: [u8; 32] = Sha256::digest(token.trim().as_bytes()).into();
        digest == self.token_digest
    }

    pub async fn handle(&self, method: &str, authorization: Option<&str>, body: &[u8]) -> Reply {
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
        match self.urls(&request).await {
            Ok(response) => {
                // The job and whether it uploads a key; the URLs carry signatures and stay out.
                let key = request.key_id.as_ref().map(|k| k.short().to_string());
                let key_put = response.server_key_put.is_some();
                tracing::info!(job = %response.job_id.as_str(), key, key_put, "presigned a job");
                reply(200, &response)
            }
            Err(e) => {
                tracing::error!(error = %e, "presigning failed");
                refuse(502, "could not reach the bucket; try again")
            }
        }
    }

    async fn urls(&self, request: &PresignRequest) -> Result<PresignResponse, PresignFailure> {
        let job = JobId::random();
        let config = PresigningConfig::expires_in(self.ttl).map_err(|e| PresignFailure::Presign(e.to_string()))?;
        let store = crate::s3::S3Store::new(self.client.clone(), &self.bucket, tokio::runtime::Handle::current());
        let put = |key: String| {
            let config = config.clone();
            async move {
                let req = self.client.put_object().bucket(&self.bucket).key(key).presigned(config).await;
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
        let server_key_put = match &request.key_id {
            Some(key) if !store.exists_async(&paths::server_key(key)).await? => {
                Some(put(paths::server_key(key)).await?)
            }
            _ => None,
        };
        Ok(PresignResponse {
            server_key_put,
            manifest_put: put(paths::manifest(&job)).await?,
            input_put: put(paths::input(&job)).await?,
            status_get: get(paths::status(&job)).await?,
            output_get: get(paths::output(&job)).await?,
            expires_in_seconds: self.ttl.as_secs(),
            job_id: job,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
    use qrveil_protocol::presign::PresignResponse;

    const TOKEN: &str = "correct-horse-battery-staple";

    /// A client for a bucket nobody serves: every answer below is decided before any request
    /// leaves (presigning a URL is local work).
    fn presigner() -> Presigner {
        let config = aws_sdk_s3::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("AKIDEXAMPLE", "not-a-real-secret", None, None, "test"))
            .endpoint_url("http://127.0.0.1:9")
            .force_path_style(true)
            .build();
        Presigner::new(Client::from_conf(config), "jobs-bucket", TOKEN, Duration::from_secs(900))
    }

    fn bearer(token: &str) -> String {
        format!("Bearer {token}")
    }

    async fn status(method: &str, authorization: Option<&str>, body: &[u8]) -> u16 {
        presigner().handle(method, authorization, body).await.status
    }

    #[tokio::test]
    async fn only_post_is_answered() {
        for method in ["GET", "PUT", "DELETE", "post"] {
            assert_eq!(status(method, Some(&bearer(TOKEN)), b"{}").await, 405, "{method}");
        }
    }

    #[tokio::test]
    async fn anything_but_the_exact_token_is_refused() {
        let near_misses = [
            None,
            Some(TOKEN.to_string()),
            Some(format!("Basic {TOKEN}")),
            Some(format!("bearer {TOKEN}")),
            Some(bearer(&TOKEN[..TOKEN.len() - 1])),
            Some(bearer(&format!("{TOKEN}x"))),
            Some(bearer(&TOKEN.to_uppercase())),
            Some(bearer("")),
        ];
        for authorization in near_misses {
            assert_eq!(status("POST", authorization.as_deref(), b"{}").await, 401, "{authorization:?}");
        }
        // Blanks around the token are a copy-paste accident, not a different token.
        assert_eq!(status("POST", Some(&bearer(&format!(" {TOKEN}\n"))), b"{}").await, 200);
    }

    #[tokio::test]
    async fn size_limit_holds_at_the_byte_and_strangers_never_learn_it() {
        let padded = |len: usize| {
            let mut body = b"{}".to_vec();
            body.resize(len, b' ');
            body
        };
        assert_eq!(status("POST", Some(&bearer(TOKEN)), &padded(REQUEST_LIMIT)).await, 200);
        assert_eq!(status("POST", Some(&bearer(TOKEN)), &padded(REQUEST_LIMIT + 1)).await, 413);
        assert_eq!(status("POST", Some(&bearer("wrong-token-of-some-length")), &padded(REQUEST_LIMIT + 1)).await, 401);
    }

    #[tokio::test]
    async fn malformed_requests_get_400_with_what_to_send() {
        for body in [&b"not json"[..], b"[]", b"{\"key_id\": \"abc\"}", b"{\"keyid\": null}", b"\xff\xfe"] {
            let reply = presigner().handle("POST", Some(&bearer(TOKEN)), body).await;
            assert_eq!(reply.status, 400, "{}", String::from_utf8_lossy(body));
            let error: PresignError = serde_json::from_slice(&reply.body).expect("a JSON error");
            assert!(error.error.contains("key_id"), "{}", error.error);
        }
    }

    #[tokio::test]
    async fn a_linear_job_gets_urls_for_exactly_its_objects() {
        let reply = presigner().handle("POST", Some(&bearer(TOKEN)), b"{}").await;
        assert_eq!(reply.status, 200);
        let urls: PresignResponse = serde_json::from_slice(&reply.body).expect("job URLs");
        assert_eq!(urls.server_key_put, None, "a linear job names no key");
        assert_eq!(urls.expires_in_seconds, 900);
        let job = urls.job_id.as_str();
        for (url, object) in [
            (&urls.manifest_put, "manifest"),
            (&urls.input_put, "input"),
            (&urls.status_get, "status"),
            (&urls.output_get, "output"),
        ] {
            let path = url.split('?').next().unwrap_or_default();
            assert_eq!(path, format!("http://127.0.0.1:9/jobs-bucket/jobs/{job}/{object}"));
            assert!(url.contains("X-Amz-Expires=900") && url.contains("X-Amz-Signature="), "{url}");
        }
        let again: PresignResponse =
            serde_json::from_slice(&presigner().handle("POST", Some(&bearer(TOKEN)), b"{}").await.body).expect("URLs");
        assert_ne!(again.job_id, urls.job_id, "every request starts a new job");
    }
}
