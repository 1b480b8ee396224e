//! Encrypting the module grid or its encodings, and decrypting a style's outputs.
//!
//! Linear tier: for each encoding, page by page, one seeded GLWE per code's indicator, at
//! [`LINEAR_DELTA`], under a [`JobKey`]: a GLWE key made for this one job and dropped (zeroed)
//! after it, since the linear tier needs no server key; the body is rounded to its top bits
//! before it is sent (see `qrveil_protocol::linear`). Results come back as modulus-switched
//! GLWEs under the same key, one value per slot at the same scale.
//!
//! PBS tier input: module bits (1 = dark) encoded at Δ = 2^59 in the coefficients of seeded GLWE
//! ciphertexts under the big (GLWE) key, 2048 modules per GLWE: ~8 bytes per module on the
//! wire. The function recovers one LWE ciphertext per module by sample extraction.
//!
//! Output: the client decrypts each packed GLWE with its private compression key; value i of
//! a GLWE is coefficient i, at scale 2^61 (2-bit values under one padding bit).

use qrveil_protocol::linear::{EncryptedFeatures, TruncatedSeededGlwe};
use qrveil_protocol::params::{
    DELTA, LINEAR_DELTA, LINEAR_UPLOAD_LOG_MODULUS, OUTPUT_DELTA, OUTPUT_MODULUS, PBS_PARAMS,
};
use qrveil_protocol::{ClientKeyBundle, EncryptedGrid, EncryptedOutputs, LinearInput, LinearOutputs};
use qrveil_style::features::EncodingError;
use qrveil_style::{Encoding, ModuleGrid, ServerProgram};
use rayon::prelude::*;
use tfhe::core_crypto::fft_impl::common::modulus_switch;
use tfhe::core_crypto::prelude::packed_integers::PackedIntegers;
use tfhe::core_crypto::prelude::*;
use tfhe::core_crypto::seeders::new_seeder;
use zeroize::Zeroizing;

/// The client's big GLWE key: the encryption key of the pinned KS-PBS parameters, seen as a
/// GLWE key, and its fresh-noise distribution.
fn glwe_key(keys: &ClientKeyBundle) -> (GlweSecretKey<&[u64]>, DynamicDistribution<u64>) {
    let (lwe_key, noise) = keys.client_key.encryption_key_and_noise();
    (GlweSecretKey::from_container(lwe_key.into_container(), PBS_PARAMS.polynomial_size), noise)
}

/// The secret key of one linear-tier job: a binary GLWE key of the pinned parameters' shape,
/// made for the job (microseconds) and never stored. Whatever a lying server learns about it
/// concerns that one job, whose payload its published code shows anyway. Its coefficients are
/// zeroed when it is dropped.
pub struct JobKey {
    coefficients: Zeroizing<Vec<u64>>,
}

// Deliberately no Debug with contents: keys must not end up in logs.
impl std::fmt::Debug for JobKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("JobKey").finish_non_exhaustive()
    }
}

impl JobKey {
    /// A fresh key from the system's entropy (tfhe's seeder: the CPU's generator or the OS's).
    pub fn fresh() -> Self {
        let (k, n) = (PBS_PARAMS.glwe_dimension, PBS_PARAMS.polynomial_size);
        let mut coefficients = Zeroizing::new(vec![0u64; k.0 * n.0]);
        let mut generator = SecretRandomGenerator::<DefaultRandomGenerator>::new(new_seeder().seed());
        generate_binary_glwe_secret_key(&mut GlweSecretKey::from_container(&mut coefficients[..], n), &mut generator);
        Self { coefficients }
    }

    /// The key itself, to read raw plaintexts (the noise measurements).
    pub fn glwe_secret_key(&self) -> GlweSecretKey<&[u64]> {
        GlweSecretKey::from_container(&self.coefficients[..], PBS_PARAMS.polynomial_size)
    }

    fn glwe(&self) -> (GlweSecretKey<&[u64]>, DynamicDistribution<u64>) {
        (self.glwe_secret_key(), PBS_PARAMS.glwe_noise_distribution)
    }
}

