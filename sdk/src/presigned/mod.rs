//! The transport for apps: no AWS credentials on the device. The presign endpoint (the
//! operator's Function URL, authorised by a bearer token) answers each new job with
//! short-lived URLs for exactly that job's objects; everything else is plain HTTPS.

use crate::error::Internal;
use crate::transport::{Delivery, Ticket, Transport, WaitPolicy};
use crate::{Cancel, SdkError};
use qrveil_protocol::job::DOCUMENT_LIMIT;
use qrveil_protocol::presign::{ClientId, PresignError, PresignRequest, PresignResponse, UploadSizes};
use qrveil_protocol::wire::OUTPUTS_LIMIT;
use qrveil_protocol::{JobId, KeyId};
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};
use ureq::Agent;

mod http;
mod refusal;

pub use refusal::UrlRefusal;

/// Where the presign endpoint is and the token it expects.
#[derive(Clone)]
pub struct PresignConfig {
    pub endpoint: String,
    pub token: String,
    pub wait: WaitPolicy,
    /// This install's id, sent with every request so the endpoint meters it apart from others
    /// (`Keys::client_id`); without one, the endpoint meters the request by its address.
    pub client_id: Option<ClientId>,
}

impl std::fmt::Debug for PresignConfig {
    // The token is a credential: keep it out of logs and panics.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PresignConfig").field("endpoint", &self.endpoint).field("token", &"<hidden>").finish()
    }
}

pub struct PresignedTransport {
    config: PresignConfig,
    agent: Agent,
    /// The URLs of each job under way, from `begin` until its `wait` ends.
    jobs: Mutex<HashMap<JobId, Issued>>,
}

/// A job's presigned URLs and when they stop working.
struct Issued {
    urls: PresignResponse,
    expires: Instant,
}

/// Plain HTTP only to this machine: a token or a URL signature must not cross a network in
/// clear text.
fn check_url(what: &str, url: &str) -> Result<(), SdkError> {
    let loopback =
        ["http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:", "http://localhost/", "http://[::1]:"];
    if url.starts_with("https://") || loopback.iter().any(|p| url.starts_with(p)) {
        Ok(())
    } else {
        Err(SdkError::InvalidOption {
            what: "URL",
            detail: format!("{what} must be https:// (plain http is allowed only on this machine): {:?}", shown(url)),
        })
    }
}

/// The endpoint's answer: job URLs, each of which must be HTTPS (or plain HTTP on this machine),
/// or its refusal as [`SdkError::Refused`]. Anything else is a [`SdkError::BadResult`].
pub fn read_answer(status: u16, body: &[u8]) -> Result<PresignResponse, SdkError> {
    if status != 200 {
        let detail = serde_json::from_slice::<PresignError>(body)
            .map(|e| e.error)
            .unwrap_or_else(|_| String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned());
        return Err(SdkError::Refused { status, detail });
    }
    let urls: PresignResponse = serde_json::from_slice(body)
        .map_err(|e| SdkError::BadResult(format!("presign endpoint answered something else than job URLs: {e}")))?;
    for url in [&urls.manifest_put, &urls.input_put, &urls.status_get, &urls.output_get]
        .into_iter()
        .chain(&urls.server_key_put)
    {
        check_url("a presigned URL", url)?;
    }
    Ok(urls)
}

/// A URL as it may be shown: without its query, where a presigned URL carries its signature.
fn shown(url: &str) -> String {
    match url.split_once('?') {
        Some((path, _)) => format!("{path}?<query hidden>"),
        None => url.to_string(),
    }
}

fn transport_error(what: &str, e: ureq::Error) -> SdkError {
    SdkError::Transport(format!("{what}: {e}"))
}

impl PresignedTransport {
    pub fn new(config: PresignConfig) -> Result<Self, SdkError> {
        check_url("the presign endpoint", &config.endpoint)?;
        if config.token.trim().is_empty() {
            return Err(SdkError::InvalidOption {
                what: "token",
                detail: "the presign endpoint needs a bearer token".into(),
            });
        }
        Ok(Self { config, agent: http::agent(), jobs: Mutex::default() })
    }

    /// The jobs' URLs. A call that panicked holding them left the map whole (each change is
    /// one insert, removal or sweep), so it is used as it is.
    fn jobs(&self) -> MutexGuard<'_, HashMap<JobId, Issued>> {
        self.jobs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The URLs `begin` was given for the ticket's job.
    fn urls(&self, ticket: &Ticket) -> Result<PresignResponse, SdkError> {
        Ok(self
            .jobs()
            .get(&ticket.job)
            .map(|issued| issued.urls.clone())
            .ok_or(Internal::Unexpected("a ticket this transport did not issue, or whose wait has ended"))?)
    }

    /// Keep a new job's URLs, and forget those of jobs that were never waited for once their
    /// URLs have expired (a cancelled upload), so a long-lived app does not gather them.
    fn keep(&self, urls: PresignResponse) {
        let mut jobs = self.jobs();
        let now = Instant::now();
        jobs.retain(|_, issued| issued.expires > now);
        let expires = now + Duration::from_secs(urls.expires_in_seconds);
        jobs.insert(urls.job_id.clone(), Issued { urls, expires });
    }

    fn forget(&self, job: &JobId) {
        self.jobs().remove(job);
    }

