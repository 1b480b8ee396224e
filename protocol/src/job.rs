//! Job documents and the storage layout, identical in S3 and in the local folder store:
//!
//! ```text
//! keys/<key-id>/server-key   compressed server key bundle, uploaded once per client key
//! jobs/<job-id>/manifest     JSON: style (and a fitted-wide look's program), tier, encodings, grid size, key id, format version, created-at
//! jobs/<job-id>/input        linear tier: encrypted encodings of the grid; PBS tier: the encrypted module grid
//! jobs/<job-id>/output       encrypted style outputs (modulus-switched GLWEs)
//! jobs/<job-id>/status       JSON: done (timings, PBS count) | failed (reason)
//! ```

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::fmt;

/// Version of the manifest/status documents and of the object layout (2: the linear tier; 3:
/// styles named as qr-code-styling names its dot types, so `rounded` and `dots` changed meaning).
pub const FORMAT_VERSION: u32 = 3;
/// Manifests and statuses are small JSON documents; refuse anything larger unread.
pub const DOCUMENT_LIMIT: u64 = 64 << 10;

/// An id or document that does not follow the protocol.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum DocumentError {
    #[error("a key id is 64 lowercase hex characters (SHA-256 of the server key)")]
    BadKeyId,
    #[error("job id {0:?} must be 1-64 characters of a-z, 0-9 and '-'")]
    BadJobId(String),
    #[error("{what} is {size} bytes, over the {DOCUMENT_LIMIT}-byte limit")]
    TooLarge { what: &'static str, size: usize },
    #[error("{what} is not valid: {detail}")]
    Invalid { what: &'static str, detail: String },
    #[error("could not write {what}: {detail}")]
    Unwritable { what: &'static str, detail: String },
}

/// Serialise a small JSON document.
fn to_json<T: Serialize>(what: &'static str, value: &T) -> Result<Vec<u8>, DocumentError> {
    serde_json::to_vec_pretty(value).map_err(|e| DocumentError::Unwritable { what, detail: e.to_string() })
}

/// Read a small JSON document, refusing anything over [`DOCUMENT_LIMIT`] unread.
fn from_json<T: serde::de::DeserializeOwned>(what: &'static str, bytes: &[u8]) -> Result<T, DocumentError> {
    if bytes.len() as u64 > DOCUMENT_LIMIT {
        return Err(DocumentError::TooLarge { what, size: bytes.len() });
    }
    serde_json::from_slice(bytes).map_err(|e| DocumentError::Invalid { what, detail: e.to_string() })
}

/// Content hash (SHA-256, lowercase hex) of a serialized server key bundle.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct KeyId(String);

impl KeyId {
    pub fn of_server_key_bytes(bytes: &[u8]) -> Self {
        let digest = Sha256::digest(bytes);
        KeyId(digest.iter().map(|b| format!("{b:02x}")).collect())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The id as S3 spells a SHA-256 checksum (`x-amz-checksum-sha256`: base64 of the digest).
    /// A server-key upload signed with it is stored only if its bytes hash to this id.
    pub fn checksum_sha256(&self) -> String {
        use base64::Engine;
        let digest: Vec<u8> =
            (0..self.0.len()).step_by(2).filter_map(|i| u8::from_str_radix(&self.0[i..i + 2], 16).ok()).collect();
        base64::engine::general_purpose::STANDARD.encode(digest)
    }
    /// Short form for logs and reports.
    pub fn short(&self) -> &str {
        &self.0[..12]
    }
}

impl TryFrom<String> for KeyId {
    type Error = DocumentError;
    fn try_from(s: String) -> Result<Self, DocumentError> {
        if s.len() == 64 && s.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            Ok(KeyId(s))
        } else {
            Err(DocumentError::BadKeyId)
        }
    }
}

impl From<KeyId> for String {
    fn from(k: KeyId) -> String {
        k.0
    }
}

impl fmt::Display for KeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A job id: 1 to 64 characters of `[a-z0-9-]`, so it is safe as a path segment and an S3 key.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct JobId(String);

impl JobId {
    /// A fresh random id (128 bits from the OS).
    pub fn random() -> Self {
        let mut bytes = [0u8; 16];
        getrandom(&mut bytes);
        JobId(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub(crate) fn getrandom(buf: &mut [u8]) {
    // tfhe already depends on a CSPRNG seeded from the OS; reuse it rather than add a crate.
    use tfhe::core_crypto::seeders::new_seeder;
    let mut seeder = new_seeder();
    for chunk in buf.chunks_mut(16) {
        let seed = seeder.seed().0.to_le_bytes();
        chunk.copy_from_slice(&seed[..chunk.len()]);
    }
}

impl TryFrom<String> for JobId {
    type Error = DocumentError;
    fn try_from(s: String) -> Result<Self, DocumentError> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(JobId(s))
        } else {
            Err(DocumentError::BadJobId(s))
        }
    }
}

impl From<JobId> for String {
    fn from(j: JobId) -> String {
        j.0
    }
}

impl fmt::Display for JobId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Object keys of the storage layout.
pub mod paths {
    use super::{JobId, KeyId};

    /// Prefix of every server key object.
    pub const KEYS_PREFIX: &str = "keys/";
    /// Prefix of every job object.
    pub const JOBS_PREFIX: &str = "jobs/";
    /// Suffix of the object whose arrival starts a job (the S3 event filter).
    pub const INPUT_SUFFIX: &str = "/input";

    pub fn server_key(key: &KeyId) -> String {
        format!("keys/{key}/server-key")
    }
    pub fn manifest(job: &JobId) -> String {
        format!("jobs/{job}/manifest")
    }
    pub fn input(job: &JobId) -> String {
        format!("jobs/{job}/input")
    }
    pub fn output(job: &JobId) -> String {
        format!("jobs/{job}/output")
    }
    pub fn status(job: &JobId) -> String {
        format!("jobs/{job}/status")
    }

    /// The job whose input object is `key` (`jobs/<id>/input`), if it is one.
    pub fn job_of_input(key: &str) -> Option<JobId> {
        let id = key.strip_prefix(JOBS_PREFIX)?.strip_suffix(INPUT_SUFFIX)?;
        JobId::try_from(id.to_string()).ok()
    }
}

/// How a job is evaluated.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    /// Clear-weighted sums of encrypted encodings: no bootstrapping, no server key.
    Linear,
    /// Lookup tables by programmable bootstrapping on the encrypted module grid; needs the
    /// client's server key.
    Pbs,
}

impl fmt::Display for Tier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Tier::Linear => "linear",
            Tier::Pbs => "pbs",
        })
    }
}

