//! The function's job handler over a local folder store, with real encryption: every way a
//! job can go wrong ends as a `failed` status with a reason, on both tiers; redelivered and
//! racing deliveries change nothing.

use qrveil_e2e::{client, input, keys, manifest, server_key};
use qrveil_function::Function;
use qrveil_protocol::job::{paths, DOCUMENT_LIMIT};
use qrveil_protocol::{FailureKind, FolderStore, JobId, JobStatus, KeyId, Manifest, Store, Tier};
use qrveil_style::{Plan, StyleId};

fn submit(store: &FolderStore, manifest: &Manifest, input: Option<&[u8]>, key: bool) -> JobId {
    let job = JobId::random();
    if key {
        store.put(&paths::server_key(&server_key().id), &server_key().bytes).expect("key");
    }
    store.put(&paths::manifest(&job), &manifest.to_json().expect("json")).expect("manifest");
    if let Some(input) = input {
        store.put(&paths::input(&job), input).expect("input");
    }
    job
}

/// The PBS-tier gradient job most failures are made of.
fn pbs() -> Manifest {
    manifest("square", Tier::Pbs)
}

fn pbs_input() -> Vec<u8> {
    input(StyleId::Square, Tier::Pbs, b"hello")
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
    let input = pbs_input();
    let _ = keys();

    let job = submit(&store, &pbs(), Some(&input), false);
    let (kind, reason) = failure(function.run_job(&store, &job));
    assert_eq!(kind, FailureKind::MissingKey);
    assert!(reason.contains("upload"), "{reason}");
    // The status object says the same.
    let written = store.get(&paths::status(&job), 1 << 16).expect("get").expect("status written");
    assert_eq!(failure(JobStatus::from_json(&written).expect("json")).0, FailureKind::MissingKey);

    let job = submit(&store, &Manifest { style: "wavy".into(), ..pbs() }, Some(&input), true);
    let (kind, reason) = failure(function.run_job(&store, &job));
    assert_eq!(kind, FailureKind::UnknownStyle);
    assert!(reason.contains("square, dots, rounded"), "{reason}");

    let job =
        submit(&store, &Manifest { params: "tfhe-1.8/PARAM_MESSAGE_3_CARRY_3".into(), ..pbs() }, Some(&input), true);
    assert_eq!(failure(function.run_job(&store, &job)).0, FailureKind::WrongParameters);

    let mut corrupt = input.clone();
    let mid = corrupt.len() / 2;
    corrupt.truncate(mid);
    let job = submit(&store, &pbs(), Some(&corrupt), true);
    assert_eq!(failure(function.run_job(&store, &job)).0, FailureKind::BadInput);

    // A mask seed crafted to start its generator past its buffer (found by the pbs_ciphertexts
    // fuzz target: tfhe-rs panicked expanding it).
    let job = submit(&store, &pbs(), Some(include_bytes!("../fixtures/pbs-grid-crafted-seed.bin")), true);
    assert_eq!(failure(function.run_job(&store, &job)).0, FailureKind::BadInput);

    // A grid for a different size than the manifest claims.
    let job = submit(&store, &Manifest { modules: 25, ..pbs() }, Some(&input), true);
    assert_eq!(failure(function.run_job(&store, &job)).0, FailureKind::BadInput);

    // Early (the input not uploaded yet): said, but not recorded, so the job still runs later.
    let job = submit(&store, &pbs(), None, true);
    assert_eq!(failure(function.run_job(&store, &job)).0, FailureKind::MissingInput);
    assert_eq!(store.get(&paths::status(&job), DOCUMENT_LIMIT).expect("get"), None);
    store.put(&paths::input(&job), &input).expect("put");
    assert!(matches!(function.run_job(&store, &job), JobStatus::Done { .. }));

    let job = submit(&store, &pbs(), Some(&vec![0u8; 5 << 20]), true);
    let (kind, reason) = failure(function.run_job(&store, &job));
    assert_eq!(kind, FailureKind::BadInput);
    assert!(reason.contains("limit"), "{reason}");

    // A key object that does not hash to its id.
    let job = JobId::random();
    let other = Manifest { key_id: Some(KeyId::of_server_key_bytes(b"x")), ..pbs() };
    store.put(&paths::server_key(&KeyId::of_server_key_bytes(b"x")), b"not a key").expect("put");
    store.put(&paths::manifest(&job), &other.to_json().expect("json")).expect("put");
    store.put(&paths::input(&job), &input).expect("put");
    assert_eq!(failure(function.run_job(&store, &job)).0, FailureKind::BadKey);
}

