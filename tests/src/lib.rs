//! Shared helpers for the end-to-end tests: one real key set per test binary (key generation
//! takes seconds), and small grid builders.

use qrveil_function::fhe::ServerKeys;
use qrveil_function::ModuleGrid;
use qrveil_protocol::ServerKeyBundle;
use qrveil_sdk::Keys;
use std::sync::OnceLock;

/// Real TFHE keys, generated once per test binary.
pub fn keys() -> &'static Keys {
    static KEYS: OnceLock<Keys> = OnceLock::new();
    KEYS.get_or_init(|| Keys::generate().expect("key generation"))
}

/// The expanded server keys for [`keys`], read back through the wire format like the function does.
pub fn server_keys() -> &'static ServerKeys {
    static SERVER: OnceLock<ServerKeys> = OnceLock::new();
    SERVER.get_or_init(|| {
        let bundle = ServerKeyBundle::from_bytes(&keys().server_key_bytes).expect("server key reads back");
        ServerKeys::expand(&bundle)
    })
}

/// A random `side` × `side` grid from a seeded generator.
pub fn random_grid(side: u32, rng: &mut impl rand::Rng) -> ModuleGrid {
    ModuleGrid::new(side, (0..side * side).map(|_| rng.random_bool(0.5)).collect())
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
