//! Runs one job over a [`Store`]: read manifest, key and input, evaluate the style, write the
//! output and the status. The cloud function and the local mode call exactly this.
//!
//! Every failure ends as a `failed` status with a kind and a reason a person can act on; a job
//! that already has a status is not evaluated again (redelivered events are harmless).

use crate::fhe::{self, EvalError};
use crate::keys::{KeyCache, ServerKeys};
use qrveil_protocol::job::{paths, DOCUMENT_LIMIT, FORMAT_VERSION};
use qrveil_protocol::params::{qr_version, PARAMS_NAME};
use qrveil_protocol::store::{Store, StoreError};
use qrveil_protocol::wire::{GRID_LIMIT, SERVER_KEY_LIMIT};
use qrveil_protocol::{EncryptedGrid, FailureKind, JobId, JobStatus, KeyId, Manifest, ServerKeyBundle, ServerTimings};
use qrveil_style::StyleId;
use std::sync::Arc;
use std::time::Instant;

/// Default bound for expanded keys kept warm: a few keys of ~150 MB each.
pub const DEFAULT_KEY_CACHE_BYTES: usize = 1 << 30;

/// Why a job failed, before it is written as a status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobError {
    pub kind: FailureKind,
    pub reason: String,
}

impl JobError {
    fn new(kind: FailureKind, reason: impl Into<String>) -> Self {
        Self { kind, reason: reason.into() }
    }

    fn into_status(self) -> JobStatus {
        JobStatus::Failed { format_version: FORMAT_VERSION, kind: self.kind, reason: self.reason }
    }
}

impl From<StoreError> for JobError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::TooLarge { .. } => JobError::new(FailureKind::BadInput, e.to_string()),
            _ => JobError::new(FailureKind::Storage, e.to_string()),
        }
    }
}

/// The style function: holds the warm key cache; cheap to share across threads.
pub struct Function {
    cache: KeyCache,
}

impl Default for Function {
    fn default() -> Self {
        Self::new(DEFAULT_KEY_CACHE_BYTES)
    }
}

/// The job's stored status, if it has one. A status that is there but unreadable is an
/// internal failure: it cannot be replaced (statuses are written once), only reported.
fn stored_status(store: &dyn Store, job: &JobId) -> Result<Option<JobStatus>, JobError> {
    let Some(bytes) = store.get(&paths::status(job), DOCUMENT_LIMIT)? else {
        return Ok(None);
    };
    JobStatus::from_json(&bytes)
        .map(Some)
        .map_err(|e| JobError::new(FailureKind::Internal, format!("the job's stored status cannot be read: {e}")))
}

/// Whether a status reports a storage failure, worth retrying rather than recording.
pub fn is_transient(status: &JobStatus) -> bool {
    matches!(status, JobStatus::Failed { kind: FailureKind::Storage, .. })
}

/// Check a manifest against what this function can do; the style it names on success.
pub fn validate_manifest(m: &Manifest) -> Result<StyleId, JobError> {
    if m.format_version != FORMAT_VERSION {
        return Err(JobError::new(
            FailureKind::UnsupportedFormat,
            format!(
                "manifest format {} is not supported; this function reads format {FORMAT_VERSION}",
                m.format_version
            ),
        ));
    }
    if m.params != PARAMS_NAME {
        return Err(JobError::new(
            FailureKind::WrongParameters,
            format!("job uses parameter set {:?}; this function evaluates {PARAMS_NAME}", m.params),
        ));
    }
    if qr_version(m.modules).is_none() {
        return Err(JobError::new(
            FailureKind::BadManifest,
            format!("{} modules a side is not a QR symbol (21, 25, ..., 177)", m.modules),
        ));
    }
    m.style.parse::<StyleId>().map_err(|e| JobError::new(FailureKind::UnknownStyle, e.to_string()))
}

impl Function {
    pub fn new(key_cache_bytes: usize) -> Self {
        Self { cache: KeyCache::new(key_cache_bytes) }
    }

    /// Run the job and write its status; returns the job's final status. Never panics on bad
    /// input: every problem becomes `failed(kind, reason)`.
    ///
    /// A final status is written once and never replaced: a job that already has one is not
    /// evaluated again (a redelivered event returns it), and of two deliveries racing, the
    /// first status written wins. Storage failures are transient, so they are returned but
    /// not written: the caller retries (the cloud function by failing the invocation).
    pub fn run_job(&self, store: &dyn Store, job: &JobId) -> JobStatus {
        match stored_status(store, job) {
            Ok(Some(existing)) => return existing,
            Ok(None) => {}
            Err(e) => return e.into_status(),
        }
        let status = self.evaluate_job(store, job).unwrap_or_else(JobError::into_status);
        if is_transient(&status) {
            return status;
        }
        let written = status
            .to_json()
            .map_err(|e| JobError::new(FailureKind::Internal, e.to_string()))
            .and_then(|json| Ok(store.put_new(&paths::status(job), &json)?));
        match written {
            Ok(true) => status,
            // Another delivery finished first: its status stands.
            Ok(false) => match stored_status(store, job) {
                Ok(stored) => stored.unwrap_or(status),
                Err(e) => e.into_status(),
            },
            Err(e) => e.into_status(),
        }
    }

