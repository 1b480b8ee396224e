//! The public render recipe: how the client turns a style's decrypted outputs into tile
//! shapes. It holds geometry only; every data-dependent decision was made by the server.

use crate::grid::FixedModules;
use serde::Serialize;

/// How a style's outputs are drawn. In every geometry the function patterns (finders with
/// their separators, timing, alignment) are drawn as plain squares: decoders locate the
/// symbol and fit its grid by their shapes (rqrr misreads rounded finder corners and misses
/// alignment patterns drawn as separate dots). `Dots` also squares the modules on either side
/// of the timing patterns (see [`beside_timing`]) and around the alignment patterns (see
/// [`around_alignment`]). `RoundedCorners` and `Dots` draw the middle of each finder
/// look-alike in the data as separate small dots (see [`finder_lookalikes`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Geometry {
    /// Outputs over module pairs: left ink + 2·right ink; every module a full square.
    Squares,
    /// Outputs over vertices: bit 0 the ink of the module below-right, bit 1 "round this
    /// corner". A rounded corner draws a dark module's quarter as a quarter disc, and fills a
    /// light module's quarter outside the disc (a concave fillet) when it is enclosed by dark.
    RoundedCorners,
    /// Outputs over modules: 0 light, 1..=3 a dot of growing radius (see [`DOT_RADII`]).
    Dots,
}

/// One quarter of a module, in the order top-left, top-right, bottom-left, bottom-right.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quarter {
    /// Background.
    Empty,
    /// Ink over the whole quarter.
    Full,
    /// Ink inside the disc of radius ½ around the module centre (a rounded outer corner).
    Round,
    /// Ink outside that disc (a concave fillet joining dark neighbours).
    Fillet,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Shape {
    Square,
    Quarters([Quarter; 4]),
    /// A disc centred on the module, radius in module units; over ½ the module's square clips
    /// it, so the dot swells into a square with round corners that touches its neighbours.
    Dot { radius: f32 },
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
/// round-cornered square (clipped by the module) where dark neighbours are dense. `qrveil eval`,
/// 1000 distinct payloads, points below plain: round dots 0.45 / 0.48 / 0.50 left rqrr -1.3
/// under noise and -1.2 rotated (pixel rows near a module's edge cross mostly background, which
/// raises rqrr's running-mean threshold, and a grid fitted slightly off samples outside a disc
/// but inside a square); 0.45 / 0.55 / 0.65 brought those to -0.6 / -0.7 but OpenCV at 3 px
/// per module to -1.8 (small isolated dots fade); 0.50 / 0.60 / 0.70: rqrr -0.5 / -0.7,
/// OpenCV -0.3.
pub const DOT_RADII: [f32; 3] = [0.5, 0.6, 0.7];

/// Corner radius of `rounded` tiles (module units; 0.5 would be a full half-module circle).
/// Full circles lose the module's corners to the background at camera resolutions: at about
/// 3 px per module rqrr read 6.7% of `rounded` codes against 19.0% plain, and under a
/// quarter-module blur 77.7% against 80.0%; with 0.35, 22.0% and 80.0%
/// (`qrveil eval --count 300 --styles rounded`).
pub const CORNER_RADIUS: f32 = 0.35;

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
        Geometry::Squares => n.div_ceil(2) * n,
        Geometry::RoundedCorners => (n + 1) * (n + 1),
        Geometry::Dots => n * n,
    };
    if outputs.len() != want {
        return Err(RecipeError { got: outputs.len(), want, side });
    }
    let fixed = FixedModules::for_side(side);
    let framed = if geometry == Geometry::Dots { around_alignment(&fixed) } else { Vec::new() };
    let mut tiles = Vec::with_capacity(n * n);
    for y in 0..n {
        for x in 0..n {
            tiles.push(match geometry {
                Geometry::Squares => {
                    let pair = outputs[y * n.div_ceil(2) + x / 2];
                    Tile { ink: (pair >> (x % 2)) & 1 == 1, shape: Shape::Square }
                }
                Geometry::Dots => match outputs[y * n + x] & 3 {
                    0 => Tile::LIGHT,
                    c => Tile { ink: true, shape: Shape::Dot { radius: DOT_RADII[c as usize - 1] } },
                },
                Geometry::RoundedCorners => rounded_tile(outputs, n, x, y),
            });
            let dots_square = geometry == Geometry::Dots && (beside_timing(x, y) || framed[y * n + x]);
            if fixed.get(x as i64, y as i64).is_some() || dots_square {
                let last = tiles.len() - 1;
                tiles[last].shape = Shape::Square;
            }
        }
    }
    if geometry != Geometry::Squares {
        let ink: Vec<bool> = tiles.iter().map(|t| t.ink).collect();
        for (x, y) in finder_lookalikes(&ink, &fixed) {
            tiles[(y * n as i64 + x) as usize].shape = Shape::Dot { radius: LOOKALIKE_DOT_RADIUS };
        }
    }
    Ok(tiles)
}

