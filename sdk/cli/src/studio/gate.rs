//! Who may ask the studio for what: loopback Host only (no DNS rebinding), the per-run token on
//! every request, and bodies of a known, bounded length. Decided before a byte of body is read.

use rand::RngCore;
use std::fmt;

/// The largest request body read: a document, a payload and a logo, or a set of example pairs.
pub const BODY_LIMIT: usize = 16 << 20;

/// The header every API request carries the token in (the page gets it in its own URL).
pub const TOKEN_HEADER: &str = "x-qrveil-token";

/// The listening port and the secret of one studio run.
pub struct Gate {
    port: u16,
    token: String,
}

// The token is a credential: never print it by accident.
impl fmt::Debug for Gate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Gate").field("port", &self.port).finish_non_exhaustive()
    }
}

/// What a request says about itself, read from its line and headers.
pub struct Asking<'a> {
    pub method: &'a str,
    /// Path and query, as on the request line.
    pub target: &'a str,
    pub host: Option<&'a str>,
    /// The token header's value, if any.
    pub token: Option<&'a str>,
    pub content_length: Option<usize>,
}

/// What a request may reach.
#[derive(Debug, PartialEq, Eq)]
pub enum Route {
    Page,
    Styles,
    Preview,
    Fit,
}

/// Why a request is refused, with the status it gets.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The Host header is not this listener's loopback address: a page on another origin
    /// (DNS rebinding) or a mistyped URL.
    Host,
    Token,
    NotFound,
    Method,
    NoLength,
    TooLarge(usize),
}

impl Refusal {
    pub fn status(&self) -> u16 {
        match self {
            Refusal::Host => 421,
            Refusal::Token => 403,
            Refusal::NotFound => 404,
            Refusal::Method => 405,
            Refusal::NoLength => 411,
            Refusal::TooLarge(_) => 413,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Host => f.write_str("the Host header must be this studio's loopback address (127.0.0.1:PORT)"),
            Refusal::Token => f.write_str("missing or wrong token: open the URL the studio printed when it started"),
            Refusal::NotFound => f.write_str("no such page"),
            Refusal::Method => f.write_str("this address does not take that method"),
            Refusal::NoLength => f.write_str("a request body needs a Content-Length"),
            Refusal::TooLarge(n) => write!(f, "{n} bytes is over the studio's {BODY_LIMIT}-byte request limit"),
        }
    }
}

impl Gate {
    /// A gate with a fresh random token (24 bytes from the OS's generator, as hex).
    pub fn new(port: u16) -> Self {
        let mut bytes = [0u8; 24];
        rand::rng().fill_bytes(&mut bytes);
        Self { port, token: bytes.iter().map(|b| format!("{b:02x}")).collect() }
    }

    pub fn token(&self) -> &str {
        &self.token
    }

    /// The page's address, token included: the one thing a person needs to open.
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}/?token={}", self.port, self.token)
    }

    /// Where the request may go, or why not. The page takes its token from the query, the API
    /// from [`TOKEN_HEADER`] (so a link or an image tag on another site cannot call it).
    pub fn admit(&self, ask: &Asking) -> Result<Route, Refusal> {
        let ours = [format!("127.0.0.1:{}", self.port), format!("localhost:{}", self.port)];
        if !ask.host.is_some_and(|h| ours.iter().any(|o| o.eq_ignore_ascii_case(h))) {
            return Err(Refusal::Host);
        }
        let (path, query) = ask.target.split_once('?').unwrap_or((ask.target, ""));
        let (route, method, token) = match path {
            "/" => (Route::Page, "GET", query.split('&').find_map(|kv| kv.strip_prefix("token="))),
            "/api/styles" => (Route::Styles, "GET", ask.token),
            "/api/preview" => (Route::Preview, "POST", ask.token),
            "/api/fit" => (Route::Fit, "POST", ask.token),
            _ => return Err(Refusal::NotFound),
        };
        if !token.is_some_and(|t| same(t.as_bytes(), self.token.as_bytes())) {
            return Err(Refusal::Token);
        }
        if ask.method != method {
            return Err(Refusal::Method);
        }
        if method == "POST" {
            match ask.content_length {
                None => return Err(Refusal::NoLength),
                Some(n) if n > BODY_LIMIT => return Err(Refusal::TooLarge(n)),
                Some(_) => {}
            }
        }
        Ok(route)
    }
}

/// Equal without a timing difference that tells how much of a guess was right.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ask<'a>(gate: &'a Gate, method: &'a str, target: &'a str, host: &'a str) -> Asking<'a> {
        Asking { method, target, host: Some(host), token: Some(gate.token()), content_length: Some(10) }
    }

    #[test]
    fn every_route_needs_the_loopback_host_and_the_token() {
        let gate = Gate::new(4321);
        let page = format!("/?token={}", gate.token());
        assert_eq!(gate.admit(&ask(&gate, "GET", &page, "127.0.0.1:4321")), Ok(Route::Page));
        assert_eq!(gate.admit(&ask(&gate, "POST", "/api/preview", "localhost:4321")), Ok(Route::Preview));
        // DNS rebinding: the browser sends the attacker's name as Host.
        assert_eq!(gate.admit(&ask(&gate, "GET", &page, "evil.example:4321")), Err(Refusal::Host));
        assert_eq!(gate.admit(&ask(&gate, "GET", &page, "127.0.0.1:4322")), Err(Refusal::Host));
        assert_eq!(gate.admit(&ask(&gate, "GET", "/?token=00", "127.0.0.1:4321")), Err(Refusal::Token));
        let mut no_token = ask(&gate, "POST", "/api/preview", "127.0.0.1:4321");
        no_token.token = None;
        assert_eq!(gate.admit(&no_token), Err(Refusal::Token));
        // The page's query token does not open the API.
        let mut query = ask(&gate, "GET", "/api/styles", "127.0.0.1:4321");
        query.token = None;
        query.target = &page;
        assert_eq!(gate.admit(&query), Ok(Route::Page));
    }

    #[test]
    fn bodies_must_say_their_length_and_stay_under_the_limit() {
        let gate = Gate::new(1);
        let mut a = ask(&gate, "POST", "/api/fit", "127.0.0.1:1");
        a.content_length = None;
        assert_eq!(gate.admit(&a), Err(Refusal::NoLength));
        a.content_length = Some(BODY_LIMIT + 1);
        assert_eq!(gate.admit(&a), Err(Refusal::TooLarge(BODY_LIMIT + 1)));
        assert_eq!(gate.admit(&ask(&gate, "GET", "/api/preview", "127.0.0.1:1")), Err(Refusal::Method));
    }

    #[test]
    fn tokens_differ_per_run_and_stay_out_of_debug_output() {
        let (a, b) = (Gate::new(1), Gate::new(1));
        assert_ne!(a.token(), b.token());
        assert_eq!(a.token().len(), 48);
        assert!(!format!("{a:?}").contains(a.token()));
    }
}
