//! The presign endpoint's request body (after the token check, which compares digests).
#![no_main]
use libfuzzer_sys::fuzz_target;
use qrveil_protocol::presign::{PresignRequest, REQUEST_LIMIT};

fuzz_target!(|data: &[u8]| {
    if let Ok(request) = PresignRequest::from_body(data) {
        assert!(data.len() <= REQUEST_LIMIT);
        // A key id that parsed is a path segment of exactly one object: 64 hex digits.
        if let Some(key) = &request.key_id {
            assert!(key.as_str().len() == 64 && key.as_str().bytes().all(|b| b.is_ascii_hexdigit()));
        }
    }
});
