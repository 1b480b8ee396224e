//! The noise argument behind the style engine (see `qrveil_style::analysis`), measured on
//! real ciphertexts: a weighted sum of fresh inputs stays within W · 2^17, far below the
//! noise of a single PBS output, and a LUT on a full-weight stencil decrypts correctly.

use qrveil_e2e::{keys, server_keys};
use qrveil_protocol::params::{DELTA, FRESH_NOISE_BOUND_LOG2};
use qrveil_sdk::encrypt_grid;
use qrveil_style::ModuleGrid;
use tfhe::core_crypto::prelude::*;

/// Signed distance of a decrypted torus value from `message · Δ`.
fn error_of(ct: &LweCiphertextOwned<u64>, message: u64) -> i64 {
    let key = keys().client.client_key.encryption_key();
    let p = decrypt_lwe_ciphertext(&key, ct).0;
    p.wrapping_sub(message.wrapping_mul(DELTA)) as i64
}

#[test]
fn fresh_weighted_sums_stay_within_the_tuniform_bound_and_far_below_pbs_noise() {
    // 5x5 grid, alternating bits; weights 1,2,4,8 as the rounded style's vertex code uses.
    let bits: Vec<bool> = (0..25).map(|i| i % 3 != 0).collect();
    let grid = ModuleGrid::new(5, bits.clone()).expect("square");
    let input = qrveil_function::fhe::expand_input(&encrypt_grid(&keys().client, &grid));
    let weights = [1u64, 2, 4, 8];
    let mut max_fresh = 0i64;
    for start in 0..20 {
        let mut acc = LweCiphertext::new(0u64, input[0].lwe_size(), input[0].ciphertext_modulus());
        let mut message = 0;
        for (k, w) in weights.iter().enumerate() {
            let m = &input[start + k];
            for (a, b) in acc.as_mut().iter_mut().zip(m.as_ref()) {
                *a = a.wrapping_add(b.wrapping_mul(*w));
            }
            message += w * u64::from(bits[start + k]);
        }
        max_fresh = max_fresh.max(error_of(&acc, message).abs());
    }
    let bound = 15i64 << FRESH_NOISE_BOUND_LOG2;
    assert!(max_fresh <= bound, "fresh-sum error {max_fresh} over the bound {bound}");

    // PBS outputs: identity on fresh encryptions of 0..3.
    let sks = &server_keys().server_key;
    let lut = sks.generate_lookup_table(|x| x);
    let mut pbs_errors = Vec::new();
    for m in 0..16u64 {
        let ct = keys().client.client_key.encrypt(m % 4);
        let out = sks.apply_lookup_table(&ct, &lut);
        pbs_errors.push(error_of(&out.ct, m % 4).unsigned_abs() as f64);
    }
    let rms = (pbs_errors.iter().map(|e| e * e).sum::<f64>() / pbs_errors.len() as f64).sqrt();
    // The model counts a fresh sum of weight <= 64 as one nominal unit; that needs the PBS
    // noise to dwarf 64 * 2^17 = 2^23. Require a factor of at least 2^10 margin.
    assert!(
        rms > (64u64 << FRESH_NOISE_BOUND_LOG2 << 10) as f64,
        "PBS noise rms {rms:e} is smaller than the model assumes"
    );
}
