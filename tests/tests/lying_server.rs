//! A lying server, in the local mode (real keys, real encryption, the function in process; the
//! lies from `qrveil_e2e::lying`): whatever it returns, the published code is byte for byte the
//! one an honest service gives, the integrity event is raised, and the keys that read the lie
//! are never used again. On both tiers and for every kind of output: corner flags (`fluid`),
//! dot size classes (`swell`), fitted vertex codes (`fitted`) and fitted classes (`fitted-wide`).
//! The emulated cloud runs the same lies in `emulated_cloud.rs`.

use qrveil_e2e::lying::{Lie, Lying};
use qrveil_e2e::wide::{density_program, wide_options};
use qrveil_protocol::params::{LINEAR_DELTA, OUTPUT_DELTA, PBS_PARAMS};
use qrveil_protocol::{FolderStore, LinearOutputs, Tier};
use qrveil_sdk::{
    decrypt_linear, encode, encrypt_features, keys, style_code, Cancel, EcLevel, IntegrityEvent, JobKey, Keys,
    LocalTransport, SdkError, StyleOptions, Styler,
};
use qrveil_style::recipe::fitted::quarter_box;
use qrveil_style::recipe::TileSet;
use qrveil_style::{clear, Plan, StyleId};
use std::sync::Arc;

/// Tiles for the `fitted` style that draw every bit of each vertex's code: a dark quarter is
/// square, but cut off at the vertex where its module is the block's only dark one (as rounded
/// looks do), so a wrong code draws a different corner.
fn code_tiles() -> TileSet {
    let codes = (0..16u8)
        .map(|code| {
            std::array::from_fn(|q| {
                if code >> q & 1 == 0 {
                    return Vec::new();
                }
                let (x0, y0, x1, y1) = quarter_box(q);
                let mut corners = vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1]];
                if code.count_ones() == 1 {
                    // The corner at the vertex (0.5, 0.5) becomes a chamfer.
                    let at =
                        corners.iter().position(|&[x, y]| x == 0.5 && y == 0.5).expect("a quarter meets the vertex");
                    let [x, y] = corners[at];
                    let (dx, dy) = (if x0 < 0.5 { -0.2 } else { 0.2 }, if y0 < 0.5 { -0.2 } else { 0.2 });
                    let (before, after) =
                        if at % 2 == 0 { ([x, y + dy], [x + dx, y]) } else { ([x + dx, y], [x, y + dy]) };
                    corners.splice(at..=at, [before, after]);
                }
                vec![corners]
            })
        })
        .collect();
    TileSet::new(codes).expect("valid tiles")
}

/// The looks whose outputs a lie could redraw: each kind of output the recipe reads.
fn looks(version: u8) -> Vec<(&'static str, StyleOptions)> {
    let base = StyleOptions { version: Some(version), ..Default::default() };
    vec![
        ("corner flags", StyleOptions { style: StyleId::Fluid, ..base.clone() }),
        ("dot classes", StyleOptions { style: StyleId::Swell, ..base.clone() }),
        ("fitted codes", StyleOptions { style: StyleId::Fitted, fitted: Some(Arc::new(code_tiles())), ..base.clone() }),
        // Classes from `8·self + group`, which the client encodes from its own grid.
        ("wide classes", StyleOptions { version: Some(version), ..wide_options(&density_program()) }),
    ]
}

/// PNG and SVG of an honest service's code, with other keys than the victim's.
fn honest(payload: &[u8], opts: &StyleOptions) -> (Vec<u8>, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let styler = Styler::new(qrveil_e2e::keys().clone(), LocalTransport::new(FolderStore::new(dir.path())));
    let code = styler.style(payload, opts, &mut |_| {}).expect("an honest job");
    assert_eq!(code.report.integrity, None, "an honest service raised the event");
    (code.png, code.svg)
}

/// A client whose key folder and bucket are temporary, behind a lying service.
struct Victim {
    keys: Keys,
    service: Lying<LocalTransport>,
    key_dir: tempfile::TempDir,
    _bucket: tempfile::TempDir,
}

impl Victim {
    fn new() -> Self {
        let (key_dir, bucket) = (tempfile::tempdir().expect("tempdir"), tempfile::tempdir().expect("tempdir"));
        let (keys, _) = keys::load_or_generate(key_dir.path()).expect("keys");
        let service = Lying::new(LocalTransport::new(FolderStore::new(bucket.path())));
        Self { keys, service, key_dir, _bucket: bucket }
    }

    fn style(&self, payload: &[u8], opts: &StyleOptions) -> qrveil_sdk::StyledCode {
        style_code(&self.keys, &self.service, payload, opts, &mut |_| {}, &Cancel::new()).expect("a code")
    }

