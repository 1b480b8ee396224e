//! The noise arguments behind both tiers, measured on real ciphertexts. PBS tier (see
//! `qrveil_style::analysis`): a weighted sum of fresh inputs stays within W · 2^17, far below
//! the noise of a single PBS output. Linear tier (see `qrveil_style::tiers`): every uploaded
//! slot is within its certain bound, and every downloaded result within the stated bound.

use qrveil_e2e::{client, server_keys};
use qrveil_protocol::params::{DELTA, FRESH_NOISE_BOUND_LOG2};
use qrveil_sdk::encrypt_grid;
use qrveil_style::ModuleGrid;
use tfhe::core_crypto::prelude::*;

/// Signed distance of a decrypted torus value from `message · Δ`.
fn error_of(ct: &LweCiphertextOwned<u64>, message: u64) -> i64 {
    let key = client().client_key.encryption_key();
    let p = decrypt_lwe_ciphertext(&key, ct).0;
    p.wrapping_sub(message.wrapping_mul(DELTA)) as i64
}

#[test]
fn fresh_weighted_sums_stay_within_the_tuniform_bound_and_far_below_pbs_noise() {
    // 5x5 grid, alternating bits; weights 1,2,4,8 as the rounded style's vertex code uses.
    let bits: Vec<bool> = (0..25).map(|i| i % 3 != 0).collect();
    let grid = ModuleGrid::new(5, bits.clone()).expect("square");
    let input = qrveil_function::fhe::expand_input(&encrypt_grid(client(), &grid));
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
        let ct = client().client_key.encrypt(m % 4);
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

/// Signed distance of `plain` from `message · scale` on the torus.
fn torus_error(plain: u64, message: u64, scale: u64) -> i64 {
    plain.wrapping_sub(message.wrapping_mul(scale)) as i64
}

#[test]
fn linear_sums_stay_within_the_bound_the_analysis_states() {
    use qrveil_function::linear;
    use qrveil_protocol::params::{LINEAR_DELTA, LINEAR_UPLOAD_LOG_MODULUS};
    use qrveil_protocol::LinearInput;
    use qrveil_sdk::{encode, encrypt_features, EcLevel};
    use qrveil_style::tiers::{linear_noise_log2, LINEAR_MARGIN_LOG2};
    use qrveil_style::{Plan, StyleId};

    let grid = encode(b"noise of the linear tier", EcLevel::M, Some(5)).expect("fits").grid;
    let fluid = StyleId::Fluid.style().expect("a built-in style").server;
    let Plan::Linear(plans) = Plan::of(&fluid).expect("valid") else { panic!("linear") };
    let encodings = [plans[0].encoding];
    let codes = plans[0].encoding.codes_of(&grid, &fluid).expect("fluid's encoding");
    let job_key = qrveil_sdk::JobKey::fresh();
    let bytes = encrypt_features(&job_key, &grid, &fluid, &encodings).expect("encodings").to_bytes().expect("bytes");
    let shapes = vec![(codes.len() as u32, plans[0].encoding.slots_per_cell() as u32)];
    let expanded = linear::expand(&LinearInput::from_bytes(&bytes, &shapes).expect("conformant"), &encodings);
    // The job's key, to read raw plaintexts.
    let key = job_key.glwe_secret_key();
    let n = key.polynomial_size().0;

    // Uploaded slots: fresh noise plus the body's rounding, both certain bounds.
    let slot_bound = (1i64 << FRESH_NOISE_BOUND_LOG2) + (1i64 << (63 - LINEAR_UPLOAD_LOG_MODULUS));
    let mut worst_slot = 0i64;
    for (p, page) in expanded[0].pages().iter().enumerate() {
        for (k, glwe) in page.iter().enumerate() {
            let mut plain = PlaintextList::new(0u64, PlaintextCount(n));
            decrypt_glwe_ciphertext(&key, glwe, &mut plain);
            for (i, v) in plain.iter().enumerate().take(codes.len().saturating_sub(p * n).min(n)) {
                let indicator = u64::from(codes[p * n + i] as usize == k + 1);
                worst_slot = worst_slot.max(torus_error(*v.0, indicator, LINEAR_DELTA).abs());
            }
        }
    }
    assert!(worst_slot <= slot_bound, "uploaded slot error {worst_slot} over the certain bound {slot_bound}");

    // Results after the download's modulus switch: within the stated bound (log2), which is
    // within the margin.
    let outputs = linear::evaluate(&plans, &expanded).expect("evaluates");
    let mut worst = 0i64;
    for (p, packed) in outputs.glwes.iter().enumerate() {
        let mut plain = PlaintextList::new(0u64, PlaintextCount(n));
        decrypt_glwe_ciphertext(&key, &packed.extract(), &mut plain);
        for (i, v) in plain.iter().enumerate().take(packed.bodies_count().0) {
            let want = plans[0].table[codes[p * n + i] as usize] as u64;
            worst = worst.max(torus_error(*v.0, want, LINEAR_DELTA).abs());
        }
    }
    let bound = linear_noise_log2(plans[0].weight_sum());
    let measured = (worst.max(1) as f64).log2();
    println!(
        "linear tier, rounded v5: measured error 2^{measured:.2}, bound 2^{bound:.2}, margin 2^{LINEAR_MARGIN_LOG2}"
    );
    assert!(measured <= bound, "measured 2^{measured:.2} over the bound 2^{bound:.2}");
    assert!(bound < LINEAR_MARGIN_LOG2);
}
