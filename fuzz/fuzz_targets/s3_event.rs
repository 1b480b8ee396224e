//! What the job handler is invoked with: an S3 notification or a direct invocation.
#![no_main]
use libfuzzer_sys::fuzz_target;
use qrveil_protocol::job::paths;

fuzz_target!(|data: &[u8]| {
    let Ok(event) = serde_json::from_slice::<serde_json::Value>(data) else { return };
    if let Ok(parsed) = qrveil_cloud::events::parse(&event, Some("default-bucket")) {
        // Every job named is a job id that maps back from its own input key.
        for job in &parsed.jobs {
            assert_eq!(paths::job_of_input(&paths::input(&job.job)).as_ref(), Some(&job.job));
        }
    }
});