    /// Run `lie` and check what the issue asks of every lie: the honest code, byte for byte; the
    /// event; on the PBS tier, the client key replaced in memory and on disk, the server key gone.
    fn is_told(&self, lie: Lie, payload: &[u8], opts: &StyleOptions, honest: &(Vec<u8>, String), tier: Tier) {
        let what = format!("{} on the {tier} tier, {lie:?}", opts.style);
        let pair = self.keys.current();
        let on_disk = std::fs::read(self.key_dir.path().join("client-key")).expect("client key file");
        self.service.tell(lie);
        let code = self.style(payload, opts);
        assert_eq!(code.report.tier, tier, "{what}");
        assert_eq!(code.report.integrity, Some(IntegrityEvent { tier }), "{what}: no integrity event");
        assert!(code.png == honest.0, "{what}: the PNG differs from the honest one");
        assert!(code.svg == honest.1, "{what}: the SVG differs from the honest one");
        if tier == Tier::Pbs {
            assert!(!Arc::ptr_eq(&pair, &self.keys.current()), "{what}: the key pair was kept");
            assert_ne!(on_disk, std::fs::read(self.key_dir.path().join("client-key")).expect("read"), "{what}");
            assert!(!self.key_dir.path().join("server-key").exists(), "{what}: the old server key is still there");
            assert!(self.keys.existing_server_key().is_none(), "{what}");
        }
    }
}

#[test]
fn the_probe_flips_exactly_the_outputs_whose_key_bit_is_1_when_decrypted() {
    // Why the client must not draw what it decrypts: 2^63 added to mask coefficient 0 of a
    // linear result adds 2^63·s_i to value i, so value i moves by 2 (of 4) exactly where key
    // coefficient i is 1. Anyone who sees a code drawn from those values reads the key.
    let grid = encode(b"probe", EcLevel::M, Some(1)).expect("fits").grid;
    let style = StyleId::Fluid.style().expect("a built-in style");
    let Plan::Linear(plans) = Plan::of(&style.server).expect("valid") else { panic!("fluid is linear") };
    let key = JobKey::fresh();
    let features = encrypt_features(&key, &grid, &style.server, &[plans[0].encoding]).expect("fluid's encodings");
    let expanded = qrveil_function::linear::expand(&features, &[plans[0].encoding]);
    let honest = qrveil_function::linear::evaluate(&plans, &expanded).expect("evaluates");
    let probed = qrveil_e2e::lying::tell(&Lie::Mask { index: 0, delta: 1 << 63 }, honest.to_bytes().expect("bytes"));
    let cells = vec![plans[0].cells(grid.side())];
    let values = decrypt_linear(&key, &LinearOutputs::from_bytes(&probed, &cells).expect("conformant"));
    let truth = clear::evaluate(&style.server, &grid).expect("valid");
    let bits = key.glwe_secret_key().as_ref().to_vec();
    let read: Vec<u64> = values.iter().zip(&truth).map(|(v, t)| u64::from(v != t)).collect();
    assert_eq!(read, bits[..read.len()], "the changed values are the key's bits");
    assert_eq!(LINEAR_DELTA << 1, 1 << 63, "2^63 is two steps of the linear tier's 2-bit values");
    println!("probe: {} of {} values changed, each where the key bit is 1", read.iter().sum::<u64>(), read.len());
}

#[test]
fn every_linear_lie_draws_the_honest_code_and_raises_the_event() {
    let payload = b"lie to me";
    // Version 10: each program's results span two GLWEs, so they can be swapped.
    for (kind, opts) in looks(10) {
        let honest = honest(payload, &opts);
        let victim = Victim::new();
        let n = PBS_PARAMS.polynomial_size.0;
        for lie in [
            Lie::Mask { index: 0, delta: 1 << 63 },
            Lie::Mask { index: n / 2, delta: LINEAR_DELTA },
            Lie::Mask { index: n - 1, delta: 3 * LINEAR_DELTA },
            Lie::Body { slot: 0, delta: LINEAR_DELTA },
            Lie::Body { slot: 1000, delta: 3 * LINEAR_DELTA },
            Lie::Body { slot: 2000, delta: 1 << 63 },
            Lie::SwapGlwes,
            Lie::ShiftSlots,
            Lie::SwapSlots { n: 64 },
        ] {
            victim.is_told(lie, payload, &opts, &honest, Tier::Linear);
        }
        println!("{kind}: 9 lies on the linear tier, each drawn as the honest code");
    }
}

