//! What a refusal through a presigned URL means. S3 answers an error with a short XML document
//! whose `<Code>` (and for some, `<Message>`) says why; the answers that waiting or retrying
//! the same URL cannot mend are typed here, each with what to do instead.

/// Why a request through a presigned URL (or to the presign endpoint) was refused. None of
/// these passes by waiting or by retrying the same URL.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum UrlRefusal {
    /// An HTTP 3xx. Redirects are never followed: a URL is used only where it points, so a
    /// signature or a token cannot be led elsewhere (or off HTTPS).
    #[error("the server answered HTTP {status}, a redirect, which is refused (a URL is used only where it points); check the presign endpoint's address and the bucket's")]
    Redirect { status: u16 },
    /// S3's `AccessDenied` with "Request has expired", or the signer's temporary credentials
    /// expired (`ExpiredToken`).
    #[error("the URL expired (HTTP {status} {code}); ask the presign endpoint for new URLs, that is, run the job again (S3 checks a URL's expiry when a request starts, so this is a wait or a retry that began too late)")]
    Expired { status: u16, code: String },
    /// `RequestTimeTooSkewed`, or a URL "not yet valid": the time the URL was signed at and
    /// the bucket's clock differ. The presign endpoint signs, so its host's clock is off.
    #[error("the bucket's clock and the URL's signing time differ (HTTP {status} {code}): the clock of the host that signs the URLs (the presign endpoint) is off; set it right, then run the job again")]
    ClockSkew { status: u16, code: String },
    /// `SignatureDoesNotMatch` and kin: the URL or its signed headers were changed on the way,
    /// or were signed with credentials the bucket does not know.
    #[error("the bucket refused the URL's signature (HTTP {status} {code}): the URL or its headers were changed on the way (a proxy?) or signed with credentials the bucket does not know; run the job again, and if this persists check the presign endpoint's credentials")]
    BadSignature { status: u16, code: String },
    /// Any other refusal (a 403, or a 400 of authentication).
    #[error("the bucket refused the request (HTTP {status}{code}): the presign endpoint's role may lack the permission; check its policy", code = with_space(.code))]
    Denied { status: u16, code: String },
}

impl UrlRefusal {
    /// S3's plain `AccessDenied` is also its answer for an object that does not exist when the
    /// URL's signer may not list the bucket: while a result is awaited, it may mean "not yet".
    pub fn may_be_missing(&self) -> bool {
        matches!(self, Self::Denied { status: 403, code } if code == "AccessDenied")
    }
}

fn with_space(code: &str) -> String {
    if code.is_empty() {
        String::new()
    } else {
        format!(" {code}")
    }
}

/// The refusal an error answer is, if it is one: every 403, and the 400s of authentication.
/// `None` for the rest (a 404, a 5xx, a 400 about the request itself).
pub(super) fn read(status: u16, body: &str) -> Option<UrlRefusal> {
    if status != 400 && status != 403 {
        return None;
    }
    let code = element(body, "Code").unwrap_or_default().to_string();
    let message = element(body, "Message").unwrap_or_default().to_ascii_lowercase();
    let refusal = match code.as_str() {
        "ExpiredToken" | "TokenRefreshRequired" => UrlRefusal::Expired { status, code },
        "RequestTimeTooSkewed" => UrlRefusal::ClockSkew { status, code },
        "SignatureDoesNotMatch" | "InvalidAccessKeyId" | "AuthorizationQueryParametersError" | "InvalidToken" => {
            UrlRefusal::BadSignature { status, code }
        }
        // An expired URL and one signed in the future are both AccessDenied; the message says which.
        "AccessDenied" if message.contains("expired") => UrlRefusal::Expired { status, code },
        "AccessDenied" if message.contains("not yet valid") || message.contains("not valid yet") => {
            UrlRefusal::ClockSkew { status, code }
        }
        _ if status == 403 => UrlRefusal::Denied { status, code },
        _ => return None,
    };
    Some(refusal)
}

/// The text of the first `<name>` element of an XML body, unescaped no further (S3's codes
/// and the messages looked at here have no entities).
pub(super) fn element<'a>(body: &'a str, name: &str) -> Option<&'a str> {
    let open = format!("<{name}>");
    let start = body.find(&open)? + open.len();
    let end = body[start..].find(&format!("</{name}>"))?;
    Some(body[start..start + end].trim())
}