/// Radius (module units) of the separate dots that break up a finder look-alike's middle; see
/// [`finder_lookalikes`]. It leaves a tenth of a module of background between neighbouring
/// dots: in the codes of the clean misses named there, OpenCV read every one with
/// 0.45, missed 669 with 0.48. Smaller dots fade when the code is rotated: rqrr rotated 7°,
/// `rounded` and `dots` 94.7% with 0.40, 95.0% with 0.45 (plain 95.8%; 1000 payloads).
pub const LOOKALIKE_DOT_RADIUS: f32 = 0.45;

/// How far (in modules of total / 7) an outer run may be off in ZXing's finder test.
const FINDER_TOLERANCE: f32 = 0.5;

/// How far (in modules of total / 7) an outer run of a near look-alike may be off; see
/// [`finder_lookalikes`]. Catches 2:1:3:1:1 (off by 0.86 of 8/7), not 3:1:3:1:1 (1.71 of 9/7).
pub const NEAR_LOOKALIKE_TOLERANCE: f32 = 0.8;

/// Centres of finder-pattern look-alikes in the data: dark modules through which the row and
/// the column read dark, light, dark run, light, dark close to a finder's 1:1:3:1:1. One of
/// the two must pass the rule a decoder applies (ZXing's: each outer run within half a module
/// of the total / 7, the middle within 1.5 of three), the other may be off by up to
/// [`NEAR_LOOKALIKE_TOLERANCE`] per outer run: a style's shapes move pixel run lengths by a
/// fraction of a module, and OpenCV took a 2:1:3:1:1 column of dots for a finder's (`dots`,
/// payload 679). The QR mask choice penalises look-alikes but cannot remove them all.
///
/// `rounded` and `dots` draw these modules as separate small dots ([`LOOKALIKE_DOT_RADIUS`]),
/// so no pixel row or column through the middle reads 1:1:3:1:1 and no decoder takes it for
/// a finder; a decoder sampling the module centre still sees it dark. Where the plain code's
/// squares fail a decoder's further checks, a style's shapes can pass them: on codes they read
/// plain, ZXing Java confirmed a look-alike as the third finder and stopped looking for the
/// real one (`rounded`, payloads 359 and 808), and OpenCV clustered one with the real finders
/// (`rounded` and `dots`, 669). Squaring the modules within two of each centre (what the
/// plain code shows) fixed ZXing but left OpenCV four misses; separate dots on the strict rule
/// alone left 679 (`qrveil eval`, 1000 payloads).
pub fn finder_lookalikes(ink: &[bool], fixed: &FixedModules) -> Vec<(i64, i64)> {
    // A dot is a run of its own: the gaps beside it end a dark run early and can make a new
    // look-alike (a 1:1:3:1:4 column whose last run a dot cuts to 1), so repeat until no new
    // look-alike appears.
    let n = fixed.side() as i64;
    let mut dotted = vec![false; (n * n) as usize];
    // Each pass looks only at modules still drawn whole, so an empty pass is the end.
    loop {
        let new = lookalikes_with_dots(ink, fixed, &dotted);
        if new.is_empty() {
            break;
        }
        for (x, y) in new {
            dotted[(y * n + x) as usize] = true;
        }
    }
    (0..n * n).filter(|&i| dotted[i as usize]).map(|i| (i % n, i / n)).collect()
}

