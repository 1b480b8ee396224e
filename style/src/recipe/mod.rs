//! The public render recipe: how the client turns a style's decrypted outputs into tile
//! shapes. It holds geometry only; every data-dependent decision was made by the server.
//! Why each rule is there, with the measurements behind it: `docs/readability.md`.

pub mod classes;
pub mod corners;
pub mod fitted;
pub mod lookalikes;
pub mod patterns;
pub mod squared;

use crate::grid::FixedModules;
pub use corners::{Corner, CornerRule};
pub use fitted::{TileSet, TileSetError};
use lookalikes::{finder_lookalikes, LOOKALIKE_DOT_RADIUS};
pub use patterns::{CentreShape, Patterns, RingShape};
use serde::Serialize;
pub use squared::Squaring;
use squared::{around_alignment, beside_timing};

/// How a style's outputs are drawn. Every module is drawn in the geometry's shapes, the
/// timing and alignment patterns too (the finders are drawn whole, [`patterns`]); a code whose
/// checks need it has some modules squared ([`square`], [`Squaring`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Geometry {
    /// Outputs over modules: the module's ink; every module a full square.
    Squares,
    /// Outputs over modules: the module's ink; every dark module a disc of diameter one.
    Circles,
    /// Outputs over vertices: bit 0 the ink of the module below-right, bit 1 the rule's flag
    /// ([`corners`]).
    Corners(CornerRule),
    /// Outputs over modules: 0 light, 1..=3 a dot of growing radius (see [`DOT_RADII`]).
    Swell,
    /// Two outputs over vertices, the low and the high half of each vertex's block code; each
    /// module is drawn from the codes at its corners by a fitted [`TileSet`] ([`fitted`]).
    Fitted,
    /// `channels` outputs over modules, each module's class in 2 bits per channel; a class is
    /// drawn with its fitted tile, and is dark when bit `class` of `dark` is set ([`classes`]).
    Classes { dark: classes::DarkClasses, channels: u8 },
}