#[test]
fn a_redelivered_job_is_not_evaluated_twice() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = FolderStore::new(dir.path());
    let function = Function::default();
    let job = submit(&store, &pbs(), Some(&pbs_input()), true);
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
    let job = submit(&store, &pbs(), Some(&pbs_input()), false);
    assert!(matches!(function.run_job(&store, &job), JobStatus::Done { key_cache_hit: true, .. }));
}

#[test]
fn racing_deliveries_agree_and_a_recorded_failure_stands() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = FolderStore::new(dir.path());
    let function = Function::default();
    // Two deliveries of one event at once: both report the status that was stored.
    let job = submit(&store, &pbs(), Some(&pbs_input()), true);
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
    let mut wrong = pbs();
    wrong.style = "sparkles".into();
    let job = submit(&store, &wrong, Some(&pbs_input()), false);
    assert_eq!(failure(function.run_job(&store, &job)).0, FailureKind::UnknownStyle);
    store.put(&paths::manifest(&job), &pbs().to_json().expect("json")).expect("fixed manifest");
    assert_eq!(failure(function.run_job(&store, &job)).0, FailureKind::UnknownStyle);
    assert_eq!(store.get(&paths::output(&job), 1 << 24).expect("get"), None);
}

#[test]
fn linear_jobs_need_no_key_and_refuse_what_does_not_fit_their_style() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = FolderStore::new(dir.path());
    let function = Function::default();
    let rounded = manifest("fluid", Tier::Linear);
    let good = input(StyleId::Fluid, Tier::Linear, b"hello");
    let job = submit(&store, &rounded, Some(&good), false);
    assert!(matches!(function.run_job(&store, &job), JobStatus::Done { tier: Tier::Linear, pbs: 0, .. }));
    // A mask seed whose generator starts past its buffer (found by the linear_ciphertexts fuzz
    // target: tfhe-rs panicked expanding it) is refused as bad input.
    let crafted = include_bytes!("../fixtures/linear-input-crafted-seed.bin");
    let job = submit(&store, &rounded, Some(crafted), false);
    assert_eq!(failure(function.run_job(&store, &job)).0, FailureKind::BadInput);
    assert!(!dir.path().join("keys").exists());

    // The encodings of another style than the manifest's.
    let job = submit(&store, &rounded, Some(&input(StyleId::Swell, Tier::Linear, b"hello")), false);
    assert_eq!(failure(function.run_job(&store, &job)).0, FailureKind::BadInput);
    // A manifest that names encodings the style does not read.
    let wrong = Manifest { encodings: vec!["module-bits".into()], ..rounded.clone() };
    let (kind, reason) = failure(function.run_job(&store, &submit(&store, &wrong, Some(&good), false)));
    assert_eq!(kind, FailureKind::BadManifest);
    assert!(reason.contains("vertex-blocks"), "{reason}");
    // A PBS-tier manifest must name its key.
    let keyless = Manifest { key_id: None, ..pbs() };
    let (kind, reason) = failure(function.run_job(&store, &submit(&store, &keyless, Some(&pbs_input()), false)));
    assert_eq!(kind, FailureKind::BadManifest);
    assert!(reason.contains("key_id"), "{reason}");
    // Truncated, and oversized, linear inputs.
    let job = submit(&store, &rounded, Some(&good[..good.len() / 2]), false);
    assert_eq!(failure(function.run_job(&store, &job)).0, FailureKind::BadInput);
    let job = submit(&store, &rounded, Some(&vec![0u8; 9 << 20]), false);
    let (kind, reason) = failure(function.run_job(&store, &job));
    assert_eq!(kind, FailureKind::BadInput);
    assert!(reason.contains("limit"), "{reason}");
}

