//! The module bitmap of a QR symbol, as the clear evaluator and the tests see it.

/// A square grid of modules, row-major, `true` = dark.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleGrid {
    side: u32,
    dark: Vec<bool>,
}

impl ModuleGrid {
    /// Panics if `dark.len() != side²`; callers build grids from a QR encoder or a test.
    pub fn new(side: u32, dark: Vec<bool>) -> Self {
        assert_eq!(dark.len(), (side as usize).pow(2), "grid must be side x side");
        Self { side, dark }
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

/// Whether module (x, y) belongs to one of the three finder patterns (7×7 at the corners).
/// Their place depends only on the symbol size, so styles may draw them specially.
pub fn is_finder(side: u32, x: u32, y: u32) -> bool {
    let near = |v: u32| v < 7;
    let far = |v: u32| v + 7 >= side;
    (near(x) && near(y)) || (far(x) && near(y)) || (near(x) && far(y))
}
