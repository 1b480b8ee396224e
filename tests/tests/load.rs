//! Load on the emulated cloud: many concurrent jobs through presigned URLs, as many apps would
//! send them, with mixed styles, versions 1-10 and a few on the PBS tier. Every job must come
//! back as a code that an independent decoder reads as its own payload (0 lost, 0 wrong); the
//! latencies are printed. `tests/emulated-cloud.sh` runs it with `--ignored`; the number of jobs
//! is `QRVEIL_LOAD_JOBS` (default 100).

use qrveil_e2e::emulated::{presign_url, token};
use qrveil_e2e::{decode_png, keys};
use qrveil_sdk::{PresignConfig, PresignedTransport, StyleOptions, Styler, Tier, WaitPolicy};
use qrveil_style::StyleId;
use std::time::{Duration, Instant};

/// Job `i`'s payload and options: styles in turn, versions 1-10, every 25th on the PBS tier.
fn job(i: usize) -> (String, StyleOptions) {
    let style = StyleId::ALL[i % StyleId::ALL.len()];
    let pbs = i % 25 == 24;
    let version = if pbs { 1 + (i / 25 % 2) as u8 } else { 1 + (i % 10) as u8 };
    let payload = format!("job{i:03}-v{version}"); // fits version 1 at M; larger versions pad it
    let tier = pbs.then_some(Tier::Pbs);
    let style = if pbs { StyleId::Square } else { style };
    (payload, StyleOptions { style, version: Some(version), tier, ..Default::default() })
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

#[test]
#[ignore = "needs the emulators: run tests/emulated-cloud.sh"]
fn concurrent_jobs_are_neither_lost_nor_wrong() {
    let jobs: usize =
        std::env::var("QRVEIL_LOAD_JOBS").map_or(100, |n| n.parse().expect("QRVEIL_LOAD_JOBS is a number"));
    let token = token();
    let endpoint = presign_url();
    // The server key exists before the clock starts: making it is the device's work, once.
    keys().server_key().expect("server key");
    let started = Instant::now();
    let results: Vec<(Result<Vec<u8>, String>, Duration)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..jobs)
            .map(|i| {
                let (token, endpoint) = (token.clone(), endpoint.clone());
                s.spawn(move || {
                    let wait = WaitPolicy { timeout: Duration::from_secs(600), ..WaitPolicy::default() };
                    let transport = PresignedTransport::new(PresignConfig { endpoint, token, wait, client_id: None })
                        .expect("transport");
                    let (payload, options) = job(i);
                    let t = Instant::now();
                    let styled =
                        Styler::new(keys().clone(), transport).style(payload.as_bytes(), &options, &mut |_| {});
                    (styled.map(|s| decode_png(&s.png)).map_err(|e| e.to_string()), t.elapsed())
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("a job's thread")).collect()
    });
    let wall = started.elapsed();
    let mut lost = Vec::new();
    let mut wrong = Vec::new();
    for (i, (result, _)) in results.iter().enumerate() {
        match result {
            Err(e) => lost.push(format!("job {i}: {e}")),
            Ok(decoded) if *decoded != job(i).0.into_bytes() => wrong.push(i),
            Ok(_) => {}
        }
    }
    let mut latencies: Vec<Duration> = results.iter().map(|r| r.1).collect();
    latencies.sort();
    eprintln!(
        "load: {jobs} concurrent jobs in {:.1} s ({:.1} jobs/s); latency p50 {:.2} s, p95 {:.2} s, max {:.2} s; {} lost, {} wrong",
        wall.as_secs_f64(),
        jobs as f64 / wall.as_secs_f64(),
        percentile(&latencies, 0.5).as_secs_f64(),
        percentile(&latencies, 0.95).as_secs_f64(),
        latencies.last().map_or(0.0, Duration::as_secs_f64),
        lost.len(),
        wrong.len()
    );
    assert!(lost.is_empty(), "lost: {lost:?}");
    assert!(wrong.is_empty(), "decoded to another payload: {wrong:?}");
}
