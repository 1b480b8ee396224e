//! The PBS tier's containers. The first byte picks: even, a job's encrypted grid as the function
//! reads it (version 1), then expanded into LWE ciphertexts; odd, the packed outputs as the SDK
//! reads them (style `fluid` at version 1), then decrypted and compared with the device's own
//! evaluation, which is what the code is drawn from.
#![no_main]
use libfuzzer_sys::fuzz_target;
use qrveil_protocol::{EncryptedGrid, EncryptedOutputs};
use qrveil_style::StyleId;
use std::sync::OnceLock;

struct Fixture {
    keys: qrveil_protocol::ClientKeyBundle,
    grid: qrveil_style::ModuleGrid,
    expected: Vec<u8>,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let client_key = tfhe::shortint::ClientKey::new(qrveil_protocol::params::PBS_PARAMS);
        let compression_key = client_key.new_compression_private_key(qrveil_protocol::params::COMPRESSION_PARAMS);
        let keys = qrveil_protocol::ClientKeyBundle { client_key, compression_key };
        let symbol = qrveil_sdk::encode(b"fuzz", qrveil_sdk::EcLevel::M, Some(1)).expect("v1 symbol");
        let expected =
            qrveil_sdk::integrity::expected(&StyleId::Fluid.style().expect("a built-in style").server, &symbol.grid)
                .expect("valid");
        Fixture { keys, grid: symbol.grid, expected }
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((which, bytes)) = data.split_first() else { return };
    let f = fixture();
    let side = f.grid.side();
    if which % 2 == 0 {
        if let Ok(grid) = EncryptedGrid::from_bytes(bytes, side) {
            assert_eq!(qrveil_function::fhe::expand_input(&grid).len(), (side * side) as usize);
        }
    } else {
        let style = StyleId::Fluid.style().expect("a built-in style");
        let count = style.server.output_count(side) as u32;
        if let Ok(outputs) = EncryptedOutputs::from_bytes(bytes, count) {
            let values = qrveil_sdk::decrypt_outputs(&f.keys, &outputs);
            let _ = qrveil_sdk::integrity::check(qrveil_sdk::Tier::Pbs, &f.expected, &values);
        }
    }
});
