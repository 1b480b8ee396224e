//! The FHE evaluator: the same semantics as [`qrveil_style::clear`], on TFHE ciphertexts.
//!
//! Input: one LWE ciphertext per module, obtained from the client's seeded GLWE ciphertexts by
//! sample extraction (no PBS). Linear nodes are plain LWE arithmetic; a LUT node is one
//! keyswitch + programmable bootstrap. Outputs are packed 256 per GLWE with the list-
//! compression key and modulus-switched to 12 bits.

use crate::keys::ServerKeys;
use qrveil_protocol::params::{COMPRESSION_PARAMS, DELTA, OUTPUT_MODULUS, PBS_PARAMS};
use qrveil_protocol::{EncryptedGrid, EncryptedOutputs};
use qrveil_style::analysis::{analyse, Noise, ProgramFacts, StyleError};
use qrveil_style::clear;
use qrveil_style::grid::FixedModules;
use qrveil_style::program::{Node, Program, ServerProgram};
use rayon::prelude::*;
use tfhe::core_crypto::prelude::compressed_modulus_switched_glwe_ciphertext::CompressedModulusSwitchedGlweCiphertext;
use tfhe::core_crypto::prelude::*;
use tfhe::shortint::ciphertext::{Degree, NoiseLevel};
use tfhe::shortint::parameters::{AtomicPatternKind, PBSOrder};
use tfhe::shortint::server_key::LookupTableOwned;
use tfhe::shortint::Ciphertext;

/// Input could not be expanded; the client sent something that does not fit the manifest.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EvalError {
    #[error(transparent)]
    Style(#[from] StyleError),
    #[error("input has {got} modules, expected {want}")]
    InputSize { got: usize, want: usize },
}

/// One LWE ciphertext per module (row-major), by sample extraction from the seeded GLWEs.
pub fn expand_input(grid: &EncryptedGrid) -> Vec<LweCiphertextOwned<u64>> {
    let per_glwe = PBS_PARAMS.polynomial_size.0;
    let modules = (grid.side as usize).pow(2);
    let lwe_size = PBS_PARAMS.glwe_dimension.to_equivalent_lwe_dimension(PBS_PARAMS.polynomial_size).to_lwe_size();
    grid.glwes
        .par_iter()
        .enumerate()
        .flat_map_iter(|(g, seeded)| {
            let glwe = seeded.clone().decompress_into_glwe_ciphertext();
            let count = per_glwe.min(modules - g * per_glwe);
            (0..count).map(move |i| {
                let mut lwe = LweCiphertext::new(0u64, lwe_size, PBS_PARAMS.ciphertext_modulus);
                extract_lwe_sample_from_glwe_ciphertext(&glwe, &mut lwe, MonomialDegree(i));
                lwe
            })
        })
        .collect()
}

/// A shortint ciphertext of the pinned parameters around a raw LWE.
fn shortint(ct: LweCiphertextOwned<u64>, max_value: u32, noise: NoiseLevel) -> Ciphertext {
    Ciphertext::new(
        ct,
        Degree::new(max_value as u64),
        noise,
        PBS_PARAMS.message_modulus,
        PBS_PARAMS.carry_modulus,
        AtomicPatternKind::Standard(PBSOrder::KeyswitchBootstrap),
    )
}

fn wrap(ct: LweCiphertextOwned<u64>, max_value: u32) -> Ciphertext {
    shortint(ct, max_value, NoiseLevel::NOMINAL)
}

/// `acc += weight · x`, coefficient-wise on the torus (wrapping u64): LWE is linear.
fn add_scaled(acc: &mut [u64], x: &[u64], weight: u64) {
    for (a, b) in acc.iter_mut().zip(x) {
        *a = a.wrapping_add(b.wrapping_mul(weight));
    }
}

struct PreparedProgram<'a> {
    program: &'a Program,
    facts: ProgramFacts,
    luts: Vec<Option<LookupTableOwned>>,
}

/// Evaluate every program over the expanded input; one ciphertext per output, in the same
/// order as [`qrveil_style::clear::evaluate`].
pub fn evaluate(
    keys: &ServerKeys,
    style: &ServerProgram,
    side: u32,
    input: &[LweCiphertextOwned<u64>],
) -> Result<Vec<Ciphertext>, EvalError> {
    let want = (side as usize).pow(2);
    if input.len() != want {
        return Err(EvalError::InputSize { got: input.len(), want });
    }
    let facts = analyse(style)?;
    let prepared: Vec<PreparedProgram> = style
        .programs
        .iter()
        .zip(facts)
        .map(|(program, facts)| PreparedProgram {
            program,
            luts: program
                .nodes
                .iter()
                .map(|n| match n {
                    Node::Lut { table, .. } => {
                        Some(keys.server_key.generate_lookup_table(|x| table[x as usize] as u64))
                    }
                    _ => None,
                })
                .collect(),
            facts,
        })
        .collect();
    let fixed = FixedModules::for_side(side);
    let mut out = Vec::with_capacity(style.output_count(side));
    for p in &prepared {
        let (w, h) = p.program.domain.dims(side);
        let cells: Vec<Ciphertext> = (0..w * h)
            .into_par_iter()
            .map(|i| {
                let (cx, cy) = (i % w, i / w);
                if p.program.reads_only_fixed(&fixed, cx, cy) {
                    // Public data in, public result out: no PBS, a trivial ciphertext.
                    let module = |x: i64, y: i64| fixed.get(x, y).unwrap_or(false);
                    trivial(clear::evaluate_cell(p.program, &module, cx, cy), lwe_size(input))
                } else {
                    evaluate_cell(keys, p, side, &fixed, input, cx, cy)
                }
            })
            .collect();
        out.extend(cells);
    }
    Ok(out)
}