/// Encrypt `grid`'s `encodings` (of `style`'s program) for a linear-tier job under its `key`
/// (fresh TUniform noise; see the module docs).
pub fn encrypt_features(
    key: &JobKey,
    grid: &ModuleGrid,
    style: &ServerProgram,
    encodings: &[Encoding],
) -> Result<LinearInput, EncodingError> {
    let (key, noise) = key.glwe();
    let n = PBS_PARAMS.polynomial_size.0;
    let features = encodings
        .iter()
        .map(|&encoding| {
            let codes = encoding.codes_of(grid, style)?;
            let slots = encoding.slots_per_cell();
            let work: Vec<(&[u8], usize)> =
                codes.chunks(n).flat_map(|page| (1..=slots).map(move |code| (page, code))).collect();
            let glwes = work.into_par_iter().map(|(page, code)| encrypt_indicator(&key, noise, page, code)).collect();
            Ok(EncryptedFeatures { cells: codes.len() as u32, slots: slots as u32, glwes })
        })
        .collect::<Result<_, EncodingError>>()?;
    Ok(LinearInput { features })
}

/// One page's indicator of `code`, as it travels: the mask's seed and the body's top bits.
fn encrypt_indicator(
    key: &GlweSecretKey<&[u64]>,
    noise: DynamicDistribution<u64>,
    page: &[u8],
    code: usize,
) -> TruncatedSeededGlwe {
    let n = PBS_PARAMS.polynomial_size;
    let mut coeffs = vec![0u64; n.0];
    for (c, &cell) in coeffs.iter_mut().zip(page) {
        *c = u64::from(cell as usize == code) * LINEAR_DELTA;
    }
    let mut seeder = new_seeder();
    let mut ct = SeededGlweCiphertext::new(
        0u64,
        PBS_PARAMS.glwe_dimension.to_glwe_size(),
        n,
        seeder.seed().into(),
        PBS_PARAMS.ciphertext_modulus,
    );
    encrypt_seeded_glwe_ciphertext(key, &mut ct, &PlaintextList::from_container(coeffs), noise, seeder.as_mut());
    let bits = CiphertextModulusLog(LINEAR_UPLOAD_LOG_MODULUS);
    let body: Vec<u64> = ct.get_body().as_ref()[..page.len()].iter().map(|&b| modulus_switch(b, bits)).collect();
    TruncatedSeededGlwe { seed: ct.compression_seed(), body: PackedIntegers::pack(&body, bits) }
}

/// Decrypt a linear job's results under its `key`: one value in 0..=3 per cell, programs in order.
pub fn decrypt_linear(key: &JobKey, outputs: &LinearOutputs) -> Vec<u8> {
    let (key, _) = key.glwe();
    let mut values = Vec::new();
    for packed in &outputs.glwes {
        let glwe = packed.extract();
        let mut plain = PlaintextList::new(0u64, PlaintextCount(glwe.polynomial_size().0));
        decrypt_glwe_ciphertext(&key, &glwe, &mut plain);
        // Round to the nearest multiple of the scale; values live mod 4.
        values.extend(
            plain
                .iter()
                .take(packed.bodies_count().0)
                .map(|p| (p.0.wrapping_add(LINEAR_DELTA / 2) / LINEAR_DELTA) as u8),
        );
    }
    values
}

/// Encrypt every module of `grid` (fresh TUniform noise, as the engine's noise model assumes).
pub fn encrypt_grid(keys: &ClientKeyBundle, grid: &ModuleGrid) -> EncryptedGrid {
    let (glwe_key, noise) = glwe_key(keys);
    let n = PBS_PARAMS.polynomial_size;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_keys_are_fresh_binary_keys_of_the_pinned_shape() {
        let (a, b) = (JobKey::fresh(), JobKey::fresh());
        let len = PBS_PARAMS.glwe_dimension.0 * PBS_PARAMS.polynomial_size.0;
        assert_eq!((a.coefficients.len(), b.coefficients.len()), (len, len));
        assert!(a.coefficients.iter().all(|&c| c <= 1));
        // Two keys agree in about half their 2048 bits; equal ones would mean a stuck seeder.
        let same = a.coefficients.iter().zip(b.coefficients.iter()).filter(|(x, y)| x == y).count();
        assert!((len / 4..len * 3 / 4).contains(&same), "{same} of {len} bits agree");
        let ones = a.coefficients.iter().filter(|&&c| c == 1).count();
        assert!((len / 4..len * 3 / 4).contains(&ones), "{ones} of {len} bits set");
    }
}
