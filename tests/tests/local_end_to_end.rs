//! End to end through the local folder store with real encryption and the in-process
//! handler, and every way a job can go wrong ending as a `failed` status.

use qrveil_e2e::{bitmap_in, decode_png, keys};
use qrveil_function::Function;
use qrveil_protocol::job::{paths, FORMAT_VERSION};
use qrveil_protocol::params::{DELTA, PARAMS_NAME, PBS_PARAMS};
use qrveil_protocol::{EncryptedGrid, FailureKind, FolderStore, JobId, JobStatus, Manifest, Store};
use qrveil_sdk::{
    encode, encrypt_grid, style_code, Cancel, EcLevel, LocalTransport, SdkError, Stage, StyleOptions, Styler,
};
use qrveil_style::{Preset, StyleId};
use tfhe::core_crypto::commons::math::random::Seed;
use tfhe::core_crypto::prelude::SeededGlweCiphertext;

fn style(payload: &[u8], opts: StyleOptions) -> (Vec<u8>, qrveil_sdk::Report, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let styler = Styler::new(keys().clone(), LocalTransport::new(FolderStore::new(dir.path())));
    let styled = styler.style(payload, &opts, &mut |_| {}).expect("styled");
    (styled.png, styled.report, dir)
}

#[test]
fn version_1_rounded_round_trips_through_the_local_store() {
    let payload = b"secret-wifi";
    let (png, report, dir) =
        style(payload, StyleOptions { style: StyleId::Rounded, version: Some(1), ..Default::default() });
    assert_eq!(decode_png(&png), payload);
    // One PBS per vertex but the 3 x 64 around the finders (fixed by the standard).
    assert_eq!((report.version, report.modules, report.pbs), (1, 21, 22 * 22 - 3 * 64));
    assert_eq!(report.corrected_modules, 0, "the server's result should need no correction");
    // The bucket holds the design's layout, and neither the payload nor the module bitmap
    // in any plain encoding (`bitmap_in` is shown to catch an unencrypted upload below).
    let store = FolderStore::new(dir.path());
    assert!(store.exists(&format!("keys/{}/server-key", keys().key_id)).expect("stat"));
    let jobs: Vec<_> = std::fs::read_dir(dir.path().join("jobs")).expect("jobs dir").collect();
    assert_eq!(jobs.len(), 1);
    let job = jobs[0].as_ref().expect("entry").path();
    let grid = encode(payload, EcLevel::M, Some(1)).expect("fits").grid;
    for object in ["manifest", "input", "output", "status"] {
        let bytes = std::fs::read(job.join(object)).expect(object);
        assert!(!bytes.windows(6).any(|w| w == b"secret"), "{object} leaks the payload");
        assert_eq!(bitmap_in(&bytes, &grid), None, "{object} carries the module bitmap");
    }
    // Targets: upload <= 64 B per module, download <= 16 B per output value.
    assert!(report.bytes_up <= 64 * 21 * 21, "{} bytes up", report.bytes_up);
    assert!(report.bytes_down <= 16 * report.outputs as usize, "{} bytes down", report.bytes_down);
}

#[test]
fn the_no_plaintext_check_catches_an_unencrypted_upload() {
    let grid = encode(b"secret-wifi", EcLevel::M, Some(1)).expect("fits").grid;
    // A grid "encrypted" with no key and no noise: each body coefficient is the plaintext.
    let n = PBS_PARAMS.polynomial_size.0;
    let mut body: Vec<u64> = grid.bits().iter().map(|&dark| u64::from(dark) * DELTA).collect();
    body.resize(n, 0);
    let glwe = SeededGlweCiphertext::from_container(
        body,
        PBS_PARAMS.glwe_dimension.to_glwe_size(),
        Seed(7).into(),
        PBS_PARAMS.ciphertext_modulus,
    );
    let leaky = EncryptedGrid { side: grid.side(), glwes: vec![glwe] }.to_bytes().expect("serialize");
    // It is a valid container that the function would accept...
    assert!(EncryptedGrid::from_bytes(&leaky, grid.side()).is_ok());
    // ...and the check sees the bitmap in it, as it sees the raw encodings.
    assert_eq!(bitmap_in(&leaky, &grid), Some("plaintext coefficients bit·Δ"));
    let raw: Vec<u8> = grid.bits().iter().map(|&b| u8::from(b)).collect();
    assert_eq!(bitmap_in(&[b"x".as_slice(), &raw].concat(), &grid), Some("one byte per module"));
    // The real encryption of the same grid shows none of them.
    let real = encrypt_grid(&keys().client, &grid).to_bytes().expect("serialize");
    assert_eq!(bitmap_in(&real, &grid), None);
}

