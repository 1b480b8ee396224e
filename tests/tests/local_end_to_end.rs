//! End to end through the local folder store with real encryption and the in-process
//! function, on both tiers; what the bucket holds; cancelling; the keys on disk. The
//! handler's failures are in `handler.rs`.

use qrveil_e2e::{bitmap_in, client, decode_png, keys, plaintext, server_key};
use qrveil_protocol::linear::{page_size, EncryptedFeatures, TruncatedSeededGlwe};
use qrveil_protocol::params::{DELTA, LINEAR_DELTA, LINEAR_UPLOAD_LOG_MODULUS, PBS_PARAMS};
use qrveil_protocol::{EncryptedGrid, FolderStore, LinearInput, Store, Tier};
use qrveil_sdk::{
    encode, encrypt_features, encrypt_grid, greys, style_code, Cancel, Decoder, EcLevel, JobKey, LocalTransport,
    SdkError, Stage, StyleOptions, Styler,
};
use qrveil_style::recipe::{CentreShape, Patterns, RingShape};
use qrveil_style::spec::served_example;
use qrveil_style::{Encoding, ModuleGrid, Plan, Preset, ServerProgram, StyleId};
use tfhe::core_crypto::commons::math::random::Seed;
use tfhe::core_crypto::prelude::packed_integers::PackedIntegers;
use tfhe::core_crypto::prelude::{CiphertextModulusLog, SeededGlweCiphertext};

fn style(payload: &[u8], opts: StyleOptions) -> (Vec<u8>, qrveil_sdk::Report, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let styler = Styler::new(keys().clone(), LocalTransport::new(FolderStore::new(dir.path())));
    let styled = styler.style(payload, &opts, &mut |_| {}).expect("styled");
    (styled.png, styled.report, dir)
}

/// The one job's objects in a local bucket, checked for the payload and the bitmap; its input,
/// a job of `style` on `tier`, also with the statistical test.
fn assert_no_plaintext(dir: &std::path::Path, payload: &[u8], style: StyleId, tier: Tier) {
    let jobs: Vec<_> = std::fs::read_dir(dir.join("jobs")).expect("jobs dir").collect();
    assert_eq!(jobs.len(), 1);
    let job = jobs[0].as_ref().expect("entry").path();
    let grid = encode(payload, EcLevel::M, Some(1)).expect("fits").grid;
    for object in ["manifest", "input", "output", "status"] {
        let bytes = std::fs::read(job.join(object)).expect(object);
        assert!(!bytes.windows(payload.len()).any(|w| w == payload), "{object} leaks the payload");
        assert_eq!(bitmap_in(&bytes, &grid), None, "{object} carries the module bitmap");
    }
    let input = std::fs::read(job.join("input")).expect("input");
    let found: Vec<_> = match tier {
        Tier::Linear => {
            let server = served_example(style).server;
            let encodings = Plan::of(&server).expect("valid").encodings();
            let shapes = encodings.iter().map(|e| e.shape(grid.side())).collect();
            let input = LinearInput::from_bytes(&input, &shapes).expect("a linear input");
            let found = |(i, &e): (usize, &Encoding)| plaintext::in_linear_upload(&input, i, e, &server, &grid);
            encodings.iter().enumerate().map(found).collect()
        }
        Tier::Pbs => {
            vec![plaintext::in_grid_upload(&EncryptedGrid::from_bytes(&input, grid.side()).expect("a grid"), &grid)]
        }
    };
    assert!(found.iter().all(|d| !d.carries_plaintext()), "the input depends on the grid: {found:?}");
}

