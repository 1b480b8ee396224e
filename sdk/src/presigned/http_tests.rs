//! Requests through presigned URLs against a real server on loopback: redirects refused, S3's
//! 403s told apart, the time allowed sized to the body, and a cancel that stops a transfer.

use super::http::timeout_for;
use super::tests::{serve, transport};
use super::*;
use qrveil_protocol::{FailureKind, JobStatus};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread::JoinHandle;

/// A listener on loopback, and its URL for `path`.
fn listen(path: &str) -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://127.0.0.1:{}{path}", listener.local_addr().expect("addr").port());
    (listener, url)
}

fn leak(answer: String) -> &'static str {
    Box::leak(answer.into_boxed_str())
}

/// An S3 error answer: `status` with an XML body of `code` and `message`.
fn s3_error(status: &str, code: &str, message: &str) -> &'static str {
    let body = format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>{code}</Code><Message>{message}</Message><RequestId>R</RequestId></Error>");
    leak(format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()))
}

fn refusal(result: Result<impl std::fmt::Debug, SdkError>) -> UrlRefusal {
    match result {
        Err(SdkError::UrlRefused { refusal, .. }) => refusal,
        other => panic!("expected a refused URL, got {other:?}"),
    }
}

#[test]
fn a_redirect_is_refused_and_its_target_never_contacted() {
    // Where a redirect to plain http would lead (the signature going along): a server that
    // would answer, once.
    let (target_url, target) = serve(vec![super::tests::ok_with("followed")]);
    let moved = leak(format!(
        "HTTP/1.1 302 Found\r\nLocation: {target_url}?X-Amz-Signature=s\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    ));
    let cancel = &Cancel::new();
    let (url, server) = serve(vec![moved]);
    let refused = refusal(transport().get("reading", &url, 100, cancel));
    assert_eq!(refused, UrlRefusal::Redirect { status: 302 });
    assert_eq!(server.join().expect("server"), 1, "one request, not retried");
    let (url, server) = serve(vec![moved]);
    let error = transport().put("uploading", &url, b"bytes", cancel).expect_err("refused");
    assert!(error.to_string().contains("HTTP 302, a redirect, which is refused"), "{error}");
    assert_eq!(server.join().expect("server"), 1);
    // Had it been contacted, the target would have answered and ended by now.
    std::thread::sleep(Duration::from_millis(100));
    assert!(!target.is_finished(), "the redirect's target was contacted");
    drop(TcpStream::connect(target_url.trim_start_matches("http://").split('/').next().expect("host")));
    target.join().expect("target");
}

#[test]
fn while_polling_a_plain_access_denied_is_pending_and_other_403s_fail_at_once() {
    let denied = s3_error("403 Forbidden", "AccessDenied", "Access Denied");
    let status = JobStatus::Failed { format_version: 1, kind: FailureKind::BadInput, reason: "r".into() };
    let found = super::tests::ok_with(std::str::from_utf8(&status.to_json().expect("json")).expect("utf8"));
    let policy = WaitPolicy {
        timeout: Duration::from_secs(20),
        first_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(5),
    };
    let (job, cancel) = (JobId::random(), Cancel::new());
    let poll = |url: &str| policy.poll(&job, &cancel, || transport().get("reading the job status", url, 4096, &cancel));

    // Not there yet (the URL's signer may not list the bucket), twice; then the status.
    let (url, server) = serve(vec![denied, denied, found]);
    assert_eq!(poll(&url).expect("a status after two denials"), status);
    assert_eq!(server.join().expect("server"), 3);

    let refusals = [
        (
            s3_error("403 Forbidden", "SignatureDoesNotMatch", "The request signature we calculated does not match"),
            "BadSignature",
            "refused the URL's signature",
        ),
        (
            s3_error("403 Forbidden", "AccessDenied", "Request has expired"),
            "Expired",
            "ask the presign endpoint for new URLs",
        ),
        (
            s3_error(
                "403 Forbidden",
                "RequestTimeTooSkewed",
                "The difference between the request time and the current time is too large.",
            ),
            "ClockSkew",
            "clock of the host that signs the URLs",
        ),
        (s3_error("403 Forbidden", "AccessDenied", "Request is not yet valid"), "ClockSkew", "is off"),
    ];
    for (answer, kind, advice) in refusals {
        let started = Instant::now();
        let (url, server) = serve(vec![denied, answer]);
        let refused = refusal(poll(&url));
        assert!(format!("{refused:?}").starts_with(kind), "{refused:?} is not {kind}");
        assert!(refused.to_string().contains(advice), "{refused}");
        assert_eq!(server.join().expect("server"), 2, "{kind}: refused at once, not retried or polled again");
        assert!(started.elapsed() < Duration::from_secs(5), "{kind} took {:?}", started.elapsed());
    }
    // A 403 that is not S3's (a proxy's page) is not "pending" either.
    let (url, server) =
        serve(vec![leak("HTTP/1.1 403 Forbidden\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnope".into())]);
    assert!(matches!(refusal(poll(&url)), UrlRefusal::Denied { status: 403, .. }));
    assert_eq!(server.join().expect("server"), 1);
}

#[test]
fn the_time_allowed_grows_with_the_body_so_the_server_key_goes_up_on_slow_links() {
    // The server key is about 43 MB; 120 s, the old fixed limit, is 2.9 Mbit/s for it.
    let key = timeout_for(43_000_000);
    assert!(key > Duration::from_secs(120), "{key:?}");
    let seconds = key.as_secs_f64() - timeout_for(0).as_secs_f64();
    let kbit_per_second = 43_000_000.0 * 8.0 / 1000.0 / seconds;
    assert!((255.0..=257.0).contains(&kbit_per_second), "{kbit_per_second} kbit/s");
    assert_eq!(timeout_for(0), Duration::from_secs(30), "small requests keep a short limit");
}

/// A server that takes one `PUT`, cancelling `cancel` once `after` bytes of its body arrived;
/// how many body bytes it got before the client stopped sending.
fn cancelling_receiver(listener: TcpListener, cancel: Cancel, after: usize) -> JoinHandle<usize> {
    std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
        let (mut received, mut head, mut buf) = (0usize, Vec::new(), vec![0u8; 64 << 10]);
        let mut in_body = false;
        loop {
            let n = match stream.read(&mut buf) {
                Ok(0) | Err(_) => return received,
                Ok(n) => n,
            };
            if in_body {
                received += n;
            } else {
                head.extend_from_slice(&buf[..n]);
                if let Some(end) = head.windows(4).position(|w| w == b"\r\n\r\n") {
                    (in_body, received) = (true, head.len() - end - 4);
                }
            }
            if received >= after {
                cancel.cancel();
            }
            if received >= BIG {
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                return received;
            }
        }
    })
}