impl Geometry {
    /// Whether lone modules are drawn smaller than a square, so that [`Squaring::Surroundings`]
    /// squares the rows beside the timing patterns and the rings around alignment patterns. `fluid`'s
    /// radius keeps enough of every module (measured without them: `docs/readability.md`).
    /// A fitted look is drawn as its examples show it: those squares would frame the timing
    /// rows and alignment patterns in a look that has none (they buy tolerance to blur and
    /// noise, not clean reads, which are verified on every code).
    fn shrinks_lone_modules(self) -> bool {
        !matches!(
            self,
            Geometry::Squares | Geometry::Corners(CornerRule::Fluid) | Geometry::Fitted | Geometry::Classes { .. }
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shape {
    Square,
    /// Each corner drawn on its own ([`Corner`]): rounded off on a dark module, filled as a
    /// fillet on a light one.
    Corners([Corner; 4]),
    /// A disc centred on the module, radius in module units; over ½ the module's square clips
    /// it, so the dot swells into a square with round corners that touches its neighbours.
    Dot {
        radius: f32,
    },
    /// Drawn by a fitted [`TileSet`] from the block codes of the vertices at the module's
    /// corners (top-left, top-right, bottom-left, bottom-right).
    Quadrants([u8; 4]),
    /// Drawn by a fitted [`TileSet`]'s tile for this class, laid on the module itself.
    Class(u8),
}

/// What to draw on one module.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Tile {
    /// Whether the style says the module is dark.
    pub ink: bool,
    pub shape: Shape,
}

impl Tile {
    pub const LIGHT: Tile = Tile { ink: false, shape: Shape::Square };
    pub const DARK: Tile = Tile { ink: true, shape: Shape::Square };
}

/// Dot radius per size class 1..=3 (module units): a round dot alone, swelling into a
/// round-cornered square (clipped by the module) where dark neighbours are dense; smaller
/// dots fade at camera resolutions, rounder ones lose rqrr's grid fit.
pub const DOT_RADII: [f32; 3] = [0.5, 0.6, 0.7];

/// The outputs do not fit the style's layout.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("style outputs have {got} values, the recipe for {side}x{side} modules needs {want}")]
pub struct RecipeError {
    pub got: usize,
    pub want: usize,
    pub side: u32,
}

/// Turn outputs (each 0..=3, in evaluation order) into one tile per module, row-major.
pub fn tiles(geometry: Geometry, side: u32, outputs: &[u8]) -> Result<Vec<Tile>, RecipeError> {
    let n = side as usize;
    let want = match geometry {
        Geometry::Corners(_) => (n + 1) * (n + 1),
        Geometry::Fitted => 2 * (n + 1) * (n + 1),
        Geometry::Classes { channels, .. } => channels as usize * n * n,
        Geometry::Squares | Geometry::Circles | Geometry::Swell => n * n,
    };
    if outputs.len() != want {
        return Err(RecipeError { got: outputs.len(), want, side });
    }
    let mut tiles = Vec::with_capacity(n * n);
    for y in 0..n {
        for x in 0..n {
            let dark = outputs.get(y * n + x).is_some_and(|o| o & 1 == 1);
            tiles.push(match geometry {
                Geometry::Squares => Tile { ink: dark, shape: Shape::Square },
                Geometry::Circles if dark => Tile { ink: true, shape: Shape::Dot { radius: 0.5 } },
                Geometry::Circles => Tile::LIGHT,
                Geometry::Swell => match outputs[y * n + x] & 3 {
                    0 => Tile::LIGHT,
                    c => Tile { ink: true, shape: Shape::Dot { radius: DOT_RADII[c as usize - 1] } },
                },
                Geometry::Corners(rule) => corners::corner_tile(rule, outputs, n, x, y),
                Geometry::Fitted => fitted::fitted_tile(outputs, n, x, y),
                Geometry::Classes { dark, channels } => classes::class_tile(outputs, channels, dark, n, x, y),
            });
        }
    }
    Ok(tiles)
}

/// Square the modules `squaring` names in `tiles` (a code `side` modules wide drawn in
/// `geometry`, row-major); their ink is left as it is.
pub fn square(geometry: Geometry, side: u32, tiles: &mut [Tile], squaring: Squaring) {
    if squaring == Squaring::Nothing || geometry == Geometry::Squares {
        return;
    }
    let n = side as usize;
    let fixed = FixedModules::for_side(side);
    let surroundings = squaring >= Squaring::Surroundings;
    let framed = if surroundings && geometry.shrinks_lone_modules() { around_alignment(&fixed) } else { Vec::new() };
    for y in 0..n {
        for x in 0..n {
            let kept_square = !framed.is_empty() && (beside_timing(x, y) || framed[y * n + x]);
            if fixed.get(x as i64, y as i64).is_some() || kept_square {
                tiles[y * n + x].shape = Shape::Square;
            }
        }
    }
    if surroundings {
        // A fitted look may be square itself: its look-alikes are drawn as a plain code shows
        // them, which is what decoders are built for.
        let middle = match geometry {
            Geometry::Fitted | Geometry::Classes { .. } => Shape::Square,
            _ => Shape::Dot { radius: LOOKALIKE_DOT_RADIUS },
        };
        let ink: Vec<bool> = tiles.iter().map(|t| t.ink).collect();
        for (x, y) in finder_lookalikes(&ink, &fixed) {
            tiles[(y * n as i64 + x) as usize].shape = middle;
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::catalogue::StyleId;
    use crate::clear::evaluate;
    use crate::grid::ModuleGrid;
    use crate::spec::served_example;
    use corners::FLUID_RADIUS;

    fn grid(rows: &[&str]) -> ModuleGrid {
        let side = rows.len() as u32;
        ModuleGrid::new(side, rows.iter().flat_map(|r| r.chars().map(|c| c == '#')).collect()).expect("square")
    }

    pub(crate) fn render(id: StyleId, g: &ModuleGrid) -> Vec<Tile> {
        let style = served_example(id);
        let out = evaluate(&style.server, g).expect("valid style");
        tiles(style.geometry, g.side(), &out).expect("layout")
    }

    #[test]
    fn every_style_keeps_the_ink_of_every_module() {
        let g = grid(&["#.#.#", "##..#", ".#.##", "#####", "..#.."]);
        for id in StyleId::SERVED {
            let t = render(id, &g);
            let inks: Vec<bool> = t.iter().map(|t| t.ink).collect();
            assert_eq!(inks, g.bits(), "{id}");
        }
    }

    #[test]
    fn a_fitted_look_sees_the_block_code_at_each_corner_of_a_module() {
        let g = centred(&["#.", ".#"]);
        let t = render(StyleId::Fitted, &g);
        // Block codes written out by hand: TL=1, TR=2, BL=4, BR=8, outside light.
        assert_eq!(t[at(0, 0)].shape, Shape::Quadrants([8, 4, 2, 1 | 8]));
        assert_eq!(t[at(1, 0)].shape, Shape::Quadrants([4, 0, 1 | 8, 4]));
        assert!(t[at(0, 0)].ink && !t[at(1, 0)].ink);
    }

    #[test]
    fn a_lone_dark_module_becomes_a_disc() {
        let t = render(StyleId::Fluid, &centred(&["...", ".#.", "..."]));
        assert_eq!(t[at(1, 1)].shape, Shape::Corners([Corner::Round(FLUID_RADIUS); 4]));
        assert_eq!(t[at(0, 0)].shape, Shape::Corners([Corner::Square; 4]));
    }

    #[test]
    fn an_l_shape_gets_a_fillet_in_its_inner_corner_and_rounded_ends() {
        // ##
        // #.
        let t = render(StyleId::Fluid, &centred(&["##", "#."]));
        let (round, fillet) = (Corner::Round(FLUID_RADIUS), Corner::Fillet(FLUID_RADIUS));
        use Corner::Square as Full;
        use Corner::Square as Empty;
        // Top-left module: outer corner (top-left) rounded, the rest square.
        assert_eq!(t[at(0, 0)].shape, Shape::Corners([round, Full, Full, Full]));
        // Top-right module: its right-hand corners are exposed on two sides.
        assert_eq!(t[at(1, 0)].shape, Shape::Corners([Full, round, Full, round]));
        // The light bottom-right module is enclosed at its top-left corner: a fillet.
        assert_eq!(t[at(1, 1)].shape, Shape::Corners([fillet, Empty, Empty, Empty]));
    }

    /// A 15×15 light grid with `rows` placed at (9, 9), clear of the finder patterns and of the
    /// rows and columns beside the timing patterns.
    fn centred(rows: &[&str]) -> ModuleGrid {
        let mut dark = vec![false; 15 * 15];
        for (y, row) in rows.iter().enumerate() {
            for (x, c) in row.chars().enumerate() {
                dark[(9 + y) * 15 + 9 + x] = c == '#';
            }
        }
        ModuleGrid::new(15, dark).expect("square")
    }

    fn at(x: usize, y: usize) -> usize {
        (9 + y) * 15 + 9 + x
    }

    #[test]
    fn dot_size_follows_dark_neighbours() {
        let t = render(StyleId::Swell, &centred(&["#..", "...", ".#."]));
        assert_eq!(t[at(0, 0)].shape, Shape::Dot { radius: DOT_RADII[0] });
        let t = render(StyleId::Swell, &centred(&[".#.", "###", ".#."]));
        assert_eq!(t[at(1, 1)].shape, Shape::Dot { radius: DOT_RADII[2] });
        assert_eq!(t[at(1, 0)].shape, Shape::Dot { radius: DOT_RADII[1] });
    }

    fn squared(id: StyleId, g: &ModuleGrid, squaring: Squaring) -> Vec<Tile> {
        let mut t = render(id, g);
        square(served_example(id).geometry, g.side(), &mut t, squaring);
        t
    }

    #[test]
    fn timing_and_alignment_are_drawn_in_the_look_unless_squared() {
        // Version 2 (25×25): the timing pattern and the alignment pattern centred at (18, 18).
        let g = ModuleGrid::new(25, vec![true; 25 * 25]).expect("square");
        let dot = |t: &Tile| matches!(t.shape, Shape::Dot { .. });
        let timing_and_alignment = [(10, 6), (6, 12), (16, 16), (18, 18), (20, 17)];
        let t = squared(StyleId::Swell, &g, Squaring::Nothing);
        for (x, y) in timing_and_alignment {
            assert!(dot(&t[y * 25 + x]), "({x}, {y}) in the look");
        }
        let t = squared(StyleId::Swell, &g, Squaring::FunctionPatterns);
        for (x, y) in timing_and_alignment {
            assert_eq!(t[y * 25 + x], Tile::DARK, "({x}, {y}) squared");
        }
        // Only the function patterns: the ring around the alignment pattern and the rows
        // beside the timing patterns keep their dots.
        for (x, y) in [(15, 15), (21, 18), (5, 12), (12, 7)] {
            assert!(dot(&t[y * 25 + x]), "({x}, {y})");
        }
        let t = squared(StyleId::Swell, &g, Squaring::Surroundings);
        for (x, y) in [(15, 15), (21, 18), (18, 21), (15, 20), (5, 12), (7, 12), (12, 5), (12, 7)] {
            assert_eq!(t[y * 25 + x], Tile::DARK, "({x}, {y}) squared around");
        }
        for (x, y) in [(14, 14), (14, 18), (22, 18), (18, 22), (4, 12), (8, 12), (12, 4), (12, 8)] {
            assert!(dot(&t[y * 25 + x]), "({x}, {y}) beyond");
        }
        // Looks that keep lone modules whole are not framed, and squares stay squares.
        let g = ModuleGrid::new(25, (0..625).map(|i| i % 3 == 0).collect()).expect("square");
        let t = squared(StyleId::Fluid, &g, Squaring::Surroundings);
        assert!(matches!(t[12 * 25 + 5].shape, Shape::Corners(_)));
        assert_eq!(t[6 * 25 + 10].shape, Shape::Square);
        let plain = render(StyleId::Square, &g);
        assert_eq!(squared(StyleId::Square, &g, Squaring::Surroundings), plain);
    }

    #[test]
    fn wrong_output_count_is_an_error() {
        assert_eq!(tiles(Geometry::Swell, 3, &[0; 8]), Err(RecipeError { got: 8, want: 9, side: 3 }));
    }
}
