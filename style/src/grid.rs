//! The module grid of a QR symbol, and the modules the QR standard fixes for every symbol of
//! a size (public, so styles evaluate them in the clear and draw them specially).

use qrveil_protocol::params::qr_version;

/// A square grid of modules, row-major, `true` = dark.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleGrid {
    side: u32,
    dark: Vec<bool>,
}

/// The bits given do not make a square of the side given.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a grid of {side}x{side} modules needs {} bits, not {bits}", (*side as usize).pow(2))]
pub struct GridSizeError {
    pub side: u32,
    pub bits: usize,
}

impl ModuleGrid {
    pub fn new(side: u32, dark: Vec<bool>) -> Result<Self, GridSizeError> {
        if dark.len() != (side as usize).pow(2) {
            return Err(GridSizeError { side, bits: dark.len() });
        }
        Ok(Self { side, dark })
    }

    pub fn side(&self) -> u32 {
        self.side
    }

    /// Whether module (x, y) is dark; modules outside the symbol are light, like the quiet zone.
    pub fn is_dark(&self, x: i64, y: i64) -> bool {
        let n = self.side as i64;
        (0..n).contains(&x) && (0..n).contains(&y) && self.dark[(y * n + x) as usize]
    }

    pub fn bits(&self) -> &[bool] {
        &self.dark
    }
}

/// Modules whose value the QR standard fixes for every symbol of a given size: finder
/// patterns with their separators, timing patterns and alignment patterns. They are public
/// (any QR code of that size has them), so the function evaluates cells that see only fixed
/// modules in the clear and spends no PBS on them. Format information is *not* treated as
/// fixed: it reveals the error-correction level and mask.
#[derive(Clone, Debug)]
pub struct FixedModules {
    side: u32,
    value: Vec<Option<bool>>,
}

impl FixedModules {
    /// The fixed modules of a symbol `side` modules wide; none if `side` is not a QR size.
    pub fn for_side(side: u32) -> Self {
        let none = Self { side, value: vec![None; (side as usize).pow(2)] };
        let Some(version) = qr_version(side) else {
            return none;
        };
        let version = qrcode::Version::Normal(version.into());
        // Function patterns do not depend on the data; any payload shows them.
        let Ok(code) = qrcode::QrCode::with_version(b"", version, qrcode::EcLevel::L) else {
            return none;
        };
        let colors = code.to_colors();
        let n = side as usize;
        // Column 8 / row 8 next to the finders hold format information (and the dark
        // module); where they cross the timing patterns (row/column 6) they are timing.
        let format = |x: usize, y: usize| {
            (x == 8 && y != 6 && (y < 9 || y + 8 >= n)) || (y == 8 && x != 6 && (x < 9 || x + 8 >= n))
        };
        let value = (0..n * n)
            .map(|i| {
                let (x, y) = (i % n, i / n);
                (code.is_functional(x, y) && !format(x, y)).then(|| colors[i] == qrcode::Color::Dark)
            })
            .collect();
        Self { side, value }
    }

    /// The fixed value of module (x, y): outside the symbol is light; `None` if it carries
    /// data (or format information).
    pub fn get(&self, x: i64, y: i64) -> Option<bool> {
        let n = self.side as i64;
        if !(0..n).contains(&x) || !(0..n).contains(&y) {
            return Some(false);
        }
        self.value[(y * n + x) as usize]
    }

    pub fn side(&self) -> u32 {
        self.side
    }

    /// Centres of the alignment patterns: the fixed dark modules ringed by fixed light ones
    /// (a finder's centre has dark neighbours, a timing module data ones).
    pub fn alignment_centres(&self) -> Vec<(i64, i64)> {
        let n = self.side as i64;
        let light = |x: i64, y: i64| (0..n).contains(&x) && (0..n).contains(&y) && self.get(x, y) == Some(false);
        let centre = |x: i64, y: i64| {
            self.get(x, y) == Some(true)
                && (-1..=1).all(|dy| (-1..=1).all(|dx| (dx, dy) == (0, 0) || light(x + dx, y + dy)))
        };
        (0..n).flat_map(|y| (0..n).map(move |x| (x, y))).filter(|&(x, y)| centre(x, y)).collect()
    }

    /// How many modules are fixed (the tests' check against the standard's tables).
    #[cfg(test)]
    fn count(&self) -> usize {
        self.value.iter().filter(|v| v.is_some()).count()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_1_fixes_finders_separators_and_timing_but_not_format() {
        let f = FixedModules::for_side(21);
        // Finder corner and centre are dark, separator light.
        assert_eq!(f.get(0, 0), Some(true));
        assert_eq!(f.get(3, 3), Some(true));
        assert_eq!(f.get(7, 0), Some(false));
        // Timing pattern alternates, starting dark at 8.
        assert_eq!((f.get(8, 6), f.get(9, 6), f.get(10, 6)), (Some(true), Some(false), Some(true)));
        // Format information and data are not fixed.
        assert_eq!(f.get(8, 0), None);
        assert_eq!(f.get(0, 8), None);
        assert_eq!(f.get(10, 10), None);
        // Outside is light.
        assert_eq!(f.get(-1, 5), Some(false));
        // 3 finder blocks of 8x8, plus timing modules between them (2 x 5), minus nothing else.
        assert_eq!(f.count(), 3 * 64 + 2 * 5);
    }

    #[test]
    fn a_grid_must_be_square() {
        assert!(ModuleGrid::new(2, vec![true; 4]).is_ok());
        assert_eq!(ModuleGrid::new(3, vec![true; 8]), Err(GridSizeError { side: 3, bits: 8 }));
    }

    #[test]
    fn sizes_that_are_not_qr_symbols_fix_nothing() {
        assert_eq!(FixedModules::for_side(6).count(), 0);
        assert_eq!(FixedModules::for_side(22).count(), 0);
        // Version 2 adds a 5x5 alignment pattern.
        assert_eq!(FixedModules::for_side(25).count(), 3 * 64 + 2 * 9 + 25);
    }
}