#[test]
fn version_1_rounded_runs_on_the_linear_tier_without_a_server_key() {
    let payload = b"secret-wifi";
    let (png, report, dir) =
        style(payload, StyleOptions { style: StyleId::Fluid, version: Some(1), ..Default::default() });
    assert_eq!(decode_png(&png), payload);
    assert_eq!((report.version, report.modules, report.tier, report.pbs), (1, 21, Tier::Linear, 0));
    assert_eq!((report.key_upload_bytes, report.key_id), (0, None));
    assert_eq!(report.corrected_modules, 0, "the server's result should need no correction");
    // No key in the bucket; neither the payload nor the module bitmap in any plain encoding
    // (`bitmap_in` is shown to catch an unencrypted upload below).
    assert!(!dir.path().join("keys").exists());
    assert_no_plaintext(dir.path(), payload, StyleId::Fluid, Tier::Linear);
    // Targets: <= 96 KB up at version 1, 4 B per value down at version 10 (here: within 3x).
    assert!(report.bytes_up <= 96_000, "{} bytes up", report.bytes_up);
    assert!(report.bytes_down <= 12 * report.outputs as usize, "{} bytes down", report.bytes_down);
}

/// A look that no drawing passes at the smallest version is made larger when no version was
/// asked for, in the same look and colours; a pinned version is refused. The case: a version-1
/// code with dot rings that zxing-cpp does not read from the poor phone scan, even in black.
#[test]
fn a_code_refused_at_its_smallest_version_is_made_larger_unless_the_version_is_pinned() {
    let payload = b"KHC";
    let dots = Patterns { ring: RingShape::Dot, centre: CentreShape::Dot };
    let opts = StyleOptions { style: StyleId::ClassyRounded, ec: EcLevel::L, patterns: dots, ..Default::default() };
    assert_eq!(encode(payload, EcLevel::L, None).expect("fits").version, 1);
    let dir = tempfile::tempdir().expect("tempdir");
    let styler = Styler::new(keys().clone(), LocalTransport::new(FolderStore::new(dir.path())));
    let pinned = styler.style(payload, &StyleOptions { version: Some(1), ..opts.clone() }, &mut |_| {});
    assert!(matches!(pinned, Err(SdkError::VerificationFailed(_))), "version 1 should be refused");

    let (png, report, _dir) = style(payload, opts.clone());
    let raised = report.raised_from.expect("the report says the version was raised");
    assert_eq!(raised.version, 1);
    assert!(raised.refused_by.contains("phone scan"), "{}", raised.refused_by);
    assert!(report.version > 1 && report.version <= 1 + qrveil_sdk::VERSION_STEPS);
    // The image is the larger code's: its side in modules (plus the quiet zone) and its reading.
    let img = image::load_from_memory(&png).expect("a PNG").to_rgb8();
    let side = 17 + 4 * u32::from(report.version) + 2 * opts.quiet_zone;
    assert_eq!(img.width(), side * opts.module_px);
    assert!(Decoder::ZxingCpp.reads(&greys(&img), payload));
}

#[test]
fn version_1_rounded_on_the_pbs_tier_uploads_its_key_and_reads_the_same() {
    let payload = b"secret-wifi";
    let opts = StyleOptions { style: StyleId::Fluid, version: Some(1), tier: Some(Tier::Pbs), ..Default::default() };
    let (png, report, dir) = style(payload, opts);
    assert_eq!(decode_png(&png), payload);
    // One PBS per vertex but the 3 x 64 around the finders (fixed by the standard).
    assert_eq!((report.tier, report.pbs), (Tier::Pbs, 22 * 22 - 3 * 64));
    assert_eq!(report.key_upload_bytes, server_key().bytes.len());
    assert!(FolderStore::new(dir.path()).exists(&format!("keys/{}/server-key", server_key().id)).expect("stat"));
    assert_no_plaintext(dir.path(), payload, StyleId::Fluid, Tier::Pbs);
    assert!(report.bytes_up <= 64 * 21 * 21, "{} bytes up", report.bytes_up);
    assert!(report.bytes_down <= 16 * report.outputs as usize, "{} bytes down", report.bytes_down);
}

