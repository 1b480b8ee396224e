//! Faults on the emulated cloud. Whatever goes wrong, a job ends done with the right payload or
//! failed with a reason, and the client never returns a code that reads as anything else:
//! - the result deleted, cut short, altered, or replaced by another job's after `done`;
//! - events duplicated and racing, reordered, or arriving before the job's input.
//!
//! A transport wrapped around the presigned one injects each fault at the moment it would
//! happen. `tests/emulated-cloud.sh` runs these with `--ignored`.

use qrveil_e2e::{decode_png, keys};
use qrveil_protocol::job::paths;
use qrveil_protocol::{JobId, JobStatus, KeyId};
use qrveil_sdk::{
    Cancel, PresignConfig, PresignedTransport, SdkError, StyleOptions, Styler, Ticket, Transport, WaitPolicy,
};
use qrveil_style::StyleId;
use serde_json::{json, Value};
use std::sync::Mutex;
use std::time::Duration;

const NEEDS: &str = "needs the emulators: run tests/emulated-cloud.sh";

fn var(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| panic!("{name} is not set: {NEEDS}"))
}

fn presigned() -> PresignedTransport {
    let token = std::fs::read_to_string(var("QRVEIL_EMU_TOKEN_FILE")).expect("token").trim().to_string();
    let endpoint = format!("{}/lambda-url/qrveil-presign/", var("QRVEIL_EMU_LAMBDA"));
    let wait = WaitPolicy { timeout: Duration::from_secs(180), ..WaitPolicy::default() };
    PresignedTransport::new(PresignConfig { endpoint, token, wait }).expect("transport")
}

/// Invoke the job function through the emulator, as S3 or a caller would; the HTTP status.
fn invoke(event: &Value) -> u16 {
    let url = format!("{}/2015-03-31/functions/qrveil-function/invocations", var("QRVEIL_EMU_LAMBDA"));
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    agent.post(&url).send(event.to_string().as_bytes()).expect("invoke").status().as_u16()
}

fn s3_event(jobs: &[&JobId]) -> Value {
    let records: Vec<Value> = jobs
        .iter()
        .map(|job| {
            json!({"eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
            "s3": {"bucket": {"name": var("QRVEIL_EMU_BUCKET")}, "object": {"key": paths::input(job)}}})
        })
        .collect();
    json!({ "Records": records })
}

/// What happens to a finished job's result between the bucket and the client.
#[derive(Clone, Copy, Debug)]
enum Tamper {
    Deleted,
    CutShort,
    BytesAltered,
    AnotherJobs,
}

/// The presigned transport, with faults: results tampered with after `done`, or extra,
/// early and reordered deliveries of the job's event.
struct Faulty {
    inner: PresignedTransport,
    tamper: Option<Tamper>,
    events: bool,
    /// The last job's output, for [`Tamper::AnotherJobs`], and its id.
    last: Mutex<Option<(JobId, Vec<u8>)>>,
}

impl Faulty {
    fn new(tamper: Option<Tamper>, events: bool) -> Self {
        Self { inner: presigned(), tamper, events, last: Mutex::new(None) }
    }
}

impl Transport for Faulty {
    fn begin(&self, key: Option<&KeyId>) -> Result<Ticket, SdkError> {
        self.inner.begin(key)
    }
    fn upload_server_key(&self, ticket: &Ticket, bytes: &[u8]) -> Result<(), SdkError> {
        self.inner.upload_server_key(ticket, bytes)
    }
    fn submit(&self, ticket: &Ticket, manifest: &[u8], input: &[u8]) -> Result<(), SdkError> {
        if self.events {
            // Before the input exists: a direct invocation, and an event naming the job first.
            assert_eq!(invoke(&json!({ "job_id": ticket.job.as_str() })), 200);
            assert_eq!(invoke(&s3_event(&[&ticket.job])), 200);
        }
        self.inner.submit(ticket, manifest, input)?;
        if self.events {
            // Duplicates racing the trigger's own delivery on both function instances, one
            // reordered behind the previous job's event.
            let previous = self.last.lock().expect("lock").as_ref().map(|(id, _)| id.clone());
            std::thread::scope(|s| {
                s.spawn(|| invoke(&s3_event(&[&ticket.job, &ticket.job])));
                s.spawn(|| match &previous {
                    Some(p) => invoke(&s3_event(&[p, &ticket.job])),
                    None => invoke(&s3_event(&[&ticket.job])),
                });
            });
        }
        Ok(())
    }
    fn wait(&self, ticket: &Ticket, cancel: &Cancel) -> Result<(JobStatus, Option<Vec<u8>>), SdkError> {
        let (status, output) = self.inner.wait(ticket, cancel)?;
        let mut last = self.last.lock().expect("lock");
        let previous = last.replace((ticket.job.clone(), output.clone().unwrap_or_default()));
        let output = match (self.tamper, output) {
            (None, output) => output,
            (Some(Tamper::Deleted), _) => None,
            (Some(Tamper::CutShort), Some(bytes)) => Some(bytes[..bytes.len() / 2].to_vec()),
            (Some(Tamper::BytesAltered), Some(mut bytes)) => {
                let n = bytes.len();
                for i in (n / 3..n).step_by(97) {
                    bytes[i] ^= 0x5a;
                }
                Some(bytes)
            }
            (Some(Tamper::AnotherJobs), output) => previous.map(|(_, bytes)| bytes).or(output),
            (Some(_), None) => None,
        };
        Ok((status, output))
    }
}

fn options(version: u8) -> StyleOptions {
    StyleOptions { style: StyleId::Rounded, version: Some(version), ..Default::default() }
}

#[test]
#[ignore = "needs the emulators: run tests/emulated-cloud.sh"]
fn a_tampered_result_is_refused_or_corrected_never_read_as_another_code() {
    for tamper in [Tamper::Deleted, Tamper::CutShort, Tamper::BytesAltered, Tamper::AnotherJobs] {
        let styler = Styler::new(keys().clone(), Faulty::new(Some(tamper), false));
        for (i, payload) in ["first payload", "second payload"].into_iter().enumerate() {
            match styler.style(payload.as_bytes(), &options(2), &mut |_| {}) {
                Ok(code) => {
                    assert_eq!(decode_png(&code.png), payload.as_bytes(), "{tamper:?}: a code for another payload");
                    eprintln!("faults: {tamper:?} job {i}: corrected ({} modules)", code.report.corrected_modules);
                }
                Err(e) => {
                    assert!(matches!(e, SdkError::BadResult(_)), "{tamper:?}: {e}");
                    eprintln!("faults: {tamper:?} job {i}: refused: {e}");
                }
            }
        }
    }
}

#[test]
#[ignore = "needs the emulators: run tests/emulated-cloud.sh"]
fn events_early_duplicated_or_reordered_run_each_job_once_and_right() {
    let styler = Styler::new(keys().clone(), Faulty::new(None, true));
    for version in [1, 3, 6] {
        let payload = format!("events v{version}");
        let code = styler.style(payload.as_bytes(), &options(version), &mut |_| {}).expect("the job ends done");
        assert_eq!(decode_png(&code.png), payload.as_bytes());
        assert_eq!(code.report.corrected_modules, 0, "the function's result was right as it came");
    }
}
