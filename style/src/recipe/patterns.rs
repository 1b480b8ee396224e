//! The finder patterns' shapes: qr-code-styling's `cornersSquareOptions.type` (the finder's
//! ring) and `cornersDotOptions.type` (its centre). Alignment and timing patterns are drawn
//! like every other module, in the look's dot type, as qr-code-styling draws them (or square,
//! per code, when its checks need it: [`super::squared`]). Public geometry, the same for every
//! code of a size: no FHE.

use crate::catalogue::{by_name, NameKind, UnknownName};
use serde::{Deserialize, Serialize};
use std::str::FromStr;

/// The ring of a finder pattern (7×7).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RingShape {
    #[default]
    Square,
    /// A circular ring.
    Dot,
    /// A square ring with corners rounded to 5/14 of its side outside, 3/10 inside.
    ExtraRounded,
}

/// The centre of a finder pattern (3×3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CentreShape {
    #[default]
    Square,
    Dot,
}

/// How the finder patterns are drawn.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Patterns {
    pub ring: RingShape,
    pub centre: CentreShape,
}

impl RingShape {
    pub const ALL: [RingShape; 3] = [RingShape::Square, RingShape::Dot, RingShape::ExtraRounded];

    pub fn name(self) -> &'static str {
        match self {
            RingShape::Square => "square",
            RingShape::Dot => "dot",
            RingShape::ExtraRounded => "extra-rounded",
        }
    }
}

impl FromStr for RingShape {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, UnknownName> {
        by_name(NameKind::Ring, &RingShape::ALL, |r| r.name(), s)
    }
}

impl CentreShape {
    pub const ALL: [CentreShape; 2] = [CentreShape::Square, CentreShape::Dot];

    pub fn name(self) -> &'static str {
        match self {
            CentreShape::Square => "square",
            CentreShape::Dot => "dot",
        }
    }
}

impl FromStr for CentreShape {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, UnknownName> {
        by_name(NameKind::Centre, &CentreShape::ALL, |c| c.name(), s)
    }
}

/// A rectangle with rounded corners, in module units.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RoundedRect {
    pub x: f32,
    pub y: f32,
    pub side: f32,
    pub radius: f32,
}

impl RoundedRect {
    pub fn contains(&self, px: f32, py: f32) -> bool {
        let r = self.radius;
        let nearest = |p: f32, lo: f32| p.clamp(lo + r, lo + self.side - r);
        let inside = (self.x..=self.x + self.side).contains(&px) && (self.y..=self.y + self.side).contains(&py);
        inside && (px - nearest(px, self.x)).powi(2) + (py - nearest(py, self.y)).powi(2) <= r * r
    }
}

/// One drawn piece: `outer` less `hole`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Piece {
    pub outer: RoundedRect,
    pub hole: Option<RoundedRect>,
}

impl Piece {
    pub fn contains(&self, px: f32, py: f32) -> bool {
        self.outer.contains(px, py) && !self.hole.is_some_and(|h| h.contains(px, py))
    }
}

/// A finder pattern: the square it occupies, and what is drawn in it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PatternBox {
    /// Top-left module and side, in modules.
    pub x: i64,
    pub y: i64,
    pub side: i64,
    pub ring: Piece,
    pub centre: Piece,
}

impl PatternBox {
    pub fn holds_module(&self, mx: i64, my: i64) -> bool {
        (self.x..self.x + self.side).contains(&mx) && (self.y..self.y + self.side).contains(&my)
    }

    pub fn contains(&self, px: f32, py: f32) -> bool {
        self.ring.contains(px, py) || self.centre.contains(px, py)
    }
}

impl Patterns {
    /// The three finder patterns of a symbol `side` modules wide.
    pub fn boxes(&self, side: u32) -> Vec<PatternBox> {
        let n = side as i64;
        [(0, 0), (n - 7, 0), (0, n - 7)].map(|(x, y)| self.pattern(x, y, 7)).to_vec()
    }

    fn pattern(&self, x: i64, y: i64, side: i64) -> PatternBox {
        let (fx, fy, s) = (x as f32, y as f32, side as f32);
        let square =
            |inset: f32, radius: f32| RoundedRect { x: fx + inset, y: fy + inset, side: s - 2.0 * inset, radius };
        let (outer, inner) = match self.ring {
            RingShape::Square => (0.0, 0.0),
            RingShape::Dot => (s / 2.0, s / 2.0 - 1.0),
            RingShape::ExtraRounded => (s * 5.0 / 14.0, (s - 2.0) * 0.3),
        };
        // The centre sits 2 modules in: 3×3.
        let centre_radius = match self.centre {
            CentreShape::Square => 0.0,
            CentreShape::Dot => (s - 4.0) / 2.0,
        };
        PatternBox {
            x,
            y,
            side,
            ring: Piece { outer: square(0.0, outer), hole: Some(square(1.0, inner)) },
            centre: Piece { outer: square(2.0, centre_radius), hole: None },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grid::FixedModules;

    /// The square shapes are the standard's modules exactly: sample each module's centre.
    #[test]
    fn square_patterns_cover_exactly_the_standards_dark_modules() {
        for side in [21u32, 25, 45] {
            let fixed = FixedModules::for_side(side);
            for b in Patterns::default().boxes(side) {
                for my in b.y..b.y + b.side {
                    for mx in b.x..b.x + b.side {
                        let drawn = b.contains(mx as f32 + 0.5, my as f32 + 0.5);
                        assert_eq!(Some(drawn), fixed.get(mx, my), "v{side} ({mx}, {my})");
                    }
                }
            }
        }
    }

    /// Every shape keeps the module centres decoders sample on the pattern's middle row and
    /// column at the standard's colours (dark, light, dark ... along the 1:1:3:1:1 line).
    #[test]
    fn every_shape_keeps_the_middle_row_and_column() {
        let fixed = FixedModules::for_side(25);
        for ring in [RingShape::Square, RingShape::Dot, RingShape::ExtraRounded] {
            for centre in [CentreShape::Square, CentreShape::Dot] {
                for b in (Patterns { ring, centre }).boxes(25) {
                    let mid = b.side / 2;
                    for k in 0..b.side {
                        for (mx, my) in [(b.x + k, b.y + mid), (b.x + mid, b.y + k)] {
                            let drawn = b.contains(mx as f32 + 0.5, my as f32 + 0.5);
                            assert_eq!(Some(drawn), fixed.get(mx, my), "{ring:?}/{centre:?} ({mx}, {my})");
                        }
                    }
                }
            }
        }
    }
}