    fn server_keys(&self, store: &dyn Store, id: &KeyId) -> Result<(Arc<ServerKeys>, bool), JobError> {
        if let Some(keys) = self.cache.get(id) {
            return Ok((keys, true));
        }
        let bytes = store.get(&paths::server_key(id), SERVER_KEY_LIMIT)?.ok_or_else(|| {
            JobError::new(
                FailureKind::MissingKey,
                format!("no server key at {}: upload it before submitting jobs", paths::server_key(id)),
            )
        })?;
        if KeyId::of_server_key_bytes(&bytes) != *id {
            return Err(JobError::new(
                FailureKind::BadKey,
                format!("the object at {} does not hash to its key id", paths::server_key(id)),
            ));
        }
        let bundle =
            ServerKeyBundle::from_bytes(&bytes).map_err(|e| JobError::new(FailureKind::BadKey, e.to_string()))?;
        drop(bytes);
        let keys = Arc::new(ServerKeys::expand(&bundle));
        Ok((self.cache.insert(id.clone(), keys), false))
    }

    fn evaluate_job(&self, store: &dyn Store, job: &JobId) -> Result<JobStatus, JobError> {
        let start = Instant::now();
        let manifest_bytes = store.get(&paths::manifest(job), DOCUMENT_LIMIT)?.ok_or_else(|| {
            JobError::new(FailureKind::BadManifest, format!("no manifest at {}", paths::manifest(job)))
        })?;
        let manifest =
            Manifest::from_json(&manifest_bytes).map_err(|e| JobError::new(FailureKind::BadManifest, e.to_string()))?;
        let style_id = validate_manifest(&manifest)?;
        let style = style_id.style();

        let t = Instant::now();
        let (keys, key_cache_hit) = self.server_keys(store, &manifest.key_id)?;
        let key_seconds = t.elapsed().as_secs_f64();

        let t = Instant::now();
        let input_bytes = store
            .get(&paths::input(job), GRID_LIMIT)?
            .ok_or_else(|| JobError::new(FailureKind::MissingInput, format!("no input at {}", paths::input(job))))?;
        let grid = EncryptedGrid::from_bytes(&input_bytes, manifest.modules)
            .map_err(|e| JobError::new(FailureKind::BadInput, e.to_string()))?;
        let input = fhe::expand_input(&grid);
        let expand = t.elapsed().as_secs_f64();

        let t = Instant::now();
        let outputs = fhe::evaluate(&keys, &style.server, manifest.modules, &input).map_err(|e| match e {
            EvalError::InputSize { .. } => JobError::new(FailureKind::BadInput, e.to_string()),
            EvalError::Style(s) => JobError::new(FailureKind::Internal, format!("built-in style is invalid: {s}")),
        })?;
        let evaluate = t.elapsed().as_secs_f64();
        drop(input);

        let t = Instant::now();
        let packed = fhe::pack_outputs(&keys, &outputs);
        let bytes = packed.to_bytes().map_err(|e| JobError::new(FailureKind::Internal, e.to_string()))?;
        let pack = t.elapsed().as_secs_f64();
        // Write-once like the status; a racing delivery computed the same bytes (evaluation is
        // deterministic), so finding an output already there is fine.
        store.put_new(&paths::output(job), &bytes)?;

        let pbs = qrveil_style::cost(&style.server, manifest.modules)
            .map_err(|e| JobError::new(FailureKind::Internal, format!("built-in style is invalid: {e}")))?
            .pbs;
        Ok(JobStatus::Done {
            format_version: FORMAT_VERSION,
            style: style_id.name().to_string(),
            pbs,
            outputs: packed.count,
            key_cache_hit,
            seconds: ServerTimings { key: key_seconds, expand, evaluate, pack, total: start.elapsed().as_secs_f64() },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrveil_protocol::FolderStore;

    /// A folder store whose reads of one object fail, as a bucket does when it is unreachable.
    struct UnreadableObject {
        inner: FolderStore,
        key: String,
    }

    impl Store for UnreadableObject {
        fn get(&self, key: &str, limit: u64) -> Result<Option<Vec<u8>>, StoreError> {
            if key == self.key {
                return Err(StoreError::Io { op: "read", key: key.into(), detail: "connection reset".into() });
            }
            self.inner.get(key, limit)
        }
        fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
            self.inner.put(key, bytes)
        }
        fn put_new(&self, key: &str, bytes: &[u8]) -> Result<bool, StoreError> {
            self.inner.put_new(key, bytes)
        }
        fn exists(&self, key: &str) -> Result<bool, StoreError> {
            self.inner.exists(key)
        }
    }

    #[test]
    fn a_status_that_cannot_be_read_is_retried_not_taken_for_no_status() {
        let dir = tempfile::tempdir().expect("tempdir");
        let job = JobId::random();
        let store = UnreadableObject { inner: FolderStore::new(dir.path()), key: paths::status(&job) };
        // The job has no manifest: taken for "no status", it would fail as a bad manifest and
        // record that for good.
        let status = Function::default().run_job(&store, &job);
        assert!(is_transient(&status), "{status:?}");
        assert_eq!(store.inner.get(&paths::status(&job), DOCUMENT_LIMIT).expect("read"), None);
    }

    #[test]
    fn a_damaged_stored_status_is_reported_and_left_alone() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = FolderStore::new(dir.path());
        let job = JobId::random();
        store.put(&paths::status(&job), b"{ not json").expect("put");
        match Function::default().run_job(&store, &job) {
            JobStatus::Failed { kind: FailureKind::Internal, reason, .. } => {
                assert!(reason.contains("stored status"), "{reason}")
            }
            other => panic!("expected an internal failure, got {other:?}"),
        }
        assert_eq!(store.get(&paths::status(&job), DOCUMENT_LIMIT).expect("read").as_deref(), Some(&b"{ not json"[..]));
    }
}
