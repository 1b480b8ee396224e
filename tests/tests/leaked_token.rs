//! What a leaked app token can cost, against the emulated cloud (`tests/emulated-cloud.sh
//! leaked_token`): the real presign handler metering in moto's DynamoDB, the real job function.
//! One client floods; another's jobs still finish; a spent daily budget refuses everyone.

use qrveil_e2e::emulated::{token, var};
use qrveil_e2e::{decode_png, keys};
use qrveil_protocol::presign::ClientId;
use qrveil_protocol::KeyId;
use qrveil_sdk::{PresignConfig, PresignedTransport, StyleOptions, Styler, WaitPolicy};
use qrveil_style::StyleId;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// One of the metered presign endpoints `tests/emulated-cloud.sh` starts (`QRVEIL_EMU_LIMITED`,
/// `QRVEIL_EMU_BUDGET`).
fn endpoint(name: &str) -> String {
    var(name)
}

/// One presign request: (status, Retry-After, the error if any, how long it took).
fn ask(url: &str, body: &str) -> (u16, Option<u64>, String, Duration) {
    let agent: ureq::Agent = ureq::Agent::config_builder().http_status_as_error(false).build().into();
    let t = Instant::now();
    let mut response = agent
        .post(url)
        .header("authorization", &format!("Bearer {}", token()))
        .send(body.as_bytes())
        .expect("the endpoint answers");
    let took = t.elapsed();
    let retry_after = response.headers().get("retry-after").and_then(|v| v.to_str().ok()?.parse().ok());
    let text = response.body_mut().read_to_string().unwrap_or_default();
    (response.status().as_u16(), retry_after, text, took)
}

/// A linear-tier job's request from `client` (sizes as a small job's).
fn client_body(client: &ClientId) -> String {
    format!(r#"{{"client_id":"{}","sizes":{{"manifest":900,"input":40000}}}}"#, client.as_str())
}

fn p95(mut seconds: Vec<f64>) -> f64 {
    seconds.sort_by(f64::total_cmp);
    seconds[(seconds.len() * 95).div_ceil(100) - 1]
}

/// `count` jobs through `url`, one after another; each one's wall time, each checked by a
/// decoder nobody here wrote.
fn jobs(url: &str, count: usize, what: &str) -> Vec<f64> {
    let wait = WaitPolicy { timeout: Duration::from_secs(180), ..WaitPolicy::default() };
    let config = PresignConfig { endpoint: url.to_string(), token: token(), wait, client_id: Some(ClientId::random()) };
    let styler = Styler::new(keys().clone(), PresignedTransport::new(config).expect("transport"));
    let opts = StyleOptions { style: StyleId::Rounded, version: Some(2), ..Default::default() };
    (0..count)
        .map(|i| {
            let payload = format!("{what} job {i}");
            let t = Instant::now();
            let styled = styler.style(payload.as_bytes(), &opts, &mut |_| {}).expect("the job finishes");
            assert_eq!(decode_png(&styled.png), payload.as_bytes());
            t.elapsed().as_secs_f64()
        })
        .collect()
}

#[test]
#[ignore = "needs the emulators: run tests/emulated-cloud.sh"]
fn a_flooding_client_is_refused_fast_and_another_clients_jobs_still_finish() {
    let url = endpoint("QRVEIL_EMU_LIMITED");
    let unloaded = jobs(&url, 10, "unloaded");

    // 1 000 requests from one client id, 4 at a time, while another client runs 20 jobs.
    let flooder = ClientId::random();
    let started = Instant::now();
    let flood: Vec<_> = (0..4)
        .map(|_| {
            let (url, body) = (url.clone(), client_body(&flooder));
            std::thread::spawn(move || (0..250).map(|_| ask(&url, &body)).collect::<Vec<_>>())
        })
        .collect();
    let loaded = jobs(&url, 20, "loaded");
    let answers: Vec<_> = flood.into_iter().flat_map(|t| t.join().expect("flood thread")).collect();
    let flood_seconds = started.elapsed().as_secs_f64();

    let admitted = answers.iter().filter(|a| a.0 == 200).count();
    let refused: Vec<_> = answers.iter().filter(|a| a.0 == 429).collect();
    let other: Vec<_> = answers.iter().filter(|a| a.0 != 200 && a.0 != 429).map(|a| (a.0, &a.2)).collect();
    assert!(other.is_empty(), "answers besides 200 and 429: {other:?}");
    // Its bucket: 10 at once, then 120 a minute (2 a second), over the flood's duration.
    let allowed = 10 + (flood_seconds * 2.0).ceil() as usize + 1;
    assert!(admitted <= allowed, "{admitted} admitted in {flood_seconds:.1} s; its bucket allows {allowed}");
    for (_, retry_after, error, _) in &refused {
        assert!(matches!(retry_after, Some(1..=60)), "Retry-After {retry_after:?}");
        assert!(error.contains("this client's request rate"), "{error}");
    }
    let refusal_p95 = p95(refused.iter().map(|a| a.3.as_secs_f64()).collect());
    let (unloaded_p95, loaded_p95) = (p95(unloaded), p95(loaded));
    println!(
        "leaked token: 1000 requests from one client in {flood_seconds:.1} s: {admitted} admitted, {} refused with 429 (p95 {:.0} ms); another client's 20 jobs: p95 {loaded_p95:.2} s under the flood, {unloaded_p95:.2} s unloaded ({:.2}x)",
        refused.len(),
        refusal_p95 * 1000.0,
        loaded_p95 / unloaded_p95
    );
    assert!(loaded_p95 <= 2.0 * unloaded_p95, "the flood slowed another client's jobs past 2x");
}

#[test]
#[ignore = "needs the emulators: run tests/emulated-cloud.sh"]
fn a_spent_daily_budget_refuses_everyone_until_midnight_utc() {
    let url = endpoint("QRVEIL_EMU_BUDGET");
    // Server-key uploads: 2 a day per client (a key the bucket lacks is offered each time).
    let keyed = ClientId::random();
    let key = KeyId::of_server_key_bytes(b"a server key never uploaded");
    let sizes = r#""sizes":{"manifest":900,"input":200000,"server_key":45000000}"#;
    let body = format!(r#"{{"client_id":"{}","key_id":"{}",{sizes}}}"#, keyed.as_str(), key.as_str());
    let statuses: Vec<u16> = (0..3).map(|_| ask(&url, &body).0).collect();
    assert_eq!(statuses, [200, 200, 429], "server-key uploads per client and day");
    let (_, _, error, _) = ask(&url, &body);
    assert!(error.contains("daily server-key uploads"), "{error}");

    // The budget is 25 jobs a day; the 4 above were counted. New clients, each within its own
    // rate, spend the rest; then everyone is refused until midnight UTC.
    let mut admitted = 4;
    for _ in 0..40 {
        let (status, retry_after, error, _) = ask(&url, &client_body(&ClientId::random()));
        if status == 200 {
            admitted += 1;
            continue;
        }
        assert_eq!(status, 429, "{error}");
        assert!(error.contains("daily job budget"), "{error}");
        let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_secs();
        let midnight = 86_400 - now % 86_400;
        let retry_after = retry_after.expect("Retry-After");
        assert!(retry_after.abs_diff(midnight) <= 5, "Retry-After {retry_after}, midnight in {midnight}");
    }
    assert_eq!(admitted, 25, "jobs admitted before the budget was spent");
    println!(
        "leaked token: the daily budget of 25 jobs was spent; the next 15 requests (new clients each) all got 429"
    );
}