#[test]
fn a_call_cancelled_while_encrypting_sends_nothing() {
    let dir = tempfile::tempdir().expect("tempdir");
    let transport = LocalTransport::new(FolderStore::new(dir.path()));
    let cancel = Cancel::new();
    let mut stages = Vec::new();
    let result = style_code(
        keys(),
        &transport,
        b"never sent",
        &StyleOptions::default(),
        &mut |stage| {
            if matches!(stage, Stage::Encrypting { .. }) {
                cancel.cancel();
            }
            stages.push(stage);
        },
        &cancel,
    );
    assert!(matches!(result, Err(SdkError::Cancelled)), "{:?}", result.err());
    assert_eq!(stages, [Stage::Encoding, Stage::Encrypting { modules: 21 * 21 }]);
    assert!(
        !dir.path().join("jobs").exists() && !dir.path().join("keys").exists(),
        "a cancelled call wrote to the store"
    );
}

#[test]
fn version_5_gradient_and_dots_round_trip() {
    let payload = "https://files.example.org/share/8f3a?token=Zm9vYmFyYmF6&exp=2026-12-01".as_bytes();
    for id in [StyleId::Gradient, StyleId::Dots] {
        let opts = StyleOptions {
            style: id,
            version: Some(5),
            preset: "purple-violet".parse::<Preset>().expect("preset"),
            ..Default::default()
        };
        let (png, report, _dir) = style(payload, opts);
        assert_eq!(report.modules, 37);
        assert_eq!(decode_png(&png), payload, "{id}");
    }
}

fn submit(store: &FolderStore, manifest: &Manifest, input: Option<&[u8]>, key: bool) -> JobId {
    let job = JobId::random();
    if key {
        store.put(&paths::server_key(&keys().key_id), &keys().server_key_bytes).expect("key");
    }
    store.put(&paths::manifest(&job), &manifest.to_json().expect("json")).expect("manifest");
    if let Some(input) = input {
        store.put(&paths::input(&job), input).expect("input");
    }
    job
}

fn manifest() -> Manifest {
    Manifest {
        format_version: FORMAT_VERSION,
        params: PARAMS_NAME.into(),
        style: "gradient".into(),
        key_id: keys().key_id.clone(),
        modules: 21,
        created_at: 0,
    }
}

fn valid_input() -> Vec<u8> {
    let symbol = encode(b"hello", EcLevel::M, Some(1)).expect("fits");
    encrypt_grid(&keys().client, &symbol.grid).to_bytes().expect("bytes")
}

fn failure(status: JobStatus) -> (FailureKind, String) {
    match status {
        JobStatus::Failed { kind, reason, .. } => (kind, reason),
        other => panic!("expected a failure, got {other:?}"),
    }
}

#[test]
fn bad_jobs_end_as_failed_statuses_with_reasons() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = FolderStore::new(dir.path());
    let function = Function::default();
    let input = valid_input();

    let job = submit(&store, &manifest(), Some(&input), false);
    let (kind, reason) = failure(function.run_job(&store, &job));
    assert_eq!(kind, FailureKind::MissingKey);
    assert!(reason.contains("upload"), "{reason}");
    // The status object says the same.
    let written = store.get(&paths::status(&job), 1 << 16).expect("get").expect("status written");
    assert_eq!(failure(JobStatus::from_json(&written).expect("json")).0, FailureKind::MissingKey);

    let job = submit(&store, &Manifest { style: "wavy".into(), ..manifest() }, Some(&input), true);
    let (kind, reason) = failure(function.run_job(&store, &job));
    assert_eq!(kind, FailureKind::UnknownStyle);
    assert!(reason.contains("gradient, rounded, dots"), "{reason}");

    let job = submit(
        &store,
        &Manifest { params: "tfhe-1.8/PARAM_MESSAGE_3_CARRY_3".into(), ..manifest() },
        Some(&input),
        true,
    );
    assert_eq!(failure(function.run_job(&store, &job)).0, FailureKind::WrongParameters);

    let mut corrupt = input.clone();
    let mid = corrupt.len() / 2;
    corrupt.truncate(mid);
    let job = submit(&store, &manifest(), Some(&corrupt), true);
    assert_eq!(failure(function.run_job(&store, &job)).0, FailureKind::BadInput);

    // A grid for a different size than the manifest claims.
    let job = submit(&store, &Manifest { modules: 25, ..manifest() }, Some(&input), true);
    assert_eq!(failure(function.run_job(&store, &job)).0, FailureKind::BadInput);

    let job = submit(&store, &manifest(), None, true);
    assert_eq!(failure(function.run_job(&store, &job)).0, FailureKind::MissingInput);

    let job = submit(&store, &manifest(), Some(&vec![0u8; 5 << 20]), true);
    let (kind, reason) = failure(function.run_job(&store, &job));
    assert_eq!(kind, FailureKind::BadInput);
    assert!(reason.contains("limit"), "{reason}");

    // A key object that does not hash to its id.
    let job = JobId::random();
    let other = Manifest { key_id: qrveil_protocol::KeyId::of_server_key_bytes(b"x"), ..manifest() };
    store.put(&paths::server_key(&other.key_id), b"not a key").expect("put");
    store.put(&paths::manifest(&job), &other.to_json().expect("json")).expect("put");
    store.put(&paths::input(&job), &input).expect("put");
    assert_eq!(failure(function.run_job(&store, &job)).0, FailureKind::BadKey);
}

