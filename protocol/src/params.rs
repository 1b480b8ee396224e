//! The pinned TFHE parameter set and the plaintext encodings built on it.
//!
//! Parameters are named by their versioned constant, never by a default alias that may move
//! between tfhe-rs releases: a key made today must still be understood by the function later.

use tfhe::shortint::parameters::v1_8::{
    V1_8_COMP_PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128, V1_8_PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128,
};
use tfhe::shortint::parameters::{ClassicPBSParameters, CompressionParameters};

/// KS-PBS with 2 message bits and 2 carry bits, TUniform noise, p-fail 2^-128.
pub const PBS_PARAMS: ClassicPBSParameters = V1_8_PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128;
/// List compression matching [`PBS_PARAMS`]: 256 values packed per GLWE, 12-bit storage.
pub const COMPRESSION_PARAMS: CompressionParameters = V1_8_COMP_PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128;

/// Self-describing name written into manifests; the function refuses any other.
pub const PARAMS_NAME: &str =
    "tfhe-1.8/V1_8_PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128+V1_8_COMP_PARAM_MESSAGE_2_CARRY_2_KS_PBS_TUNIFORM_2M128";

/// Values a ciphertext can hold before the padding bit: message × carry = 16.
pub const CLEARTEXT_MODULUS: u64 = 16;
/// Encoding of an input or intermediate value: one padding bit, then 4 value bits.
pub const DELTA: u64 = (1u64 << 63) / CLEARTEXT_MODULUS;
/// Output values are 2-bit: list compression needs empty carries.
pub const OUTPUT_MODULUS: u64 = 4;
/// Compression multiplies each output by the message modulus, so outputs decrypt at this scale.
pub const OUTPUT_DELTA: u64 = DELTA * 4;

/// Fresh encryptions use TUniform(17) noise: every sample lies in [-2^17, 2^17].
/// The style engine relies on this bound (see `qrveil_style::analysis`).
pub const FRESH_NOISE_BOUND_LOG2: u32 = 17;

/// The linear tier (no bootstrapping) encrypts 0/1 indicators at this scale and returns
/// 2-bit sums at the same scale: values live mod 4 with no padding bit, since nothing is ever
/// bootstrapped, which leaves a decryption margin of 2^61.
pub const LINEAR_DELTA: u64 = 1 << 62;
/// Bits of each body coefficient the client uploads on the linear tier. The mask comes from
/// the seed, exactly; the body is rounded to its top bits, an error of at most 2^53 per
/// coefficient, known with certainty. (Rounding a ciphertext is a public operation: it cannot
/// weaken the encryption.)
pub const LINEAR_UPLOAD_LOG_MODULUS: usize = 10;
/// Bits per coefficient of the linear tier's results on download (mask and bodies).
pub const LINEAR_DOWNLOAD_LOG_MODULUS: usize = 12;

/// Largest QR symbol: version 40 has 177 modules a side.
pub const MAX_MODULES_PER_SIDE: u32 = 177;

/// The QR version whose symbol is `side` modules wide (21 for version 1, then 4 more per
/// version up to 177), or `None` if no QR symbol has that size.
pub fn qr_version(side: u32) -> Option<u8> {
    let valid = (21..=MAX_MODULES_PER_SIDE).contains(&side) && (side - 17).is_multiple_of(4);
    valid.then(|| ((side - 17) / 4) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn qr_sizes_are_21_to_177_in_steps_of_4() {
        assert_eq!(qr_version(21), Some(1));
        assert_eq!(qr_version(25), Some(2));
        assert_eq!(qr_version(177), Some(40));
        for side in [0, 5, 17, 20, 22, 24, 181] {
            assert_eq!(qr_version(side), None, "{side}");
        }
    }
}
