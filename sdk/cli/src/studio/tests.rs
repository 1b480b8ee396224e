//! The studio's HTTP API on a real loopback listener, spoken to as a browser would, byte by byte.

use super::server::Studio;
use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::OnceLock;

/// One studio per test binary (a fresh key each run, as `qrveil studio` makes).
fn studio() -> &'static (String, String, u16) {
    static STUDIO: OnceLock<(String, String, u16)> = OnceLock::new();
    STUDIO.get_or_init(|| {
        let studio = Studio::bind(0).expect("bind");
        let url = studio.url();
        let port: u16 = url.split(':').nth(2).and_then(|s| s.split('/').next()).unwrap().parse().unwrap();
        let token = url.split("token=").nth(1).unwrap().to_string();
        std::thread::spawn(move || studio.serve());
        (url, token, port)
    })
}

struct Reply {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Reply {
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&self.body)))
    }
}

/// Send raw request bytes and read the whole answer (the request asks to close).
fn send(raw: &[u8]) -> Reply {
    let mut stream = TcpStream::connect(("127.0.0.1", studio().2)).unwrap();
    stream.write_all(raw).unwrap();
    let mut bytes = Vec::new();
    stream.read_to_end(&mut bytes).unwrap();
    let split = bytes.windows(4).position(|w| w == b"\r\n\r\n").expect("a header") + 4;
    let head = String::from_utf8_lossy(&bytes[..split]).to_string();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let mut body = bytes[split..].to_vec();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        body = unchunk(&body);
    }
    Reply { status, head, body }
}

fn unchunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let line = rest.windows(2).position(|w| w == b"\r\n").unwrap();
        let size = usize::from_str_radix(std::str::from_utf8(&rest[..line]).unwrap().trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.extend_from_slice(&rest[line + 2..line + 2 + size]);
        rest = &rest[line + 4 + size..];
    }
}

fn request(method: &str, path: &str, host: &str, token: Option<&str>, body: &[u8]) -> Reply {
    let mut raw = format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n");
    if let Some(t) = token {
        raw += &format!("x-qrveil-token: {t}\r\n");
    }
    if method == "POST" {
        raw += &format!("Content-Type: application/json\r\nContent-Length: {}\r\n", body.len());
    }
    let mut raw = (raw + "\r\n").into_bytes();
    raw.extend_from_slice(body);
    send(&raw)
}

fn host() -> String {
    format!("127.0.0.1:{}", studio().2)
}

fn post(path: &str, body: &Value) -> Reply {
    request("POST", path, &host(), Some(&studio().1), body.to_string().as_bytes())
}

fn document(kind: &str) -> Value {
    json!({ "qrveilStyle": 1, "dotsOptions": { "type": kind, "color": "#1e1e5a" },
            "cornersSquareOptions": { "type": "square" }, "cornersDotOptions": { "type": "square" } })
}

#[test]
fn the_page_needs_its_token_and_carries_it_to_the_api() {
    let (url, token, _) = studio();
    let path = &url[url.find("/?").unwrap()..];
    let page = request("GET", path, &host(), None, b"");
    assert_eq!(page.status, 200);
    let html = String::from_utf8_lossy(&page.body);
    assert!(html.contains(token.as_str()) && !html.contains("{{"), "every placeholder filled");
    assert!(page.head.to_ascii_lowercase().contains("content-security-policy: default-src 'none'"));
    let wrong = request("GET", "/?token=0123", &host(), None, b"");
    assert_eq!(wrong.status, 403);
    assert!(wrong.json()["error"].as_str().unwrap().contains("token"));
}

#[test]
fn requests_from_other_names_or_without_the_token_are_refused() {
    let (_, token, port) = studio();
    // DNS rebinding: a page on evil.example resolved to 127.0.0.1 sends its own Host.
    let rebound = request("POST", "/api/preview", &format!("evil.example:{port}"), Some(token), b"{}");
    assert_eq!(rebound.status, 421);
    assert!(rebound.json()["error"].as_str().unwrap().contains("Host"));
    assert_eq!(request("POST", "/api/preview", &host(), None, b"{}").status, 403);
    assert_eq!(request("POST", "/api/preview", &host(), Some("f00"), b"{}").status, 403);
    assert_eq!(request("GET", "/api/styles", &host(), Some(token), b"").status, 200);
    assert_eq!(request("GET", "/etc/passwd", &host(), Some(token), b"").status, 404);
}

