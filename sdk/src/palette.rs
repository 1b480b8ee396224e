//! The colours a code is drawn in: a horizontal gradient across the whole image (as Python
//! `qrcode`'s `HorizontalGradiantColorMask` draws it) in the chosen colours, each corrected
//! only as far as the readability level asks.

use crate::colour::{darken_to, delta_e, lighten_to, luma, mix};
use qrveil_style::{Preset, Readability, Rgb};

/// The contrast (luma difference with the background, [`crate::colour::contrast`]) the ink
/// must have.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Contrast {
    /// Data modules.
    pub data: f32,
    /// Function patterns (finders, timing, alignment): decoders find the symbol and fit its
    /// grid by these before reading any data.
    pub patterns: f32,
}

impl Contrast {
    /// What each level asks: the least contrast at which the lab measured the level's share
    /// of a plain code's tolerance, for every style, decoder and condition
    /// (`docs/readability.md`, `qrveil-lab tolerance`).
    pub fn of(level: Readability) -> Self {
        match level {
            Readability::Vivid => Self { data: 0.60, patterns: 0.90 },
            Readability::Balanced => Self { data: 0.75, patterns: 1.0 },
            Readability::Robust => Self { data: 0.90, patterns: 1.0 },
        }
    }
}

/// The chosen colours and the contrast the ink must keep against the background.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Palette {
    /// The gradient's ends, as chosen.
    pub left: Rgb,
    pub right: Rgb,
    /// The chosen background, lightened only if even black ink would miss the contrast.
    pub background: Rgb,
    pub contrast: Contrast,
}

impl Palette {
    pub fn new(preset: &Preset, level: Readability) -> Self {
        Self::with_contrast(preset, Contrast::of(level))
    }

    pub fn with_contrast(preset: &Preset, contrast: Contrast) -> Self {
        let background = lighten_to(preset.background, contrast.data.max(contrast.patterns));
        Self { left: preset.left, right: preset.right, background, contrast }
    }

    /// Data ink at horizontal position `t` (0..1): the chosen gradient's colour there, its
    /// lightness lowered where it lacks contrast.
    pub fn ink_at(&self, t: f32) -> Rgb {
        darken_to(mix(self.left, self.right, t), luma(self.background) - self.contrast.data)
    }

    /// Median CIEDE2000 difference between the chosen and the drawn data ink, over the
    /// gradient.
    pub fn ink_delta_e(&self) -> f32 {
        const SAMPLES: usize = 65;
        let mut d: Vec<f32> = (0..SAMPLES)
            .map(|k| {
                let t = k as f32 / (SAMPLES - 1) as f32;
                delta_e(mix(self.left, self.right, t), self.ink_at(t))
            })
            .collect();
        d.sort_by(f32::total_cmp);
        d[SAMPLES / 2]
    }

    /// Function-pattern ink at horizontal position `t`.
    pub fn pattern_ink_at(&self, t: f32) -> Rgb {
        darken_to(mix(self.left, self.right, t), luma(self.background) - self.contrast.patterns)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stricter_levels_ask_more_contrast_and_patterns_at_least_the_data() {
        for pair in Readability::ALL.windows(2) {
            let (a, b) = (Contrast::of(pair[0]), Contrast::of(pair[1]));
            assert!(a.data < b.data && a.patterns <= b.patterns, "{:?} vs {:?}", pair[0], pair[1]);
        }
        for level in Readability::ALL {
            let c = Contrast::of(level);
            assert!(c.patterns >= c.data && c.patterns <= 1.0 && c.data > 0.0, "{level}");
        }
    }
}
