//! The presigned transport's own checks: URLs that may travel, retries, and the URLs kept per job.

use super::http::ATTEMPTS;
use super::*;

/// A small linear job's upload sizes.
pub(super) const SIZES: UploadSizes = UploadSizes { manifest: 900, input: 40_000, server_key: None };

#[test]
fn tokens_and_signatures_never_travel_in_clear_text_off_this_machine() {
    for ok in [
        "https://x.lambda-url.eu-west-1.on.aws/",
        "http://127.0.0.1:9000/lambda-url/qrveil-presign",
        "http://localhost:8080/",
    ] {
        assert!(check_url("u", ok).is_ok(), "{ok}");
    }
    for bad in ["http://example.com/", "http://127.0.0.1.example.com/", "ftp://x", "x"] {
        assert!(check_url("u", bad).is_err(), "{bad}");
    }
    let config = PresignConfig {
        endpoint: "https://x/".into(),
        token: "s3cret-token-value".into(),
        wait: WaitPolicy::default(),
        client_id: None,
    };
    assert!(!format!("{config:?}").contains("s3cret"));
    let signed = "http://bucket.example.com/jobs/x/input?X-Amz-Signature=abcdef0123";
    let error = check_url("a presigned URL", signed).expect_err("plain http off this machine").to_string();
    assert!(error.contains("http://bucket.example.com/jobs/x/input") && !error.contains("abcdef0123"), "{error}");
}

/// A server on loopback answering each connection with the next of `answers`; the number
/// of requests it got.
pub(super) fn serve(answers: Vec<&'static str>) -> (String, std::thread::JoinHandle<usize>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://127.0.0.1:{}/jobs/x/output", listener.local_addr().expect("addr").port());
    let server = std::thread::spawn(move || {
        let mut served = 0;
        for answer in answers {
            let Ok((mut stream, _)) = listener.accept() else { break };
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let _ = stream.write_all(answer.as_bytes());
            served += 1;
        }
        served
    });
    (url, server)
}

pub(super) fn transport() -> PresignedTransport {
    let endpoint = "http://127.0.0.1:9/".into();
    PresignedTransport::new(PresignConfig { endpoint, token: "t".into(), wait: WaitPolicy::default(), client_id: None })
        .expect("transport")
}

const FAIL_500: &str = "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
const OK: &str = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello";
/// S3's answer to a presigned URL used after its expiry.
const EXPIRED: &str = "HTTP/1.1 403 Forbidden\r\nContent-Length: 78\r\nConnection: close\r\n\r\n<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>";

#[test]
fn passing_server_trouble_is_retried_and_the_rest_is_not() {
    let (url, server) = serve(vec![FAIL_500, FAIL_500, OK]);
    let (reading, cancel) = ("reading", &Cancel::new());
    assert_eq!(transport().get(reading, &url, 100, cancel).expect("third time"), Some(b"hello".to_vec()));
    assert_eq!(server.join().expect("server"), 3);

    let (url, server) = serve(vec![EXPIRED, OK]);
    assert!(transport().get(reading, &url, 100, cancel).is_err(), "an expired URL stays expired");
    drop(std::net::TcpStream::connect(url.trim_start_matches("http://").split('/').next().expect("host")));
    assert_eq!(server.join().expect("server"), 2, "one request, then the test's own connection");

    let (url, server) = serve(vec![FAIL_500; 4]);
    let error = transport().put("uploading", &url, b"bytes", cancel).expect_err("gives up").to_string();
    assert!(error.contains("HTTP 500"), "{error}");
    assert_eq!(server.join().expect("server"), ATTEMPTS as usize);
}

#[test]
fn s3_error_codes_are_picked_out_of_xml() {
    assert_eq!(summarise("<Error><Code>AccessDenied</Code><Message>x</Message></Error>"), "(AccessDenied)");
    assert_eq!(summarise("nothing"), "");
}

/// An HTTP 200 answer carrying `body`, for [`serve`].
pub(super) fn ok_with(body: &str) -> &'static str {
    let answer = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
    Box::leak(answer.into_boxed_str())
}

#[test]
fn a_jobs_urls_are_kept_from_its_begin_to_the_end_of_its_wait() {
    use qrveil_protocol::{FailureKind, JobStatus};
    let failed = JobStatus::Failed { format_version: 1, kind: FailureKind::BadInput, reason: "r".into() };
    let (bucket, bucket_server) =
        serve(vec![ok_with(std::str::from_utf8(&failed.to_json().expect("json")).expect("utf8"))]);
    let answer = |expires_in_seconds| urls_answer(&bucket, expires_in_seconds);
    let (endpoint, endpoint_server) = serve(vec![answer(600), answer(0), answer(600)]);
    let wait = WaitPolicy { timeout: Duration::from_secs(5), ..WaitPolicy::default() };
    let transport = PresignedTransport::new(PresignConfig { endpoint, token: "t".into(), wait, client_id: None })
        .expect("transport");
    let held = || transport.jobs.lock().expect("jobs").keys().cloned().collect::<Vec<_>>();

    let first = transport.begin(None, &SIZES, &Cancel::new()).expect("begin");
    assert_eq!(held(), std::slice::from_ref(&first.job));
    let err = transport.wait(&first, &Cancel::new()).expect_err("the job failed");
    assert!(matches!(err, SdkError::Job { kind: FailureKind::BadInput, .. }), "{err:?}");
    assert!(held().is_empty(), "a job's URLs go when its wait ends");
    let err = transport.submit(&first, b"manifest", b"input", &Cancel::new()).expect_err("an ended job");
    assert!(err.to_string().contains("whose wait has ended"), "{err}");

    // A job never waited for (its upload was cancelled) is forgotten once its URLs expire.
    let abandoned = transport.begin(None, &SIZES, &Cancel::new()).expect("begin");
    let third = transport.begin(None, &SIZES, &Cancel::new()).expect("begin");
    assert_ne!(abandoned.job, third.job);
    assert_eq!(held(), [third.job]);
    assert_eq!((endpoint_server.join().expect("endpoint"), bucket_server.join().expect("bucket")), (3, 1));
}

/// The endpoint's 200 answer: a new job whose every URL is `bucket`.
pub(super) fn urls_answer(bucket: &str, expires_in_seconds: u64) -> &'static str {
    let urls = PresignResponse {
        job_id: JobId::random(),
        server_key_put: None,
        server_key_headers: Default::default(),
        manifest_put: bucket.to_string(),
        input_put: bucket.to_string(),
        status_get: bucket.to_string(),
        output_get: bucket.to_string(),
        expires_in_seconds,
    };
    ok_with(&serde_json::to_string(&urls).expect("json"))
}
