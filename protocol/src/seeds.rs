//! Mask seeds from untrusted containers. A seed carries, besides its key, the generator's
//! starting position, and tfhe-rs trusts it: a crafted byte index makes its generator index out
//! of bounds and panic (found by the `linear_ciphertexts` fuzz target). Our clients only ever
//! make plain counter-mode seeds starting at the generator's first byte, so anything else is
//! refused at the door, with the rest of the container's conformance.

use tfhe::core_crypto::commons::math::random::CompressionSeed;
use tfhe::shortint::atomic_pattern::compressed::CompressedAtomicPatternServerKey;
use tfhe::shortint::list_compression::CompressedCompressionKey;
use tfhe::shortint::server_key::{
    CompressedModulusSwitchConfiguration, CompressedServerKey, ShortintCompressedBootstrappingKey,
};
use tfhe_csprng::generators::aes_ctr::TableIndex;
use tfhe_csprng::seeders::SeedKind;

/// Whether `seed` is one a qrveil client makes: counter mode, from the first table index.
pub fn is_plain(seed: &CompressionSeed) -> bool {
    matches!(seed.inner.seed, SeedKind::Ctr(_)) && seed.inner.first_index == TableIndex::FIRST
}

/// Whether every seed inside a compressed server key bundle is plain: the key switching and
/// bootstrapping keys', the modulus-switch zeros', and the compression key's. A key is as
/// untrusted as any upload (the function expands it: a crafted seed would panic there).
pub fn server_key_is_plain(server_key: &CompressedServerKey, compression_key: &CompressedCompressionKey) -> bool {
    let bootstrapping = |key: &ShortintCompressedBootstrappingKey<u64>| match key {
        ShortintCompressedBootstrappingKey::Classic { bsk, modulus_switch_noise_reduction_key } => {
            is_plain(&bsk.compression_seed())
                && match modulus_switch_noise_reduction_key {
                    CompressedModulusSwitchConfiguration::DriftTechniqueNoiseReduction(zeros) => {
                        is_plain(&zeros.modulus_switch_zeros.compression_seed())
                    }
                    _ => true,
                }
        }
        ShortintCompressedBootstrappingKey::MultiBit { seeded_bsk, .. } => is_plain(&seeded_bsk.compression_seed()),
    };
    let atomic = match &server_key.compressed_ap_server_key {
        CompressedAtomicPatternServerKey::Standard(ap) => {
            is_plain(&ap.key_switching_key().compression_seed()) && bootstrapping(ap.bootstrapping_key())
        }
        // Not the pinned parameters' pattern: conformance refuses it anyway.
        CompressedAtomicPatternServerKey::KeySwitch32(_) => false,
    };
    atomic && is_plain(&compression_key.packing_key_switching_key.compression_seed())
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfhe::core_crypto::commons::math::random::Seed;

    #[test]
    fn only_counter_seeds_from_the_first_byte_are_plain() {
        let plain = CompressionSeed::from(Seed(42));
        assert!(is_plain(&plain));
        let mut shifted = plain.clone();
        shifted.inner.first_index = TableIndex::SECOND;
        assert!(!is_plain(&shifted));
        let xof = tfhe::core_crypto::commons::math::random::XofSeed::new_u128(42, *b"qrveil-x");
        let xof = CompressionSeed { inner: tfhe_csprng::generators::aes_ctr::AesCtrParams::from(SeedKind::Xof(xof)) };
        assert!(!is_plain(&xof));
    }
}