    fn put(&self, what: &'static str, url: &str, bytes: &[u8], cancel: &Cancel) -> Result<(), SdkError> {
        http::put(&self.agent, what, url, bytes, &[], cancel)
    }

    /// The object's bytes; `None` while it does not exist yet.
    fn get(&self, what: &'static str, url: &str, limit: u64, cancel: &Cancel) -> Result<Option<Vec<u8>>, SdkError> {
        http::get(&self.agent, what, url, limit, cancel)
    }

    /// One presign request: its status, `Retry-After` (seconds) and body.
    fn ask(&self, body: &[u8]) -> Result<(u16, Option<u64>, Vec<u8>), SdkError> {
        let mut response = self
            .agent
            .post(&self.config.endpoint)
            .header("authorization", &format!("Bearer {}", self.config.token.trim()))
            .header("content-type", "application/json")
            .send(body)
            .map_err(|e| transport_error("presign endpoint", e))?;
        let status = response.status().as_u16();
        http::redirected("presign endpoint", status)?;
        let retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()?.trim().parse().ok());
        let bytes = response
            .body_mut()
            .with_config()
            .limit(DOCUMENT_LIMIT)
            .read_to_vec()
            .map_err(|e| transport_error("presign endpoint", e))?;
        Ok((status, retry_after, bytes))
    }
}

/// The start of an error answer's body (S3 sends a short XML document).
fn error_body(response: &mut ureq::http::Response<ureq::Body>) -> String {
    response.body_mut().with_config().limit(4096).read_to_string().unwrap_or_default()
}

fn bucket_error(what: &str, status: u16, body: &str) -> SdkError {
    SdkError::Transport(format!("{what}: the bucket answered HTTP {status} {}", summarise(body)))
}

/// The S3 error code of an XML error body, if any, else nothing (bodies may be large).
fn summarise(body: &str) -> String {
    refusal::element(body, "Code").map(|code| format!("({code})")).unwrap_or_default()
}

impl Transport for PresignedTransport {
    fn begin(&self, key: Option<&KeyId>, sizes: &UploadSizes, cancel: &Cancel) -> Result<Ticket, SdkError> {
        let request =
            PresignRequest { key_id: key.cloned(), client_id: self.config.client_id.clone(), sizes: Some(*sizes) };
        let body = serde_json::to_vec(&request).map_err(Internal::from)?;
        // Over a rate limit the endpoint says when to ask again: wait that long while it fits
        // in the wait policy's time (a spent daily budget never does), then give up typed.
        let deadline = Instant::now() + self.config.wait.timeout;
        let (status, bytes) = loop {
            let (status, retry_after, bytes) = self.ask(&body)?;
            if status != 429 {
                break (status, bytes);
            }
            let retry_after = retry_after.unwrap_or(1).max(1);
            let detail = read_answer(status, &bytes).err().map(|e| e.to_string()).unwrap_or_default();
            if Instant::now() + Duration::from_secs(retry_after) > deadline {
                return Err(SdkError::RateLimited { retry_after, detail });
            }
            cancel.sleep(Duration::from_secs(retry_after))?;
        };
        let urls = read_answer(status, &bytes)?;
        let ticket =
            Ticket { job: urls.job_id.clone(), key: key.cloned(), needs_server_key: urls.server_key_put.is_some() };
        self.keep(urls);
        Ok(ticket)
    }

    fn upload_server_key(&self, ticket: &Ticket, bytes: &[u8], cancel: &Cancel) -> Result<(), SdkError> {
        let urls = self.urls(ticket)?;
        let url = urls.server_key_put.as_deref().ok_or(Internal::Unexpected(
            "the server key was to be uploaded, but the endpoint gave no URL for it (the bucket has it)",
        ))?;
        // The headers its URL is signed over, as the endpoint gave them.
        // (Not a length or host of its own: those come from the body and the URL.)
        let headers: Vec<(&str, &str)> = urls
            .server_key_headers
            .iter()
            .filter(|(name, _)| !["content-length", "host"].contains(&name.to_ascii_lowercase().as_str()))
            .map(|(name, value)| (name.as_str(), value.as_str()))
            .collect();
        http::put(&self.agent, "uploading the server key", url, bytes, &headers, cancel)
    }

    fn submit(&self, ticket: &Ticket, manifest: &[u8], input: &[u8], cancel: &Cancel) -> Result<(), SdkError> {
        let urls = self.urls(ticket)?;
        // The manifest first: the input's arrival starts the job.
        self.put("uploading the manifest", &urls.manifest_put, manifest, cancel)?;
        self.put("uploading the encrypted code", &urls.input_put, input, cancel)
    }

    fn wait(&self, ticket: &Ticket, cancel: &Cancel) -> Result<Delivery, SdkError> {
        let urls = self.urls(ticket)?;
        // However the wait ends, the job is over for this transport: its URLs go.
        let result = self
            .config
            .wait
            .poll(&ticket.job, cancel, || self.get("reading the job status", &urls.status_get, DOCUMENT_LIMIT, cancel))
            .and_then(|status| {
                Delivery::of(status, || self.get("downloading the result", &urls.output_get, OUTPUTS_LIMIT, cancel))
            });
        self.forget(&ticket.job);
        result
    }
}

#[cfg(test)]
mod http_tests;
#[cfg(test)]
mod limit_tests;
#[cfg(test)]
mod tests;
