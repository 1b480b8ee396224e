//! What the client draws never depends on what the server sent.
//!
//! A lying server may return any ciphertext. Drawing what it decrypts to would publish a
//! function of the secret key in every shared code (adding 2^63 to one mask coefficient flips
//! exactly the outputs whose key bit is 1). So the client evaluates the style's public program
//! in the clear on its own module grid ([`expected`]) and draws from those values, always; the
//! decrypted results are only compared with them, every value of every output ([`check`]). A
//! difference is an [`IntegrityEvent`]: the code is drawn as it would have been anyway, the
//! keys that decrypted the lie are replaced, and nothing about the comparison (no count, no
//! position) goes anywhere but the event itself.

use crate::error::Internal;
use crate::SdkError;
use qrveil_protocol::Tier;
use qrveil_style::{clear, ModuleGrid, ServerProgram};
use serde::Serialize;
use std::fmt;

/// The service returned results that differ from the style's program.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct IntegrityEvent {
    /// The tier the job ran on: its job key was dropped (linear), or the client and server keys
    /// were replaced (PBS).
    pub tier: Tier,
}

impl IntegrityEvent {
    pub const MESSAGE: &'static str = "the service returned results that differ from the style's program; the code was drawn from this device's evaluation; new keys were made";
}

impl fmt::Display for IntegrityEvent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(Self::MESSAGE)
    }
}

/// The style's outputs as the program defines them, evaluated on this device's own `grid`:
/// the values every code is drawn from.
pub fn expected(program: &ServerProgram, grid: &ModuleGrid) -> Result<Vec<u8>, SdkError> {
    Ok(clear::evaluate(program, grid).map_err(Internal::from)?)
}

/// Compare the decrypted results with the expected values, every one: `None` when they are
/// equal, the event when anything differs (a value, or how many there are).
pub fn check(tier: Tier, expected: &[u8], decrypted: &[u8]) -> Option<IntegrityEvent> {
    (expected != decrypted).then_some(IntegrityEvent { tier })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn any_difference_is_an_event_and_equal_results_are_none() {
        let expected = [0, 1, 2, 3, 3];
        assert_eq!(check(Tier::Linear, &expected, &expected), None);
        for (i, flip) in [(0, 1u8), (2, 2), (4, 3)] {
            let mut lie = expected;
            lie[i] ^= flip;
            assert_eq!(check(Tier::Pbs, &expected, &lie), Some(IntegrityEvent { tier: Tier::Pbs }));
        }
        assert!(check(Tier::Linear, &expected, &expected[..4]).is_some(), "a missing value");
        assert!(IntegrityEvent { tier: Tier::Linear }.to_string().contains("new keys were made"));
    }
}