#[test]
fn replayed_results_of_another_job_are_caught_because_every_linear_job_has_its_own_key() {
    // The same payload and look twice: the same results, were the key the same. Each job
    // encrypts under a key of its own, so the first job's results do not decrypt under the
    // second's; the event shows that the two keys differ.
    let payload = b"replay";
    for (_, opts) in looks(2) {
        let honest = honest(payload, &opts);
        let victim = Victim::new();
        let first = victim.style(payload, &opts);
        assert_eq!((first.report.integrity, &first.png), (None, &honest.0));
        victim.is_told(Lie::Replay(victim.service.last_honest()), payload, &opts, &honest, Tier::Linear);
    }
}

#[test]
fn every_pbs_lie_draws_the_honest_code_raises_the_event_and_replaces_the_keys() {
    let payload = b"lie to me";
    let fluid = StyleOptions { style: StyleId::Fluid, version: Some(1), tier: Some(Tier::Pbs), ..Default::default() };
    let honest_fluid = honest(payload, &fluid);
    let victim = Victim::new();
    // Another payload's results under the same key, for the replay.
    victim.style(b"someone else", &fluid);
    let other = victim.service.last_honest();
    for lie in [
        Lie::Mask { index: 0, delta: 2 * OUTPUT_DELTA },
        Lie::Body { slot: 3, delta: OUTPUT_DELTA },
        Lie::SwapGlwes,
        Lie::ShiftSlots,
        Lie::SwapSlots { n: 64 },
        Lie::Replay(other),
    ] {
        victim.is_told(lie, payload, &fluid, &honest_fluid, Tier::Pbs);
    }
    // The other kinds of output: dot classes, and a wide fitted look's classes.
    let swell = StyleOptions { style: StyleId::Swell, ..fluid.clone() };
    victim.is_told(Lie::Mask { index: 100, delta: OUTPUT_DELTA }, payload, &swell, &honest(payload, &swell), Tier::Pbs);
    let wide = StyleOptions { version: Some(1), tier: Some(Tier::Pbs), ..wide_options(&density_program()) };
    let honest_wide = honest(payload, &wide);
    victim.is_told(Lie::Mask { index: 7, delta: 2 * OUTPUT_DELTA }, payload, &wide, &honest_wide, Tier::Pbs);
    victim.is_told(Lie::ShiftSlots, payload, &wide, &honest_wide, Tier::Pbs);
}

#[test]
fn a_change_to_the_pbs_padding_bit_alone_is_no_difference() {
    // 2^63 is the padding bit of a PBS-tier output, which decryption drops: the values are the
    // honest ones, nothing is learned, and the keys stay.
    let payload = b"padding";
    let opts = StyleOptions { style: StyleId::Fluid, version: Some(1), tier: Some(Tier::Pbs), ..Default::default() };
    let victim = Victim::new();
    victim.service.tell(Lie::Mask { index: 0, delta: 1 << 63 });
    let pair = victim.keys.current();
    let code = victim.style(payload, &opts);
    assert_eq!(code.report.integrity, None);
    assert!(code.png == honest(payload, &opts).0);
    assert!(Arc::ptr_eq(&pair, &victim.keys.current()));
}

#[test]
fn tampered_bytes_give_the_honest_code_or_a_typed_error_on_both_tiers() {
    // Bytes flipped inside the container: either it no longer reads (a bad result, nothing
    // decrypted) or it decrypts to garbage, which changes nothing drawn. A cut container does
    // not read back. Never a code for other data, never a different drawing.
    let flip = |mut b: Vec<u8>| {
        let n = b.len();
        for i in (n / 3..n).step_by(7) {
            b[i] ^= 0x5a;
        }
        b
    };
    let cut = |mut b: Vec<u8>| {
        b.truncate(b.len() - 9);
        b
    };
    let payload = b"tamper-proof";
    for tier in [Tier::Linear, Tier::Pbs] {
        let opts = StyleOptions { style: StyleId::Fluid, tier: Some(tier), ..Default::default() };
        let honest = honest(payload, &opts);
        for (name, tamper) in [("flipped", &flip as &dyn Fn(Vec<u8>) -> Vec<u8>), ("cut", &cut)] {
            let victim = Victim::new();
            victim.style(payload, &opts);
            victim.service.tell(Lie::Replay(tamper(victim.service.last_honest())));
            match style_code(&victim.keys, &victim.service, payload, &opts, &mut |_| {}, &Cancel::new()) {
                Ok(code) => {
                    assert!(code.png == honest.0, "{tier} tier, {name}: a different drawing");
                    assert!(code.report.integrity.is_some(), "{tier} tier, {name}: nothing was tampered with?");
                }
                Err(e) => assert!(matches!(e, SdkError::BadResult(_)), "{tier} tier, {name}: {e:?}"),
            }
        }
    }
}
