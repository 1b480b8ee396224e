//! The one error type of the client. Messages say what to do; they never carry the payload,
//! key bytes or ciphertexts. Bindings and the CLI convert it once, at their boundary.

use qrveil_protocol::{DocumentError, FailureKind, StoreError, WireError};
use qrveil_style::features::EncodingError;
use qrveil_style::{StyleError, UnknownName};

#[derive(Debug, thiserror::Error)]
pub enum SdkError {
    #[error("nothing to encode: the payload is empty")]
    EmptyPayload,
    #[error("a payload of {bytes} bytes does not fit a QR code {fit}; shorten it or lower the error correction (--ec L holds the most)")]
    PayloadTooLong { bytes: usize, fit: String },
    /// A style or preset name the catalogue does not have; the message lists the valid ones.
    #[error(transparent)]
    UnknownName(#[from] UnknownName),
    #[error("{what}: {detail}")]
    InvalidOption { what: &'static str, detail: String },
    #[error("key store at {path}: {detail}")]
    Keys { path: String, detail: String },
    /// Key bytes an app kept itself do not read back as qrveil keys.
    #[error("these bytes are not qrveil keys ({0}); pass back the bytes that key generation returned")]
    KeyBytes(WireError),
    #[error("storage: {0}")]
    Store(#[from] StoreError),
    #[error("could not reach the style service: {0}")]
    Transport(String),
    #[error("the presign endpoint refused the request (HTTP {status}): {detail}")]
    Refused { status: u16, detail: String },
    /// A presigned URL (or the endpoint) refused in a way no wait or retry mends: expired,
    /// a clock or signature the bucket rejects, a redirect. The refusal says what to do.
    #[error("{what}: {refusal}")]
    UrlRefused { what: &'static str, refusal: crate::presigned::UrlRefusal },
    /// Over one of the presign endpoint's rate limits for longer than the wait allows.
    #[error("the presign endpoint is limiting this app's requests ({detail}); try again in {retry_after} s")]
    RateLimited { retry_after: u64, detail: String },
    #[error("job {job} has no result after {seconds} s: the function may still be running or never got the job (check its logs), or allow more time")]
    Timeout { job: String, seconds: u64 },
    #[error("the style function failed ({kind:?}): {reason}")]
    Job { kind: FailureKind, reason: String },
    #[error("the style function's result could not be read: {0}")]
    BadResult(String),
    #[error("the styled code did not verify: {0}. Nothing was returned; {advice}", advice = .0.advice())]
    VerificationFailed(#[from] crate::verify::VerifyError),
    #[error("cancelled: nothing was returned (a job already sent may still finish on the service; the bucket's lifecycle removes it)")]
    Cancelled,
    #[error("internal error: {0}")]
    Internal(#[from] Internal),
}

/// Failures of this library's own making (a bug or a broken build, not bad input), typed so
/// that their cause reaches the boundary intact.
#[derive(Debug, thiserror::Error)]
pub enum Internal {
    /// Writing one of our own containers failed.
    #[error(transparent)]
    Wire(#[from] WireError),
    #[error(transparent)]
    Document(#[from] DocumentError),
    /// Styles are checked when options are read; one that fails later is a bug.
    #[error("the style's program is invalid: {0}")]
    Style(#[from] StyleError),
    #[error(transparent)]
    Encoding(#[from] EncodingError),
    #[error("could not encode or read back the image: {0}")]
    Png(#[from] image::ImageError),
    #[error("could not write JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("{0}")]
    Unexpected(&'static str),
}
