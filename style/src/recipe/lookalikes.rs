//! Finder-pattern look-alikes in the data, which `rounded` and `dots` draw as separate small
//! dots so that no decoder takes one for a finder (measurements: `docs/readability.md`).

use crate::grid::FixedModules;

/// Radius (module units) of the separate dots that break up a look-alike's middle: a tenth of
/// a module of background between neighbours, yet large enough not to fade when rotated.
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
/// [`NEAR_LOOKALIKE_TOLERANCE`] per outer run, because a style's shapes move pixel run lengths
/// by a fraction of a module. The QR mask choice penalises look-alikes but cannot remove them
/// all, and where the plain code's squares fail a decoder's further checks, rounded corners
/// and dots can pass them. Drawn as separate dots ([`LOOKALIKE_DOT_RADIUS`]), no pixel row or
/// column through the middle reads 1:1:3:1:1, while a decoder sampling the module centre
/// still sees it dark.
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
                near(row)
                    && near(column)
                    && (finder_like(row, FINDER_TOLERANCE) || finder_like(column, FINDER_TOLERANCE))
            }
            _ => false,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::StyleId;
    use crate::grid::ModuleGrid;
    use crate::recipe::tests::render;
    use crate::recipe::{square, Shape, Squaring, DOT_RADII};
    use crate::spec::served_example;

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
            "#.####.#..##...#...##",
            "..#.##..##..###..##..",
            ".....#.#...####.##...",
            "..#...#.####.########",
            "##.##....#.#...#.#...",
            "##....###.#.########.",
            "#.##.###....#...##.#.",
            ".#....##.####.#.#.###",
            "#.##.#.#.##.#...##.##",
            "#....##.#.###########",
            "#...##.##...##.#...#.",
            ".#....#.###.##.#.#.##",
            "..##..#####..##.#..##",
            "#.....#.#####.....###",
            "#.##.####.##.###..##.",
            ".##...#.###.#.#...#..",
            "#.###.##.#....###..##",
            "###.#.#..##....#.##.#",
            "#.#..###..#...##..#..",
            ".#....##.##.###..#.#.",
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
        let g = ModuleGrid::new(25, with_lookalike(9, 9)).expect("square");
        let small = Shape::Dot { radius: LOOKALIKE_DOT_RADIUS };
        let middle = |x: i64, y: i64| (11..14).contains(&x) && (11..14).contains(&y);
        let plain = render(StyleId::Square, &g);
        let broken_up = |id: StyleId, g: &ModuleGrid| {
            let mut t = render(id, g);
            square(served_example(id).geometry, g.side(), &mut t, Squaring::Surroundings);
            t
        };
        for id in StyleId::ALL.into_iter().filter(|&id| id != StyleId::Square) {
            // Only when the code needs it: as the style draws it, the middle keeps its shapes.
            assert!(render(id, &g).iter().all(|tile| tile.shape != small), "{id}");
            let t = broken_up(id, &g);
            for y in 0..25i64 {
                for x in 0..25i64 {
                    let tile = t[(y * 25 + x) as usize];
                    assert_eq!(tile.ink, plain[(y * 25 + x) as usize].ink, "{id} ({x}, {y})");
                    // Dots this small leave a gap between neighbours: no run is 3 modules long.
                    assert_eq!(tile.shape == small, middle(x, y), "{id} ({x}, {y})");
                }
            }
        }
        const { assert!(LOOKALIKE_DOT_RADIUS < 0.5 && LOOKALIKE_DOT_RADIUS < DOT_RADII[0]) };
        // With the middle broken up in the data itself (no longer 3 wide) nothing changes.
        let mut ink = with_lookalike(9, 9);
        for (x, y) in [(11, 12), (12, 11), (13, 12), (12, 13)] {
            ink[y * 25 + x] = false;
        }
        let t = broken_up(StyleId::Fluid, &ModuleGrid::new(25, ink).expect("square"));
        assert!(t.iter().all(|tile| tile.shape != small));
    }
}
