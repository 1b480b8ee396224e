//! How jobs reach the style function. Every transport moves the same objects of the storage
//! layout; they differ in who runs the function and how the client reaches the bucket:
//!
//! - `LocalTransport` (the `local` feature): a folder stands in for the bucket and the
//!   function runs in-process.
//! - [`StoreTransport`]: any [`Store`] the caller can write directly (server-side callers with
//!   credentials, e.g. an S3 bucket); the function runs in the cloud on the input's arrival.
//! - [`crate::presigned::PresignedTransport`]: apps without credentials, through the presign
//!   endpoint's short-lived URLs.

use crate::error::Internal;
use crate::{Cancel, SdkError};
use qrveil_protocol::job::{paths, DOCUMENT_LIMIT};
use qrveil_protocol::presign::UploadSizes;
use qrveil_protocol::store::Store;
use qrveil_protocol::wire::OUTPUTS_LIMIT;
use qrveil_protocol::{JobId, JobStatus, KeyId, ServerTimings};
use std::time::{Duration, Instant};

/// One job under way: its id, the server key it needs (PBS tier) and whether the function
/// still lacks it. What else a transport needs for the job (presigned URLs) it keeps itself.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket {
    pub job: JobId,
    pub key: Option<KeyId>,
    pub needs_server_key: bool,
}

/// A finished job: its encrypted results and what its status says of the run. A failed job
/// is [`SdkError::Job`] instead, so a job cannot be done without its output.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub output: Vec<u8>,
    pub pbs: u64,
    pub key_cache_hit: bool,
    pub seconds: ServerTimings,
}

impl Delivery {
    /// The job's end as `status` tells it, fetching the output only for a done job: a failed
    /// job is [`SdkError::Job`], a done one whose output is missing a [`SdkError::BadResult`].
    pub fn of(
        status: JobStatus,
        output: impl FnOnce() -> Result<Option<Vec<u8>>, SdkError>,
    ) -> Result<Delivery, SdkError> {
        match status {
            JobStatus::Done { pbs, key_cache_hit, seconds, .. } => match output()? {
                Some(output) => Ok(Delivery { output, pbs, key_cache_hit, seconds }),
                None => Err(SdkError::BadResult("the job is done but has no output".into())),
            },
            JobStatus::Failed { kind, reason, .. } => Err(SdkError::Job { kind, reason }),
        }
    }
}

/// Moves keys, jobs and results between the client and the function.
pub trait Transport {
    /// Open a job that needs the server key `key` (none on the linear tier) and will upload
    /// objects of exactly `sizes` (a presigned transport has its URLs signed over them);
    /// `Err(Cancelled)` soon after `cancel` is set.
    fn begin(&self, key: Option<&KeyId>, sizes: &UploadSizes, cancel: &Cancel) -> Result<Ticket, SdkError>;
    /// Upload the server key (once per key: only when the ticket says it is needed);
    /// `Err(Cancelled)` soon after `cancel` is set, the upload cut short.
    fn upload_server_key(&self, ticket: &Ticket, bytes: &[u8], cancel: &Cancel) -> Result<(), SdkError>;
    /// Upload the job's manifest and input; the function starts on the input's arrival.
    /// `Err(Cancelled)` soon after `cancel` is set, the upload cut short.
    fn submit(&self, ticket: &Ticket, manifest: &[u8], input: &[u8], cancel: &Cancel) -> Result<(), SdkError>;
    /// The finished job's results (a failed job is [`SdkError::Job`]); `Err(Cancelled)` soon
    /// after `cancel` is set.
    fn wait(&self, ticket: &Ticket, cancel: &Cancel) -> Result<Delivery, SdkError>;
}