#[test]
fn a_fitted_wide_job_runs_the_program_its_manifest_carries_and_no_other() {
    use qrveil_e2e::wide::density_program;
    use qrveil_style::program::{Node, Tap};
    let dir = tempfile::tempdir().expect("tempdir");
    let store = FolderStore::new(dir.path());
    let function = Function::default();
    let program = density_program();
    let carried = |p: &qrveil_style::ServerProgram| Some(serde_json::to_value(p).expect("json"));
    let wide = Manifest { program: carried(&program), ..manifest("fitted-wide", Tier::Pbs) };
    let job = submit(&store, &wide, Some(&input(StyleId::FittedWide, Tier::Pbs, b"hello")), true);
    let JobStatus::Done { tier, pbs: bootstraps, outputs, .. } = function.run_job(&store, &job) else {
        panic!("the fitted-wide job should be done")
    };
    // Two lookups per module whose 3x3 neighbourhood holds a module the standard does not fix.
    let grid = qrveil_sdk::encode(b"hello", qrveil_sdk::EcLevel::M, Some(1)).expect("fits").grid;
    let encrypted = qrveil_e2e::wide::modules_reading_data(21);
    assert_eq!((tier, bootstraps, outputs), (Tier::Pbs, 2 * encrypted, 441));
    let bytes = store.get(&paths::output(&job), 1 << 24).expect("get").expect("output");
    let decrypted = qrveil_sdk::decrypt_outputs(
        client(),
        &qrveil_protocol::EncryptedOutputs::from_bytes(&bytes, 441).expect("outputs"),
    );
    assert_eq!(decrypted, qrveil_style::clear::evaluate(&program, &grid).expect("valid"));

    // The same program on the linear tier: the input holds the one-hot of `8·self + group`, the
    // encoding the manifest names; the function checks that name against the program.
    let Plan::Linear(plans) = Plan::of(&program).expect("valid") else { panic!("a class program is linear") };
    let encodings = Plan::Linear(plans.clone()).encodings();
    let named: Vec<String> = encodings.iter().map(|e| e.to_string()).collect();
    assert_eq!(named, ["node-value:modules:0:3"]);
    let linear = Manifest { tier: Tier::Linear, encodings: named, key_id: None, ..wide.clone() };
    let key = qrveil_sdk::JobKey::fresh();
    let upload = qrveil_sdk::encrypt_features(&key, &grid, &program, &encodings).expect("encodings").to_bytes();
    let job = submit(&store, &linear, Some(&upload.expect("bytes")), true);
    let JobStatus::Done { tier, pbs: bootstraps, outputs, .. } = function.run_job(&store, &job) else {
        panic!("the linear fitted-wide job should be done")
    };
    assert_eq!((tier, bootstraps, outputs), (Tier::Linear, 0, 441));
    let bytes = store.get(&paths::output(&job), 1 << 24).expect("get").expect("output");
    let cells = vec![441];
    let outputs = qrveil_protocol::LinearOutputs::from_bytes(&bytes, &cells).expect("outputs");
    assert_eq!(qrveil_sdk::decrypt_linear(&key, &outputs), qrveil_style::clear::evaluate(&program, &grid).expect("ok"));
    // Another node's value, or another program's, is not what this style reads.
    for wrong in ["node-value:modules:0:0", "node-value:modules:1:3", "module-bits"] {
        let manifest = Manifest { encodings: vec![wrong.into()], ..linear.clone() };
        let job = submit(&store, &manifest, Some(&pbs_input()), true);
        let (kind, reason) = failure(function.run_job(&store, &job));
        assert_eq!(kind, FailureKind::BadManifest, "{wrong}: {reason}");
        assert!(reason.contains("node-value:modules:0:3"), "{reason}");
    }

    // What the function refuses, before any work: each a bad manifest with its reason.
    let mut far = program.clone();
    far.programs[0].nodes[2] = Node::Stencil { taps: vec![Tap { dx: 0, dy: 2, weight: 8 }] };
    let mut costly = program.clone();
    costly.programs.push(program.programs[0].clone());
    costly.programs[1].nodes.push(Node::Lut { input: 4, table: vec![0; 16] });
    costly.programs[1].output = 5;
    let cases = [
        (Manifest { program: None, ..wide.clone() }, "needs its program"),
        (Manifest { program: carried(&program), ..pbs() }, "only style fitted-wide"),
        (Manifest { program: Some(serde_json::json!({"version": 1})), ..wide.clone() }, "not a style program"),
        (Manifest { program: carried(&far), ..wide.clone() }, "3x3 neighbourhood"),
        (Manifest { program: carried(&costly), ..wide.clone() }, "at most 4"),
    ];
    for (manifest, says) in cases {
        let job = submit(&store, &manifest, Some(&pbs_input()), true);
        let (kind, reason) = failure(function.run_job(&store, &job));
        assert_eq!(kind, FailureKind::BadManifest, "{reason}");
        assert!(reason.contains(says), "{reason}");
    }
}

