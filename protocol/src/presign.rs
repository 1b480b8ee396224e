//! The presign endpoint's request and answer. Mobile apps hold no AWS credentials: they ask
//! this endpoint (with the operator's bearer token) for short-lived URLs that let them put one
//! job's objects and read its results, and nothing else.

use crate::job::{JobId, KeyId, DOCUMENT_LIMIT};
use crate::linear::FEATURES_LIMIT;
use crate::wire::{GRID_LIMIT, SERVER_KEY_LIMIT};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Largest request body the endpoint reads.
pub const REQUEST_LIMIT: usize = 4 << 10;

/// `POST` body: which server key the job will use (none for a linear-tier job), and which
/// install asks (for its rate limits; a request without one is limited by its address).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresignRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_id: Option<KeyId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<ClientId>,
    /// The bytes the job will upload: each `PUT` URL is signed over its exact length.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sizes: Option<UploadSizes>,
}

/// The exact byte size of each object a job uploads. The endpoint signs each `PUT` over its
/// `Content-Length`, so S3 refuses any other body: a leaked token cannot park large objects,
/// only the few bytes a job needs, within the limits the function reads.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UploadSizes {
    pub manifest: u64,
    pub input: u64,
    /// The server key's, on the PBS tier (sent whether or not the bucket lacks it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_key: Option<u64>,
}

impl UploadSizes {
    /// Whether each size is one the function would read: a manifest up to [`DOCUMENT_LIMIT`],
    /// an input up to its tier's limit, and a server key (then required) up to
    /// [`SERVER_KEY_LIMIT`]. The error says which and why.
    pub fn check(&self, pbs: bool) -> Result<(), String> {
        let input_limit = if pbs { GRID_LIMIT } else { FEATURES_LIMIT };
        let within = |what: &str, size: u64, limit: u64| match size {
            0 => Err(format!("sizes.{what} is 0: every object has bytes")),
            s if s > limit => Err(format!("sizes.{what} is {s} bytes, over the {limit} the function reads")),
            _ => Ok(()),
        };
        within("manifest", self.manifest, DOCUMENT_LIMIT)?;
        within("input", self.input, input_limit)?;
        match (pbs, self.server_key) {
            (true, Some(size)) => within("server_key", size, SERVER_KEY_LIMIT),
            (true, None) => Err("sizes.server_key is required with a key_id".to_string()),
            (false, Some(_)) => Err("sizes.server_key is for a job that names a key_id".to_string()),
            (false, None) => Ok(()),
        }
    }
}

/// A random id made once per install and kept with its keys: 32 lowercase hex digits (128
/// bits). It names no person, payload or key; it lets the endpoint meter one install.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ClientId(String);

impl ClientId {
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// A fresh random id (128 bits from the OS).
    pub fn random() -> Self {
        let mut bytes = [0u8; 16];
        crate::job::getrandom(&mut bytes);
        ClientId(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }
}

impl TryFrom<String> for ClientId {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        if s.len() == 32 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            Ok(ClientId(s))
        } else {
            Err("client_id must be 32 lowercase hex digits".to_string())
        }
    }
}

impl From<ClientId> for String {
    fn from(c: ClientId) -> String {
        c.0
    }
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
        let shape = "body must be {} or {\"key_id\": \"<64 hex>\"}, with \"client_id\": \"<32 hex>\" in either";
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
        assert_eq!(serde_json::from_str::<PresignRequest>("{}").expect("no key"), PresignRequest::default());
    }

    #[test]
    fn client_ids_are_32_lowercase_hex_and_nothing_else() {
        let id = ClientId::random();
        let parsed: PresignRequest =
            serde_json::from_str(&format!(r#"{{"client_id":"{}"}}"#, id.as_str())).expect("ok");
        assert_eq!(parsed.client_id, Some(id.clone()));
        assert_ne!(ClientId::random(), id, "fresh per install");
        for bad in [
            "",
            "ABCDEF0123456789abcdef0123456789",
            "0123",
            "../../../../../../../../../../..",
            "x".repeat(33).as_str(),
        ] {
            let body = format!(r#"{{"client_id":"{bad}"}}"#);
            let error = PresignRequest::from_body(body.as_bytes()).expect_err(bad);
            assert!(error.contains("client_id"), "{error}");
        }
    }

    #[test]
    fn upload_sizes_are_within_what_the_function_reads() {
        let linear = UploadSizes { manifest: 900, input: 40_000, server_key: None };
        assert_eq!(linear.check(false), Ok(()));
        let pbs = UploadSizes { server_key: Some(45 << 20), ..linear };
        assert_eq!(pbs.check(true), Ok(()));
        let refused = [
            (UploadSizes { manifest: 0, ..linear }, false, "manifest is 0"),
            (UploadSizes { manifest: DOCUMENT_LIMIT + 1, ..linear }, false, "manifest"),
            (UploadSizes { input: FEATURES_LIMIT + 1, ..linear }, false, "input"),
            (UploadSizes { input: GRID_LIMIT + 1, ..pbs }, true, "input"),
            (UploadSizes { server_key: Some(SERVER_KEY_LIMIT + 1), ..pbs }, true, "server_key"),
            (linear, true, "server_key is required"),
            (pbs, false, "names a key_id"),
        ];
        for (sizes, tier, why) in refused {
            let error = sizes.check(tier).expect_err(why);
            assert!(error.contains(why), "{error}");
        }
        // At the limits exactly: accepted.
        let edge = UploadSizes { manifest: DOCUMENT_LIMIT, input: FEATURES_LIMIT, server_key: None };
        assert_eq!(edge.check(false), Ok(()));
    }

    #[test]
    fn bodies_are_one_json_object() {
        assert_eq!(PresignRequest::from_body(b" \n{}"), Ok(PresignRequest::default()));
        for body in [&b"[]"[..], b"null", b"", b"{} {}", b"\"{}\""] {
            let error = PresignRequest::from_body(body).expect_err("refused");
            assert!(error.contains("key_id"), "{error}");
        }
    }
}
