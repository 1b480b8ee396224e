//! The presign endpoint's answers, decided before or without a bucket.

use super::*;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use qrveil_protocol::presign::{PresignResponse, UploadSizes};

const TOKEN: &str = "correct-horse-battery-staple";
/// A linear-tier job's sizes, and a request with them.
const SIZES: UploadSizes = UploadSizes { manifest: 900, input: 40_000, server_key: None };
const LINEAR: &[u8] = br#"{"sizes": {"manifest": 900, "input": 40000}}"#;

/// A client for a bucket nobody serves: every answer below is decided before any request
/// leaves (presigning a URL is local work).
fn presigner() -> Presigner {
    presigner_at("http://127.0.0.1:9")
}

fn presigner_at(endpoint: &str) -> Presigner {
    let config = aws_sdk_s3::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDEXAMPLE", "not-a-real-secret", None, None, "test"))
        .endpoint_url(endpoint)
        .force_path_style(true)
        .build();
    Presigner::new(Client::from_conf(config), "jobs-bucket", TOKEN, Duration::from_secs(900))
}

/// A bucket on loopback that answers every request with `head` (a status line and headers, no
/// body) and counts the requests; it serves until the test ends.
fn bucket_answering(head: &'static str) -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{BufRead, BufReader, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let requests = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let counted = requests.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(&stream);
            let mut line = String::new();
            while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                line.clear();
            }
            counted.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let _ = (&stream).write_all(format!("{head}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n").as_bytes());
        }
    });
    (url, requests)
}

fn key_job(presigner: &Presigner, key: &KeyId) -> (u16, Option<PresignResponse>) {
    let request = qrveil_protocol::presign::PresignRequest {
        key_id: Some(key.clone()),
        sizes: Some(UploadSizes { server_key: Some(45 << 20), ..SIZES }),
        ..Default::default()
    };
    let body = serde_json::to_vec(&request).expect("json");
    let reply = tokio::runtime::Runtime::new().expect("runtime").block_on(presigner.handle(
        "POST",
        Some(&bearer(TOKEN)),
        "127.0.0.1",
        &body,
    ));
    (reply.status, serde_json::from_slice(&reply.body).ok())
}

/// The headers a presigned URL's signature covers.
fn signed_headers(url: &str) -> Vec<String> {
    let signed = url.split(['?', '&']).find_map(|p| p.strip_prefix("X-Amz-SignedHeaders=")).unwrap_or_default();
    signed.split("%3B").map(str::to_string).collect()
}

#[test]
fn a_linear_only_deployment_takes_no_server_keys() {
    let (bucket, requests) = bucket_answering("HTTP/1.1 404 Not Found");
    let key = KeyId::of_server_key_bytes(b"a server key");
    let (status, urls) = key_job(&presigner_at(&bucket), &key);
    assert_eq!((status, urls.is_none()), (422, true), "{urls:?}");
    assert_eq!(requests.load(std::sync::atomic::Ordering::SeqCst), 0, "the bucket was asked about the key");
    // The same request on a deployment serving the PBS tier gets its upload.
    let (status, urls) = key_job(&presigner_at(&bucket).serving_pbs(true), &key);
    assert_eq!(status, 200);
    assert!(urls.and_then(|u| u.server_key_put).is_some());
}

#[test]
fn a_first_key_upload_is_signed_over_its_checksum_and_if_none_match() {
    let (bucket, _) = bucket_answering("HTTP/1.1 404 Not Found");
    let key = KeyId::of_server_key_bytes(b"a server key");
    let (status, urls) = key_job(&presigner_at(&bucket).serving_pbs(true), &key);
    let urls = urls.expect("job URLs");
    let put = urls.server_key_put.as_deref().expect("an upload");
    assert_eq!(
        (status, put.split('?').next()),
        (200, Some(&*format!("{bucket}/jobs-bucket/keys/{}/server-key", key.as_str())))
    );
    let signed = signed_headers(put);
    for header in ["x-amz-checksum-sha256", "if-none-match"] {
        assert!(signed.iter().any(|h| h == header), "{header} is not signed: {signed:?}");
    }
    // The client is told to send exactly the values signed: S3 takes only the key's own bytes.
    assert_eq!(urls.server_key_headers.get("x-amz-checksum-sha256"), Some(&key.checksum_sha256()));
    assert_eq!(urls.server_key_headers.get("if-none-match").map(String::as_str), Some("*"));
    assert_eq!(urls.server_key_headers.get("x-amz-sdk-checksum-algorithm").map(String::as_str), Some("SHA256"));
}