/// One pass of [`finder_lookalikes`], with `dotted` modules already drawn as separate dots.
fn lookalikes_with_dots(ink: &[bool], fixed: &FixedModules, dotted: &[bool]) -> Vec<(i64, i64)> {
    let n = fixed.side() as i64;
    let inside = |x: i64, y: i64| (0..n).contains(&x) && (0..n).contains(&y);
    let dark = |x: i64, y: i64| inside(x, y) && ink[(y * n + x) as usize];
    let dot = |x: i64, y: i64| inside(x, y) && dotted[(y * n + x) as usize];
    // Run lengths dark, light, dark (middle), light, dark through (x, y) along (dx, dy). Outside
    // the symbol is the light quiet zone: a dark run ends at the edge, a light one never closes.
    let runs = |x: i64, y: i64, dx: i64, dy: i64| -> Option<[f32; 5]> {
        // From (x, y) outwards: the rest of the middle run, then light, then dark.
        let walk = |sign: i64| {
            let (mut px, mut py) = (x + sign * dx, y + sign * dy);
            let mut lengths = [0u32; 3];
            for (k, want) in [true, false, true].into_iter().enumerate() {
                while inside(px, py) && dark(px, py) == want {
                    // A dot ends the dark run before it; the outer run may be the dot alone.
                    if dot(px, py) && (k == 0 || lengths[k] > 0) {
                        break;
                    }
                    lengths[k] += 1;
                    let alone = dot(px, py);
                    px += sign * dx;
                    py += sign * dy;
                    if alone {
                        break;
                    }
                }
            }
            lengths
        };
        let (back, ahead) = (walk(-1), walk(1));
        let all = [back[2], back[1], back[0] + 1 + ahead[0], ahead[1], ahead[2]];
        all.iter().all(|&r| r > 0).then(|| all.map(|r| r as f32))
    };
    // Each outer run within `tolerance` of a module (total / 7), the middle within 1.5 of 3.
    let finder_like = |r: [f32; 5], tolerance: f32| {
        let module = r.iter().sum::<f32>() / 7.0;
        let near = |run: f32| (run - module).abs() < module * tolerance;
        near(r[0]) && near(r[1]) && (r[2] - 3.0 * module).abs() < 1.5 * module && near(r[3]) && near(r[4])
    };
    (0..n)
        .flat_map(|y| (0..n).map(move |x| (x, y)))
        .filter(|&(x, y)| dark(x, y) && !dot(x, y) && fixed.get(x, y).is_none())
        .filter(|&(x, y)| match (runs(x, y, 1, 0), runs(x, y, 0, 1)) {
            (Some(row), Some(column)) => {
                let near = |r| finder_like(r, NEAR_LOOKALIKE_TOLERANCE);
                near(row) && near(column) && (finder_like(row, FINDER_TOLERANCE) || finder_like(column, FINDER_TOLERANCE))
            }
            _ => false,
        })
        .collect()
}

/// Whether module (x, y) lies in a row or column next to a timing pattern (row or column 6).
///
/// rqrr reads the version off the timing patterns by counting colour changes pixel by pixel,
/// against a threshold that follows each pixel row's running mean. Between dots a row passes
/// mostly background, the threshold rises towards the background, and one noisy pixel of a
/// light timing module adds a version step. Square modules beside the timing patterns keep
/// that mean where a plain code has it: `qrveil eval`, 1000 payloads, σ = 25 noise, rqrr
/// (plain 96.9%), `dots` 94.6% without, 95.4% with.
pub fn beside_timing(x: usize, y: usize) -> bool {
    x.abs_diff(6) == 1 || y.abs_diff(6) == 1
}

/// Which modules (row-major) form the ring just outside an alignment pattern.
///
/// To place the grid's far corner rqrr spirals out from where it expects the last alignment
/// pattern and takes the first dark blob about one module in area. Every isolated dot is such
/// a blob, where adjacent squares merge into larger ones, so under blur it often settles on a
/// dot. Squares in the ring join the pattern's own ring and leave its centre the only blob
/// there: `qrveil eval`, 1000 payloads, σ = ¼ module blur, rqrr (plain 80.3%), `dots` 78.5%
/// without, 79.7% with; the wrong fits were all at versions 9 to 24.
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

