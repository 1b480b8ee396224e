//! The object's behaviour through its exported methods: settings, typed errors, keys, reports.

use super::*;

pub(crate) fn local(dir: &std::path::Path) -> Config {
    Config {
        transport: TransportConfig::Local { folder: dir.join("bucket").display().to_string() },
        keys: KeyStorage::Folder { path: dir.join("keys").display().to_string() },
    }
}

fn err_of<T>(r: Result<T, QrVeilError>) -> QrVeilError {
    match r {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

#[test]
fn the_bindings_defaults_are_the_sdks() {
    let sdk = qrveil_sdk::StyleOptions::default();
    let ffi = sdk_options(&StyleOptions::default_values()).expect("valid");
    assert_eq!(
        (ffi.style, ffi.preset.name, ffi.ec, ffi.version, ffi.module_px, ffi.quiet_zone, ffi.tier, ffi.patterns),
        (sdk.style, sdk.preset.name, sdk.ec, sdk.version, sdk.module_px, sdk.quiet_zone, sdk.tier, sdk.patterns)
    );
    assert_eq!(ffi.eci, sdk.eci);
}

#[test]
fn eci_is_on_unless_turned_off_and_a_looks_own_setting_wins() {
    let eci = |eci: Option<bool>, look: Option<bool>| {
        let mut o = StyleOptions { eci, ..StyleOptions::default_values() };
        o.look = look.map(|on| {
            let mut l = Look::from(StyleDocument::built_in(StyleId::Rounded));
            l.qr_options.eci = Some(on);
            l
        });
        sdk_options(&o).expect("valid").eci
    };
    assert!(eci(None, None) && eci(Some(true), None) && !eci(Some(false), None));
    assert!(eci(Some(false), Some(true)) && !eci(None, Some(false)));
}

#[test]
fn wrong_settings_are_typed_errors_before_any_key_work() {
    let dir = tempfile::tempdir().expect("tempdir");
    let remote = |url: &str, token: &str, timeout_seconds| Config {
        transport: TransportConfig::Remote { presign_url: url.into(), token: token.into(), timeout_seconds },
        keys: KeyStorage::Folder { path: dir.path().display().to_string() },
    };
    for (config, says) in [
        (remote("http://example.com/", "a-long-enough-token", 600), "https"),
        (remote("https://x.on.aws/", " ", 600), "token"),
        (remote("https://x.on.aws/", "a-long-enough-token", 0), "seconds"),
    ] {
        let e = err_of(QrVeil::new(config));
        assert!(matches!(e, QrVeilError::InvalidOption(_)) && e.to_string().contains(says), "{e}");
    }
    let qr = QrVeil::new(local(dir.path())).expect("local config");
    let with = |f: &dyn Fn(&mut StyleOptions)| {
        let mut o = StyleOptions::default_values();
        f(&mut o);
        Some(o)
    };
    let e = err_of(qr.style_text("hi".into(), with(&|o| o.style = "sparkles".into()), None, None));
    assert!(matches!(e, QrVeilError::UnknownStyle(_)) && e.to_string().contains("rounded"), "{e}");
    let e = err_of(qr.style_text("hi".into(), with(&|o| o.preset = "neon".into()), None, None));
    assert!(matches!(e, QrVeilError::InvalidOption(_)) && e.to_string().contains("green-orange"), "{e}");
    let e = err_of(qr.style_text("hi".into(), with(&|o| o.corners_square = "star".into()), None, None));
    assert!(matches!(e, QrVeilError::InvalidOption(_)) && e.to_string().contains("extra-rounded"), "{e}");
    let typo = r#"{"qrveilStyle": 1, "dotOptions": {}}"#;
    let e = err_of(qr.style_text("hi".into(), with(&|o| o.style_document = Some(typo.into())), None, None));
    assert!(matches!(e, QrVeilError::InvalidOption(_)) && e.to_string().contains("dotOptions"), "{e}");
    let e = err_of(qr.style_document("sparkles".into()));
    assert!(matches!(e, QrVeilError::UnknownStyle(_)), "{e}");
    let e = err_of(qr.style(Vec::new(), None, None, None));
    assert!(matches!(e, QrVeilError::InvalidPayload(_)), "{e}");
    let e = err_of(qr.style(vec![b'x'; 3000], with(&|o| o.version = Some(1)), None, None));
    assert!(matches!(e, QrVeilError::InvalidPayload(_)), "{e}");
    let cancel = CancelToken::new();
    cancel.cancel();
    let e = err_of(qr.style_text("hi".into(), None, None, Some(cancel)));
    assert!(matches!(e, QrVeilError::Cancelled(_)), "{e}");
    assert!(!dir.path().join("keys").exists(), "keys were generated for a call that could not succeed");
}

#[test]
fn an_integrity_event_reaches_the_app_with_its_message_and_whether_to_save_keys() {
    let dir = tempfile::tempdir().expect("tempdir");
    let transport = qrveil_sdk::LocalTransport::new(qrveil_protocol::FolderStore::new(dir.path()));
    let opts = qrveil_sdk::StyleOptions { version: Some(1), ..Default::default() };
    let styled = style_code(&Keys::generate(), &transport, b"x", &opts, &mut |_| {}, &Cancel::new()).expect("code");
    assert!(report_of(&styled.report, true).integrity.is_none());
    let mut report = styled.report;
    for (tier, keeps_keys, save_keys) in
        [(StyleTier::Pbs, true, true), (StyleTier::Pbs, false, false), (StyleTier::Linear, true, false)]
    {
        report.integrity = Some(qrveil_sdk::IntegrityEvent { tier: tier.into() });
        let event = report_of(&report, keeps_keys).integrity.expect("the event");
        assert_eq!((event.tier, event.save_keys), (tier, save_keys));
        assert!(event.message.contains("differ from the style's program"), "{}", event.message);
    }
}

#[test]
fn an_app_that_keeps_its_keys_gets_them_back_to_save() {
    let dir = tempfile::tempdir().expect("tempdir");
    let made = generate_keys(false).expect("keys");
    let config = Config {
        transport: TransportConfig::Local { folder: dir.path().display().to_string() },
        keys: KeyStorage::Bytes { client_key: made.client_key.clone(), server_key: None },
    };
    let qr = QrVeil::new(config).expect("config");
    let material = qr.key_material().expect("material");
    assert_eq!((material.client_key, material.server_key), (made.client_key, None));
}

#[test]
fn key_bytes_that_are_not_keys_say_so_without_echoing_them() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = Config {
        transport: TransportConfig::Local { folder: dir.path().display().to_string() },
        keys: KeyStorage::Bytes { client_key: b"SECRET-CLIENT".to_vec(), server_key: Some(vec![7; 64]) },
    };
    let qr = QrVeil::new(config).expect("config");
    let e = err_of(qr.create_or_load_keys(None));
    let msg = e.to_string();
    assert!(matches!(e, QrVeilError::Keys(_)) && msg.contains("generate_keys"), "{msg}");
    assert!(!msg.contains("SECRET"), "{msg}");
}

#[test]
fn a_service_that_does_not_know_the_style_is_an_unknown_style_error() {
    let e: QrVeilError =
        SdkError::Job { kind: qrveil_protocol::FailureKind::UnknownStyle, reason: "unknown style \"x\"".into() }.into();
    assert!(matches!(e, QrVeilError::UnknownStyle(_)), "{e}");
    let e: QrVeilError = SdkError::Job { kind: qrveil_protocol::FailureKind::MissingKey, reason: "r".into() }.into();
    assert!(matches!(e, QrVeilError::JobFailed(_)), "{e}");
}

/// Calls the object back from its progress listener, as an app's UI code might.
struct Reentrant(std::sync::OnceLock<Arc<QrVeil>>);

impl ProgressListener for Reentrant {
    fn on_progress(&self, _progress: Progress) {
        if let Some(qr) = self.0.get() {
            let _ = qr.create_or_load_keys(None);
            let _ = qr.styles();
        }
    }
}

#[test]
fn a_listener_may_call_the_object_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let qr = QrVeil::new(local(dir.path())).expect("local config");
    let listener = Arc::new(Reentrant(std::sync::OnceLock::new()));
    let _ = listener.0.set(qr.clone());
    let (done, finished) = std::sync::mpsc::channel();
    let call = listener.clone();
    // On a thread of its own: a deadlock shows as a timeout, not a hung test binary.
    std::thread::spawn(move || {
        let _ = done.send(qr.create_or_load_keys(Some(call)).map(|info| info.server_key_id));
    });
    let answer = finished.recv_timeout(std::time::Duration::from_secs(60));
    assert!(matches!(answer, Ok(Ok(None))), "the call did not return: a listener calling back deadlocked");
}

