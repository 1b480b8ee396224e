//! The studio's HTTP server: a tiny_http listener on 127.0.0.1, a thread per admitted request
//! (a few at once), the page and its API behind the [`Gate`].

use super::api::{self, Answer};
use super::gate::{Asking, Gate, Route, BODY_LIMIT, TOKEN_HEADER};
use qrveil_sdk::Keys;
use std::io::{Read, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver};
use std::sync::Arc;
use tiny_http::{Header, Request, Response, Server};

/// The page's markup, style and script, sent as one document with every asset inline: the
/// studio reaches nothing beyond this process.
const PAGE_HTML: &str = include_str!("page.html");
const PAGE_CSS: &str = include_str!("page.css");
const PAGE_JS: &str = include_str!("page.js");

/// The page as sent, with this run's token for its API calls.
fn page(token: &str) -> String {
    PAGE_HTML.replace("{{STYLE}}", PAGE_CSS).replace("{{SCRIPT}}", &PAGE_JS.replace("{{TOKEN}}", token))
}

/// Inline script and style only, images from data: and blob: URLs, requests to this origin.
const CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
                   img-src data: blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Requests worked on at once (previews take tens of milliseconds, a fit seconds); more get 503.
const AT_ONCE: usize = 4;

/// A bound studio: its listener, gate, keys and the folder its preview buckets live in.
pub struct Studio {
    server: Arc<Server>,
    shared: Arc<Shared>,
}

struct Shared {
    gate: Gate,
    /// This run's client keys: made when the studio starts, never saved.
    keys: Keys,
    work: tempfile::TempDir,
    busy: AtomicUsize,
}

impl Studio {
    /// Listen on 127.0.0.1:`port` (0: a free port), with a fresh token and fresh keys.
    pub fn bind(port: u16) -> Result<Self, String> {
        let server =
            Server::http(("127.0.0.1", port)).map_err(|e| format!("cannot listen on 127.0.0.1:{port}: {e}"))?;
        let port = server.server_addr().to_ip().map(|a| a.port()).ok_or("the listener has no IP address")?;
        let work = tempfile::Builder::new()
            .prefix("qrveil-studio-")
            .tempdir()
            .map_err(|e| format!("cannot make a working folder: {e}"))?;
        let shared = Shared { gate: Gate::new(port), keys: Keys::generate(), work, busy: AtomicUsize::new(0) };
        Ok(Self { server: Arc::new(server), shared: Arc::new(shared) })
    }

    pub fn url(&self) -> String {
        self.shared.gate.url()
    }

    /// The folder every preview's bucket is made in (removed with the studio).
    pub fn work_dir(&self) -> &Path {
        self.shared.work.path()
    }

    /// Answer requests until the listener is stopped.
    pub fn serve(&self) {
        for request in self.server.incoming_requests() {
            if self.shared.busy.fetch_add(1, Ordering::SeqCst) >= AT_ONCE {
                self.shared.busy.fetch_sub(1, Ordering::SeqCst);
                respond(request, Answer::error(503, "the studio is busy: try again in a moment"));
                continue;
            }
            let shared = Arc::clone(&self.shared);
            std::thread::spawn(move || {
                handle(&shared, request);
                shared.busy.fetch_sub(1, Ordering::SeqCst);
            });
        }
    }
}

fn header<'a>(request: &'a Request, name: &'static str) -> Option<&'a str> {
    request.headers().iter().find(|h| h.field.equiv(name)).map(|h| h.value.as_str())
}

fn handle(shared: &Shared, mut request: Request) {
    let method = request.method().as_str().to_string();
    let asking = Asking {
        method: &method,
        target: request.url(),
        host: header(&request, "Host"),
        token: header(&request, TOKEN_HEADER),
        content_length: request.body_length(),
    };
    let route = match shared.gate.admit(&asking) {
        Ok(route) => route,
        Err(refusal) => return respond(request, Answer::error(refusal.status(), refusal)),
    };
    let body = match route {
        Route::Page | Route::Styles => Vec::new(),
        Route::Preview | Route::Fit => {
            let mut body = Vec::new();
            let read = request.as_reader().take(BODY_LIMIT as u64 + 1).read_to_end(&mut body);
            match read {
                Err(e) => return respond(request, Answer::error(400, format!("could not read the request: {e}"))),
                Ok(n) if n > BODY_LIMIT => return respond(request, Answer::error(413, "the request is too large")),
                Ok(_) => body,
            }
        }
    };
    match route {
        Route::Page => {
            let page = page(shared.gate.token()).into_bytes();
            let answer = Answer { status: 200, content_type: "text/html; charset=utf-8", body: page };
            respond(request, answer)
        }
        Route::Styles => respond(request, api::styles()),
        Route::Preview => respond(request, api::preview(&shared.keys, shared.work.path(), &body)),
        Route::Fit => match api::fit_request(&body) {
            Err(answer) => respond(request, answer),
            Ok((examples, options)) => {
                let (lines, received) = mpsc::channel();
                std::thread::spawn(move || api::run_fit(&examples, &options, &lines));
                // The page may have gone; nothing to tell it then.
                let _ = stream_lines(request, &received);
            }
        },
    }
}

/// Every answer's headers: its type, no caching (answers hold images of private codes), no
/// referrer (the page's URL holds the token), no framing.
fn headers(content_type: &str) -> Vec<Header> {
    [
        ("Content-Type", content_type),
        ("Cache-Control", "no-store"),
        ("Referrer-Policy", "no-referrer"),
        ("X-Content-Type-Options", "nosniff"),
        ("Content-Security-Policy", CSP),
    ]
    .iter()
    .filter_map(|(k, v)| Header::from_bytes(k.as_bytes(), v.as_bytes()).ok())
    .collect()
}

fn respond(request: Request, answer: Answer) {
    let mut response = Response::from_data(answer.body).with_status_code(answer.status);
    for h in headers(answer.content_type) {
        response.add_header(h);
    }
    // A client that hung up needs no answer.
    let _ = request.respond(response);
}

/// Send each line the moment it comes (tiny_http's own chunked writer holds 8 KiB back), as
/// chunks of one `application/x-ndjson` answer that ends when the sender does.
fn stream_lines(request: Request, received: &Receiver<Vec<u8>>) -> std::io::Result<()> {
    let mut out = request.into_writer();
    let mut head = String::from("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n");
    for h in headers("application/x-ndjson") {
        head.push_str(&format!("{}: {}\r\n", h.field, h.value));
    }
    out.write_all((head + "\r\n").as_bytes())?;
    out.flush()?;
    for line in received {
        out.write_all(format!("{:x}\r\n", line.len()).as_bytes())?;
        out.write_all(&line)?;
        out.write_all(b"\r\n")?;
        out.flush()?;
    }
    out.write_all(b"0\r\n\r\n")?;
    out.flush()
}
