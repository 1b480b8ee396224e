//! Runs one job over a [`Store`]: read manifest, key and input, evaluate the style, write the
//! output and the status. The cloud function and the local mode call exactly this.
//!
//! Every failure ends as a `failed` status with a kind and a reason a person can act on; a job
//! that already has a status is not evaluated again (redelivered events are harmless).

use crate::keys::KeyCache;
use crate::run;
use qrveil_protocol::job::{paths, DOCUMENT_LIMIT, FORMAT_VERSION};
use qrveil_protocol::params::{qr_version, PARAMS_NAME};
use qrveil_protocol::store::{Store, StoreError};
use qrveil_protocol::{FailureKind, JobId, JobStatus, Manifest, Tier};
use qrveil_style::spec::{self, TierError};
use qrveil_style::{Plan, Style, StyleId};
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
    pub(crate) fn new(kind: FailureKind, reason: impl Into<String>) -> Self {
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
    serves_pbs: bool,
}

/// Serves both tiers, with the default key cache.
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

/// Whether a status only says "not yet": the job's manifest or input has not arrived, so this
/// delivery came before it (a direct invocation ahead of the upload, or events out of order).
/// Not recorded, so the input's own event still runs the job; nor retried, since that event
/// will come. (A client that never uploads gets no status and times out, as it would anyway.)
pub fn is_early(status: &JobStatus) -> bool {
    matches!(status, JobStatus::Failed { kind: FailureKind::MissingInput, .. })
}

/// The style a manifest names: the catalogue's, or a wide fitted look's with the program it
/// carries, checked before anything runs it.
fn style_of(m: &Manifest) -> Result<Style, JobError> {
    let id = m.style.parse::<StyleId>().map_err(|e| JobError::new(FailureKind::UnknownStyle, e.to_string()))?;
    spec::from_manifest(id, m).map_err(|e| JobError::new(FailureKind::BadManifest, e.to_string()))
}

/// Check a manifest against what this function can do: the style it names and how to run it.
pub fn validate_manifest(m: &Manifest) -> Result<(Style, Plan), JobError> {
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
    let style = style_of(m)?;
    let id = style.id;
    let mismatch = |detail: String| Err(JobError::new(FailureKind::BadManifest, detail));
    let plan = match spec::plan(&style, Some(m.tier)) {
        Ok(plan) => plan,
        Err(e @ TierError::NeedsPbs(_)) => return mismatch(format!("{e}; the job was encrypted for the linear tier")),
        // Checked programs are valid: a failure here is ours.
        Err(e @ TierError::Invalid { .. }) => return Err(JobError::new(FailureKind::Internal, e.to_string())),
    };
    let encodings: Vec<String> = plan.encodings().iter().map(|e| e.to_string()).collect();
    if m.encodings != encodings {
        return mismatch(format!(
            "style {id} on the {} tier reads the encodings {encodings:?}; the job's input holds {:?}",
            m.tier, m.encodings
        ));
    }
    if m.tier == Tier::Pbs && m.key_id.is_none() {
        return mismatch("a job on the PBS tier must name its server key (key_id)".to_string());
    }
    Ok((style, plan))
}

impl Function {
    /// A function serving both tiers, keeping up to `key_cache_bytes` of expanded server keys.
    pub fn new(key_cache_bytes: usize) -> Self {
        Self { cache: KeyCache::new(key_cache_bytes), serves_pbs: true }
    }

    /// A function serving the linear tier only: PBS-tier jobs fail with `TierNotServed`
    /// instead of running out of memory on a deployment sized for linear jobs.
    pub fn linear_only() -> Self {
        Self { cache: KeyCache::new(0), serves_pbs: false }
    }

