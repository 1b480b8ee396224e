//! One request through a presigned URL: no redirects, a time limit sized to the body, the
//! cancel flag looked at between chunks of the body either way, S3's refusals read into
//! [`UrlRefusal`]s, and retries of what may pass.

use super::refusal::{self, UrlRefusal};
use crate::{Cancel, SdkError};
use std::io::{self, Read};
use std::time::Duration;
use ureq::{Agent, SendBody};

/// Bytes moved between two looks at the cancel flag: at 256 kbit/s, 2 s.
pub(super) const CHUNK: usize = 64 << 10;

/// Time for connecting, the request's headers and the answer, whatever the body.
const BASE_TIMEOUT: Duration = Duration::from_secs(30);
/// The slowest link a body is given time for, in bytes per second: 256 kbit/s, about a weak
/// mobile uplink. The limit only ends a dead connection (a user who gives up cancels, which now
/// stops an upload within a chunk), so it is generous: the 43 MB server key gets 23 minutes,
/// where a fixed 120 s failed it below 3 Mbit/s. S3 checks a presigned URL's expiry when a
/// request starts, so an upload that outlasts its URL still completes.
const FLOOR_BYTES_PER_SECOND: u64 = 256_000 / 8;

/// How long a request whose body is (at most) `bytes` long may take.
pub(super) fn timeout_for(bytes: u64) -> Duration {
    BASE_TIMEOUT + Duration::from_secs(bytes.div_ceil(FLOOR_BYTES_PER_SECOND))
}

/// The agent for the presign endpoint and the bucket: statuses are answers, not errors, and a
/// redirect is one of them, refused by [`redirected`] (ureq returns a 3xx as it is when it
/// may follow none).
pub(super) fn agent() -> Agent {
    Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(timeout_for(0)))
        .build()
        .into()
}

/// A 3xx answer, as the typed refusal it is.
pub(super) fn redirected(what: &'static str, status: u16) -> Result<(), SdkError> {
    if (300..400).contains(&status) {
        return Err(SdkError::UrlRefused { what, refusal: UrlRefusal::Redirect { status } });
    }
    Ok(())
}

/// `bytes` as an upload body: at most [`CHUNK`] bytes a read, none once `cancel` is set.
struct Chunks<'a> {
    bytes: &'a [u8],
    cancel: &'a Cancel,
}

impl Read for Chunks<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.cancel.is_cancelled() {
            return Err(io::Error::other("cancelled"));
        }
        let n = buf.len().min(CHUNK).min(self.bytes.len());
        let (now, rest) = self.bytes.split_at(n);
        buf[..n].copy_from_slice(now);
        self.bytes = rest;
        Ok(n)
    }
}

/// `PUT` `bytes` (with `headers`, when the URL is signed over some) to `url`.
pub(super) fn put(
    agent: &Agent,
    what: &'static str,
    url: &str,
    bytes: &[u8],
    headers: &[(&str, &str)],
    cancel: &Cancel,
) -> Result<(), SdkError> {
    retrying(cancel, || {
        let mut request = agent
            .put(url)
            .config()
            .timeout_global(Some(timeout_for(bytes.len() as u64)))
            .build()
            .header("content-type", "application/octet-stream")
            // A length, not chunked transfer encoding: S3 refuses a PUT without one.
            .header("content-length", &bytes.len().to_string());
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let mut body = Chunks { bytes, cancel };
        let mut response = request.send(SendBody::from_reader(&mut body)).map_err(|e| failed(what, e, cancel))?;
        let status = response.status().as_u16();
        // 412 to `if-none-match: *`: an object was created there first. URLs that carry it are
        // server-key uploads, also signed over the key's checksum: what is there is this key.
        let created_first = status == 412 && headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("if-none-match"));
        if (200..300).contains(&status) || created_first {
            return Ok(());
        }
        Err(refused(what, status, &mut response))
    })
}