impl<T: Transport + ?Sized> Transport for Box<T> {
    fn begin(&self, key: Option<&KeyId>, sizes: &UploadSizes, cancel: &Cancel) -> Result<Ticket, SdkError> {
        (**self).begin(key, sizes, cancel)
    }
    fn upload_server_key(&self, ticket: &Ticket, bytes: &[u8], cancel: &Cancel) -> Result<(), SdkError> {
        (**self).upload_server_key(ticket, bytes, cancel)
    }
    fn submit(&self, ticket: &Ticket, manifest: &[u8], input: &[u8], cancel: &Cancel) -> Result<(), SdkError> {
        (**self).submit(ticket, manifest, input, cancel)
    }
    fn wait(&self, ticket: &Ticket, cancel: &Cancel) -> Result<Delivery, SdkError> {
        (**self).wait(ticket, cancel)
    }
}

/// How long and how often to look for a remote job's status.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WaitPolicy {
    /// Give up after this long (the job may still finish; its objects stay in the bucket).
    pub timeout: Duration,
    pub first_delay: Duration,
    pub max_delay: Duration,
}

impl Default for WaitPolicy {
    /// A version-40 code is about 70 000 PBS: minutes on a 6-vCPU Lambda. Small codes take
    /// seconds, so start polling fast and back off.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(600),
            first_delay: Duration::from_millis(250),
            max_delay: Duration::from_secs(5),
        }
    }
}

impl WaitPolicy {
    /// Call `fetch` until it yields the status document, with exponential backoff (×1.5),
    /// looking at `cancel` every [`CANCEL_CHECK`] while asleep.
    pub fn poll(
        &self,
        job: &JobId,
        cancel: &Cancel,
        mut fetch: impl FnMut() -> Result<Option<Vec<u8>>, SdkError>,
    ) -> Result<JobStatus, SdkError> {
        let start = Instant::now();
        let mut delay = self.first_delay;
        loop {
            cancel.check()?;
            if let Some(bytes) = fetch()? {
                return JobStatus::from_json(&bytes).map_err(|e| SdkError::BadResult(e.to_string()));
            }
            let left = self.timeout.saturating_sub(start.elapsed());
            if left.is_zero() {
                return Err(SdkError::Timeout { job: job.to_string(), seconds: self.timeout.as_secs() });
            }
            let wake = Instant::now() + delay.min(left);
            while let Some(nap) = wake.checked_duration_since(Instant::now()).filter(|d| !d.is_zero()) {
                cancel.check()?;
                std::thread::sleep(nap.min(CANCEL_CHECK));
            }
            delay = delay.mul_f64(1.5).min(self.max_delay);
        }
    }
}

/// How often a waiting call looks at its [`Cancel`] flag.
pub const CANCEL_CHECK: Duration = Duration::from_millis(100);

/// A bucket the caller writes directly; the function runs elsewhere, started by the input's
/// arrival (the S3 event), so `wait` polls for the status.
pub struct StoreTransport<S: Store> {
    store: S,
    policy: WaitPolicy,
}

impl<S: Store> StoreTransport<S> {
    pub fn new(store: S, policy: WaitPolicy) -> Self {
        Self { store, policy }
    }

    pub fn store(&self) -> &S {
        &self.store
    }
}

impl<S: Store> Transport for StoreTransport<S> {
    fn begin(&self, key: Option<&KeyId>, _sizes: &UploadSizes, _cancel: &Cancel) -> Result<Ticket, SdkError> {
        let needs_server_key = match key {
            Some(key) => !self.store.exists(&paths::server_key(key))?,
            None => false,
        };
        Ok(Ticket { job: JobId::random(), key: key.cloned(), needs_server_key })
    }

    fn upload_server_key(&self, ticket: &Ticket, bytes: &[u8], cancel: &Cancel) -> Result<(), SdkError> {
        let key = ticket.key.as_ref().ok_or(Internal::Unexpected("a server key upload for a job that needs none"))?;
        cancel.check()?;
        Ok(self.store.put(&paths::server_key(key), bytes)?)
    }

    fn submit(&self, ticket: &Ticket, manifest: &[u8], input: &[u8], cancel: &Cancel) -> Result<(), SdkError> {
        // The manifest first: the input's arrival starts the job.
        cancel.check()?;
        self.store.put(&paths::manifest(&ticket.job), manifest)?;
        cancel.check()?;
        Ok(self.store.put(&paths::input(&ticket.job), input)?)
    }