/// What the client asks for. Public data only: no payload, no colours, no secret.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Manifest {
    pub format_version: u32,
    /// TFHE parameter set name; must equal [`crate::params::PARAMS_NAME`].
    pub params: String,
    /// Style id, e.g. `rounded`; validated by the function against its registry.
    pub style: String,
    /// The tier the client encrypted for; the function checks it is the style's.
    pub tier: Tier,
    /// Linear tier: the encodings in `input`, in order (the function checks they are the ones
    /// the style reads). Empty on the PBS tier.
    pub encodings: Vec<String>,
    /// The server key a PBS-tier job needs; none on the linear tier.
    pub key_id: Option<KeyId>,
    /// Modules per side of the QR symbol (21 for version 1).
    pub modules: u32,
    /// Seconds since the Unix epoch.
    pub created_at: u64,
    /// Style `fitted-wide` only: the look's own class program (the style IR as JSON, public
    /// like the style's name), which the function checks before running it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub program: Option<serde_json::Value>,
}

impl Manifest {
    pub fn to_json(&self) -> Result<Vec<u8>, DocumentError> {
        to_json("manifest", self)
    }
    pub fn from_json(bytes: &[u8]) -> Result<Self, DocumentError> {
        from_json("manifest", bytes)
    }
}

/// Why a job failed, as a stable machine-readable kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    BadManifest,
    UnsupportedFormat,
    /// The deployment evaluates only the linear tier (it is sized without room for server keys).
    TierNotServed,
    WrongParameters,
    UnknownStyle,
    MissingKey,
    BadKey,
    /// The job's manifest or input is not in the bucket (yet): an event came before the upload.
    /// The function answers it but never records it, so the upload's own event runs the job.
    MissingInput,
    BadInput,
    Storage,
    Internal,
}

