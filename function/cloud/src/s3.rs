//! The bucket as a [`Store`]: the same trait the folder store implements, so the handler runs
//! unchanged in the cloud. The handler is synchronous (its work is CPU-bound FHE), so each call
//! here blocks on the async SDK through a Tokio runtime handle; call it from a blocking thread
//! (`tokio::task::spawn_blocking`), never from async code.

use crate::env;
use aws_sdk_s3::config::http::HttpResponse;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::Client;
use qrveil_protocol::store::{Store, StoreError};
use tokio::runtime::Handle;

/// An S3 client for this process's environment: region, credentials and endpoint come from the
/// standard AWS variables and files (`AWS_REGION`, `AWS_ENDPOINT_URL`, ...);
/// `QRVEIL_S3_FORCE_PATH_STYLE=1` selects path-style URLs, which S3-compatible servers on a
/// plain address (such as an emulator on 127.0.0.1) need.
pub async fn client_from_env() -> Client {
    client(None, None).await
}

/// Like [`client_from_env`], with the endpoint and region overridden when given. An explicit
/// endpoint means an S3-compatible server, so path-style URLs are used with it.
pub async fn client(endpoint: Option<&str>, region: Option<&str>) -> Client {
    let mut loader = aws_config::defaults(aws_config::BehaviorVersion::latest());
    if let Some(region) = region {
        loader = loader.region(aws_config::Region::new(region.to_string()));
    }
    if let Some(endpoint) = endpoint {
        loader = loader.endpoint_url(endpoint);
    }
    let shared = loader.load().await;
    let path_style =
        endpoint.is_some() || std::env::var(env::S3_FORCE_PATH_STYLE).is_ok_and(|v| v == "1" || v == "true");
    Client::from_conf(aws_sdk_s3::config::Builder::from(&shared).force_path_style(path_style).build())
}

/// One bucket, reached through `client`.
#[derive(Clone, Debug)]
pub struct S3Store {
    client: Client,
    bucket: String,
    runtime: Handle,
}

fn io<E: std::error::Error + 'static>(op: &'static str, key: &str, e: E) -> StoreError {
    // DisplayErrorContext prints the whole cause chain (service code, HTTP status, I/O error).
    StoreError::Io { op, key: key.to_string(), detail: DisplayErrorContext(e).to_string() }
}

fn http_status<E>(e: &SdkError<E, HttpResponse>) -> Option<u16> {
    e.raw_response().map(|r| r.status().as_u16())
}

impl S3Store {
    pub fn new(client: Client, bucket: impl Into<String>, runtime: Handle) -> Self {
        Self { client, bucket: bucket.into(), runtime }
    }

    /// Whether the object exists (a `HEAD`); for async callers.
    pub async fn exists_async(&self, key: &str) -> Result<bool, StoreError> {
        match self.client.head_object().bucket(&self.bucket).key(key).send().await {
            Ok(_) => Ok(true),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(false),
            Err(e) if http_status(&e) == Some(404) => Ok(false),
            Err(e) => Err(io("stat", key, e)),
        }
    }

    /// Whether the object exists, and the SHA-256 checksum S3 stored with it, if it was uploaded
    /// with one (a `HEAD` asking for checksums); for async callers.
    pub async fn checksum_sha256_async(&self, key: &str) -> Result<Option<Option<String>>, StoreError> {
        let head = self.client.head_object().bucket(&self.bucket).key(key);
        match head.checksum_mode(aws_sdk_s3::types::ChecksumMode::Enabled).send().await {
            Ok(out) => Ok(Some(out.checksum_sha256().map(str::to_string))),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(None),
            Err(e) if http_status(&e) == Some(404) => Ok(None),
            Err(e) => Err(io("stat", key, e)),
        }
    }

    async fn get_async(&self, key: &str, limit: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let out = match self.client.get_object().bucket(&self.bucket).key(key).send().await {
            Ok(out) => out,
            Err(e) if e.as_service_error().is_some_and(|s| s.is_no_such_key()) => return Ok(None),
            Err(e) => return Err(io("read", key, e)),
        };
        let size = out.content_length().unwrap_or(0).max(0) as u64;
        if size > limit {
            return Err(StoreError::TooLarge { key: key.to_string(), size, limit });
        }
        // Bound the read too: never trust a length header alone.
        let mut body = out.body;
        let mut bytes = Vec::with_capacity(size as usize);
        while let Some(chunk) = body.try_next().await.map_err(|e| io("read", key, e))? {
            if (bytes.len() + chunk.len()) as u64 > limit {
                return Err(StoreError::TooLarge {
                    key: key.to_string(),
                    size: (bytes.len() + chunk.len()) as u64,
                    limit,
                });
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(Some(bytes))
    }
}

impl Store for S3Store {
    fn get(&self, key: &str, limit: u64) -> Result<Option<Vec<u8>>, StoreError> {
        self.runtime.block_on(self.get_async(key, limit))
    }

    fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
        let put = self.client.put_object().bucket(&self.bucket).key(key).body(ByteStream::from(bytes.to_vec()));
        self.runtime.block_on(put.send()).map(|_| ()).map_err(|e| io("write", key, e))
    }

    fn put_new(&self, key: &str, bytes: &[u8]) -> Result<bool, StoreError> {
        let put = self
            .client
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .if_none_match("*")
            .body(ByteStream::from(bytes.to_vec()));
        match self.runtime.block_on(put.send()) {
            Ok(_) => Ok(true),
            // 412: the object exists. 409: another conditional write to it is in flight; the
            // other writer wins either way.
            Err(e) if matches!(http_status(&e), Some(412 | 409)) => Ok(false),
            Err(e) if e.code() == Some("PreconditionFailed") => Ok(false),
            Err(e) => Err(io("write", key, e)),
        }
    }

    fn exists(&self, key: &str) -> Result<bool, StoreError> {
        self.runtime.block_on(self.exists_async(key))
    }
}