/// `GET` `url`: the object's bytes (at most `limit`), or `None` while it does not exist yet
/// (S3 says 404, or a plain 403 `AccessDenied` when the URL's signer may not list the bucket).
pub(super) fn get(
    agent: &Agent,
    what: &'static str,
    url: &str,
    limit: u64,
    cancel: &Cancel,
) -> Result<Option<Vec<u8>>, SdkError> {
    retrying(cancel, || {
        let request = agent.get(url).config().timeout_global(Some(timeout_for(limit))).build();
        let mut response = request.call().map_err(|e| failed(what, e, cancel))?;
        let status = response.status().as_u16();
        if (200..300).contains(&status) {
            return read_body(what, &mut response, limit, cancel).map(Some);
        }
        match refused(what, status, &mut response) {
            _ if status == 404 => Ok(None),
            Failed::Final(SdkError::UrlRefused { refusal, .. }) if refusal.may_be_missing() => Ok(None),
            failed => Err(failed),
        }
    })
}

/// An answer's body, at most `limit` bytes, looking at `cancel` between chunks.
fn read_body(
    what: &'static str,
    response: &mut ureq::http::Response<ureq::Body>,
    limit: u64,
    cancel: &Cancel,
) -> Result<Vec<u8>, Failed> {
    let mut reader = response.body_mut().with_config().limit(limit).reader();
    let (mut bytes, mut chunk) = (Vec::new(), vec![0; CHUNK]);
    loop {
        cancel.check().map_err(Failed::Final)?;
        match reader.read(&mut chunk) {
            Ok(0) => return Ok(bytes),
            Ok(n) => bytes.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                return Err(match ureq::Error::from(e) {
                    e @ ureq::Error::BodyExceedsLimit(_) => Failed::Final(SdkError::BadResult(format!("{what}: {e}"))),
                    // A body cut short: the connection, not the object.
                    e => Failed::Transient(SdkError::BadResult(format!("{what}: {e}"))),
                });
            }
        }
    }
}

/// Attempts per request. S3 asks clients to retry 500 and 503 answers and dropped connections,
/// backing off; every request here can be repeated (a PUT of the same bytes to the same key, a
/// GET), so the fault that one load test met (a 500 on one of two concurrent uploads of a server
/// key) costs a retry, not the job.
pub(super) const ATTEMPTS: u32 = 4;
const FIRST_BACKOFF: Duration = Duration::from_millis(250);

/// Why one attempt failed: worth another try, or not.
pub(super) enum Failed {
    Transient(SdkError),
    Final(SdkError),
}

/// A request that did not get an answer: cancelled (the body stopped), or the connection's
/// trouble, which may pass.
fn failed(what: &str, e: ureq::Error, cancel: &Cancel) -> Failed {
    if cancel.is_cancelled() {
        return Failed::Final(SdkError::Cancelled);
    }
    Failed::Transient(super::transport_error(what, e))
}

/// A non-2xx answer: a redirect or a refusal (typed, final), the server's passing trouble
/// (5xx, retried), or anything else (final).
fn refused(what: &'static str, status: u16, response: &mut ureq::http::Response<ureq::Body>) -> Failed {
    if let Err(e) = redirected(what, status) {
        return Failed::Final(e);
    }
    let body = super::error_body(response);
    match refusal::read(status, &body) {
        Some(refusal) => Failed::Final(SdkError::UrlRefused { what, refusal }),
        None if matches!(status, 500 | 502 | 503 | 504) => Failed::Transient(super::bucket_error(what, status, &body)),
        None => Failed::Final(super::bucket_error(what, status, &body)),
    }
}

/// `attempt` until it succeeds, fails for good, or [`ATTEMPTS`] are spent; none once `cancel`
/// is set.
fn retrying<T>(cancel: &Cancel, mut attempt: impl FnMut() -> Result<T, Failed>) -> Result<T, SdkError> {
    let mut backoff = FIRST_BACKOFF;
    for _ in 1..ATTEMPTS {
        cancel.check()?;
        match attempt() {
            Ok(value) => return Ok(value),
            Err(Failed::Final(e)) => return Err(e),
            Err(Failed::Transient(_)) => {
                std::thread::sleep(backoff);
                backoff *= 2;
            }
        }
    }
    cancel.check()?;
    attempt().map_err(|(Failed::Transient(e) | Failed::Final(e))| e)
}
