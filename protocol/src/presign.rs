//! The presign endpoint's request and answer. Mobile apps hold no AWS credentials: they ask
//! this endpoint (with the operator's bearer token) for short-lived URLs that let them put one
//! job's objects and read its results, and nothing else.

use crate::job::{JobId, KeyId};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Largest request body the endpoint reads.
pub const REQUEST_LIMIT: usize = 4 << 10;

/// `POST` body: which server key the job will use; none for a linear-tier job (`{}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresignRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<KeyId>,
}

/// URLs for one new job. Every URL names exactly one object of the storage layout.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresignResponse {
    pub job_id: JobId,
    /// `PUT` for `keys/<key-id>/server-key`; absent when the bucket already holds that key, or
    /// when the request named none.
    pub server_key_put: Option<String>,
    /// Headers the server-key `PUT` must carry, exactly: its URL is signed over them. They make
    /// S3 store only bytes whose SHA-256 is the key id (`x-amz-checksum-sha256`) and, for a
    /// first upload, only if no object is there yet (`if-none-match: *`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub server_key_headers: BTreeMap<String, String>,
    pub manifest_put: String,
    pub input_put: String,
    pub status_get: String,
    pub output_get: String,
    /// How long the URLs stay valid.
    pub expires_in_seconds: u64,
}

/// The endpoint's answer when it refuses a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PresignError {
    pub error: String,
}

impl PresignRequest {
    /// Read a request body: one JSON object of at most [`REQUEST_LIMIT`] bytes. (serde would
    /// also take a JSON array for the struct; the endpoint answers only the documented form.)
    pub fn from_body(body: &[u8]) -> Result<Self, String> {
        if body.len() > REQUEST_LIMIT {
            return Err(format!("request body over {REQUEST_LIMIT} bytes"));
        }
        let shape = "body must be {} or {\"key_id\": \"<64 hex>\"}";
        if body.trim_ascii_start().first() != Some(&b'{') {
            return Err(format!("{shape}: not a JSON object"));
        }
        serde_json::from_slice(body).map_err(|e| format!("{shape}: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_with_unknown_or_malformed_fields_are_refused() {
        let key = "a".repeat(64);
        assert!(serde_json::from_str::<PresignRequest>(&format!(r#"{{"key_id":"{key}"}}"#)).is_ok());
        assert!(serde_json::from_str::<PresignRequest>(&format!(r#"{{"key_id":"{key}","x":1}}"#)).is_err());
        assert!(serde_json::from_str::<PresignRequest>(r#"{"key_id":"../../etc"}"#).is_err());
        // A linear-tier job names no key.
        assert_eq!(serde_json::from_str::<PresignRequest>("{}").expect("no key"), PresignRequest { key_id: None });
    }

    #[test]
    fn bodies_are_one_json_object() {
        assert_eq!(PresignRequest::from_body(b" \n{}"), Ok(PresignRequest { key_id: None }));
        for body in [&b"[]"[..], b"null", b"", b"{} {}", b"\"{}\""] {
            let error = PresignRequest::from_body(body).expect_err("refused");
            assert!(error.contains("key_id"), "{error}");
        }
    }
}