#[test]
fn a_key_the_bucket_holds_with_its_checksum_is_not_uploaded_again() {
    let key = KeyId::of_server_key_bytes(b"a server key");
    let head = format!("HTTP/1.1 200 OK\r\nx-amz-checksum-sha256: {}", key.checksum_sha256());
    let (bucket, _) = bucket_answering(Box::leak(head.into_boxed_str()));
    let (status, urls) = key_job(&presigner_at(&bucket).serving_pbs(true), &key);
    let urls = urls.expect("job URLs");
    assert_eq!((status, urls.server_key_put, urls.server_key_headers.len()), (200, None, 0));
}

#[test]
fn an_object_not_known_to_be_the_key_is_offered_a_fresh_upload() {
    // Uploaded before checksums were signed, or damaged: jobs would fail with a bad key until
    // the object expired. The replacement is still limited to the key's own bytes.
    let key = KeyId::of_server_key_bytes(b"a server key");
    for head in
        ["HTTP/1.1 200 OK", "HTTP/1.1 200 OK\r\nx-amz-checksum-sha256: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="]
    {
        let (bucket, _) = bucket_answering(head);
        let (status, urls) = key_job(&presigner_at(&bucket).serving_pbs(true), &key);
        let urls = urls.expect("job URLs");
        assert_eq!(status, 200);
        let put = urls.server_key_put.as_deref().expect("a fresh upload");
        assert!(signed_headers(put).iter().any(|h| h == "x-amz-checksum-sha256"), "{head}");
        assert_eq!(urls.server_key_headers.get("x-amz-checksum-sha256"), Some(&key.checksum_sha256()));
        assert_eq!(urls.server_key_headers.get("if-none-match"), None, "{head}: a replacement must not need absence");
    }
}

fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

async fn status(method: &str, authorization: Option<&str>, body: &[u8]) -> u16 {
    presigner().handle(method, authorization, "127.0.0.1", body).await.status
}

#[tokio::test]
async fn only_post_is_answered() {
    for method in ["GET", "PUT", "DELETE", "post"] {
        assert_eq!(status(method, Some(&bearer(TOKEN)), b"{}").await, 405, "{method}");
    }
}

#[tokio::test]
async fn anything_but_the_exact_token_is_refused() {
    let near_misses = [
        None,
        Some(TOKEN.to_string()),
        Some(format!("Basic {TOKEN}")),
        Some(format!("bearer {TOKEN}")),
        Some(bearer(&TOKEN[..TOKEN.len() - 1])),
        Some(bearer(&format!("{TOKEN}x"))),
        Some(bearer(&TOKEN.to_uppercase())),
        Some(bearer("")),
    ];
    for authorization in near_misses {
        assert_eq!(status("POST", authorization.as_deref(), b"{}").await, 401, "{authorization:?}");
    }
    // Blanks around the token are a copy-paste accident, not a different token.
    assert_eq!(status("POST", Some(&bearer(&format!(" {TOKEN}\n"))), LINEAR).await, 200);
}

#[tokio::test]
async fn size_limit_holds_at_the_byte_and_strangers_never_learn_it() {
    let padded = |len: usize| {
        let mut body = LINEAR.to_vec();
        body.resize(len, b' ');
        body
    };
    assert_eq!(status("POST", Some(&bearer(TOKEN)), &padded(REQUEST_LIMIT)).await, 200);
    assert_eq!(status("POST", Some(&bearer(TOKEN)), &padded(REQUEST_LIMIT + 1)).await, 413);
    assert_eq!(status("POST", Some(&bearer("wrong-token-of-some-length")), &padded(REQUEST_LIMIT + 1)).await, 401);
}

