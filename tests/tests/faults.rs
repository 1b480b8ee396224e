//! Faults on the emulated cloud. Whatever goes wrong, a job ends done with the right payload or
//! failed with a reason, and the client never returns a code that reads as anything else:
//! - the result deleted, cut short, altered, or replaced by another job's after `done`;
//! - events duplicated and racing, reordered, or arriving before the job's input;
//! - the S3 protocol failing under both sides: 500 and 503 answers, slow answers and bodies cut
//!   short, from a fault-injecting proxy on loopback (`tests/cloud/fault_proxy.py`).
//!
//! A transport wrapped around the presigned one injects each fault at the moment it would
//! happen. `tests/emulated-cloud.sh` runs these with `--ignored`.

use qrveil_cloud::s3::S3Store;
use qrveil_e2e::emulated::{presign_url, token, var};
use qrveil_e2e::{decode_png, keys};
use qrveil_function::handler::is_transient;
use qrveil_function::Function;
use qrveil_protocol::job::paths;
use qrveil_protocol::presign::UploadSizes;
use qrveil_protocol::{JobId, KeyId};
use qrveil_sdk::{
    Cancel, Delivery, PresignConfig, PresignedTransport, SdkError, StoreTransport, StyleOptions, Styler, Ticket,
    Transport, WaitPolicy,
};
use qrveil_style::StyleId;
use serde_json::{json, Value};
use std::sync::Mutex;
use std::time::Duration;

