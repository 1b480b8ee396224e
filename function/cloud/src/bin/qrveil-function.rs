//! The job handler Lambda: S3 `ObjectCreated` events for `jobs/*/input`, or direct
//! invocations `{"job_id": "..."}`. See `qrveil_cloud` for the settings it reads.

use lambda_runtime::{service_fn, Diagnostic, Error, LambdaEvent};
use qrveil_cloud::{env, events, jobs, s3};
use qrveil_function::handler::{Function, DEFAULT_KEY_CACHE_BYTES};
use serde_json::Value;
use std::sync::Arc;

/// A failed invocation, named for the function's logs and Lambda's error metrics.
#[derive(Debug)]
struct Failure {
    error_type: &'static str,
    message: String,
}

impl From<Failure> for Diagnostic {
    fn from(f: Failure) -> Self {
        Diagnostic { error_type: f.error_type.to_string(), error_message: f.message }
    }
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    lambda_runtime::tracing::init_default_subscriber();
    let cache_bytes = env::number(env::KEY_CACHE_BYTES, DEFAULT_KEY_CACHE_BYTES as u64)?;
    let default_bucket = std::env::var(env::BUCKET).ok();
    // One function (and its warm key cache) for the life of the execution environment.
    let function = Arc::new(Function::new(cache_bytes as usize));
    let client = s3::client_from_env().await;
    lambda_runtime::run(service_fn(|event: LambdaEvent<Value>| {
        let (function, client, default_bucket) = (function.clone(), client.clone(), default_bucket.clone());
        async move {
            let parsed = events::parse(&event.payload, default_bucket.as_deref())
                .map_err(|e| Failure { error_type: "BadEvent", message: e.to_string() })?;
            let outcomes = jobs::run(function, &client, parsed)
                .await
                .map_err(|message| Failure { error_type: "StorageFailure", message })?;
            serde_json::to_value(outcomes).map_err(|e| Failure { error_type: "Internal", message: e.to_string() })
        }
    }))
    .await
}