const BIG: usize = 40 << 20;

#[test]
fn a_cancel_stops_an_upload_between_chunks() {
    let (listener, url) = listen("/keys/k/server-key");
    let cancel = Cancel::new();
    let server = cancelling_receiver(listener, cancel.clone(), 1 << 20);
    let body = vec![7u8; BIG];
    let result = transport().put("uploading the server key", &url, &body, &cancel);
    let received = server.join().expect("server");
    assert!(matches!(result, Err(SdkError::Cancelled)), "{result:?}");
    // Cancelled after 1 MiB, stopped within a chunk; what the sockets held in flight may follow.
    assert!(received < BIG / 4, "the server got {received} of {BIG} bytes");
}

#[test]
fn a_cancel_stops_a_download_between_chunks() {
    let (listener, url) = listen("/jobs/x/output");
    let cancel = Cancel::new();
    let server = {
        let cancel = cancel.clone();
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().expect("accept");
            let _ = stream.read(&mut [0u8; 4096]);
            let part = vec![1u8; 256 << 10];
            let _ =
                stream.write_all(format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\n\r\n", 4 * part.len()).as_bytes());
            let _ = stream.write_all(&part);
            // The last bytes go only after the cancel: the download cannot have ended by then.
            std::thread::sleep(Duration::from_millis(100));
            cancel.cancel();
            for _ in 0..3 {
                let _ = stream.write_all(&part);
            }
        })
    };
    let result = transport().get("downloading the result", &url, 8 << 20, &cancel);
    server.join().expect("server");
    assert!(matches!(result, Err(SdkError::Cancelled)), "{:?}", result.map(|r| r.map(|b| b.len())));
}

#[test]
fn s3_refusals_are_read_from_code_and_message() {
    use super::refusal::read;
    let xml = |code: &str, message: &str| format!("<Error><Code>{code}</Code><Message>{message}</Message></Error>");
    assert!(read(403, &xml("AccessDenied", "Access Denied")).expect("a refusal").may_be_missing());
    for (status, code, message) in
        [(403, "AccessDenied", "Request has expired"), (400, "ExpiredToken", "The provided token has expired.")]
    {
        let refused = read(status, &xml(code, message)).expect("a refusal");
        assert!(matches!(refused, UrlRefusal::Expired { .. }) && !refused.may_be_missing(), "{refused:?}");
    }
    assert_eq!(read(404, &xml("NoSuchKey", "")), None);
    assert_eq!(read(400, &xml("InvalidArgument", "")), None, "a 400 about the request is no refusal");
    assert_eq!(read(500, &xml("InternalError", "")), None);
}

#[test]
fn the_server_key_goes_up_with_the_headers_its_url_is_signed_over() {
    let (listener, bucket) = listen("/keys/k/server-key");
    let bucket_server = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().expect("accept");
        stream.set_read_timeout(Some(Duration::from_secs(20))).expect("timeout");
        let mut request = Vec::new();
        let mut buf = [0u8; 4096];
        while !request.ends_with(b"key bytes") {
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => request.extend_from_slice(&buf[..n]),
            }
        }
        let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        String::from_utf8_lossy(&request).to_lowercase()
    });
    let headers = [("if-none-match", "*"), ("x-amz-checksum-sha256", "c2hhMjU2")];
    let urls = PresignResponse {
        job_id: JobId::random(),
        server_key_put: Some(bucket.clone()),
        server_key_headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        manifest_put: bucket.clone(),
        input_put: bucket.clone(),
        status_get: bucket.clone(),
        output_get: bucket,
        expires_in_seconds: 600,
    };
    let (endpoint, endpoint_server) = serve(vec![super::tests::ok_with(&serde_json::to_string(&urls).expect("json"))]);
    let config = PresignConfig { endpoint, token: "t".into(), wait: WaitPolicy::default(), client_id: None };
    let transport = PresignedTransport::new(config).expect("transport");
    let key = KeyId::of_server_key_bytes(b"key bytes");
    let sizes = UploadSizes { server_key: Some(9), ..super::tests::SIZES };
    let ticket = transport.begin(Some(&key), &sizes, &Cancel::new()).expect("begin");
    transport.upload_server_key(&ticket, b"key bytes", &Cancel::new()).expect("uploaded");
    let request = bucket_server.join().expect("bucket");
    for (name, value) in headers {
        assert!(request.contains(&format!("\r\n{name}: {}\r\n", value.to_lowercase())), "{name} missing: {request}");
    }
    assert!(request.contains("\r\ncontent-length: 9\r\n"), "{request}");
    assert_eq!(endpoint_server.join().expect("endpoint"), 1);
}