    fn wait(&self, ticket: &Ticket, cancel: &Cancel) -> Result<Delivery, SdkError> {
        let status = self
            .policy
            .poll(&ticket.job, cancel, || Ok(self.store.get(&paths::status(&ticket.job), DOCUMENT_LIMIT)?))?;
        Delivery::of(status, || Ok(self.store.get(&paths::output(&ticket.job), OUTPUTS_LIMIT)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qrveil_protocol::FailureKind;

    #[test]
    fn cancelling_a_wait_ends_it_during_a_long_backoff() {
        // The policy would sleep 60 s before its second look; the cancel comes after 50 ms.
        let policy = WaitPolicy {
            timeout: Duration::from_secs(600),
            first_delay: Duration::from_secs(60),
            max_delay: Duration::from_secs(60),
        };
        let cancel = Cancel::new();
        let canceller = {
            let cancel = cancel.clone();
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(50));
                cancel.cancel();
            })
        };
        let start = Instant::now();
        let mut looks = 0;
        let result = policy.poll(&JobId::random(), &cancel, || {
            looks += 1;
            Ok(None)
        });
        canceller.join().expect("canceller");
        assert!(matches!(result, Err(SdkError::Cancelled)), "{result:?}");
        assert_eq!(looks, 1);
        assert!(start.elapsed() < Duration::from_secs(30), "took {:?}", start.elapsed());
    }

    #[test]
    fn a_status_found_is_parsed_and_a_missing_one_times_out() {
        let policy = WaitPolicy {
            timeout: Duration::from_millis(30),
            first_delay: Duration::from_millis(5),
            max_delay: Duration::from_millis(10),
        };
        let job = JobId::random();
        let err = policy.poll(&job, &Cancel::new(), || Ok(None)).expect_err("no status");
        assert!(matches!(&err, SdkError::Timeout { job: j, .. } if *j == job.to_string()), "{err:?}");
        let failed = JobStatus::Failed { format_version: 1, kind: FailureKind::MissingKey, reason: "r".into() };
        let bytes = failed.to_json().expect("writes");
        assert_eq!(policy.poll(&job, &Cancel::new(), || Ok(Some(bytes.clone()))).expect("status"), failed);
    }

    #[test]
    fn a_wait_delivers_a_done_jobs_output_and_never_a_done_job_without_one() {
        use qrveil_protocol::store::FolderStore;
        use qrveil_protocol::{ServerTimings, Tier};
        let dir = tempfile::tempdir().expect("tempdir");
        let quick = WaitPolicy { timeout: Duration::from_secs(5), ..WaitPolicy::default() };
        let transport = StoreTransport::new(FolderStore::new(dir.path()), quick);
        let ticket = transport.begin(None, &UploadSizes::default(), &Cancel::default()).expect("begin");
        let done = JobStatus::Done {
            format_version: 1,
            style: "square".into(),
            tier: Tier::Linear,
            pbs: 7,
            outputs: 1,
            key_cache_hit: false,
            seconds: ServerTimings::default(),
        };
        let store = transport.store();
        store.put(&paths::status(&ticket.job), &done.to_json().expect("json")).expect("status");
        // Done, but the output object is missing (deleted, or never written).
        let err = transport.wait(&ticket, &Cancel::new()).expect_err("no output");
        assert!(matches!(&err, SdkError::BadResult(m) if m.contains("no output")), "{err:?}");
        store.put(&paths::output(&ticket.job), b"results").expect("output");
        let delivery = transport.wait(&ticket, &Cancel::new()).expect("delivered");
        assert_eq!((delivery.output.as_slice(), delivery.pbs), (&b"results"[..], 7));
        // A failed job is an error that says why, even with an output beside it.
        let failed = JobStatus::Failed { format_version: 1, kind: FailureKind::BadInput, reason: "r".into() };
        store.put(&paths::status(&ticket.job), &failed.to_json().expect("json")).expect("status");
        let err = transport.wait(&ticket, &Cancel::new()).expect_err("failed");
        assert!(matches!(err, SdkError::Job { kind: FailureKind::BadInput, .. }), "{err:?}");
    }
}
