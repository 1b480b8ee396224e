//! The job handler Lambda: S3 `ObjectCreated` events for `jobs/*/input`, or direct
//! invocations `{"job_id": "..."}`. See `qrveil_cloud` for the settings it reads.

use lambda_runtime::{service_fn, Diagnostic, Error, LambdaEvent};
use qrveil_cloud::events::EventError;
use qrveil_cloud::jobs::InvocationError;
use qrveil_cloud::{env, events, jobs, s3};
use qrveil_function::{Function, DEFAULT_KEY_CACHE_BYTES};
use serde_json::Value;
use std::sync::Arc;

/// Why an invocation failed, named for the function's logs and Lambda's error metrics: the one
/// place where this handler's errors become what Lambda reports.
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error(transparent)]
    BadEvent(#[from] EventError),
    #[error(transparent)]
    Invocation(#[from] InvocationError),
    #[error("could not write the response: {0}")]
    Response(#[from] serde_json::Error),
}

impl From<Failure> for Diagnostic {
    fn from(f: Failure) -> Self {
        let error_type = match &f {
            Failure::BadEvent(_) => "BadEvent",
            Failure::Invocation(InvocationError::Storage(_)) => "StorageFailure",
            Failure::Invocation(InvocationError::Stopped { .. }) | Failure::Response(_) => "Internal",
        };
        Diagnostic { error_type: error_type.to_string(), error_message: f.to_string() }
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    qrveil_cloud::logging::init();
    let cache_bytes = env::number(env::KEY_CACHE_BYTES, DEFAULT_KEY_CACHE_BYTES as u64)?;
    let serves_pbs = env::number(env::PBS_TIER, 1)? != 0;
    let default_bucket = std::env::var(env::BUCKET).ok();
    // One function (and its warm key cache) for the life of the execution environment.
    let function = Arc::new(if serves_pbs { Function::new(cache_bytes as usize) } else { Function::linear_only() });
    let client = s3::client_from_env().await;
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let (function, client, default_bucket) = (function.clone(), client.clone(), default_bucket.clone());
        async move {
            let parsed = events::parse(&event.payload, default_bucket.as_deref()).map_err(Failure::from)?;
            let outcomes = jobs::run(function, &client, parsed).await.map_err(Failure::from)?;
            Ok::<Value, Failure>(serde_json::to_value(outcomes)?)
        }
    }))
    .await
}
