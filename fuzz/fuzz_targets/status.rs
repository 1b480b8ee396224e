//! The job status, as the SDK reads it from the bucket (through a presigned URL or a store the
//! app does not control). Whatever parses must survive a round trip unchanged.
#![no_main]
use libfuzzer_sys::fuzz_target;
use qrveil_protocol::JobStatus;

fuzz_target!(|data: &[u8]| {
    if let Ok(status) = JobStatus::from_json(data) {
        let bytes = status.to_json().expect("a parsed status serialises");
        assert_eq!(JobStatus::from_json(&bytes).expect("and reads back"), status);
    }
});
