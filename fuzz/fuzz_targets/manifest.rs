//! The job manifest, as the function reads it from the bucket (anyone with a presigned URL
//! writes it). Whatever parses must survive a round trip unchanged, and the function's checks
//! (the style it names, the class program a fitted-wide job carries) must answer, not panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use qrveil_protocol::Manifest;

fuzz_target!(|data: &[u8]| {
    if let Ok(manifest) = Manifest::from_json(data) {
        let bytes = manifest.to_json().expect("a parsed manifest serialises");
        assert_eq!(Manifest::from_json(&bytes).expect("and reads back"), manifest);
        let _ = qrveil_function::handler::validate_manifest(&manifest);
    }
});