/// A presign endpoint on loopback that refuses `requests` requests; the bodies it got.
fn refusing_endpoint(requests: usize) -> (String, std::thread::JoinHandle<Vec<Vec<u8>>>) {
    use std::io::{BufRead, Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://127.0.0.1:{}/", listener.local_addr().expect("addr").port());
    let server = std::thread::spawn(move || {
        let mut bodies = Vec::new();
        for _ in 0..requests {
            let (stream, _) = listener.accept().expect("accept");
            let mut reader = std::io::BufReader::new(stream);
            let mut length = 0;
            loop {
                let mut line = String::new();
                reader.read_line(&mut line).expect("header");
                if line.trim().is_empty() {
                    break;
                }
                if let Some((name, value)) = line.split_once(':') {
                    if name.eq_ignore_ascii_case("content-length") {
                        length = value.trim().parse().expect("length");
                    }
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).expect("body");
            bodies.push(body);
            let answer = r#"{"error":"refused by the test"}"#;
            let head =
                format!("HTTP/1.1 403 Forbidden\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", answer.len());
            reader.get_mut().write_all((head + answer).as_bytes()).expect("answer");
        }
        bodies
    });
    (url, server)
}

fn client_id_of(body: &[u8]) -> qrveil_protocol::presign::ClientId {
    let request = qrveil_protocol::presign::PresignRequest::from_body(body).expect("a presign request");
    request.client_id.expect("the request names no client id")
}

#[test]
fn every_presign_request_names_the_key_folders_client_id() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (url, server) = refusing_endpoint(3);
    let remote = |keys: KeyStorage| Config {
        transport: TransportConfig::Remote { presign_url: url.clone(), token: "t".into(), timeout_seconds: 600 },
        keys,
    };
    let folder = || KeyStorage::Folder { path: dir.path().join("keys").display().to_string() };
    for _ in 0..2 {
        // A new object each time, as after the app restarts.
        let qr = QrVeil::new(remote(folder())).expect("config");
        assert!(qr.style_text("hi".into(), None, None, None).is_err(), "the endpoint refuses every job");
    }
    let made = generate_keys(false).expect("keys");
    let qr = QrVeil::new(remote(KeyStorage::Bytes { client_key: made.client_key, server_key: None })).expect("config");
    assert!(qr.style_text("hi".into(), None, None, None).is_err());
    let ids: Vec<_> = server.join().expect("server").iter().map(|body| client_id_of(body)).collect();
    let kept = std::fs::read_to_string(dir.path().join("keys/client-id")).expect("the folder's client id");
    assert_eq!((ids[0].as_str(), ids[1].as_str()), (kept.as_str(), kept.as_str()));
    // Keys the app keeps itself: an id of the object's own, not the folder's.
    assert_ne!(ids[2], ids[0]);
}