/// The shared server key with its key switching key's mask seed moved to the generator's last
/// position, as a crafted upload could: tfhe-rs trusts the position when it expands the key.
fn server_key_with_a_crafted_seed() -> Vec<u8> {
    use tfhe::core_crypto::commons::math::random::CompressionSeed;
    use tfhe::core_crypto::prelude::SeededLweKeyswitchKey;
    use tfhe::shortint::atomic_pattern::compressed::{
        CompressedAtomicPatternServerKey, CompressedStandardAtomicPatternServerKey,
    };
    let mut bundle = qrveil_protocol::ServerKeyBundle::from_bytes(&server_key().bytes).expect("the real key");
    let CompressedAtomicPatternServerKey::Standard(ap) = bundle.server_key.compressed_ap_server_key.clone() else {
        panic!("the pinned parameters use the standard atomic pattern");
    };
    let (ksk, bsk, order) = ap.into_raw_parts();
    let mut seed: CompressionSeed = ksk.compression_seed();
    seed.inner.first_index = tfhe_csprng::generators::aes_ctr::TableIndex::LAST;
    let (base_log, levels, size, modulus) = (
        ksk.decomposition_base_log(),
        ksk.decomposition_level_count(),
        ksk.output_lwe_size(),
        ksk.ciphertext_modulus(),
    );
    let crafted = SeededLweKeyswitchKey::from_container(ksk.into_container(), base_log, levels, size, seed, modulus);
    bundle.server_key.compressed_ap_server_key = CompressedAtomicPatternServerKey::Standard(
        CompressedStandardAtomicPatternServerKey::from_raw_parts(crafted, bsk, order),
    );
    bundle.to_bytes().expect("serialised")
}

#[test]
fn a_server_key_with_a_crafted_seed_is_a_bad_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let store = FolderStore::new(dir.path());
    let crafted = server_key_with_a_crafted_seed();
    let id = KeyId::of_server_key_bytes(&crafted);
    store.put(&paths::server_key(&id), &crafted).expect("put");
    let job = submit(&store, &Manifest { key_id: Some(id), ..pbs() }, Some(&pbs_input()), false);
    let (kind, reason) = failure(Function::default().run_job(&store, &job));
    assert_eq!(kind, FailureKind::BadKey, "{reason}");
}