fn lwe_size(input: &[LweCiphertextOwned<u64>]) -> LweSize {
    input[0].lwe_size()
}

/// A noiseless encryption of a public value (zero mask).
fn trivial(value: u8, size: LweSize) -> Ciphertext {
    let mut ct = LweCiphertext::new(0u64, size, PBS_PARAMS.ciphertext_modulus);
    *ct.get_mut_body().data = value as u64 * DELTA;
    shortint(ct, value as u32, NoiseLevel::ZERO)
}

fn evaluate_cell(
    keys: &ServerKeys,
    p: &PreparedProgram,
    side: u32,
    fixed: &FixedModules,
    input: &[LweCiphertextOwned<u64>],
    cx: u32,
    cy: u32,
) -> Ciphertext {
    let n = side as i64;
    let (ax, ay) = p.program.domain.anchor(cx, cy);
    let lwe_size = lwe_size(input);
    let mut values: Vec<Ciphertext> = Vec::with_capacity(p.program.nodes.len());
    for (i, node) in p.program.nodes.iter().enumerate() {
        let fact = p.facts.nodes[i];
        let ct = match node {
            Node::Stencil { taps } => {
                let mut acc = LweCiphertext::new(0u64, lwe_size, PBS_PARAMS.ciphertext_modulus);
                let mut public = 0u64;
                for t in taps {
                    let (x, y) = (ax + t.dx as i64, ay + t.dy as i64);
                    match fixed.get(x, y) {
                        Some(dark) => public += u64::from(dark) * t.weight as u64,
                        None => {
                            let module = &input[(y * n + x) as usize];
                            add_scaled(acc.as_mut(), module.as_ref(), t.weight as u64);
                        }
                    }
                }
                // Fixed modules add a clear constant to the body.
                let body = acc.get_mut_body().data;
                *body = body.wrapping_add(public * DELTA);
                // Fresh-noise combination: counted as nominal (see `analysis` module docs).
                wrap(acc, fact.max_value)
            }
            Node::Lut { input, .. } => {
                let lut = p.luts[i].as_ref().expect("prepared for every LUT node");
                keys.server_key.apply_lookup_table(&values[*input], lut)
            }
            Node::Add { a, b } => {
                let mut ct = values[*a].ct.clone();
                add_scaled(ct.as_mut(), values[*b].ct.as_ref(), 1);
                with_noise(wrap(ct, fact.max_value), fact.noise)
            }
            Node::Scale { input, by } => {
                let mut ct = LweCiphertext::new(0u64, lwe_size, PBS_PARAMS.ciphertext_modulus);
                add_scaled(ct.as_mut(), values[*input].ct.as_ref(), *by as u64);
                with_noise(wrap(ct, fact.max_value), fact.noise)
            }
        };
        values.push(ct);
    }
    values.swap_remove(p.program.output)
}

fn with_noise(mut ct: Ciphertext, noise: Noise) -> Ciphertext {
    let level = noise.units().max(1) as u64;
    ct.set_noise_level(NoiseLevel::NOMINAL * level, PBS_PARAMS.max_noise_level);
    ct
}

/// Pack outputs (each 0..=3, noise ≤ nominal, checked by analysis) into the compact list.
///
/// Same construction as tfhe-rs `CompressionKey::compress_ciphertexts_into_list`: scale each
/// value into the top message bits, packing-keyswitch 256 LWEs into one GLWE (with the
/// faster, equivalent [`FourierPackingKey::pack`]), switch to 12-bit storage. Done here also
/// because the client decrypts the packed GLWE directly with its private compression key
/// instead of unpacking it with a PBS per value.
pub fn pack_outputs(keys: &ServerKeys, outputs: &[Ciphertext]) -> EncryptedOutputs {
    let ck = &keys.compression_key;
    let per_glwe = ck.lwe_per_glwe.0;
    let scale = PBS_PARAMS.message_modulus.0;
    debug_assert!(outputs.iter().all(|c| c.degree.get() < OUTPUT_MODULUS));
    let glwes = outputs
        .chunks(per_glwe)
        .map(|chunk| {
            let scaled: Vec<Vec<u64>> =
                chunk.iter().map(|ct| ct.ct.as_ref().iter().map(|c| c.wrapping_mul(scale)).collect()).collect();
            let views: Vec<&[u64]> = scaled.iter().map(Vec::as_slice).collect();
            let glwe = keys.packing_key.pack(&views);
            CompressedModulusSwitchedGlweCiphertext::compress(
                &glwe,
                ck.storage_log_modulus,
                LweCiphertextCount(chunk.len()),
            )
        })
        .collect();
    debug_assert_eq!(COMPRESSION_PARAMS.lwe_per_glwe().0, per_glwe);
    EncryptedOutputs { count: outputs.len() as u32, glwes }
}
