//! Mask seeds from untrusted containers. A seed carries, besides its key, the generator's
//! starting position, and tfhe-rs trusts it: a crafted byte index makes its generator index out
//! of bounds and panic (found by the `linear_ciphertexts` fuzz target). Our clients only ever
//! make plain counter-mode seeds starting at the generator's first byte, so anything else is
//! refused at the door, with the rest of the container's conformance.

use tfhe::core_crypto::commons::math::random::CompressionSeed;
use tfhe_csprng::generators::aes_ctr::TableIndex;
use tfhe_csprng::seeders::SeedKind;

/// Whether `seed` is one a qrveil client makes: counter mode, from the first table index.
pub fn is_plain(seed: &CompressionSeed) -> bool {
    matches!(seed.inner.seed, SeedKind::Ctr(_)) && seed.inner.first_index == TableIndex::FIRST
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
