//! Encrypting the module grid and decrypting a style's packed outputs.
//!
//! Input: module bits (1 = dark) encoded at Δ = 2^59 in the coefficients of seeded GLWE
//! ciphertexts under the big (GLWE) key, 2048 modules per GLWE: ~8 bytes per module on the
//! wire. The function recovers one LWE ciphertext per module by sample extraction.
//!
//! Output: the client decrypts each packed GLWE with its private compression key; value i of
//! a GLWE is coefficient i, at scale 2^61 (2-bit values under one padding bit).

use qrveil_protocol::params::{DELTA, OUTPUT_DELTA, OUTPUT_MODULUS, PBS_PARAMS};
use qrveil_protocol::{ClientKeyBundle, EncryptedGrid, EncryptedOutputs};
use qrveil_style::ModuleGrid;
use tfhe::core_crypto::prelude::*;
use tfhe::core_crypto::seeders::new_seeder;

/// Encrypt every module of `grid` (fresh TUniform noise, as the engine's noise model assumes).
pub fn encrypt_grid(keys: &ClientKeyBundle, grid: &ModuleGrid) -> EncryptedGrid {
    let (lwe_key, noise) = keys.client_key.encryption_key_and_noise();
    let n = PBS_PARAMS.polynomial_size;
    // For KS-PBS parameters the encryption key is the GLWE key seen as an LWE key.
    let glwe_key = GlweSecretKey::from_container(lwe_key.as_ref(), n);
    let mut seeder = new_seeder();
    let glwes = grid
        .bits()
        .chunks(n.0)
        .map(|chunk| {
            let mut coeffs = vec![0u64; n.0];
            for (c, &dark) in coeffs.iter_mut().zip(chunk) {
                *c = u64::from(dark) * DELTA;
            }
            let plaintexts = PlaintextList::from_container(coeffs);
            let mut ct = SeededGlweCiphertext::new(
                0u64,
                PBS_PARAMS.glwe_dimension.to_glwe_size(),
                n,
                seeder.seed().into(),
                PBS_PARAMS.ciphertext_modulus,
            );
            encrypt_seeded_glwe_ciphertext(&glwe_key, &mut ct, &plaintexts, noise, seeder.as_mut());
            ct
        })
        .collect();
    EncryptedGrid { side: grid.side(), glwes }
}

/// Decrypt the packed outputs: one value in 0..=3 each.
pub fn decrypt_outputs(keys: &ClientKeyBundle, outputs: &EncryptedOutputs) -> Vec<u8> {
    let key = &keys.compression_key.post_packing_ks_key;
    let mut values = Vec::with_capacity(outputs.count as usize);
    for packed in &outputs.glwes {
        let glwe = packed.extract();
        let mut plain = PlaintextList::new(0u64, PlaintextCount(glwe.polynomial_size().0));
        decrypt_glwe_ciphertext(key, &glwe, &mut plain);
        for p in plain.iter().take(packed.bodies_count().0) {
            // Round to the nearest multiple of the output scale, drop the padding bit.
            let v = p.0.wrapping_add(OUTPUT_DELTA / 2) / OUTPUT_DELTA;
            values.push((v % OUTPUT_MODULUS) as u8);
        }
    }
    values
}