#[test]
fn oversized_and_malformed_requests_get_clear_errors() {
    let (_, token, _) = studio();
    // Refused from the header alone, before the body is read.
    let raw = format!(
        "POST /api/preview HTTP/1.1\r\nHost: {}\r\nx-qrveil-token: {token}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        host(),
        64 << 20
    );
    let big = send(raw.as_bytes());
    assert_eq!(big.status, 413);
    assert!(big.json()["error"].as_str().unwrap().contains("limit"));
    let malformed = request("POST", "/api/preview", &host(), Some(token), b"{\"document\": ");
    assert_eq!(malformed.status, 400);
    assert!(malformed.json()["error"].as_str().unwrap().contains("not a preview request"));
    let unknown = post("/api/preview", &json!({ "document": document("hexagons"), "payload": "hi" }));
    assert_eq!(unknown.status, 422);
    assert!(unknown.json()["error"].as_str().unwrap().contains("hexagons"));
    let logo = post("/api/preview", &json!({ "document": document("dots"), "payload": "hi", "logo": "not base64!" }));
    assert_eq!(logo.status, 422);
    let fit = post("/api/fit", &json!({ "examples": [] }));
    assert_eq!(fit.status, 422);
}

fn image(reply: &Reply) -> Vec<u8> {
    assert_eq!(reply.status, 200, "{}", String::from_utf8_lossy(&reply.body));
    BASE64.decode(reply.json()["image"].as_str().unwrap()).unwrap()
}

/// What rqrr (quirc's algorithm: not one of the pipeline's judges) reads in a PNG.
fn read_png(png: &[u8]) -> String {
    let grey = image::load_from_memory(png).unwrap().to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(grey);
    let grids = prepared.detect_grids();
    grids.first().expect("a code").decode().expect("decodes").1
}

#[test]
fn a_preview_is_made_by_the_pipeline_and_reads_as_its_payload() {
    let payload = "WIFI:T:WPA;S:studio;P:not shown anywhere;;";
    let reply = post("/api/preview", &json!({ "document": document("rounded"), "payload": payload }));
    let png = image(&reply);
    assert_eq!(read_png(&png), payload);
    let answer = reply.json();
    let report = &answer["report"];
    assert_eq!(report["tier"], "linear");
    assert_eq!(report["pbs"], 0);
    assert_eq!(report["judges"], json!(["rxing", "zxing-cpp"]));
    assert!(report["colours"].as_array().unwrap().iter().any(|c| c["part"] == "dots" && c["chosen"] == "#1e1e5a"));
    assert!(answer["milliseconds"].as_f64().unwrap() > 0.0);
    let svg = image(&post("/api/preview", &json!({ "document": document("dots"), "payload": "x", "format": "svg" })));
    assert!(String::from_utf8(svg).unwrap().contains("<svg"));
    let jpeg = image(&post("/api/preview", &json!({ "document": document("dots"), "payload": "x", "format": "jpeg" })));
    assert_eq!(&jpeg[..2], &[0xff, 0xd8]);
}

#[test]
fn every_built_in_look_is_offered_as_a_document_the_preview_takes() {
    let styles = request("GET", "/api/styles", &host(), Some(&studio().1), b"").json();
    let styles = styles["styles"].as_array().unwrap();
    assert_eq!(styles.len(), qrveil_style::StyleId::ALL.len());
    let rounded = styles.iter().find(|s| s["name"] == "rounded").unwrap();
    let png = image(&post("/api/preview", &json!({ "document": rounded["document"], "payload": "studio" })));
    assert_eq!(read_png(&png), "studio");
}

#[test]
fn learning_from_examples_streams_progress_then_a_document() {
    // Example pairs drawn by the pipeline itself: a look and the plain code of the same symbol.
    let pair = |text: &str| {
        let styled = image(&post("/api/preview", &json!({ "document": document("rounded"), "payload": text })));
        let plain = json!({ "qrveilStyle": 1, "dotsOptions": { "type": "square", "color": "#000000" },
                            "readability": "vivid" });
        let plain = image(&post("/api/preview", &json!({ "document": plain, "payload": text })));
        json!({ "name": text, "styled": BASE64.encode(styled), "plain": BASE64.encode(plain) })
    };
    let reply = post("/api/fit", &json!({ "examples": [pair("one"), pair("two")], "model": "vertex" }));
    assert_eq!(reply.status, 200);
    assert!(reply.head.contains("application/x-ndjson"));
    let lines: Vec<Value> =
        String::from_utf8(reply.body.clone()).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert!(lines.iter().any(|l| l["progress"]["stage"] == "learning tiles"));
    let done = &lines.last().unwrap()["done"];
    assert_eq!(done["document"]["dotsOptions"]["type"], "fitted", "{done}");
    assert_eq!(done["figures"]["examples"], 2);
    // The fitted document renders, and reads.
    let png = image(&post("/api/preview", &json!({ "document": done["document"], "payload": "fitted" })));
    assert_eq!(read_png(&png), "fitted");
}