/// Uploads of `grid` "encrypted" with no key and no noise, as they would pass the function's
/// checks: each body coefficient is the plaintext (the indicator at the linear tier's scale, the
/// module bit at the PBS tier's), the mask any seed's.
fn keyless_linear_upload(grid: &ModuleGrid, encoding: Encoding, style: &ServerProgram) -> LinearInput {
    let codes = encoding.codes_of(grid, style).expect("an encoding of the style");
    let scale = LINEAR_DELTA >> (64 - LINEAR_UPLOAD_LOG_MODULUS);
    let glwes = codes
        .chunks(page_size())
        .flat_map(|page| {
            (1..=encoding.slots_per_cell()).map(move |code| {
                let body: Vec<u64> = page.iter().map(|&c| u64::from(c as usize == code) * scale).collect();
                TruncatedSeededGlwe {
                    seed: Seed(7).into(),
                    body: PackedIntegers::pack(&body, CiphertextModulusLog(LINEAR_UPLOAD_LOG_MODULUS)),
                }
            })
        })
        .collect();
    let (cells, slots) = encoding.shape(grid.side());
    LinearInput { features: vec![EncryptedFeatures { cells, slots, glwes }] }
}

fn keyless_grid_upload(grid: &ModuleGrid, noise: i64) -> EncryptedGrid {
    let n = PBS_PARAMS.polynomial_size.0;
    let mut body: Vec<u64> =
        grid.bits().iter().map(|&dark| (u64::from(dark) * DELTA).wrapping_add_signed(noise)).collect();
    body.resize(n, 0);
    let glwe = SeededGlweCiphertext::from_container(
        body,
        PBS_PARAMS.glwe_dimension.to_glwe_size(),
        Seed(7).into(),
        PBS_PARAMS.ciphertext_modulus,
    );
    EncryptedGrid { side: grid.side(), glwes: vec![glwe] }
}

