//! The job handler's work for one invocation: run each job the event names and say what
//! became of it. Jobs run on a blocking thread (FHE is CPU-bound and the store blocks).

use crate::events::Parsed;
use crate::s3::S3Store;
use aws_sdk_s3::Client;
use qrveil_function::handler::{is_transient, Function};
use qrveil_protocol::{JobId, JobStatus};
use serde::Serialize;
use std::sync::Arc;

/// What became of one job, as the invocation's response reports it.
#[derive(Clone, Debug, Serialize)]
pub struct Outcome {
    pub job_id: String,
    #[serde(flatten)]
    pub status: JobStatus,
}

/// Why an invocation failed as a whole, so that Lambda retries its event: jobs already
/// finished return their stored status at once on the retry.
#[derive(Debug, thiserror::Error)]
pub enum InvocationError {
    #[error("storage failed for job(s) {}; the event will be retried", .0.join(", "))]
    Storage(Vec<String>),
    #[error("job {job} stopped unexpectedly: {detail}")]
    Stopped { job: JobId, detail: String },
}

/// Run every job of `parsed`; `Err` when one hit a storage failure or stopped.
pub async fn run(function: Arc<Function>, client: &Client, parsed: Parsed) -> Result<Vec<Outcome>, InvocationError> {
    for key in &parsed.ignored_keys {
        tracing::warn!(key, "event names an object that is not a job input; check the trigger's filter");
    }
    let mut outcomes = Vec::new();
    let mut transient = Vec::new();
    for job in parsed.jobs {
        let store = S3Store::new(client.clone(), &job.bucket, tokio::runtime::Handle::current());
        let function = function.clone();
        let id = job.job.clone();
        let status = tokio::task::spawn_blocking(move || function.run_job(&store, &id))
            .await
            .map_err(|e| InvocationError::Stopped { job: job.job.clone(), detail: e.to_string() })?;
        log(&job.job, &status);
        if is_transient(&status) {
            transient.push(job.job.to_string());
        }
        outcomes.push(Outcome { job_id: job.job.to_string(), status });
    }
    if transient.is_empty() {
        Ok(outcomes)
    } else {
        Err(InvocationError::Storage(transient))
    }
}

/// Ids, kinds and timings only: never key material, ciphertexts or payloads.
fn log(job: &JobId, status: &JobStatus) {
    match status {
        JobStatus::Done { style, pbs, key_cache_hit, seconds, .. } => tracing::info!(
            job = %job, style, pbs, key_cache_hit, key_s = seconds.key, evaluate_s = seconds.evaluate, total_s = seconds.total,
            "job done"
        ),
        JobStatus::Failed { kind, reason, .. } => tracing::warn!(job = %job, ?kind, reason, "job failed"),
    }
}
