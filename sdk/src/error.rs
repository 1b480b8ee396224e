//! The one error type of the client. Messages say what to do; they never carry the payload,
//! key bytes or ciphertexts.

use qrveil_protocol::FailureKind;

#[derive(Debug, thiserror::Error)]
pub enum SdkError {
    #[error("nothing to encode: the payload is empty")]
    EmptyPayload,
    #[error("a payload of {bytes} bytes does not fit a QR code {fit}; shorten it or lower the error correction (--ec L holds the most)")]
    PayloadTooLong { bytes: usize, fit: String },
    #[error("{what}: {detail}")]
    InvalidOption { what: &'static str, detail: String },
    #[error("key store at {path}: {detail}")]
    Keys { path: String, detail: String },
    #[error("storage: {0}")]
    Store(#[from] qrveil_function::store::StoreError),
    #[error("could not reach the style service: {0}")]
    Transport(String),
    #[error("the presign endpoint refused the request (HTTP {status}): {detail}")]
    Refused { status: u16, detail: String },
    #[error("job {job} has no result after {seconds} s: the function may still be running or never got the job (check its logs), or allow more time")]
    Timeout { job: String, seconds: u64 },
    #[error("the style function failed ({kind:?}): {reason}")]
    Job { kind: FailureKind, reason: String },
    #[error("the style function's result could not be read: {0}")]
    BadResult(String),
    #[error("the styled code did not verify: {0}. Nothing was written; try a larger --module-px or another style")]
    VerificationFailed(String),
    #[error("could not write {path}: {detail}")]
    Output { path: String, detail: String },
    #[error("cancelled: nothing was written (a job already sent may still finish on the service; the bucket's lifecycle removes it)")]
    Cancelled,
    #[error("internal error: {0}")]
    Internal(String),
}

/// An unknown style or preset name is a bad option; the message lists the valid names.
impl From<qrveil_function::styles::UnknownName> for SdkError {
    fn from(e: qrveil_function::styles::UnknownName) -> Self {
        SdkError::InvalidOption { what: e.what, detail: e.to_string() }
    }
}
