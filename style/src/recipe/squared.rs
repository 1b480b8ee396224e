//! Modules drawn square whatever the style says, so that decoders keep their bearings: only
//! for a code that fails its checks without them, and then the least of them that passes
//! (measurements: `docs/readability.md`).

use crate::grid::FixedModules;
use serde::Serialize;
use std::fmt;

/// How much of a code is drawn square whatever its style says. A code is drawn with the first
/// of [`Squaring::ALL`] that passes its checks (the client's settling step), so most codes
/// keep every module in the look's own shapes, as qr-code-styling draws them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Squaring {
    /// Every module as the style draws it, timing and alignment patterns included.
    #[default]
    Nothing,
    /// The function patterns other than the finders (timing, alignment, format and version
    /// information) drawn as the standard's squares: decoders fit their sampling grid on them.
    FunctionPatterns,
    /// Those, and (in looks that shrink lone modules) the modules beside the timing patterns
    /// and around the alignment patterns ([`beside_timing`], [`around_alignment`]), and the
    /// middle of every finder look-alike in the data drawn as separate dots
    /// ([`super::lookalikes`]).
    Surroundings,
}

impl Squaring {
    /// In the order they are tried: least changed first.
    pub const ALL: [Squaring; 3] = [Squaring::Nothing, Squaring::FunctionPatterns, Squaring::Surroundings];
}

impl fmt::Display for Squaring {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Squaring::Nothing => "every module in the look's shapes",
            Squaring::FunctionPatterns => "timing and alignment patterns drawn square",
            Squaring::Surroundings => {
                "timing and alignment patterns and the modules around them drawn square, finder look-alikes broken up"
            }
        })
    }
}

/// Whether module (x, y) lies in a row or column next to a timing pattern (row or column 6):
/// rqrr counts colour changes along the timing patterns against a running row mean, which
/// rows of dots pull towards the background.
pub fn beside_timing(x: usize, y: usize) -> bool {
    x.abs_diff(6) == 1 || y.abs_diff(6) == 1
}

/// Which modules (row-major) form the ring just outside an alignment pattern: rqrr takes the
/// first dot-sized blob near the expected alignment centre, and squares there join the
/// pattern's own ring.
pub fn around_alignment(fixed: &FixedModules) -> Vec<bool> {
    let n = fixed.side() as i64;
    let mut ring = vec![false; (n * n) as usize];
    for (cx, cy) in fixed.alignment_centres() {
        for y in (cy - 3).max(0)..=(cy + 3).min(n - 1) {
            for x in (cx - 3).max(0)..=(cx + 3).min(n - 1) {
                if (x - cx).abs().max((y - cy).abs()) == 3 {
                    ring[(y * n + x) as usize] = true;
                }
            }
        }
    }
    ring
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Version 7 (45×45): alignment centres on rows and columns 6, 22 and 38 (ISO/IEC 18004
    /// Annex E), less the three that would overlap a finder.
    #[test]
    fn the_ring_around_alignment_follows_the_standard_table() {
        let side = 45;
        let ring = around_alignment(&FixedModules::for_side(side));
        let centres: Vec<(i64, i64)> = [6i64, 22, 38]
            .iter()
            .flat_map(|&y| [6i64, 22, 38].map(|x| (x, y)))
            .filter(|&c| ![(6, 6), (38, 6), (6, 38)].contains(&c))
            .collect();
        assert_eq!(centres.len(), 6);
        for y in 0..45i64 {
            for x in 0..45i64 {
                let want = centres.iter().any(|&(cx, cy)| (x - cx).abs().max((y - cy).abs()) == 3);
                assert_eq!(ring[(y * 45 + x) as usize], want, "({x}, {y})");
            }
        }
        // No alignment pattern at version 1.
        assert!(!around_alignment(&FixedModules::for_side(21)).contains(&true));
    }
}
