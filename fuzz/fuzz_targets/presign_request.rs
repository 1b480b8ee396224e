//! The presign endpoint's request body (after the token check, which compares digests): the
//! key id, the install's client id and the upload sizes it signs lengths for.
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
        // A client id that parsed names a row of the limits table: 32 lowercase hex digits.
        if let Some(client) = &request.client_id {
            assert!(
                client.as_str().len() == 32 && client.as_str().bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
            );
        }
        // Sizes the endpoint would sign are within what the function reads, and never zero.
        if let Some(sizes) = &request.sizes {
            if sizes.check(request.key_id.is_some()).is_ok() {
                assert!(sizes.manifest > 0 && sizes.input > 0);
                assert!(sizes.manifest <= qrveil_protocol::job::DOCUMENT_LIMIT);
            }
        }
    }
});
