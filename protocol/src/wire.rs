//! Versioned containers for everything TFHE that crosses the wire or the disk.
//!
//! Each container is serialized with tfhe-rs `safe_serialize` (a header naming the type and
//! its version) and read back only with `safe_deserialize_conformant`, under a size limit and
//! a check against the pinned parameter set. Nothing here is ever read with a bare
//! `bincode::deserialize`.

use serde::{Deserialize, Serialize};
use tfhe::conformance::ParameterSetConformant;
use tfhe::core_crypto::prelude::compressed_modulus_switched_glwe_ciphertext::CompressedModulusSwitchedGlweCiphertext;
use tfhe::core_crypto::prelude::{GlweCiphertextConformanceParams, SeededGlweCiphertext};
use tfhe::named::Named;
use tfhe::safe_serialization::{safe_deserialize_conformant, safe_serialize};
use tfhe::shortint::ciphertext::MaxDegree;
use tfhe::shortint::list_compression::{
    CompressedCompressionKey, CompressionKeyConformanceParams, CompressionPrivateKeys,
};
use tfhe::shortint::parameters::{AtomicPatternParameters, PBSParameters};
use tfhe::shortint::{ClientKey, CompressedServerKey};
use tfhe_versionable::{Versionize, VersionsDispatch};

use crate::params::{COMPRESSION_PARAMS, MAX_MODULES_PER_SIDE, PBS_PARAMS};

/// Serialized compressed server key bundle: ~45 MB in practice; anything larger is refused.
pub const SERVER_KEY_LIMIT: u64 = 128 << 20;
/// Serialized client key bundle (a few tens of KB).
pub const CLIENT_KEY_LIMIT: u64 = 4 << 20;
/// Encrypted input grid: 8 B per module plus a seed per 2048 modules; v40 needs ~260 KB.
pub const GRID_LIMIT: u64 = 4 << 20;
/// Encrypted outputs: a few values per module at ~8 B each.
pub const OUTPUTS_LIMIT: u64 = 8 << 20;

