//! Nothing secret reaches a log. With a known payload, token and key, this runs the CLI through
//! the presign endpoint (both tiers, the payload as an argument and on standard input), in the
//! local mode, and with a wrong token; then it searches everything the CLI printed and every
//! line the function, the presign endpoint and the event bridge logged (the whole emulated
//! cloud session, every other test's jobs included) for the payload, the tokens, the key bytes
//! (raw, hex, base64) and presigned URLs' signatures. `tests/emulated-cloud.sh` runs it last,
//! with `--ignored`; `qrveil_e2e::leaks`'s own tests show it failing on leaking lines.

use qrveil_e2e::emulated::{presign_url, token, var};
use qrveil_e2e::leaks::{scan, Finding, Secret};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Run the CLI; (success, everything it printed on stdout and stderr).
fn qrveil(home: &Path, token: &str, stdin: Option<&str>, args: &[&str]) -> (bool, Vec<u8>) {
    let mut child = Command::new(var("QRVEIL_EMU_CLI"))
        .args(args)
        .env("QRVEIL_HOME", home)
        .env("QRVEIL_TOKEN", token)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the CLI starts");
    let mut input = child.stdin.take().expect("stdin");
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).expect("payload on stdin");
    }
    drop(input);
    let out = child.wait_with_output().expect("the CLI ends");
    (out.status.success(), [out.stdout, out.stderr].concat())
}

#[test]
#[ignore = "needs the emulators: run tests/emulated-cloud.sh"]
fn nothing_secret_reaches_a_log() {
    let logs_dir = PathBuf::from(var("QRVEIL_EMU_LOGS"));
    let token = token();
    let presign = presign_url();
    let home = tempfile::tempdir().expect("home");
    let out = |name: &str| home.path().join(name).to_string_lossy().into_owned();
    let payload = format!("log-test {:016x}", rand::random::<u64>()); // 25 bytes: version 2 holds it
    let wrong_token = format!("wrong-{}", rand::random::<u64>());

    let mut printed: Vec<(String, Vec<u8>)> = Vec::new();
    let mut run = |name: &str, ok: bool, token: &str, stdin: Option<&str>, args: &[&str]| {
        let (success, output) = qrveil(home.path(), token, stdin, args);
        let shown = String::from_utf8_lossy(&output).replace(&payload, "<payload>").replace(token, "<token>");
        assert_eq!(success, ok, "{name}: {}\n{shown}", if ok { "failed" } else { "succeeded" });
        printed.push((format!("CLI {name}"), output));
    };
    let linear = out("linear.png");
    run("linear", true, &token, None, &["--remote", "--presign-url", &presign, &payload, "-o", &linear]);
    let pbs = out("pbs.svg");
    let pbs_args = ["--remote", "--presign-url", &presign, "--tier", "pbs", "--version", "2", "--svg", "-o", &pbs, "-"];
    run("pbs, payload on stdin", true, &token, Some(&payload), &pbs_args);
    let local = out("local.png");
    run("local mode", true, &token, None, &[&payload, "--style", "dots", "-o", &local]);
    run("wrong token", false, &wrong_token, None, &["--remote", "--presign-url", &presign, &payload]);

    let key = |file: &str| std::fs::read(home.path().join("keys").join(file)).expect("the CLI's key");
    let secrets = [
        Secret::text("the payload", &payload),
        Secret::text("the token", &token),
        Secret::text("a wrong token", &wrong_token),
        Secret::key("the client key", &key("client-key")),
        Secret::key("the server key", &key("server-key")),
        // Sent with each presign request (rate limits): an install's id stays out of logs.
        Secret::text("the install's client id", String::from_utf8_lossy(&key("client-id")).trim()),
    ];
    let mut findings: Vec<Finding> = Vec::new();
    let mut lines = 0;
    for (name, text) in &printed {
        lines += text.split(|&b| b == b'\n').count();
        findings.extend(scan(name, text, &secrets));
    }
    // Every instance's log (function-1, function-2, and those restarted after being killed).
    let mut logs: Vec<String> = std::fs::read_dir(&logs_dir)
        .expect("the logs folder")
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|name| ["function-", "presign", "bridge"].iter().any(|p| name.starts_with(p)) && name.ends_with(".log"))
        .collect();
    logs.sort();
    assert!(logs.len() >= 4, "the function, presign and bridge logs: {logs:?}");
    let mut silent = Vec::new();
    for log in &logs {
        let text = std::fs::read(logs_dir.join(log)).expect("the component's log");
        if text.is_empty() {
            silent.push(log.as_str());
        }
        lines += text.split(|&b| b == b'\n').count();
        findings.extend(scan(log, &text, &secrets));
    }
    // A restarted instance may have had no job; the first ones, presign and the bridge did.
    for log in ["function-1.log", "function-2.log", "presign.log", "bridge.log"] {
        assert!(!silent.contains(&log), "{log} logged nothing: is the log captured?");
    }
    eprintln!("log_secrets: {lines} lines from the CLI (4 runs) and {} cloud logs searched: {logs:?}", logs.len());
    assert_eq!(findings, vec![], "secrets in logs (where, and which secret)");
}