#[test]
fn the_no_plaintext_test_fails_on_keyless_uploads_of_every_encoding_and_passes_real_ones() {
    let grid = encode(b"secret-wifi", EcLevel::M, Some(1)).expect("fits").grid;
    // The fixed encodings, and a wide look's own (`8·self + group`, from its program).
    let wide = qrveil_e2e::wide::density_program();
    let Plan::Linear(plans) = Plan::of(&wide).expect("valid") else { panic!("a wide look is linear") };
    let own = plans[0].encoding;
    assert!(matches!(own, Encoding::NodeValue { .. }), "{own}");
    let cases = Encoding::FIXED
        .map(|e| (e, StyleId::Square.style().expect("a built-in style").server))
        .into_iter()
        .chain([(own, wide)]);
    for (encoding, style) in cases {
        // A valid container that the function would accept...
        let bytes = keyless_linear_upload(&grid, encoding, &style).to_bytes().expect("serialize");
        let leaky = LinearInput::from_bytes(&bytes, &vec![encoding.shape(grid.side())]).expect("conformant");
        // ...in which the statistical test sees the plaintext, where the byte search does not.
        let found = plaintext::in_linear_upload(&leaky, 0, encoding, &style, &grid);
        println!("keyless {encoding} upload: {found:?}");
        assert!(found.carries_plaintext(), "{encoding}: {found:?}");
        assert_eq!(bitmap_in(&bytes, &grid), None, "{encoding}: the byte search was never able to see it");
        // A real encryption of the same grid shows no dependence.
        let real = encrypt_features(&JobKey::fresh(), &grid, &style, &[encoding]).expect("encodings of the style");
        let none = plaintext::in_linear_upload(&real, 0, encoding, &style, &grid);
        println!("encrypted {encoding} upload: {none:?}");
        assert!(!none.carries_plaintext(), "{encoding}: {none:?}");
    }
    for noise in [0, -(1 << 17), 1 << 17] {
        let leaky = keyless_grid_upload(&grid, noise);
        assert!(EncryptedGrid::from_bytes(&leaky.to_bytes().expect("serialize"), grid.side()).is_ok());
        let found = plaintext::in_grid_upload(&leaky, &grid);
        println!("keyless grid upload, noise {noise}: {found:?}");
        assert!(found.carries_plaintext(), "noise {noise}: {found:?}");
    }
    let none = plaintext::in_grid_upload(&encrypt_grid(client(), &grid), &grid);
    println!("encrypted grid upload: {none:?}");
    assert!(!none.carries_plaintext(), "{none:?}");
    // The byte search still catches the raw encodings it knows.
    let raw: Vec<u8> = grid.bits().iter().map(|&b| u8::from(b)).collect();
    assert_eq!(bitmap_in(&[b"x".as_slice(), &raw].concat(), &grid), Some("one byte per module"));
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
fn version_5_gradient_and_dots_round_trip_on_both_tiers() {
    let payload = "https://files.example.org/share/8f3a?token=Zm9vYmFyYmF6&exp=2026-12-01".as_bytes();
    for id in [StyleId::Square, StyleId::Swell] {
        for tier in [Tier::Linear, Tier::Pbs] {
            let opts = StyleOptions {
                style: id,
                version: Some(5),
                preset: "purple-violet".parse::<Preset>().expect("preset"),
                tier: Some(tier),
                ..Default::default()
            };
            let (png, report, _dir) = style(payload, opts);
            assert_eq!((report.modules, report.tier), (37, tier));
            assert_eq!(decode_png(&png), payload, "{id} on the {tier} tier");
        }
    }
}

#[test]
fn keys_survive_a_save_and_load_and_damage_is_a_clear_error() {
    use qrveil_sdk::keys;
    let dir = tempfile::tempdir().expect("tempdir");
    // A client key alone is saved and loaded; the server key is made later, saved beside it
    // and read back from then on.
    let saved = qrveil_sdk::Keys::generate();
    keys::save(dir.path(), &saved).expect("save");
    let loaded = keys::load(dir.path()).expect("load");
    assert!(loaded.existing_server_key().is_none() && !dir.path().join("server-key").exists());
    let made = loaded.server_key().expect("made").id.clone();
    assert_eq!(keys::load(dir.path()).expect("load").existing_server_key().map(|k| k.id.clone()), Some(made));
    // The loaded client key decrypts what the original encrypted.
    let ct = saved.current().client().client_key.encrypt(3);
    assert_eq!(loaded.current().client().client_key.decrypt(&ct), 3);
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

/// Every file under `dir`, by path relative to it, with its bytes.
fn files(dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut out = std::collections::BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).expect("ls") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                todo.push(path);
            } else {
                let name = path.strip_prefix(dir).expect("inside").display().to_string();
                out.insert(name, std::fs::read(&path).expect("read"));
            }
        }
    }
    out
}

#[test]
fn linear_jobs_store_nothing_of_their_keys() {
    // The key folder and the bucket in one home, as the CLI lays them out. Two linear jobs
    // leave the key folder as it was and add only their four objects each: the job's key lived
    // in memory for the job and was dropped (that each job has its own: lying_server.rs).
    let home = tempfile::tempdir().expect("tempdir");
    let (keys, _) = qrveil_sdk::keys::load_or_generate(&home.path().join("keys")).expect("keys");
    let before = files(home.path());
    let styler = Styler::new(keys, LocalTransport::new(FolderStore::new(home.path().join("bucket"))));
    for payload in [b"first".as_slice(), b"second"] {
        let code = styler.style(payload, &StyleOptions { style: StyleId::Fluid, ..Default::default() }, &mut |_| {});
        assert_eq!(code.expect("styled").report.tier, Tier::Linear);
    }
    let after = files(home.path());
    let added: Vec<&String> = after.keys().filter(|name| !before.contains_key(*name)).collect();
    assert!(before.iter().all(|(name, bytes)| after.get(name) == Some(bytes)), "the key folder changed");
    assert_eq!(added.len(), 8, "{added:?}");
    for name in added {
        let object = name.rsplit('/').next().expect("a name");
        assert!(
            name.starts_with("bucket/jobs/") && ["manifest", "input", "output", "status"].contains(&object),
            "{name}"
        );
    }
}