/// A container could not be written or read back.
#[derive(Debug, thiserror::Error)]
pub enum WireError {
    #[error("{what} is not a valid qrveil object for parameter set {params}: {detail}")]
    Invalid { what: &'static str, params: &'static str, detail: String },
    #[error("could not serialize {what}: {detail}")]
    Serialize { what: &'static str, detail: String },
}

pub(crate) fn write<T: Serialize + Versionize + Named>(
    what: &'static str,
    value: &T,
    limit: u64,
) -> Result<Vec<u8>, WireError> {
    let mut out = Vec::new();
    safe_serialize(value, &mut out, limit).map_err(|e| WireError::Serialize { what, detail: e.to_string() })?;
    Ok(out)
}

pub(crate) fn read<T>(what: &'static str, bytes: &[u8], limit: u64, expect: &T::ParameterSet) -> Result<T, WireError>
where
    T: serde::de::DeserializeOwned + tfhe_versionable::Unversionize + Named + ParameterSetConformant,
{
    if bytes.len() as u64 > limit {
        return Err(WireError::Invalid {
            what,
            params: crate::params::PARAMS_NAME,
            detail: format!("{} bytes is over the {limit}-byte limit", bytes.len()),
        });
    }
    safe_deserialize_conformant(bytes, limit, expect).map_err(|detail| WireError::Invalid {
        what,
        params: crate::params::PARAMS_NAME,
        detail,
    })
}

fn pbs_params() -> AtomicPatternParameters {
    AtomicPatternParameters::Standard(PBSParameters::PBS(PBS_PARAMS))
}

fn glwe_params_for_input() -> GlweCiphertextConformanceParams<u64> {
    GlweCiphertextConformanceParams {
        glwe_dim: PBS_PARAMS.glwe_dimension,
        polynomial_size: PBS_PARAMS.polynomial_size,
        ct_modulus: PBS_PARAMS.ciphertext_modulus,
    }
}

fn glwe_params_for_output() -> GlweCiphertextConformanceParams<u64> {
    GlweCiphertextConformanceParams {
        glwe_dim: COMPRESSION_PARAMS.packing_ks_glwe_dimension(),
        polynomial_size: COMPRESSION_PARAMS.packing_ks_polynomial_size(),
        ct_modulus: PBS_PARAMS.ciphertext_modulus,
    }
}

/// What the function needs to evaluate styles: the compressed server key (KS + PBS) and the
/// compressed packing key that turns results into a compact list. Its hash is the key id.
#[derive(Clone, Serialize, Deserialize, Versionize)]
#[versionize(ServerKeyBundleVersions)]
pub struct ServerKeyBundle {
    pub server_key: CompressedServerKey,
    pub compression_key: CompressedCompressionKey,
}

#[derive(Serialize, Deserialize, VersionsDispatch)]
pub enum ServerKeyBundleVersions {
    V0(ServerKeyBundle),
}

impl Named for ServerKeyBundle {
    const NAME: &'static str = "qrveil::ServerKeyBundle";
}

impl ParameterSetConformant for ServerKeyBundle {
    type ParameterSet = ();
    fn is_conformant(&self, _: &()) -> bool {
        let ap = pbs_params();
        let max_degree = MaxDegree::from_msg_carry_modulus(PBS_PARAMS.message_modulus, PBS_PARAMS.carry_modulus);
        let comp: CompressionKeyConformanceParams = (ap, COMPRESSION_PARAMS).into();
        self.server_key.is_conformant(&(ap, max_degree))
            && self.compression_key.is_conformant(&comp)
            && crate::seeds::server_key_is_plain(&self.server_key, &self.compression_key)
    }
}

impl ServerKeyBundle {
    pub fn to_bytes(&self) -> Result<Vec<u8>, WireError> {
        write("server key", self, SERVER_KEY_LIMIT)
    }
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, WireError> {
        read("server key", bytes, SERVER_KEY_LIMIT, &())
    }
}

/// The secret side: never leaves the device. Holds the encryption key and the private key
/// the client uses to read packed results directly.
#[derive(Clone, Serialize, Deserialize, Versionize)]
#[versionize(ClientKeyBundleVersions)]
pub struct ClientKeyBundle {
    pub client_key: ClientKey,
    pub compression_key: CompressionPrivateKeys,
}

#[derive(Serialize, Deserialize, VersionsDispatch)]
pub enum ClientKeyBundleVersions {
    V0(ClientKeyBundle),
}

impl Named for ClientKeyBundle {
    const NAME: &'static str = "qrveil::ClientKeyBundle";
}

impl ParameterSetConformant for ClientKeyBundle {
    type ParameterSet = ();
    fn is_conformant(&self, _: &()) -> bool {
        let key = self.compression_key.post_packing_ks_key.as_ref().len();
        let expect =
            COMPRESSION_PARAMS.packing_ks_glwe_dimension().0 * COMPRESSION_PARAMS.packing_ks_polynomial_size().0;
        self.client_key.parameters() == PBS_PARAMS.into()
            && self.compression_key.params == COMPRESSION_PARAMS
            && key == expect
    }
}

impl ClientKeyBundle {
    pub fn to_bytes(&self) -> Result<Vec<u8>, WireError> {
        write("client key", self, CLIENT_KEY_LIMIT)
    }
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, WireError> {
        read("client key", bytes, CLIENT_KEY_LIMIT, &())
    }
}

/// The encrypted module grid: one value per module (1 = dark), row-major, packed into seeded
/// GLWE ciphertexts under the client's big key (2048 values per GLWE, ~8 B per module). The
/// function turns each coefficient back into an LWE ciphertext by sample extraction.
#[derive(Clone, Serialize, Deserialize, Versionize)]
#[versionize(EncryptedGridVersions)]
pub struct EncryptedGrid {
    /// Modules per side.
    pub side: u32,
    pub glwes: Vec<SeededGlweCiphertext<Vec<u64>>>,
}

#[derive(Serialize, Deserialize, VersionsDispatch)]
pub enum EncryptedGridVersions {
    V0(EncryptedGrid),
}

impl Named for EncryptedGrid {
    const NAME: &'static str = "qrveil::EncryptedGrid";
}

impl ParameterSetConformant for EncryptedGrid {
    /// Expected modules per side (from the manifest).
    type ParameterSet = u32;
    fn is_conformant(&self, side: &u32) -> bool {
        let per_glwe = PBS_PARAMS.polynomial_size.0;
        let cells = (*side as usize).pow(2);
        self.side == *side
            && *side >= 1
            && *side <= MAX_MODULES_PER_SIDE
            && self.glwes.len() == cells.div_ceil(per_glwe)
            && self
                .glwes
                .iter()
                .all(|g| g.is_conformant(&glwe_params_for_input()) && crate::seeds::is_plain(&g.compression_seed()))
    }
}

impl EncryptedGrid {
    pub fn to_bytes(&self) -> Result<Vec<u8>, WireError> {
        write("encrypted grid", self, GRID_LIMIT)
    }
    pub fn from_bytes(bytes: &[u8], side: u32) -> Result<Self, WireError> {
        read("encrypted grid", bytes, GRID_LIMIT, &side)
    }
}

/// The style's results: 2-bit values packed 256 per GLWE by the list-compression key, with
/// coefficients rounded to 12 bits (~8 B per value).
#[derive(Clone, Serialize, Deserialize, Versionize)]
#[versionize(EncryptedOutputsVersions)]
pub struct EncryptedOutputs {
    pub count: u32,
    pub glwes: Vec<CompressedModulusSwitchedGlweCiphertext<u64>>,
}

#[derive(Serialize, Deserialize, VersionsDispatch)]
pub enum EncryptedOutputsVersions {
    V0(EncryptedOutputs),
}

impl Named for EncryptedOutputs {
    const NAME: &'static str = "qrveil::EncryptedOutputs";
}

impl ParameterSetConformant for EncryptedOutputs {
    /// Expected number of output values (known from the style and grid size).
    type ParameterSet = u32;
    fn is_conformant(&self, count: &u32) -> bool {
        let per_glwe = COMPRESSION_PARAMS.lwe_per_glwe().0;
        // Each count is checked before it is added: a crafted count overflowed a plain sum
        // (found by the pbs_ciphertexts fuzz target).
        let bodies = self.glwes.iter().try_fold(0usize, |sum, g| {
            let n = g.bodies_count().0;
            (n <= per_glwe).then(|| sum + n)
        });
        self.count == *count
            && bodies == Some(*count as usize)
            && self.glwes.len() == (*count as usize).div_ceil(per_glwe)
            && self.glwes.iter().all(|g| g.is_conformant(&glwe_params_for_output()))
    }
}

impl EncryptedOutputs {
    pub fn to_bytes(&self) -> Result<Vec<u8>, WireError> {
        write("encrypted outputs", self, OUTPUTS_LIMIT)
    }
    pub fn from_bytes(bytes: &[u8], count: u32) -> Result<Self, WireError> {
        read("encrypted outputs", bytes, OUTPUTS_LIMIT, &count)
    }
}
