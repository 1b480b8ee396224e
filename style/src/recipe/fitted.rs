//! Fitted looks: a learned tile of ink for each vertex code.
//!
//! Every shape of python-qrcode's and qr-code-styling's catalogues is decided, around each
//! vertex of the grid, by the 2×2 block of modules there. So a look is fully given by the unit
//! square centred on each vertex (a quarter of each of the four modules around it) drawn from
//! that vertex's block code alone. [`TileSet`] holds that drawing as polygons, 16 codes × 4
//! quarters; the server computes the codes (0 PBS, `StyleId::Fitted`) and the tiles are public
//! data the client draws, so a new look needs neither a new function nor an app release.

use serde::{Deserialize, Serialize};

/// A closed polygon, `[x, y]` points in tile units: the tile is the unit square centred on its
/// vertex, (0, 0) its top-left corner, the vertex at (0.5, 0.5).
pub type Polygon = Vec<[f32; 2]>;

/// The ink of the four quarters of one tile.
pub type Quarters = [Vec<Polygon>; 4];

/// Most points one quarter may hold (all polygons together): bounds drawing cost per module.
pub const MAX_QUARTER_POINTS: usize = 256;

/// The ink of each quarter of the tile of each block code (TL=1, TR=2, BL=4, BR=8, as
/// [`crate::features::Encoding::VertexBlocks`] numbers them). Quarter `q` of a tile (0
/// top-left, 1 top-right, 2 bottom-left, 3 bottom-right) lies in the module of block bit `q`;
/// its polygons stay inside it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TileSet {
    codes: Vec<Quarters>,
}

/// A tile set that cannot be drawn.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum TileSetError {
    #[error("a tile set has one entry per block code, 16; this one has {0}")]
    Codes(usize),
    #[error("code {code} quarter {quarter}: point {point:?} lies outside the quarter")]
    Outside { code: usize, quarter: usize, point: [f32; 2] },
    #[error("code {code} quarter {quarter}: a polygon needs at least 3 points")]
    Degenerate { code: usize, quarter: usize },
    #[error("code {code} quarter {quarter}: {points} points, over the {MAX_QUARTER_POINTS} a quarter may hold")]
    TooDetailed { code: usize, quarter: usize, points: usize },
}

/// The square of quarter `q` in tile units: (x0, y0, x1, y1).
pub fn quarter_box(q: usize) -> (f32, f32, f32, f32) {
    let (x0, y0) = (if q & 1 == 1 { 0.5 } else { 0.0 }, if q & 2 == 2 { 0.5 } else { 0.0 });
    (x0, y0, x0 + 0.5, y0 + 0.5)
}

impl TileSet {
    /// Polygons per code and quarter, checked.
    pub fn new(codes: Vec<Quarters>) -> Result<Self, TileSetError> {
        let set = TileSet { codes };
        set.check()?;
        Ok(set)
    }

    /// Every tile drawn as plain square modules: the look of a plain code.
    pub fn squares() -> Self {
        let codes = (0..16)
            .map(|code| {
                std::array::from_fn(|q| {
                    let (x0, y0, x1, y1) = quarter_box(q);
                    if code >> q & 1 == 1 {
                        vec![vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1]]]
                    } else {
                        Vec::new()
                    }
                })
            })
            .collect();
        TileSet { codes }
    }

    /// Refuse what cannot be drawn: a wrong number of codes, points outside their quarter (a
    /// small tolerance for rounding), degenerate or overly detailed polygons.
    pub fn check(&self) -> Result<(), TileSetError> {
        if self.codes.len() != 16 {
            return Err(TileSetError::Codes(self.codes.len()));
        }
        const SLACK: f32 = 1e-3;
        for (code, quarters) in self.codes.iter().enumerate() {
            for (quarter, polygons) in quarters.iter().enumerate() {
                let (x0, y0, x1, y1) = quarter_box(quarter);
                let points: usize = polygons.iter().map(Vec::len).sum();
                if points > MAX_QUARTER_POINTS {
                    return Err(TileSetError::TooDetailed { code, quarter, points });
                }
                for polygon in polygons {
                    if polygon.len() < 3 {
                        return Err(TileSetError::Degenerate { code, quarter });
                    }
                    let inside = |&[x, y]: &[f32; 2]| {
                        x.is_finite()
                            && y.is_finite()
                            && (x0 - SLACK..=x1 + SLACK).contains(&x)
                            && (y0 - SLACK..=y1 + SLACK).contains(&y)
                    };
                    if let Some(&point) = polygon.iter().find(|p| !inside(p)) {
                        return Err(TileSetError::Outside { code, quarter, point });
                    }
                }
            }
        }
        Ok(())
    }

    /// The polygons of quarter `q` of code `code`'s tile.
    pub fn quarter(&self, code: u8, q: usize) -> &[Polygon] {
        &self.codes[code as usize & 15][q & 3]
    }

    /// Whether point (x, y) of code `code`'s tile is inked (even-odd rule).
    pub fn inked(&self, code: u8, x: f32, y: f32) -> bool {
        let q = usize::from(x >= 0.5) | usize::from(y >= 0.5) << 1;
        self.quarter(code, q).iter().filter(|p| crosses_odd(p, x, y)).count() % 2 == 1
    }

    /// Whether point (u, v) of a module (module units, 0..1) is inked, given the codes of the
    /// vertices at its corners (TL, TR, BL, BR): the module's corner `c` is the vertex whose
    /// block has this module at bit `3 - c`.
    pub fn inked_in_module(&self, corner_codes: [u8; 4], u: f32, v: f32) -> bool {
        let c = usize::from(u >= 0.5) | usize::from(v >= 0.5) << 1;
        let (cx, cy) = ((c & 1) as f32, (c >> 1) as f32);
        self.inked(corner_codes[c], u - cx + 0.5, v - cy + 0.5)
    }
}

