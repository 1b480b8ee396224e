//! Whether an upload carries its plaintext: a statistical test that can fail on both tiers.
//!
//! Each uploaded body is read with the zero key, which is all a keyless (or trivial, or
//! noise-free) "encryption" needs: the value read is the body itself. Under a real secret key
//! the body is `<mask, key> + message + noise` with a uniform mask, so every bit of it is
//! uniform whatever the slot encrypts; without one it is the message (plus noise), so some of
//! its bits follow the message. The test pools, over every slot of an upload, the indicator the
//! slot encrypts (the client's own encoding of the grid, known to the test) and each 4-bit
//! window of the value read, and runs Pearson's chi-square test of independence on every
//! window's 2 × 16 table. Any window over [`CHI_SQUARE_LIMIT`] is a dependence: the plaintext is
//! there, at whatever scale it was written.

use qrveil_protocol::linear::page_size;
use qrveil_protocol::{EncryptedGrid, LinearInput};
use qrveil_style::{Encoding, ModuleGrid, ServerProgram};

/// Chi-square with 15 degrees of freedom over 100 has probability 1.3e-14: with at most 31
/// windows per upload, an honest upload is flagged with probability under 5e-13.
pub const CHI_SQUARE_LIMIT: f64 = 100.0;

/// The strongest dependence found between the indicators and any bit window of the bodies.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Dependence {
    /// The largest chi-square statistic over the windows.
    pub chi_square: f64,
    /// The lowest bit of that window (bit 0 is the body's least significant).
    pub window: u32,
    /// Slots pooled.
    pub samples: usize,
}

impl Dependence {
    pub fn carries_plaintext(&self) -> bool {
        self.chi_square > CHI_SQUARE_LIMIT
    }
}

/// Pooled (indicator, body) pairs of `bits`-bit bodies → the strongest window's dependence.
fn dependence(samples: &[(bool, u64)], bits: u32) -> Dependence {
    let mut worst = Dependence { chi_square: 0.0, window: 0, samples: samples.len() };
    for window in (0..=bits - 4).step_by(2) {
        let mut table = [[0f64; 16]; 2];
        for &(indicator, value) in samples {
            table[usize::from(indicator)][(value >> window & 15) as usize] += 1.0;
        }
        let chi_square = chi_square(&table);
        if chi_square > worst.chi_square {
            worst = Dependence { chi_square, window, samples: samples.len() };
        }
    }
    worst
}

/// Pearson's statistic of independence of a 2 × 16 table (empty columns left out).
fn chi_square(table: &[[f64; 16]; 2]) -> f64 {
    let rows = [table[0].iter().sum::<f64>(), table[1].iter().sum::<f64>()];
    let total = rows[0] + rows[1];
    if rows.contains(&0.0) {
        return 0.0;
    }
    let mut stat = 0.0;
    for (&off, &on) in table[0].iter().zip(&table[1]) {
        let column = off + on;
        for (observed, row_total) in [(off, rows[0]), (on, rows[1])] {
            let expected = row_total * column / total;
            if expected > 0.0 {
                stat += (observed - expected).powi(2) / expected;
            }
        }
    }
    stat
}

/// A linear job's upload of `grid`'s `encoding` (the `index`-th of the upload, of `style`'s
/// program), tested against the indicators each of its slots encrypts.
pub fn in_linear_upload(
    input: &LinearInput,
    index: usize,
    encoding: Encoding,
    style: &ServerProgram,
    grid: &ModuleGrid,
) -> Dependence {
    let features = &input.features[index];
    let codes = encoding.codes_of(grid, style).expect("an encoding of the style");
    let pages = codes.chunks(page_size()).zip(features.glwes.chunks(features.slots as usize));
    let samples: Vec<(bool, u64)> = pages
        .flat_map(|(cells, glwes)| {
            // The page's GLWEs encrypt the indicators of codes 1, 2, ... in turn.
            glwes.iter().zip(1u8..).flat_map(move |(glwe, code)| {
                cells.iter().map(move |&c| c == code).zip(glwe.body.unpack::<u64>().collect::<Vec<_>>())
            })
        })
        .collect();
    let bits = features.glwes.first().map_or(4, |g| g.body.log_modulus().0 as u32);
    dependence(&samples, bits)
}

/// A PBS job's upload of `grid`, tested against each slot's module bit.
pub fn in_grid_upload(input: &EncryptedGrid, grid: &ModuleGrid) -> Dependence {
    let samples: Vec<(bool, u64)> = grid
        .bits()
        .chunks(page_size())
        .zip(&input.glwes)
        .flat_map(|(modules, glwe)| modules.iter().copied().zip(glwe.get_body().as_ref().to_vec()))
        .collect();
    dependence(&samples, 64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_statistic_sees_a_dependence_at_any_window_and_none_in_uniform_noise() {
        use rand::Rng;
        let mut rng = rand::rng();
        let indicators: Vec<bool> = (0..2000).map(|_| rng.random_bool(0.3)).collect();
        let uniform: Vec<(bool, u64)> = indicators.iter().map(|&i| (i, rng.random::<u64>())).collect();
        assert!(!dependence(&uniform, 64).carries_plaintext(), "{:?}", dependence(&uniform, 64));
        for shift in [0, 17, 59, 63] {
            // Every other bit random: only the one bit follows the indicator.
            let written: Vec<(bool, u64)> = indicators
                .iter()
                .map(|&i| (i, (u64::from(i) << shift) | (rng.random::<u64>() & !(1 << shift))))
                .collect();
            let d = dependence(&written, 64);
            assert!(d.carries_plaintext(), "a bit at {shift} went unseen: {d:?}");
        }
    }
}
