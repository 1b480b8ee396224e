//! The linear evaluator: a style's linear plans on the encrypted encodings. Each output page
//! is one clear-weighted sum of the page's indicator GLWEs plus a public constant, slot by
//! slot, then switched to its download modulus. No bootstrapping and no key of any kind.

use qrveil_protocol::linear::{page_counts, EncryptedFeatures, LinearInput, LinearOutputs, TruncatedSeededGlwe};
use qrveil_protocol::params::{LINEAR_DELTA, LINEAR_DOWNLOAD_LOG_MODULUS, LINEAR_UPLOAD_LOG_MODULUS, PBS_PARAMS};
use qrveil_style::tiers::LinearPlan;
use qrveil_style::Encoding;
use rayon::prelude::*;
use tfhe::core_crypto::prelude::compressed_modulus_switched_glwe_ciphertext::CompressedModulusSwitchedGlweCiphertext;
use tfhe::core_crypto::prelude::*;

/// One encoding, expanded: per page, one full GLWE per encrypted indicator.
pub struct ExpandedFeatures {
    pub encoding: Encoding,
    /// Cells of the encoding's domain (the last page may hold fewer than a page's slots).
    cells: usize,
    pages: Vec<Vec<GlweCiphertextOwned<u64>>>,
}

/// The input does not hold what the plans read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the input holds no {0} encoding, which the style reads")]
pub struct MissingEncoding(pub Encoding);

/// Expand the upload of `encodings` (the manifest's order): every mask regenerated from its
/// seed, every body lifted from its top bits back to 2^64 (zero past the page's cells).
pub fn expand(input: &LinearInput, encodings: &[Encoding]) -> Vec<ExpandedFeatures> {
    input.features.iter().zip(encodings).map(|(f, &encoding)| expand_one(encoding, f)).collect()
}

impl ExpandedFeatures {
    /// Per page, the indicator GLWEs of codes 1, 2, ... (for measurements of their noise).
    pub fn pages(&self) -> &[Vec<GlweCiphertextOwned<u64>>] {
        &self.pages
    }
}

fn expand_one(encoding: Encoding, features: &EncryptedFeatures) -> ExpandedFeatures {
    let slots = (features.slots as usize).max(1);
    let pages = features.glwes.par_chunks(slots).map(|page| page.iter().map(lift).collect()).collect();
    ExpandedFeatures { encoding, cells: features.cells as usize, pages }
}

fn lift(glwe: &TruncatedSeededGlwe) -> GlweCiphertextOwned<u64> {
    let n = PBS_PARAMS.polynomial_size.0;
    let shift = 64 - LINEAR_UPLOAD_LOG_MODULUS;
    let mut body = vec![0u64; n];
    for (b, top) in body.iter_mut().zip(glwe.body.unpack::<u64>()) {
        *b = top << shift;
    }
    let seeded = SeededGlweCiphertext::from_container(
        body,
        PBS_PARAMS.glwe_dimension.to_glwe_size(),
        glwe.seed.clone(),
        PBS_PARAMS.ciphertext_modulus,
    );
    seeded.decompress_into_glwe_ciphertext()
}

/// `acc += weight · x`, coefficient-wise on the torus: GLWE is linear.
fn add_scaled(acc: &mut [u64], x: &[u64], weight: i64) {
    let weight = weight as u64; // two's complement: wrapping arithmetic does the rest
    for (a, b) in acc.iter_mut().zip(x) {
        *a = a.wrapping_add(b.wrapping_mul(weight));
    }
}

/// Evaluate every plan, in order, on the expanded encodings; the results as downloaded.
pub fn evaluate(plans: &[LinearPlan], features: &[ExpandedFeatures]) -> Result<LinearOutputs, MissingEncoding> {
    let mut glwes = Vec::new();
    for plan in plans {
        let input = features.iter().find(|f| f.encoding == plan.encoding).ok_or(MissingEncoding(plan.encoding))?;
        let weights = plan.weights();
        let constant = plan.constant() as u64 * LINEAR_DELTA;
        let pages: Vec<_> = input
            .pages
            .par_iter()
            .zip(page_counts(input.cells).collect::<Vec<_>>())
            .map(|(page, count)| {
                let mut acc = GlweCiphertext::new(
                    0u64,
                    PBS_PARAMS.glwe_dimension.to_glwe_size(),
                    PBS_PARAMS.polynomial_size,
                    PBS_PARAMS.ciphertext_modulus,
                );
                for (glwe, &w) in page.iter().zip(&weights).filter(|(_, &w)| w != 0) {
                    add_scaled(acc.as_mut(), glwe.as_ref(), w);
                }
                for b in acc.get_mut_body().as_mut() {
                    *b = b.wrapping_add(constant);
                }
                CompressedModulusSwitchedGlweCiphertext::compress(
                    &acc,
                    CiphertextModulusLog(LINEAR_DOWNLOAD_LOG_MODULUS),
                    LweCiphertextCount(count),
                )
            })
            .collect();
        glwes.extend(pages);
    }
    Ok(LinearOutputs { glwes })
}