fn rounded_tile(outputs: &[u8], n: usize, x: usize, y: usize) -> Tile {
    let stride = n + 1;
    let vertex = |vx: usize, vy: usize| outputs[vy * stride + vx];
    // A module's ink is bit 0 of the vertex at its top-left corner; outside is light.
    let ink = |mx: i64, my: i64| {
        (0..n as i64).contains(&mx) && (0..n as i64).contains(&my) && vertex(mx as usize, my as usize) & 1 == 1
    };
    let me = ink(x as i64, y as i64);
    let mut quarters = [Quarter::Empty; 4];
    for (q, quarter) in quarters.iter_mut().enumerate() {
        let (right, down) = (q & 1 == 1, q & 2 == 2);
        let corner = vertex(x + right as usize, y + down as usize);
        let sx = if right { 1 } else { -1 };
        let sy = if down { 1 } else { -1 };
        let (mx, my) = (x as i64, y as i64);
        let side = ink(mx + sx, my);
        let vertical = ink(mx, my + sy);
        let diagonal = ink(mx + sx, my + sy);
        let round = corner & 2 == 2;
        *quarter = match (me, round) {
            (true, true) if !side && !vertical => Quarter::Round,
            (true, _) => Quarter::Full,
            (false, true) if side && vertical && diagonal => Quarter::Fillet,
            (false, _) => Quarter::Empty,
        };
    }
    Tile { ink: me, shape: Shape::Quarters(quarters) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clear::evaluate;
    use crate::grid::ModuleGrid;
    use crate::styles::StyleId;

    fn grid(rows: &[&str]) -> ModuleGrid {
        let side = rows.len() as u32;
        ModuleGrid::new(side, rows.iter().flat_map(|r| r.chars().map(|c| c == '#')).collect())
    }

    fn render(id: StyleId, g: &ModuleGrid) -> Vec<Tile> {
        let style = id.style();
        let out = evaluate(&style.server, g).expect("valid style");
        tiles(style.geometry, g.side(), &out).expect("layout")
    }

    #[test]
    fn every_style_keeps_the_ink_of_every_module() {
        let g = grid(&["#.#.#", "##..#", ".#.##", "#####", "..#.."]);
        for id in StyleId::ALL {
            let t = render(id, &g);
            let inks: Vec<bool> = t.iter().map(|t| t.ink).collect();
            assert_eq!(inks, g.bits(), "{id}");
        }
    }

    #[test]
    fn a_lone_dark_module_becomes_a_disc() {
        let t = render(StyleId::Rounded, &centred(&["...", ".#.", "..."]));
        assert_eq!(t[at(1, 1)].shape, Shape::Quarters([Quarter::Round; 4]));
        assert_eq!(t[at(0, 0)].shape, Shape::Quarters([Quarter::Empty; 4]));
    }

    #[test]
    fn an_l_shape_gets_a_fillet_in_its_inner_corner_and_rounded_ends() {
        // ##
        // #.
        let t = render(StyleId::Rounded, &centred(&["##", "#."]));
        use Quarter::*;
        // Top-left module: outer corner (top-left) rounded, the rest square.
        assert_eq!(t[at(0, 0)].shape, Shape::Quarters([Round, Full, Full, Full]));
        // Top-right module: its right-hand corners are exposed on two sides.
        assert_eq!(t[at(1, 0)].shape, Shape::Quarters([Full, Round, Full, Round]));
        // The light bottom-right module is enclosed at its top-left corner: a fillet.
        assert_eq!(t[at(1, 1)].shape, Shape::Quarters([Fillet, Empty, Empty, Empty]));
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
        ModuleGrid::new(15, dark)
    }

    fn at(x: usize, y: usize) -> usize {
        (9 + y) * 15 + 9 + x
    }

    #[test]
    fn dot_size_follows_dark_neighbours() {
        let t = render(StyleId::Dots, &centred(&["#..", "...", ".#."]));
        assert_eq!(t[at(0, 0)].shape, Shape::Dot { radius: DOT_RADII[0] });
        let t = render(StyleId::Dots, &centred(&[".#.", "###", ".#."]));
        assert_eq!(t[at(1, 1)].shape, Shape::Dot { radius: DOT_RADII[2] });
        assert_eq!(t[at(1, 0)].shape, Shape::Dot { radius: DOT_RADII[1] });
    }

    #[test]
    fn function_patterns_stay_square() {
        let g = ModuleGrid::new(21, vec![true; 21 * 21]);
        let t = render(StyleId::Dots, &g);
        assert_eq!(t[0].shape, Shape::Square);
        assert_eq!(t[20].shape, Shape::Square);
        assert!(matches!(t[10 * 21 + 10].shape, Shape::Dot { .. }));
        let g = ModuleGrid::new(21, (0..441).map(|i| i % 3 == 0).collect());
        let t = render(StyleId::Rounded, &g);
        assert_eq!(t[20 * 21].shape, Shape::Square);
        assert!(matches!(t[10 * 21 + 10].shape, Shape::Quarters(_)));
        // Version 2 (25×25): the timing pattern and the alignment pattern centred at (18, 18).
        let g = ModuleGrid::new(25, vec![true; 25 * 25]);
        let t = render(StyleId::Dots, &g);
        assert_eq!(t[6 * 25 + 10].shape, Shape::Square);
        for (x, y) in [(16, 16), (18, 18), (20, 17)] {
            assert_eq!(t[y * 25 + x].shape, Shape::Square, "({x}, {y})");
        }
        // The ring just outside the alignment pattern is square, the next one dots.
        for (x, y) in [(15, 15), (21, 18), (18, 21), (15, 20)] {
            assert_eq!(t[y * 25 + x], Tile::DARK, "({x}, {y})");
        }
        for (x, y) in [(14, 14), (14, 18), (22, 18), (18, 22)] {
            assert!(matches!(t[y * 25 + x].shape, Shape::Dot { .. }), "({x}, {y})");
        }
        // Dots beside the timing patterns (rows and columns 5 and 7) are squares too.
        for (x, y) in [(5, 12), (7, 12), (12, 5), (12, 7)] {
            assert_eq!(t[y * 25 + x], Tile::DARK, "({x}, {y})");
        }
        for (x, y) in [(4, 12), (8, 12), (12, 4), (12, 8)] {
            assert!(matches!(t[y * 25 + x].shape, Shape::Dot { .. }), "({x}, {y})");
        }
        // Other geometries keep their shapes there.
        let g = ModuleGrid::new(25, (0..625).map(|i| i % 3 == 0).collect());
        let t = render(StyleId::Rounded, &g);
        assert!(matches!(t[12 * 25 + 5].shape, Shape::Quarters(_)));
    }

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

    /// A 25×25 light grid (version 2) with a 7×7 finder-like square (dark ring, light ring,
    /// dark 3×3 middle) whose top-left corner is at (x0, y0).
    fn with_lookalike(x0: usize, y0: usize) -> Vec<bool> {
        let mut ink = vec![false; 25 * 25];
        for y in 0..7 {
            for x in 0..7 {
                let ring = (x as i64 - 3).abs().max((y as i64 - 3).abs());
                ink[(y0 + y) * 25 + x0 + x] = ring != 2;
            }
        }
        ink
    }

    #[test]
    fn a_finder_lookalike_in_the_data_is_found_by_its_middle() {
        let fixed = FixedModules::for_side(25);
        let found = finder_lookalikes(&with_lookalike(9, 9), &fixed);
        // Through each of the 3×3 middle modules the row and the column read 1:1:3:1:1.
        let middle: Vec<(i64, i64)> = (11..14).flat_map(|y| (11..14).map(move |x| (x, y))).collect();
        assert_eq!(found, middle);
    }

    #[test]
    fn runs_out_of_proportion_or_open_at_the_edge_are_not_lookalikes() {
        let fixed = FixedModules::for_side(25);
        // A dark column beside the square: its middle rows read 2:1:3:1:1, near enough while
        // the columns read 1:1:3:1:1.
        let mut ink = with_lookalike(9, 9);
        for y in 9..16 {
            ink[y * 25 + 8] = true;
        }
        assert_eq!(finder_lookalikes(&ink, &fixed).len(), 9);
        // A dark row above as well: 2:1:3:1:1 both ways is not a look-alike.
        for x in 8..16 {
            ink[8 * 25 + x] = true;
        }
        assert_eq!(finder_lookalikes(&ink, &fixed), vec![]);
        // Two dark columns beside it: 3:1:3:1:1, out of proportion.
        let mut ink = with_lookalike(9, 9);
        for y in 9..16 {
            ink[y * 25 + 8] = true;
            ink[y * 25 + 7] = true;
        }
        assert_eq!(finder_lookalikes(&ink, &fixed), vec![]);
        // At the symbol's right edge the square's own ring still closes every run...
        assert_eq!(finder_lookalikes(&with_lookalike(18, 9), &fixed).len(), 9);
        // ...but a dark run that reaches the edge runs on into the light quiet zone.
        let mut open = vec![false; 25 * 25];
        for y in 10..15 {
            for x in 22..25 {
                open[y * 25 + x] = true;
            }
        }
        assert_eq!(finder_lookalikes(&open, &fixed), vec![]);
    }

    #[test]
    fn a_dot_that_cuts_a_run_short_makes_its_neighbour_a_lookalike() {
        // Modules (64..85, 23..44) of a version-17 code of the eval corpus (payload 919), set in
        // the data area of a version-6 grid (41×41) at (9, 9). The dot drawn at (74, 35) ends
        // the column below (74, 31) after one module: 1:1:3:1:4 becomes 1:1:3:1:1, which
        // OpenCV took for a finder until (74, 31) was drawn as a dot too.
        let rows = [
            "#.####.#..##...#...##", "..#.##..##..###..##..", ".....#.#...####.##...", "..#...#.####.########",
            "##.##....#.#...#.#...", "##....###.#.########.", "#.##.###....#...##.#.", ".#....##.####.#.#.###",
            "#.##.#.#.##.#...##.##", "#....##.#.###########", "#...##.##...##.#...#.", ".#....#.###.##.#.#.##",
            "..##..#####..##.#..##", "#.....#.#####.....###", "#.##.####.##.###..##.", ".##...#.###.#.#...#..",
            "#.###.##.#....###..##", "###.#.#..##....#.##.#", "#.#..###..#...##..#..", ".#....##.##.###..#.#.",
            "#####.##.#.#..#.#...#",
        ];
        let mut ink = vec![false; 41 * 41];
        for (y, row) in rows.iter().enumerate() {
            for (x, c) in row.chars().enumerate() {
                ink[(9 + y) * 41 + 9 + x] = c == '#';
            }
        }
        let fixed = FixedModules::for_side(41);
        let at = |x: i64, y: i64| (x - 64 + 9, y - 23 + 9);
        let first = lookalikes_with_dots(&ink, &fixed, &vec![false; 41 * 41]);
        assert!(first.contains(&at(74, 35)) && !first.contains(&at(74, 31)), "{first:?}");
        let found = finder_lookalikes(&ink, &fixed);
        assert!(found.contains(&at(74, 35)) && found.contains(&at(74, 31)), "{found:?}");
    }

    #[test]
    fn the_function_patterns_are_not_lookalikes() {
        // The real finders read 1:1:3:1:1 through their centres; they are fixed, not data.
        let fixed = FixedModules::for_side(25);
        let ink: Vec<bool> = (0..25 * 25i64).map(|i| fixed.get(i % 25, i / 25) == Some(true)).collect();
        assert!(ink[3 * 25 + 3] && !ink[3 * 25 + 1] && ink[3 * 25]);
        assert_eq!(finder_lookalikes(&ink, &fixed), vec![]);
    }

    #[test]
    fn a_lookalikes_middle_is_drawn_as_separate_dots() {
        let g = ModuleGrid::new(25, with_lookalike(9, 9));
        let small = Shape::Dot { radius: LOOKALIKE_DOT_RADIUS };
        let middle = |x: i64, y: i64| (11..14).contains(&x) && (11..14).contains(&y);
        let plain = render(StyleId::Gradient, &g);
        for id in [StyleId::Rounded, StyleId::Dots] {
            let t = render(id, &g);
            for y in 0..25i64 {
                for x in 0..25i64 {
                    let tile = t[(y * 25 + x) as usize];
                    assert_eq!(tile.ink, plain[(y * 25 + x) as usize].ink, "{id} ({x}, {y})");
                    // Dots this small leave a gap between neighbours: no run is 3 modules long.
                    assert_eq!(tile.shape == small, middle(x, y), "{id} ({x}, {y})");
                }
            }
        }
        assert!(LOOKALIKE_DOT_RADIUS < 0.5 && LOOKALIKE_DOT_RADIUS < DOT_RADII[0]);
        // With the middle broken up in the data itself (no longer 3 wide) nothing changes.
        let mut ink = with_lookalike(9, 9);
        for (x, y) in [(11, 12), (12, 11), (13, 12), (12, 13)] {
            ink[y * 25 + x] = false;
        }
        let t = render(StyleId::Rounded, &ModuleGrid::new(25, ink));
        assert!(t.iter().all(|tile| tile.shape != small));
    }

    #[test]
    fn wrong_output_count_is_an_error() {
        assert_eq!(
            tiles(Geometry::Dots, 3, &[0; 8]),
            Err(RecipeError { got: 8, want: 9, side: 3 })
        );
    }
}
