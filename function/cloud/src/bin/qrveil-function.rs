//! The job handler Lambda: S3 `ObjectCreated` events for `jobs/*/input`, or direct
//! invocations `{"job_id": "..."}`. See `qrveil_cloud` for the settings it reads.

use lambda_runtime::{service_fn, Error, LambdaEvent};
use qrveil_cloud::{env, events, jobs, s3};
use qrveil_function::handler::{Function, DEFAULT_KEY_CACHE_BYTES};
use serde_json::Value;
use std::sync::Arc;

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
            let parsed = events::parse(&event.payload, default_bucket.as_deref())?;
            let outcomes = jobs::run(function, &client, parsed).await?;
            Ok::<_, Error>(serde_json::to_value(outcomes)?)
        }
    }))
    .await
}