    /// Run the job and write its status; returns the job's final status. Never panics on bad
    /// input: every problem becomes `failed(kind, reason)`.
    ///
    /// A final status is written once and never replaced: a job that already has one is not
    /// evaluated again (a redelivered event returns it), and of two deliveries racing, the
    /// first status written wins. Storage failures are transient, so they are returned but
    /// not written: the caller retries (the cloud function by failing the invocation). A job
    /// whose input is not there yet is returned as such and not written either ([`is_early`]).
    pub fn run_job(&self, store: &dyn Store, job: &JobId) -> JobStatus {
        match stored_status(store, job) {
            Ok(Some(existing)) => return existing,
            Ok(None) => {}
            Err(e) => return e.into_status(),
        }
        // A panic on some input we did not foresee (tfhe-rs trusts parts of what it reads, see
        // qrveil_protocol::seeds) ends this job as failed, not the process with it.
        let evaluated = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.evaluate_job(store, job)))
            .unwrap_or_else(|_| {
                Err(JobError::new(
                    FailureKind::Internal,
                    "the function failed on this job's input (a bug: please report the job id)",
                ))
            });
        let status = evaluated.unwrap_or_else(JobError::into_status);
        if is_transient(&status) || is_early(&status) {
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

    fn evaluate_job(&self, store: &dyn Store, job: &JobId) -> Result<JobStatus, JobError> {
        let start = Instant::now();
        let manifest_bytes = store.get(&paths::manifest(job), DOCUMENT_LIMIT)?.ok_or_else(|| {
            JobError::new(FailureKind::MissingInput, format!("no manifest at {} (yet)", paths::manifest(job)))
        })?;
        let manifest =
            Manifest::from_json(&manifest_bytes).map_err(|e| JobError::new(FailureKind::BadManifest, e.to_string()))?;
        let (style, plan) = validate_manifest(&manifest)?;
        if plan == Plan::Pbs && !self.serves_pbs {
            return Err(JobError::new(
                FailureKind::TierNotServed,
                "this deployment evaluates the linear tier only (it has no memory for server keys): use a style on the linear tier, or ask the operator to enable the PBS tier",
            ));
        }
        let done = match &plan {
            Plan::Linear(plans) => run::linear(store, job, &manifest, plans)?,
            Plan::Pbs => {
                let key_id =
                    manifest.key_id.as_ref().ok_or_else(|| JobError::new(FailureKind::MissingKey, "no key id"))?;
                run::pbs(store, job, &manifest, &style.server, &self.cache, key_id)?
            }
        };
        // Write-once like the status; a racing delivery computed the same bytes (evaluation is
        // deterministic), so finding an output already there is fine.
        store.put_new(&paths::output(job), &done.output)?;
        let mut seconds = done.seconds;
        seconds.total = start.elapsed().as_secs_f64();
        Ok(JobStatus::Done {
            format_version: FORMAT_VERSION,
            style: style.id.name().to_string(),
            tier: plan.tier(),
            pbs: done.pbs,
            outputs: done.outputs,
            key_cache_hit: done.key_cache_hit,
            seconds,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrveil_protocol::FolderStore;

    /// A folder store as the tests watch it: reads of `unreadable` fail, as a bucket's do when
    /// it is unreachable, and reads of server keys are counted.
    struct Watched {
        inner: FolderStore,
        unreadable: Option<String>,
        key_reads: std::sync::atomic::AtomicUsize,
    }

    impl Watched {
        fn new(dir: &std::path::Path, unreadable: Option<String>) -> Self {
            Self { inner: FolderStore::new(dir), unreadable, key_reads: Default::default() }
        }
    }

    impl Store for Watched {
        fn get(&self, key: &str, limit: u64) -> Result<Option<Vec<u8>>, StoreError> {
            if self.unreadable.as_deref() == Some(key) {
                return Err(StoreError::Io { op: "read", key: key.into(), detail: "connection reset".into() });
            }
            if key.starts_with("keys/") {
                self.key_reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
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
        let store = Watched::new(dir.path(), Some(paths::status(&job)));
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

    fn pbs_manifest(key_id: qrveil_protocol::KeyId) -> Manifest {
        Manifest {
            format_version: FORMAT_VERSION,
            params: PARAMS_NAME.into(),
            style: "rounded".into(),
            tier: Tier::Pbs,
            encodings: Vec::new(),
            key_id: Some(key_id),
            modules: 21,
            created_at: 0,
            program: None,
        }
    }

    #[test]
    fn a_pbs_job_with_a_bad_input_is_refused_before_its_server_key_is_read() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Watched::new(dir.path(), None);
        let job = JobId::random();
        // A key object that hashes to its id: reading it is the expensive path (hash, parse,
        // expand); the input beside it is garbage and should end the job first.
        let key_bytes = b"a server key the job will never need".to_vec();
        let key_id = qrveil_protocol::KeyId::of_server_key_bytes(&key_bytes);
        store.put(&paths::server_key(&key_id), &key_bytes).expect("put key");
        store.put(&paths::manifest(&job), &pbs_manifest(key_id).to_json().expect("json")).expect("put");
        store.put(&paths::input(&job), b"not an encrypted grid").expect("put input");
        match Function::default().run_job(&store, &job) {
            JobStatus::Failed { kind: FailureKind::BadInput, .. } => {}
            other => panic!("expected bad-input, got {other:?}"),
        }
        assert_eq!(store.key_reads.load(std::sync::atomic::Ordering::SeqCst), 0, "the server key was read");
    }

    #[test]
    fn a_linear_only_deployment_refuses_pbs_jobs_with_a_reason() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = FolderStore::new(dir.path());
        let job = JobId::random();
        let manifest = pbs_manifest(qrveil_protocol::KeyId::of_server_key_bytes(b"a key"));
        store.put(&paths::manifest(&job), &manifest.to_json().expect("json")).expect("put");
        match Function::linear_only().run_job(&store, &job) {
            JobStatus::Failed { kind: FailureKind::TierNotServed, reason, .. } => {
                assert!(reason.contains("linear tier only"), "{reason}")
            }
            other => panic!("expected tier-not-served, got {other:?}"),
        }
    }
}
