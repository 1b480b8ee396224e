//! Shared helpers for the end-to-end tests: one real key set per test binary (the server key
//! takes seconds), job manifests and inputs for both tiers, small grid builders, an independent
//! decoder, the check that bytes on the wire do not carry a module bitmap in the clear, and the
//! search for secrets in logs ([`leaks`]).

pub mod emulated;
pub mod leaks;
pub mod lying;
pub mod plaintext;
pub mod wide;

use qrveil_function::ServerKeys;
use qrveil_protocol::job::FORMAT_VERSION;
use qrveil_protocol::params::{DELTA, PARAMS_NAME};
use qrveil_protocol::ClientKeyBundle;
use qrveil_protocol::{Manifest, Tier};
use qrveil_sdk::{KeyPair, Keys, ServerKey};
use qrveil_style::spec::served_example;
use qrveil_style::{ModuleGrid, Plan, StyleId};
use std::sync::{Arc, OnceLock};

/// Real TFHE keys, generated once per test binary.
pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(Keys::generate)
}

/// The client key of [`keys`] as the first job uses it (tests with a lying server make keys of
/// their own: nothing replaces these).
pub fn client() -> &'static ClientKeyBundle {
    static PAIR: OnceLock<Arc<KeyPair>> = OnceLock::new();
    PAIR.get_or_init(|| keys().current()).client()
}

/// The expanded server keys for [`keys`], read back through the wire format like the function does.
pub fn server_keys() -> &'static ServerKeys {
    static SERVER: OnceLock<ServerKeys> = OnceLock::new();
    SERVER.get_or_init(|| qrveil_sdk::expand_server_keys(keys()).expect("server key reads back"))
}

/// A random `side` × `side` grid from a seeded generator.
pub fn random_grid(side: u32, rng: &mut impl rand::Rng) -> ModuleGrid {
    ModuleGrid::new(side, (0..side * side).map(|_| rng.random_bool(0.5)).collect()).expect("square")
}

/// Decode PNG bytes with rqrr, independently of the pipeline's own check.
pub fn decode_png(png: &[u8]) -> Vec<u8> {
    let img = image::load_from_memory(png).expect("a PNG").to_luma8();
    let mut prepared = rqrr::PreparedImage::prepare(img);
    let grids = prepared.detect_grids();
    assert_eq!(grids.len(), 1, "exactly one code in the image");
    let mut out = Vec::new();
    grids[0].decode_to(&mut out).expect("decodes");
    out
}

/// The encodings in which bytes could carry `grid`'s module bitmap unencrypted: one byte per
/// module, the bits packed either way (whole grid, or row by row), and the wire format's
/// plaintext (one little-endian `u64` per module, `bit · Δ`, as a trivial or keyless
/// encryption would leave it). The first one found in `bytes`, by name.
pub fn bitmap_in(bytes: &[u8], grid: &ModuleGrid) -> Option<&'static str> {
    let bits = grid.bits();
    let pack = |bits: &[bool], msb_first: bool| -> Vec<u8> {
        bits.chunks(8)
            .map(|c| {
                c.iter().enumerate().fold(0u8, |acc, (i, &b)| acc | u8::from(b) << if msb_first { 7 - i } else { i })
            })
            .collect()
    };
    let rows = |msb_first: bool| -> Vec<u8> {
        bits.chunks(grid.side() as usize).flat_map(|row| pack(row, msb_first)).collect()
    };
    let encodings: [(&'static str, Vec<u8>); 6] = [
        ("one byte per module", bits.iter().map(|&b| u8::from(b)).collect()),
        ("bits packed, most significant first", pack(bits, true)),
        ("bits packed, least significant first", pack(bits, false)),
        ("rows packed, most significant first", rows(true)),
        ("rows packed, least significant first", rows(false)),
        ("plaintext coefficients bit·Δ", bits.iter().flat_map(|&b| (u64::from(b) * DELTA).to_le_bytes()).collect()),
    ];
    encodings.into_iter().find(|(_, pattern)| bytes.windows(pattern.len()).any(|w| w == pattern)).map(|(name, _)| name)
}

/// The server key of [`keys`], made once per test binary (seconds): only PBS-tier jobs need it.
pub fn server_key() -> &'static ServerKey {
    static SERVER: OnceLock<Arc<ServerKey>> = OnceLock::new();
    SERVER.get_or_init(|| keys().server_key().expect("server key"))
}

/// A manifest for a version-1 job of `style` on `tier`: the encodings the style reads on the
/// linear tier (none for a style the catalogue does not know), the test key on the PBS tier.
pub fn manifest(style: &str, tier: Tier) -> Manifest {
    let encodings = match (tier, style.parse::<StyleId>()) {
        (Tier::Linear, Ok(id)) => Plan::of(&served_example(id).server).expect("valid").encodings(),
        _ => Vec::new(),
    };
    Manifest {
        format_version: FORMAT_VERSION,
        params: PARAMS_NAME.into(),
        style: style.into(),
        tier,
        encodings: encodings.iter().map(|e| e.to_string()).collect(),
        key_id: (tier == Tier::Pbs).then(|| server_key().id.clone()),
        modules: 21,
        created_at: 0,
        program: None,
    }
}

/// A valid version-1 input for `manifest(style, tier)`: the grid of `payload`, encrypted for the
/// tier (under a fresh job key on the linear tier, as jobs are).
pub fn input(style: StyleId, tier: Tier, payload: &[u8]) -> Vec<u8> {
    let grid = qrveil_sdk::encode(payload, qrveil_sdk::EcLevel::M, Some(1)).expect("fits v1").grid;
    match tier {
        Tier::Linear => {
            let server = served_example(style).server;
            let encodings = Plan::of(&server).expect("valid").encodings();
            let features = qrveil_sdk::encrypt_features(&qrveil_sdk::JobKey::fresh(), &grid, &server, &encodings);
            features.expect("encodings of the style").to_bytes().expect("bytes")
        }
        Tier::Pbs => qrveil_sdk::encrypt_grid(client(), &grid).to_bytes().expect("bytes"),
    }
}