fn presigned() -> PresignedTransport {
    let token = token();
    let endpoint = presign_url();
    let wait = WaitPolicy { timeout: Duration::from_secs(180), ..WaitPolicy::default() };
    PresignedTransport::new(PresignConfig { endpoint, token, wait, client_id: None }).expect("transport")
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
    fn begin(&self, key: Option<&KeyId>, sizes: &UploadSizes, cancel: &Cancel) -> Result<Ticket, SdkError> {
        self.inner.begin(key, sizes, cancel)
    }
    fn upload_server_key(&self, ticket: &Ticket, bytes: &[u8], cancel: &Cancel) -> Result<(), SdkError> {
        self.inner.upload_server_key(ticket, bytes, cancel)
    }
    fn submit(&self, ticket: &Ticket, manifest: &[u8], input: &[u8], cancel: &Cancel) -> Result<(), SdkError> {
        if self.events {
            // Before the input exists: a direct invocation, and an event naming the job first.
            assert_eq!(invoke(&json!({ "job_id": ticket.job.as_str() })), 200);
            assert_eq!(invoke(&s3_event(&[&ticket.job])), 200);
        }
        self.inner.submit(ticket, manifest, input, cancel)?;
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
    fn wait(&self, ticket: &Ticket, cancel: &Cancel) -> Result<Delivery, SdkError> {
        let mut delivery = self.inner.wait(ticket, cancel)?;
        let mut last = self.last.lock().expect("lock");
        let previous = last.replace((ticket.job.clone(), delivery.output.clone()));
        delivery.output = match self.tamper {
            None => delivery.output,
            Some(Tamper::CutShort) => delivery.output[..delivery.output.len() / 2].to_vec(),
            Some(Tamper::BytesAltered) => {
                let mut bytes = delivery.output;
                let n = bytes.len();
                for i in (n / 3..n).step_by(97) {
                    bytes[i] ^= 0x5a;
                }
                bytes
            }
            Some(Tamper::AnotherJobs) => previous.map_or(delivery.output, |(_, bytes)| bytes),
        };
        Ok(delivery)
    }
}

fn options(version: u8) -> StyleOptions {
    StyleOptions { style: StyleId::Rounded, version: Some(version), ..Default::default() }
}

#[test]
#[ignore = "needs the emulators: run tests/emulated-cloud.sh"]
fn a_tampered_result_is_refused_or_corrected_never_read_as_another_code() {
    for tamper in [Tamper::CutShort, Tamper::BytesAltered, Tamper::AnotherJobs] {
        let styler = Styler::new(keys().clone(), Faulty::new(Some(tamper), false));
        for (i, payload) in ["first payload", "second payload"].into_iter().enumerate() {
            match styler.style(payload.as_bytes(), &options(2), &mut |_| {}) {
                Ok(code) => {
                    assert_eq!(decode_png(&code.png), payload.as_bytes(), "{tamper:?}: a code for another payload");
                    let event = code.report.integrity.map_or("none".into(), |e| e.to_string());
                    eprintln!(
                        "faults: {tamper:?} job {i}: drawn from the device's evaluation; integrity event: {event}"
                    );
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

/// The fault proxy (`tests/cloud/fault_proxy.py`) in front of the S3 emulator; stopped on drop,
/// when it reports what it injected.
struct FaultProxy {
    child: std::process::Child,
    url: String,
}

impl FaultProxy {
    fn start() -> Self {
        use std::io::BufRead;
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/cloud/fault_proxy.py");
        let mut child = std::process::Command::new("python3")
            .args([script, &var("QRVEIL_EMU_S3")])
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("python3 runs the fault proxy");
        let mut port = String::new();
        let stdout = child.stdout.as_mut().expect("stdout");
        std::io::BufReader::new(stdout).read_line(&mut port).expect("the proxy's port");
        Self { url: format!("http://127.0.0.1:{}", port.trim()), child }
    }

    /// Stop it; the faults it injected, one line each.
    fn stop(mut self) -> Vec<String> {
        use std::io::Read;
        let _ = std::process::Command::new("kill").arg(self.child.id().to_string()).status();
        let mut out = String::new();
        if let Some(mut stdout) = self.child.stdout.take() {
            let _ = stdout.read_to_string(&mut out);
        }
        let _ = self.child.wait();
        out.lines().map(str::to_string).collect()
    }
}

impl Drop for FaultProxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// The store transport, with the function run on the input's arrival as the S3 trigger would,
/// retried on storage failures as Lambda retries a failed invocation (three attempts).
struct Triggered {
    inner: StoreTransport<S3Store>,
    store: S3Store,
    function: Function,
}

impl Transport for Triggered {
    fn begin(&self, key: Option<&KeyId>, sizes: &UploadSizes, cancel: &Cancel) -> Result<Ticket, SdkError> {
        self.inner.begin(key, sizes, cancel)
    }
    fn upload_server_key(&self, ticket: &Ticket, bytes: &[u8], cancel: &Cancel) -> Result<(), SdkError> {
        self.inner.upload_server_key(ticket, bytes, cancel)
    }
    fn submit(&self, ticket: &Ticket, manifest: &[u8], input: &[u8], cancel: &Cancel) -> Result<(), SdkError> {
        self.inner.submit(ticket, manifest, input, cancel)?;
        for _ in 0..3 {
            if !is_transient(&self.function.run_job(&self.store, &ticket.job)) {
                break;
            }
        }
        Ok(())
    }
    fn wait(&self, ticket: &Ticket, cancel: &Cancel) -> Result<Delivery, SdkError> {
        self.inner.wait(ticket, cancel)
    }
}

#[test]
#[ignore = "needs the emulators: run tests/emulated-cloud.sh"]
fn storage_faults_on_both_sides_end_done_or_failed_never_wrong() {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("runtime");
    // A bucket of its own, with no trigger: only this test's function runs its jobs.
    let direct = runtime.block_on(qrveil_cloud::s3::client(Some(&var("QRVEIL_EMU_S3")), Some("us-east-1")));
    let bucket = format!("qrveil-faults-{}", rand::random::<u32>());
    runtime.block_on(direct.create_bucket().bucket(&bucket).send()).expect("bucket");
    let proxy = FaultProxy::start();
    let client = runtime.block_on(qrveil_cloud::s3::client(Some(&proxy.url), Some("us-east-1")));
    let store = S3Store::new(client, &bucket, runtime.handle().clone());
    let wait = WaitPolicy { timeout: Duration::from_secs(120), ..WaitPolicy::default() };
    let transport =
        Triggered { inner: StoreTransport::new(store.clone(), wait), store, function: Function::linear_only() };
    let styler = Styler::new(keys().clone(), transport);
    let (mut done, mut failed) = (0, Vec::new());
    for i in 0..12u8 {
        let payload = format!("faulty {i}"); // fits version 1
        let options = StyleOptions {
            style: StyleId::ALL[i as usize % StyleId::ALL.len()],
            version: Some(1 + i % 10),
            ..Default::default()
        };
        match styler.style(payload.as_bytes(), &options, &mut |_| {}) {
            Ok(code) => {
                assert_eq!(decode_png(&code.png), payload.as_bytes(), "job {i}: a code for another payload");
                done += 1;
            }
            Err(e) => failed.push(format!("job {i}: {e}")),
        }
    }
    let faults = proxy.stop();
    eprintln!("faults: through the fault proxy, {done} of 12 jobs done, {} failed with a reason", failed.len());
    for line in faults.iter().chain(&failed) {
        eprintln!("faults:   {line}");
    }
    assert!(faults.iter().filter(|l| l.contains(": 5") || l.contains(": slow") || l.contains(": cut")).count() >= 10);
    // The AWS SDK retries 5xx answers and cut bodies: every job should get through.
    assert!(failed.is_empty(), "{failed:?}");
}
