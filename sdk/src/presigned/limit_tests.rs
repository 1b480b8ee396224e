//! What the transport tells the presign endpoint (sizes, this install's id), how it waits out
//! a rate limit, and a server key another device uploaded first.

use super::tests::{serve, urls_answer, SIZES};
use super::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

/// An endpoint on loopback answering each request with the next of `answers`; the bodies it
/// got, in order.
fn endpoint(answers: Vec<String>) -> (String, std::thread::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://127.0.0.1:{}/presign", listener.local_addr().expect("addr").port());
    let server = std::thread::spawn(move || {
        let mut bodies = Vec::new();
        for answer in answers {
            let Ok((stream, _)) = listener.accept() else { break };
            let mut reader = BufReader::new(&stream);
            let (mut line, mut length) = (String::new(), 0);
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                if let Some(value) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = value.trim().parse().unwrap_or(0);
                }
                line.clear();
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            bodies.push(String::from_utf8_lossy(&body).into_owned());
            let _ = (&stream).write_all(answer.as_bytes());
        }
        bodies
    });
    (url, server)
}

fn job_urls() -> String {
    urls_answer("http://127.0.0.1:9/jobs/x/object", 600).to_string()
}

fn too_many(retry_after: u64) -> String {
    let body = r#"{"error":"over this client's request rate; try again"}"#;
    format!(
        "HTTP/1.1 429 Too Many Requests\r\nRetry-After: {retry_after}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn transport_at(endpoint: String, wait_seconds: u64, client_id: Option<ClientId>) -> PresignedTransport {
    let wait = WaitPolicy { timeout: Duration::from_secs(wait_seconds), ..WaitPolicy::default() };
    PresignedTransport::new(PresignConfig { endpoint, token: "t".into(), wait, client_id }).expect("transport")
}

#[test]
fn a_presign_request_names_the_upload_sizes_and_this_installs_id() {
    let (url, server) = endpoint(vec![job_urls()]);
    let id = ClientId::random();
    let sizes = UploadSizes { server_key: Some(45 << 20), ..SIZES };
    let key = KeyId::of_server_key_bytes(b"key");
    transport_at(url, 5, Some(id.clone())).begin(Some(&key), &sizes, &Cancel::new()).expect("begin");
    let sent: PresignRequest = serde_json::from_str(&server.join().expect("server")[0]).expect("a request");
    assert_eq!((sent.sizes, sent.client_id, sent.key_id), (Some(sizes), Some(id), Some(key)));
}

#[test]
fn a_rate_limit_is_waited_out_when_its_retry_after_fits_the_wait() {
    let (url, server) = endpoint(vec![too_many(1), job_urls()]);
    let started = Instant::now();
    transport_at(url, 5, None).begin(None, &SIZES, &Cancel::new()).expect("the second answer");
    assert!(started.elapsed() >= Duration::from_secs(1), "asked again before Retry-After");
    assert_eq!(server.join().expect("server").len(), 2);
}

#[test]
fn a_rate_limit_longer_than_the_wait_fails_at_once_saying_when_to_retry() {
    let (url, server) = endpoint(vec![too_many(3600)]);
    let started = Instant::now();
    let error = transport_at(url, 30, None).begin(None, &SIZES, &Cancel::new()).expect_err("rate limited");
    assert!(started.elapsed() < Duration::from_secs(5), "waited for an answer it knew");
    assert!(matches!(error, SdkError::RateLimited { retry_after: 3600, .. }), "{error:?}");
    assert!(error.to_string().contains("try again in 3600 s"), "{error}");
    assert_eq!(server.join().expect("server").len(), 1);
}

#[test]
fn a_cancel_ends_the_wait_for_a_rate_limit() {
    let (url, _server) = endpoint(vec![too_many(20)]);
    let cancel = Cancel::new();
    let later = cancel.clone();
    std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        later.cancel();
    });
    let started = Instant::now();
    let error = transport_at(url, 60, None).begin(None, &SIZES, &cancel).expect_err("cancelled");
    assert!(matches!(error, SdkError::Cancelled), "{error:?}");
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn a_server_key_another_device_created_first_counts_as_uploaded() {
    const TAKEN: &str = "HTTP/1.1 412 Precondition Failed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    let (url, server) = serve(vec![TAKEN]);
    let headers = [("x-amz-checksum-sha256", "c2hh"), ("if-none-match", "*")];
    http::put(&http::agent(), "uploading the server key", &url, b"key", &headers, &Cancel::new())
        .expect("there already");
    assert_eq!(server.join().expect("server"), 1);
    // Without the condition, a 412 is no success.
    let (url, _server) = serve(vec![TAKEN]);
    let plain = http::put(&http::agent(), "uploading", &url, b"bytes", &[], &Cancel::new());
    assert!(plain.is_err());
}
