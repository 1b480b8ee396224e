//! The presign endpoint's answer, as the SDK reads it: job URLs, or a refusal. The first two
//! bytes are the HTTP status (mostly 200), the rest the body.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((status, body)) = data.split_first_chunk::<2>() else { return };
    let status = match u16::from_le_bytes(*status) % 8 {
        0 => 401,
        1 => 500,
        _ => 200,
    };
    if let Ok(urls) = qrveil_sdk::read_presign_answer(status, body) {
        for url in [&urls.manifest_put, &urls.input_put, &urls.status_get, &urls.output_get] {
            assert!(url.starts_with("https://") || url.starts_with("http://"), "{url}");
        }
    }
});
