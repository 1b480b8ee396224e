//! Looks for secrets in captured logs: a payload, a bearer token, key bytes (raw, hex or
//! base64) and presigned URLs' signatures. A finding names the secret and the line, never
//! its content, so a failing test does not leak it a second time.

use base64::engine::general_purpose::{STANDARD, URL_SAFE, URL_SAFE_NO_PAD};
use base64::Engine;

/// One secret, by a name safe to print.
pub struct Secret {
    pub name: String,
    /// Byte strings whose presence in a log means the secret is there.
    needles: Vec<Vec<u8>>,
}

/// Key bytes are looked for in windows this long: 256 bytes hold 32 secret key bits even where
/// a container spends 8 bytes per binary coefficient, so a match cannot be a coincidence.
const KEY_WINDOW: usize = 256;
/// Windows taken from each key.
const KEY_WINDOWS: usize = 32;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Secret {
    /// A text secret (payload, token): itself, and its hex and base64 forms.
    pub fn text(name: &str, value: &str) -> Self {
        let b = value.as_bytes();
        let needles = vec![
            b.to_vec(),
            hex(b).into_bytes(),
            hex(b).to_uppercase().into_bytes(),
            STANDARD.encode(b).trim_end_matches('=').as_bytes().to_vec(),
            URL_SAFE.encode(b).trim_end_matches('=').as_bytes().to_vec(),
        ];
        Self { name: name.to_string(), needles }
    }

    /// Key bytes: windows from the whole key (after its container header, which names types
    /// and versions, not secrets), raw, in hex, and in base64 as a log would encode the whole
    /// key (windows of the key's own encoding, so every alignment is covered).
    pub fn key(name: &str, bytes: &[u8]) -> Self {
        let body = &bytes[bytes.len().min(512)..];
        let mut needles = Vec::new();
        if body.len() >= KEY_WINDOW {
            let stride = ((body.len() - KEY_WINDOW) / KEY_WINDOWS).max(1);
            let hexes = [hex(body), hex(body).to_uppercase()];
            // base64 groups 3 bytes: one encoding per alignment, so a log's encoding of any
            // stretch of the key shares its groups with one of them.
            let base64s: Vec<String> =
                (0..3).flat_map(|k| [STANDARD.encode(&body[k..]), URL_SAFE_NO_PAD.encode(&body[k..])]).collect();
            for start in (0..=body.len() - KEY_WINDOW).step_by(stride).take(KEY_WINDOWS) {
                let window = &body[start..start + KEY_WINDOW];
                if window.iter().all(|&b| b == window[0]) {
                    continue; // padding or zeros: not the key's
                }
                needles.push(window.to_vec());
                for encoded in &hexes {
                    needles.push(encoded.as_bytes()[start * 2..(start + KEY_WINDOW) * 2].to_vec());
                }
                let (from, len) = (start / 3 * 4, (KEY_WINDOW - 3) / 3 * 4);
                for encoded in &base64s {
                    needles.push(encoded.as_bytes()[from..from + len].to_vec());
                }
            }
        }
        Self { name: name.to_string(), needles }
    }
}

/// Markers of a presigned URL's signature or of request signing, whatever the secret values.
const SIGNATURE_MARKERS: [&str; 4] = ["X-Amz-Signature=", "x-amz-signature=", "Signature=", "X-Amz-Credential="];

/// Where a secret was found: `log` line `line` (1-based) holds `secret`.
#[derive(Debug, PartialEq, Eq)]
pub struct Finding {
    pub log: String,
    pub line: usize,
    pub secret: String,
}

/// Every line of `log` (named `log_name`) that holds a secret or a signature marker.
pub fn scan(log_name: &str, log: &[u8], secrets: &[Secret]) -> Vec<Finding> {
    let mut found = Vec::new();
    for (i, line) in log.split(|&b| b == b'\n').enumerate() {
        let finding = |secret: &str| Finding { log: log_name.to_string(), line: i + 1, secret: secret.to_string() };
        for secret in secrets {
            if secret.needles.iter().any(|n| !n.is_empty() && contains(line, n)) {
                found.push(finding(&secret.name));
            }
        }
        if let Some(marker) = SIGNATURE_MARKERS.iter().find(|m| contains(line, m.as_bytes())) {
            found.push(finding(&format!("a request signature ({marker})")));
        }
    }
    found
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.len() <= haystack.len() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAYLOAD: &str = "WIFI:T:WPA;S:home;P:hunter2-but-longer;;";
    const TOKEN: &str = "tok_Zm9vYmFyYmF6cXV4cXV1eA";

    fn key() -> Vec<u8> {
        // A container-like key: a header, then binary coefficients 8 bytes each.
        let mut bytes = b"qrveil::ClientKeyBundle v0 ".repeat(20);
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..4096 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            bytes.extend_from_slice(&(state & 1).to_le_bytes());
        }
        bytes
    }

    fn secrets() -> Vec<Secret> {
        vec![
            Secret::text("the payload", PAYLOAD),
            Secret::text("the token", TOKEN),
            Secret::key("the client key", &key()),
        ]
    }

    fn findings(line: &str) -> Vec<String> {
        scan("log", format!("ok line\n{line}\n").as_bytes(), &secrets()).into_iter().map(|f| f.secret).collect()
    }

    #[test]
    fn clean_logs_have_no_findings() {
        let log =
            "INFO job done style=rounded pbs=0 key=ab12cd34 seconds=0.02\nread qrveil::ClientKeyBundle v0 header\n";
        assert_eq!(scan("log", log.as_bytes(), &secrets()), vec![]);
    }

    #[test]
    fn a_deliberately_leaking_line_is_caught_in_every_encoding() {
        let key = key();
        let body = &key[1000..];
        assert_eq!(findings(&format!("payload={PAYLOAD}")), ["the payload"]);
        assert_eq!(findings(&format!("payload={}", STANDARD.encode(PAYLOAD))), ["the payload"]);
        assert_eq!(findings(&format!("Authorization: Bearer {TOKEN}")), ["the token"]);
        assert_eq!(findings(&format!("token hex {}", hex(TOKEN.as_bytes()))), ["the token"]);
        assert_eq!(findings(&format!("key={}", hex(body))), ["the client key"]);
        assert_eq!(findings(&format!("key={}", STANDARD.encode(&key))), ["the client key"]);
        assert_eq!(findings(&format!("key={}", URL_SAFE_NO_PAD.encode(&key[7..]))), ["the client key"]);
        assert_eq!(
            findings("PUT https://b.s3.amazonaws.com/jobs/x/input?X-Amz-Expires=900&X-Amz-Signature=1f2e"),
            ["a request signature (X-Amz-Signature=)"]
        );
        let raw = [b"bytes: ".to_vec(), body.to_vec()].concat();
        let found = scan("log", &raw, &secrets());
        assert_eq!(found, [Finding { log: "log".into(), line: 1, secret: "the client key".into() }]);
    }
}
