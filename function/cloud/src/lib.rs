//! qrveil on AWS, as thin adapters around the shared code: the bucket as a
//! [`qrveil_protocol::Store`] ([`s3`]); the job handler (`qrveil-function`), which runs the same
//! [`qrveil_function::Function`] as the local mode over the bucket, on S3 `ObjectCreated`
//! events for `jobs/*/input` or direct invocations ([`events`], [`jobs`]); and the presign
//! endpoint (`qrveil-presign`, behind a Lambda Function URL), which hands apps short-lived URLs
//! so they never hold AWS credentials ([`presign`]).

pub mod env;
pub mod events;
#[cfg(feature = "s3")]
pub mod jobs;
#[cfg(feature = "lambda")]
pub mod logging;
#[cfg(feature = "lambda")]
pub mod presign;
#[cfg(feature = "s3")]
pub mod s3;