#[test]
fn a_redelivered_job_is_not_evaluated_twice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = FolderStore::new(dir.path());
    let function = Function::default();
    let job = submit(&store, &manifest(), Some(&valid_input()), true);
    let first = function.run_job(&store, &job);
    assert!(matches!(first, JobStatus::Done { key_cache_hit: false, .. }), "{first:?}");
    let output = store.get(&paths::output(&job), 1 << 24).expect("get").expect("output");
    let status = store.get(&paths::status(&job), 1 << 16).expect("get").expect("status");
    // Second delivery: the stored status back, output and status objects untouched.
    let second = function.run_job(&store, &job);
    assert_eq!(second, JobStatus::from_json(&status).expect("json"));
    assert_eq!(store.get(&paths::output(&job), 1 << 24).expect("get").expect("output"), output);
    assert_eq!(store.get(&paths::status(&job), 1 << 16).expect("get").expect("status"), status);
    // A new job with the same key hits the warm cache.
    let job = submit(&store, &manifest(), Some(&valid_input()), false);
    assert!(matches!(function.run_job(&store, &job), JobStatus::Done { key_cache_hit: true, .. }));
}

#[test]
fn racing_deliveries_agree_and_a_recorded_failure_stands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = FolderStore::new(dir.path());
    let function = Function::default();
    // Two deliveries of one event at once: both report the status that was stored.
    let job = submit(&store, &manifest(), Some(&valid_input()), true);
    let (a, b) = std::thread::scope(|s| {
        let a = s.spawn(|| function.run_job(&store, &job));
        let b = s.spawn(|| function.run_job(&store, &job));
        (a.join().expect("a"), b.join().expect("b"))
    });
    let stored =
        JobStatus::from_json(&store.get(&paths::status(&job), 1 << 16).expect("get").expect("status")).expect("json");
    assert!(matches!(stored, JobStatus::Done { .. }), "{stored:?}");
    assert_eq!((a, b), (stored.clone(), stored));
    // A failure is recorded once: fixing the cause later does not rewrite it (the client
    // submits a new job instead).
    let mut wrong = manifest();
    wrong.style = "sparkles".into();
    let job = submit(&store, &wrong, Some(&valid_input()), false);
    assert_eq!(failure(function.run_job(&store, &job)).0, FailureKind::UnknownStyle);
    store.put(&paths::manifest(&job), &manifest().to_json().expect("json")).expect("fixed manifest");
    assert_eq!(failure(function.run_job(&store, &job)).0, FailureKind::UnknownStyle);
    assert_eq!(store.get(&paths::output(&job), 1 << 24).expect("get"), None);
}

#[test]
fn keys_survive_a_save_and_load_and_damage_is_a_clear_error() {
    use qrveil_sdk::keys;
    let dir = tempfile::tempdir().expect("tempdir");
    keys::save(dir.path(), keys()).expect("save");
    let loaded = keys::load(dir.path()).expect("load");
    assert_eq!(loaded.key_id, keys().key_id);
    // The loaded client key decrypts what the original encrypted.
    let ct = keys().client.client_key.encrypt(3);
    assert_eq!(loaded.client.client_key.decrypt(&ct), 3);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("client-key")).expect("stat").permissions().mode();
        assert_eq!(mode & 0o077, 0, "client key readable by others: {mode:o}");
    }
    // A truncated client key is refused with advice, never silently replaced.
    let path = dir.path().join("client-key");
    let bytes = std::fs::read(&path).expect("read");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).expect("write");
    let err = keys::load(dir.path()).expect_err("damaged key must not load").to_string();
    assert!(err.contains("client key") && err.contains("Move the folder away"), "{err}");
    assert!(matches!(keys::load_or_generate(dir.path()), Err(qrveil_sdk::SdkError::Keys { .. })));
    assert_eq!(std::fs::read(&path).expect("read").len(), bytes.len() / 2, "damaged file left for the user");
}
