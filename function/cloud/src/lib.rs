//! qrveil on AWS. The job handler (`qrveil-function`) runs the same [`Function`] as the local
//! mode over an S3 bucket, on S3 `ObjectCreated` events for `jobs/*/input` or direct
//! invocations; the presign endpoint (`qrveil-presign`, behind a Lambda Function URL) hands
//! apps short-lived URLs so they never hold AWS credentials.
//!
//! [`Function`]: qrveil_function::handler::Function

pub mod env;
pub mod events;
pub mod jobs;
#[cfg(feature = "lambda")]
pub mod presign;
pub mod s3;
