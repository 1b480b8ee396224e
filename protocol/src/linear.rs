//! The linear tier's containers: what a job without bootstrapping uploads and downloads.
//!
//! Up: per encoding, page by page (2048 cells a page, one GLWE slot a cell), one GLWE of
//! indicators per code but the first, under the client's big GLWE key. A GLWE travels as the
//! seed of its mask and the top [`LINEAR_UPLOAD_LOG_MODULUS`] bits of its body, for the page's
//! cells only: the function regenerates the mask exactly and never reads a slot past them.
//! Down: per program, page by page, the result GLWE modulus-switched to
//! [`LINEAR_DOWNLOAD_LOG_MODULUS`] bits, with the page's bodies only.

use crate::params::{LINEAR_DOWNLOAD_LOG_MODULUS, LINEAR_UPLOAD_LOG_MODULUS, PBS_PARAMS};
use crate::wire::{read, write, WireError};
use serde::{Deserialize, Serialize};
use tfhe::conformance::ParameterSetConformant;
use tfhe::core_crypto::commons::math::random::CompressionSeed;
use tfhe::core_crypto::prelude::compressed_modulus_switched_glwe_ciphertext::CompressedModulusSwitchedGlweCiphertext;
use tfhe::core_crypto::prelude::packed_integers::{PackedIntegers, PackedIntegersConformanceParams};
use tfhe::core_crypto::prelude::GlweCiphertextConformanceParams;
use tfhe::named::Named;
use tfhe_versionable::{Versionize, VersionsDispatch};

/// Encrypted features of a v40 code: 16 pages of 15 GLWEs, ~0.3 KB a GLWE per 256 cells.
pub const FEATURES_LIMIT: u64 = 8 << 20;
/// Linear results: a few pages per program at ~3 B a value.
pub const LINEAR_OUTPUTS_LIMIT: u64 = 4 << 20;

/// Cells (GLWE slots) per page.
pub fn page_size() -> usize {
    PBS_PARAMS.polynomial_size.0
}

/// Cells on each page of a domain of `cells` cells.
pub fn page_counts(cells: usize) -> impl Iterator<Item = usize> {
    let n = page_size();
    (0..cells.div_ceil(n)).map(move |p| n.min(cells - p * n))
}

/// One GLWE of the upload: its mask's seed and its body's top bits, for `cells` slots.
#[derive(Clone, Serialize, Deserialize, Versionize)]
#[versionize(TruncatedSeededGlweVersions)]
pub struct TruncatedSeededGlwe {
    pub seed: CompressionSeed,
    pub body: PackedIntegers<u64>,
}

#[derive(Serialize, Deserialize, VersionsDispatch)]
pub enum TruncatedSeededGlweVersions {
    V0(TruncatedSeededGlwe),
}

/// One encoding of the grid: `slots` GLWEs per page, page-major.
#[derive(Clone, Serialize, Deserialize, Versionize)]
#[versionize(EncryptedFeaturesVersions)]
pub struct EncryptedFeatures {
    pub cells: u32,
    pub slots: u32,
    pub glwes: Vec<TruncatedSeededGlwe>,
}

#[derive(Serialize, Deserialize, VersionsDispatch)]
pub enum EncryptedFeaturesVersions {
    V0(EncryptedFeatures),
}

/// What a linear job uploads: its encodings in the manifest's order.
#[derive(Clone, Serialize, Deserialize, Versionize)]
#[versionize(LinearInputVersions)]
pub struct LinearInput {
    pub features: Vec<EncryptedFeatures>,
}

#[derive(Serialize, Deserialize, VersionsDispatch)]
pub enum LinearInputVersions {
    V0(LinearInput),
}

impl Named for LinearInput {
    const NAME: &'static str = "qrveil::LinearInput";
}

/// The shape an upload must have: (cells, slots per cell) per encoding.
pub type FeatureShapes = Vec<(u32, u32)>;

impl ParameterSetConformant for LinearInput {
    type ParameterSet = FeatureShapes;
    fn is_conformant(&self, shapes: &FeatureShapes) -> bool {
        self.features.len() == shapes.len()
            && self.features.iter().zip(shapes).all(|(f, &(cells, slots))| {
                let counts: Vec<usize> = page_counts(cells as usize).collect();
                f.cells == cells
                    && f.slots == slots
                    && slots >= 1
                    && f.glwes.len() == counts.len() * slots as usize
                    && f.glwes.chunks(slots as usize).zip(&counts).all(|(page, &count)| {
                        let expect = PackedIntegersConformanceParams::new::<u64>(count);
                        page.iter().all(|g| {
                            g.body.log_modulus().0 == LINEAR_UPLOAD_LOG_MODULUS
                                && g.body.is_conformant(&expect)
                                && crate::seeds::is_plain(&g.seed)
                        })
                    })
            })
    }
}

impl LinearInput {
    pub fn to_bytes(&self) -> Result<Vec<u8>, WireError> {
        write("encrypted features", self, FEATURES_LIMIT)
    }
    pub fn from_bytes(bytes: &[u8], shapes: &FeatureShapes) -> Result<Self, WireError> {
        read("encrypted features", bytes, FEATURES_LIMIT, shapes)
    }
}

/// A linear job's results: per program, page by page.
#[derive(Clone, Serialize, Deserialize, Versionize)]
#[versionize(LinearOutputsVersions)]
pub struct LinearOutputs {
    pub glwes: Vec<CompressedModulusSwitchedGlweCiphertext<u64>>,
}

#[derive(Serialize, Deserialize, VersionsDispatch)]
pub enum LinearOutputsVersions {
    V0(LinearOutputs),
}

impl Named for LinearOutputs {
    const NAME: &'static str = "qrveil::LinearOutputs";
}

impl ParameterSetConformant for LinearOutputs {
    /// Cells of each program, in evaluation order.
    type ParameterSet = Vec<u32>;
    fn is_conformant(&self, cells: &Vec<u32>) -> bool {
        let counts: Vec<usize> = cells.iter().flat_map(|&c| page_counts(c as usize)).collect();
        let params = GlweCiphertextConformanceParams {
            glwe_dim: PBS_PARAMS.glwe_dimension,
            polynomial_size: PBS_PARAMS.polynomial_size,
            ct_modulus: PBS_PARAMS.ciphertext_modulus,
        };
        self.glwes.len() == counts.len()
            && self.glwes.iter().zip(counts).all(|(g, count)| {
                g.bodies_count().0 == count
                    && g.packed_integers().log_modulus().0 == LINEAR_DOWNLOAD_LOG_MODULUS
                    && g.is_conformant(&params)
            })
    }
}

impl LinearOutputs {
    pub fn to_bytes(&self) -> Result<Vec<u8>, WireError> {
        write("linear results", self, LINEAR_OUTPUTS_LIMIT)
    }
    pub fn from_bytes(bytes: &[u8], cells: &[u32]) -> Result<Self, WireError> {
        read("linear results", bytes, LINEAR_OUTPUTS_LIMIT, &cells.to_vec())
    }
}
