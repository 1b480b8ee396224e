//! End to end through the local folder store with real encryption and the in-process
//! function, on both tiers; what the bucket holds; cancelling; the keys on disk. The
//! handler's failures are in `handler.rs`.

use qrveil_e2e::{bitmap_in, decode_png, keys, server_key};
use qrveil_protocol::params::{DELTA, PBS_PARAMS};
use qrveil_protocol::{EncryptedGrid, FolderStore, JobStatus, KeyId, Store, Tier};
use qrveil_sdk::{
    encode, encrypt_features, encrypt_grid, style_code, Cancel, EcLevel, LocalTransport, SdkError, Stage, StyleOptions,
    Styler, Ticket, Transport,
};
use qrveil_style::{Encoding, Preset, StyleId};
use tfhe::core_crypto::commons::math::random::Seed;
use tfhe::core_crypto::prelude::SeededGlweCiphertext;

fn style(payload: &[u8], opts: StyleOptions) -> (Vec<u8>, qrveil_sdk::Report, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let styler = Styler::new(keys().clone(), LocalTransport::new(FolderStore::new(dir.path())));
    let styled = styler.style(payload, &opts, &mut |_| {}).expect("styled");
    (styled.png, styled.report, dir)
}

/// The one job's objects in a local bucket, checked for the payload and the bitmap.
fn assert_no_plaintext(dir: &std::path::Path, payload: &[u8]) {
    let jobs: Vec<_> = std::fs::read_dir(dir.join("jobs")).expect("jobs dir").collect();
    assert_eq!(jobs.len(), 1);
    let job = jobs[0].as_ref().expect("entry").path();
    let grid = encode(payload, EcLevel::M, Some(1)).expect("fits").grid;
    for object in ["manifest", "input", "output", "status"] {
        let bytes = std::fs::read(job.join(object)).expect(object);
        assert!(!bytes.windows(payload.len()).any(|w| w == payload), "{object} leaks the payload");
        assert_eq!(bitmap_in(&bytes, &grid), None, "{object} carries the module bitmap");
    }
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
    assert_no_plaintext(dir.path(), payload);
    // Targets: <= 96 KB up at version 1, 4 B per value down at version 10 (here: within 3x).
    assert!(report.bytes_up <= 96_000, "{} bytes up", report.bytes_up);
    assert!(report.bytes_down <= 12 * report.outputs as usize, "{} bytes down", report.bytes_down);
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
    assert_no_plaintext(dir.path(), payload);
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
    // The real encryptions of the same grid show none of them, on either tier.
    let real = encrypt_grid(&keys().client, &grid).to_bytes().expect("serialize");
    assert_eq!(bitmap_in(&real, &grid), None);
    let real = encrypt_features(&keys().client, &grid, &Encoding::ALL).to_bytes().expect("serialize");
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
    let mut saved = qrveil_sdk::Keys::generate();
    keys::save(dir.path(), &mut saved).expect("save");
    let loaded = keys::load(dir.path()).expect("load");
    assert!(loaded.existing_server_key().is_none() && !dir.path().join("server-key").exists());
    let made = loaded.server_key().expect("made").id.clone();
    assert_eq!(keys::load(dir.path()).expect("load").existing_server_key().map(|k| k.id.clone()), Some(made));
    // The loaded client key decrypts what the original encrypted.
    let ct = saved.client.client_key.encrypt(3);
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

/// The local transport with a function that tampers with every result it returns.
struct Tampering {
    inner: LocalTransport,
    tamper: fn(&mut Vec<u8>),
}

impl Transport for Tampering {
    fn begin(&self, key: Option<&KeyId>) -> Result<Ticket, SdkError> {
        self.inner.begin(key)
    }
    fn upload_server_key(&self, ticket: &Ticket, bytes: &[u8]) -> Result<(), SdkError> {
        self.inner.upload_server_key(ticket, bytes)
    }
    fn submit(&self, ticket: &Ticket, manifest: &[u8], input: &[u8]) -> Result<(), SdkError> {
        self.inner.submit(ticket, manifest, input)
    }
    fn wait(&self, ticket: &Ticket, cancel: &Cancel) -> Result<(JobStatus, Option<Vec<u8>>), SdkError> {
        let (status, mut output) = self.inner.wait(ticket, cancel)?;
        if let Some(bytes) = output.as_mut() {
            (self.tamper)(bytes);
        }
        Ok((status, output))
    }
}

#[test]
fn tampered_results_give_the_payload_or_a_typed_error_on_both_tiers() {
    // Flipped bits inside the ciphertexts decrypt to garbage, which correction overrides; a cut
    // container does not read back. Never a code for other data.
    let flip: fn(&mut Vec<u8>) = |b| {
        let n = b.len();
        for i in (n / 3..n).step_by(7) {
            b[i] ^= 0x5a;
        }
    };
    let cut: fn(&mut Vec<u8>) = |b| b.truncate(b.len() - 9);
    let payload = b"tamper-proof";
    for tier in [Tier::Linear, Tier::Pbs] {
        for (name, tamper) in [("flipped", flip), ("cut", cut)] {
            let dir = tempfile::tempdir().expect("tempdir");
            let transport = Tampering { inner: LocalTransport::new(FolderStore::new(dir.path())), tamper };
            let opts = StyleOptions { style: StyleId::Fluid, tier: Some(tier), ..Default::default() };
            match style_code(keys(), &transport, payload, &opts, &mut |_| {}, &Cancel::new()) {
                Ok(code) => {
                    assert_eq!(decode_png(&code.png), payload, "{tier} tier, {name}");
                    assert!(code.report.corrected_modules > 0, "{tier} tier, {name}: nothing was tampered with?");
                }
                Err(e) => assert!(
                    matches!(e, SdkError::BadResult(_) | SdkError::VerificationFailed(_)),
                    "{tier} tier, {name}: {e:?}"
                ),
            }
        }
    }
}
