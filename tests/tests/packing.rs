//! The Fourier packing keyswitch against tfhe-rs's own packing: same messages, and the raw
//! decrypted values differ only by floating-point error far below the noise.

use qrveil_e2e::{client, server_keys};
use tfhe::core_crypto::prelude::*;

fn decrypt_raw(glwe: &GlweCiphertextOwned<u64>) -> Vec<u64> {
    let key = &client().compression_key.post_packing_ks_key;
    let mut plain = PlaintextList::new(0u64, PlaintextCount(glwe.polynomial_size().0));
    decrypt_glwe_ciphertext(key, glwe, &mut plain);
    plain.into_container()
}

#[test]
fn fourier_packing_matches_tfhe_packing() {
    let sk = server_keys();
    let pksk = &sk.compression_key.packing_key_switching_key;
    for count in [256usize, 37] {
        let messages: Vec<u64> = (0..count as u64).map(|i| (i * 7 + 3) % 4).collect();
        // Encrypted at the output scale (message · 4 · Δ), as pack_outputs prepares them.
        let cts: Vec<Vec<u64>> = messages
            .iter()
            .map(|&m| client().client_key.encrypt(m).ct.as_ref().iter().map(|c| c.wrapping_mul(4)).collect())
            .collect();
        let views: Vec<&[u64]> = cts.iter().map(Vec::as_slice).collect();
        let ours = sk.packing_key.pack(&views);

        let lwe_size = pksk.input_key_lwe_dimension().to_lwe_size();
        let list = LweCiphertextList::from_container(cts.concat(), lwe_size, pksk.ciphertext_modulus());
        let mut reference = GlweCiphertext::new(
            0u64,
            pksk.output_glwe_size(),
            pksk.output_polynomial_size(),
            pksk.ciphertext_modulus(),
        );
        par_keyswitch_lwe_ciphertext_list_and_pack_in_glwe_ciphertext(pksk, &list, &mut reference);

        let (a, b) = (decrypt_raw(&ours), decrypt_raw(&reference));
        let delta = 1u64 << 61;
        for i in 0..count {
            let diff = a[i].wrapping_sub(b[i]) as i64;
            assert!(diff.unsigned_abs() < 1 << 40, "value {i}: packings differ by {diff}");
            assert_eq!(a[i].wrapping_add(delta / 2) / delta % 4, messages[i], "value {i}");
        }
        // Coefficients past the packed values carry no message in either.
        for (i, rest) in a.iter().enumerate().skip(count) {
            assert_eq!(rest.wrapping_add(delta / 2) / delta % 4, 0, "coefficient {i}");
        }
    }
}

/// Packed outputs whose per-GLWE counts overflow when summed (found by the pbs_ciphertexts fuzz
/// target: the conformance check's plain sum panicked in builds with overflow checks, and
/// wrapped silently in release builds) are refused as non-conformant.
#[test]
fn packed_outputs_with_crafted_counts_are_refused() {
    let side = 21; // version 1, as the fuzz target reads
    let count = qrveil_style::StyleId::Fluid.style().expect("a built-in style").server.output_count(side) as u32;
    let crafted = include_bytes!("../fixtures/pbs-outputs-overflowing-count.bin");
    let refused = qrveil_protocol::EncryptedOutputs::from_bytes(crafted, count);
    assert!(refused.is_err(), "a crafted output container was accepted");
}