#[tokio::test]
async fn malformed_requests_get_400_with_what_to_send() {
    for body in [&b"not json"[..], b"[]", b"{\"key_id\": \"abc\"}", b"{\"keyid\": null}", b"\xff\xfe"] {
        let reply = presigner().handle("POST", Some(&bearer(TOKEN)), "127.0.0.1", body).await;
        assert_eq!(reply.status, 400, "{}", String::from_utf8_lossy(body));
        let error: PresignError = serde_json::from_slice(&reply.body).expect("a JSON error");
        assert!(error.error.contains("key_id"), "{}", error.error);
    }
}

#[tokio::test]
async fn a_linear_job_gets_urls_for_exactly_its_objects() {
    let reply = presigner().handle("POST", Some(&bearer(TOKEN)), "127.0.0.1", LINEAR).await;
    assert_eq!(reply.status, 200);
    let urls: PresignResponse = serde_json::from_slice(&reply.body).expect("job URLs");
    assert_eq!(urls.server_key_put, None, "a linear job names no key");
    assert_eq!(urls.expires_in_seconds, 900);
    let job = urls.job_id.as_str();
    for (url, object) in [
        (&urls.manifest_put, "manifest"),
        (&urls.input_put, "input"),
        (&urls.status_get, "status"),
        (&urls.output_get, "output"),
    ] {
        let path = url.split('?').next().unwrap_or_default();
        assert_eq!(path, format!("http://127.0.0.1:9/jobs-bucket/jobs/{job}/{object}"));
        assert!(url.contains("X-Amz-Expires=900") && url.contains("X-Amz-Signature="), "{url}");
    }
    let again: PresignResponse =
        serde_json::from_slice(&presigner().handle("POST", Some(&bearer(TOKEN)), "127.0.0.1", LINEAR).await.body)
            .expect("URLs");
    assert_ne!(again.job_id, urls.job_id, "every request starts a new job");
}

#[tokio::test]
async fn every_upload_url_is_signed_over_its_exact_length() {
    let reply = presigner().handle("POST", Some(&bearer(TOKEN)), "127.0.0.1", LINEAR).await;
    let urls: PresignResponse = serde_json::from_slice(&reply.body).expect("job URLs");
    for url in [&urls.manifest_put, &urls.input_put] {
        assert!(signed_headers(url).iter().any(|h| h == "content-length"), "{url}");
    }
    // The download URLs sign no length: the function writes those objects.
    assert!(!signed_headers(&urls.output_get).iter().any(|h| h == "content-length"));
}

#[test]
fn a_server_key_upload_is_signed_over_its_length_too() {
    let (bucket, _) = bucket_answering("HTTP/1.1 404 Not Found");
    let (_, urls) = key_job(&presigner_at(&bucket).serving_pbs(true), &KeyId::of_server_key_bytes(b"k"));
    let put = urls.and_then(|u| u.server_key_put).expect("an upload");
    assert!(signed_headers(&put).iter().any(|h| h == "content-length"), "{put}");
    // The client sends its length from the body: listing it too would send it twice.
    let (_, urls) = key_job(&presigner_at(&bucket).serving_pbs(true), &KeyId::of_server_key_bytes(b"k"));
    let headers = urls.expect("job URLs").server_key_headers;
    assert!(!headers.contains_key("content-length"), "{headers:?}");
}

#[tokio::test]
async fn requests_without_sizes_or_with_sizes_the_function_would_refuse_get_400() {
    for body in [
        &b"{}"[..],
        br#"{"sizes": {"manifest": 900, "input": 99999999999}}"#,
        br#"{"sizes": {"manifest": 0, "input": 1}}"#,
    ] {
        let reply = presigner().handle("POST", Some(&bearer(TOKEN)), "127.0.0.1", body).await;
        let error: qrveil_protocol::presign::PresignError = serde_json::from_slice(&reply.body).expect("a JSON error");
        assert_eq!(reply.status, 400, "{}", String::from_utf8_lossy(body));
        assert!(error.error.contains("sizes"), "{}", error.error);
    }
}