/// The tile of module (x, y) from the two vertex outputs of a fitted look (each vertex's low
/// code bits, then its high ones, `n + 1` vertices a side).
pub fn fitted_tile(outputs: &[u8], n: usize, x: usize, y: usize) -> super::Tile {
    let stride = n + 1;
    let cells = stride * stride;
    let code = |vx: usize, vy: usize| {
        let i = vy * stride + vx;
        outputs[i] & 3 | (outputs[cells + i] & 3) << 2
    };
    let corner_codes = [code(x, y), code(x + 1, y), code(x, y + 1), code(x + 1, y + 1)];
    // The module is the bottom-right (bit 3) of the block at its top-left corner.
    super::Tile { ink: corner_codes[0] & 8 != 0, shape: super::Shape::Quadrants(corner_codes) }
}

/// Ray casting: whether a ray from (x, y) to the right crosses `polygon` an odd number of times.
fn crosses_odd(polygon: &[[f32; 2]], x: f32, y: f32) -> bool {
    let mut odd = false;
    let mut j = polygon.len() - 1;
    for i in 0..polygon.len() {
        let ([xi, yi], [xj, yj]) = (polygon[i], polygon[j]);
        if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
            odd = !odd;
        }
        j = i;
    }
    odd
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn square_tiles_ink_exactly_the_dark_modules_quarters() {
        let set = TileSet::squares();
        set.check().expect("valid");
        for code in 0u8..16 {
            for (x, y) in [(0.2, 0.3), (0.7, 0.1), (0.4, 0.9), (0.8, 0.6)] {
                let q = usize::from(x >= 0.5) | usize::from(y >= 0.5) << 1;
                assert_eq!(set.inked(code, x, y), code >> q & 1 == 1, "code {code} at ({x}, {y})");
            }
        }
    }

    #[test]
    fn a_module_reads_its_quarters_from_the_vertices_at_its_corners() {
        let set = TileSet::squares();
        // The module is at bit 3 - c of the block at its corner c: dark there means dark here.
        let dark = [8, 4, 2, 1];
        assert!(set.inked_in_module(dark, 0.1, 0.1) && set.inked_in_module(dark, 0.9, 0.9));
        // Dark only in the corner vertices' other modules: this module stays light.
        assert!(!set.inked_in_module([7, 11, 13, 14], 0.1, 0.1));
        assert!(!set.inked_in_module([7, 11, 13, 14], 0.6, 0.6));
    }

    #[test]
    fn a_quarter_disc_is_drawn_by_its_polygon_and_holes_by_the_even_odd_rule() {
        let arc: Polygon = (0..=8)
            .map(|i| {
                let a = i as f32 / 8.0 * std::f32::consts::FRAC_PI_2;
                [0.5 - 0.5 * a.cos(), 0.5 - 0.5 * a.sin()]
            })
            .chain([[0.5, 0.5]])
            .collect();
        let mut codes = TileSet::squares().codes;
        codes[1][0] = vec![arc];
        let set = TileSet::new(codes).expect("valid");
        assert!(set.inked(1, 0.45, 0.45));
        assert!(!set.inked(1, 0.02, 0.02), "the corner is rounded off");
        let ring = vec![vec![[0.6, 0.6], [0.9, 0.6], [0.9, 0.9], [0.6, 0.9]], vec![[0.7, 0.7], [0.8, 0.7], [0.8, 0.8]]];
        let mut codes = TileSet::squares().codes;
        codes[8][3] = ring;
        let set = TileSet::new(codes).expect("valid");
        assert!(set.inked(8, 0.65, 0.85) && !set.inked(8, 0.78, 0.72));
    }

    #[test]
    fn what_cannot_be_drawn_is_refused_by_code_and_quarter() {
        let mut codes = TileSet::squares().codes;
        codes[5][2] = vec![vec![[0.1, 0.6], [0.6, 0.6], [0.1, 0.9]]];
        assert_eq!(TileSet::new(codes).unwrap_err(), TileSetError::Outside { code: 5, quarter: 2, point: [0.6, 0.6] });
        assert_eq!(TileSet::new(vec![]).unwrap_err(), TileSetError::Codes(0));
        let set: Result<TileSet, _> = serde_json::from_str("[]");
        assert!(set.is_ok_and(|s| s.check().is_err()), "deserialising does not skip the check");
    }
}