/// Where the function spent its time on one job, in seconds.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerTimings {
    /// Reading and expanding the server key (0 when it came from the warm cache, or on the
    /// linear tier, which needs none).
    pub key: f64,
    /// Reading the input and expanding it into ciphertexts (masks from their seeds; on the PBS
    /// tier one LWE ciphertext per module).
    pub expand: f64,
    /// Evaluating the style (clear-weighted sums, and PBS on the PBS tier).
    pub evaluate: f64,
    /// Packing the results and switching them to their download modulus.
    pub pack: f64,
    pub total: f64,
}

/// The last object a job writes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case", deny_unknown_fields)]
pub enum JobStatus {
    Done {
        format_version: u32,
        style: String,
        tier: Tier,
        pbs: u64,
        outputs: u32,
        key_cache_hit: bool,
        seconds: ServerTimings,
    },
    Failed {
        format_version: u32,
        kind: FailureKind,
        reason: String,
    },
}

impl JobStatus {
    pub fn to_json(&self) -> Result<Vec<u8>, DocumentError> {
        to_json("status", self)
    }
    pub fn from_json(bytes: &[u8]) -> Result<Self, DocumentError> {
        from_json("status", bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_ids_checksum_is_the_base64_sha256_s3_computes() {
        // S3 computes x-amz-checksum-sha256 as base64 of the body's SHA-256; for "hello key":
        // `printf 'hello key' | openssl dgst -sha256 -binary | base64`.
        let id = KeyId::of_server_key_bytes(b"hello key");
        assert_eq!(id.checksum_sha256(), "PilcjcePt/OGUGffxC/oRSY9t2YSlufjLjo3uqGiens=");
    }

    #[test]
    fn input_keys_name_their_job_and_nothing_else_does() {
        let job = JobId::random();
        assert_eq!(paths::job_of_input(&paths::input(&job)), Some(job.clone()));
        for key in [
            paths::output(&job),
            paths::manifest(&job),
            "jobs//input".into(),
            "jobs/A/input".into(),
            "keys/x/input".into(),
            "jobs/a/b/input".into(),
        ] {
            assert_eq!(paths::job_of_input(&key), None, "{key}");
        }
    }

    #[test]
    fn key_id_is_sha256_hex_of_the_bytes() {
        // SHA-256("abc") from FIPS 180-2, appendix B.1.
        let id = KeyId::of_server_key_bytes(b"abc");
        assert_eq!(id.as_str(), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn ids_that_could_escape_a_path_are_refused() {
        for bad in ["", "../x", "a/b", "ABC", &"a".repeat(65)] {
            assert!(JobId::try_from(bad.to_string()).is_err(), "{bad:?}");
        }
        assert!(KeyId::try_from("ab".to_string()).is_err());
        assert!(JobId::random().as_str().len() == 32);
        assert_ne!(JobId::random(), JobId::random());
    }

    #[test]
    fn a_stored_status_reads_back_equal_to_the_one_written() {
        // Two deliveries of one job compare the status they wrote with the one they read;
        // A timing of 2.6425889160000002 s once read back as 2.642588916 without exact float
        // parsing (17 significant digits take serde_json's approximate path).
        let status = JobStatus::Done {
            format_version: 1,
            style: "square".into(),
            tier: Tier::Linear,
            pbs: 0,
            outputs: 231,
            key_cache_hit: false,
            seconds: ServerTimings {
                key: 1.661956078,
                expand: 0.001581695,
                evaluate: 2.6425889160000002,
                pack: 0.1 + 0.2,
                total: 4.320333718,
            },
        };
        assert_eq!(JobStatus::from_json(&status.to_json().expect("writes")).expect("json"), status);
    }

    #[test]
    fn manifest_with_unknown_field_is_refused() {
        let json = br#"{"format_version":2,"params":"p","style":"s","tier":"pbs","encodings":[],"key_id":"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad","modules":21,"created_at":0,"extra":1}"#;
        let err = Manifest::from_json(json).expect_err("unknown field").to_string();
        assert!(err.contains("extra"), "{err}");
    }
}
