//! Shapes drawn corner by corner. Each corner of a module sits on a vertex of the grid, and
//! whether it is rounded is decided there, from the 2×2 block of modules around the vertex: the
//! server computes one flag per vertex ([`CornerRule::flag`]), 0 PBS on the linear tier; the
//! client draws each module's four corners from the flags at its four vertices
//! ([`CornerRule::corner`]).
//!
//! qr-code-styling's `rounded`, `extra-rounded`, `classy` and `classy-rounded` read the four
//! orthogonal neighbours, and round a corner only where both neighbours beside it are light: a
//! function of one vertex's block. `fluid` and `bridge` are ours and read the diagonal too.

use serde::Serialize;

/// Block code bits, as [`crate::features::Encoding::VertexBlocks`] numbers the modules.
const TL: u8 = 1;
const TR: u8 = 2;
const BL: u8 = 4;
const BR: u8 = 8;

/// qr-code-styling's corner radius, half a module: a module with no dark neighbour is a disc.
pub const HALF: f32 = 0.5;
/// Its `extra` radius, a whole module: a module continued on two sides becomes a quarter disc.
pub const WHOLE: f32 = 1.0;
/// `fluid`'s corner radius (0.5 loses the module's corners to the background at camera
/// resolutions; `docs/readability.md`).
pub const FLUID_RADIUS: f32 = 0.35;

/// How one corner of a module is drawn (radii in module units).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Corner {
    /// A dark module fills it; a light one leaves it empty.
    Square,
    /// A dark module's corner, rounded off with this radius.
    Round(f32),
    /// A light module's corner, filled outside a circle of this radius: a concave fillet
    /// joining the dark modules beside it.
    Fillet(f32),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CornerRule {
    /// qr-code-styling `rounded`: corners with both neighbours beside them light, radius ½.
    Rounded,
    /// qr-code-styling `extra-rounded`: the same corners; a whole-module radius where the
    /// module's other two neighbours are dark.
    ExtraRounded,
    /// qr-code-styling `classy`: only top-left and bottom-right corners round, radius ½.
    Classy,
    /// qr-code-styling `classy-rounded`: the same, a whole-module radius unless the module is
    /// alone.
    ClassyRounded,
    /// Ours: rounded outer corners, concave fillets where three dark modules enclose a light
    /// corner (the diagonal decides), and saddles rounded apart.
    Fluid,
    /// Ours: rounded outer corners, and diagonal neighbours joined through the saddle between
    /// them by fillets in its two light corners, so diagonal runs read as ribbons.
    Bridge,
}

/// What one corner of a module sees, from the decrypted inks and the flag at its vertex.
#[derive(Clone, Copy, Debug)]
pub struct CornerView {
    /// 0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right.
    pub quarter: usize,
    pub me: bool,
    pub flag: bool,
    /// The neighbours beside the corner (horizontal, vertical) and across it.
    pub side: bool,
    pub vertical: bool,
    pub diagonal: bool,
    /// The neighbours on the module's other sides.
    pub far_side: bool,
    pub far_vertical: bool,
}

impl CornerRule {
    /// The server's flag for a vertex whose block has `code` (TL=1, TR=2, BL=4, BR=8).
    pub fn flag(self, code: u8) -> bool {
        let dark = |bit: u8| code & bit != 0;
        let saddle = code == TL | BR || code == TR | BL;
        match self {
            // Some dark module here has both its neighbours in the block light.
            CornerRule::Rounded | CornerRule::ExtraRounded | CornerRule::Bridge => code.count_ones() == 1 || saddle,
            CornerRule::Classy | CornerRule::ClassyRounded => (dark(TL) || dark(BR)) && !dark(TR) && !dark(BL),
            CornerRule::Fluid => matches!(code.count_ones(), 1 | 3) || saddle,
        }
    }

    /// The server's table over block codes: bit 0 the bottom-right module's ink (so the
    /// client recovers every module's ink), bit 1 the flag.
    pub fn table(self) -> Vec<u8> {
        (0u8..16).map(|code| (code >> 3) & 1 | u8::from(self.flag(code)) << 1).collect()
    }

    /// How the client draws one corner.
    pub fn corner(self, c: CornerView) -> Corner {
        let open = !c.side && !c.vertical;
        let leading = c.quarter == 0 || c.quarter == 3;
        if !c.flag {
            return Corner::Square;
        }
        match (self, c.me) {
            (CornerRule::Rounded, true) if open => Corner::Round(HALF),
            (CornerRule::ExtraRounded, true) if open => {
                Corner::Round(if c.far_side && c.far_vertical { WHOLE } else { HALF })
            }
            (CornerRule::Classy, true) if open && leading => Corner::Round(HALF),
            (CornerRule::ClassyRounded, true) if open && leading => {
                Corner::Round(if c.far_side || c.far_vertical { WHOLE } else { HALF })
            }
            (CornerRule::Fluid, true) if open => Corner::Round(FLUID_RADIUS),
            (CornerRule::Fluid, false) if c.side && c.vertical && c.diagonal => Corner::Fillet(FLUID_RADIUS),
            (CornerRule::Bridge, true) if open && !c.diagonal => Corner::Round(HALF),
            (CornerRule::Bridge, false) if c.side && c.vertical && !c.diagonal => Corner::Fillet(HALF),
            _ => Corner::Square,
        }
    }
}

/// The tile of module (x, y) from vertex outputs (`n + 1` a side): its ink is bit 0 of the
/// vertex at its top-left corner, each corner drawn by `rule` from the flag at that corner.
pub fn corner_tile(rule: CornerRule, outputs: &[u8], n: usize, x: usize, y: usize) -> super::Tile {
    let stride = n + 1;
    let vertex = |vx: usize, vy: usize| outputs[vy * stride + vx];
    // Outside the symbol is light.
    let ink = |mx: i64, my: i64| {
        (0..n as i64).contains(&mx) && (0..n as i64).contains(&my) && vertex(mx as usize, my as usize) & 1 == 1
    };
    let (mx, my) = (x as i64, y as i64);
    let me = ink(mx, my);
    let mut corners = [Corner::Square; 4];
    for (quarter, corner) in corners.iter_mut().enumerate() {
        let (right, down) = (quarter & 1 == 1, quarter & 2 == 2);
        let sx = if right { 1 } else { -1 };
        let sy = if down { 1 } else { -1 };
        *corner = rule.corner(CornerView {
            quarter,
            me,
            flag: vertex(x + right as usize, y + down as usize) & 2 == 2,
            side: ink(mx + sx, my),
            vertical: ink(mx, my + sy),
            diagonal: ink(mx + sx, my + sy),
            far_side: ink(mx - sx, my),
            far_vertical: ink(mx, my - sy),
        });
    }
    super::Tile { ink: me, shape: super::Shape::Corners(corners) }
}

impl CornerRule {
    pub const ALL: [CornerRule; 6] = [
        CornerRule::Rounded,
        CornerRule::ExtraRounded,
        CornerRule::Classy,
        CornerRule::ClassyRounded,
        CornerRule::Fluid,
        CornerRule::Bridge,
    ];
}

#[cfg(test)]
mod tests {
    use super::*;

    /// qr-code-styling's drawing of a dark module, written out from its documented cases (one
    /// disc, side-rounded, corner-rounded, square; classy's corner pairs) as the radius of
    /// each corner (TL, TR, BL, BR), given the neighbours left, right, top, bottom.
    fn peer(rule: CornerRule, [l, r, t, b]: [bool; 4]) -> [f32; 4] {
        let count = [l, r, t, b].iter().filter(|&&d| d).count();
        let sides = [(l, t), (r, t), (l, b), (r, b)];
        match rule {
            CornerRule::Rounded | CornerRule::ExtraRounded => {
                if count == 0 {
                    return [HALF; 4];
                }
                if count > 2 || (l && r) || (t && b) {
                    return [0.0; 4];
                }
                let radius = if count == 2 && rule == CornerRule::ExtraRounded { WHOLE } else { HALF };
                sides.map(|(h, v)| if !h && !v { radius } else { 0.0 })
            }
            CornerRule::Classy | CornerRule::ClassyRounded => {
                let extra = if rule == CornerRule::ClassyRounded { WHOLE } else { HALF };
                if count == 0 {
                    [HALF, 0.0, 0.0, HALF]
                } else if !l && !t {
                    [extra, 0.0, 0.0, 0.0]
                } else if !r && !b {
                    [0.0, 0.0, 0.0, extra]
                } else {
                    [0.0; 4]
                }
            }
            _ => unreachable!("ours"),
        }
    }

    /// Our drawing of the dark centre of a 3×3 patch, through the flags the server computes.
    fn ours(rule: CornerRule, patch: u16) -> [Corner; 4] {
        let dark = |x: usize, y: usize| patch >> (y * 3 + x) & 1 == 1;
        // Vertex outputs over the 3×3 patch as a whole symbol (4×4 vertices).
        let outputs: Vec<u8> = (0..4)
            .flat_map(|vy| (0..4).map(move |vx| (vx, vy)))
            .map(|(vx, vy): (usize, usize)| {
                let at = |x: usize, y: usize| x < 3 && y < 3 && dark(x, y);
                let m = |dx: usize, dy: usize| vx + dx >= 1 && vy + dy >= 1 && at(vx + dx - 1, vy + dy - 1);
                let code = u8::from(m(0, 0)) | u8::from(m(1, 0)) << 1 | u8::from(m(0, 1)) << 2 | u8::from(m(1, 1)) << 3;
                rule.table()[code as usize]
            })
            .collect();
        match corner_tile(rule, &outputs, 3, 1, 1).shape {
            super::super::Shape::Corners(c) => c,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_peers_shapes_are_reproduced_on_every_neighbourhood() {
        for rule in [CornerRule::Rounded, CornerRule::ExtraRounded, CornerRule::Classy, CornerRule::ClassyRounded] {
            for patch in 0u16..512 {
                if patch & 1 << 4 == 0 {
                    continue; // the centre is light: nothing drawn
                }
                let d = |x: usize, y: usize| patch >> (y * 3 + x) & 1 == 1;
                let want = peer(rule, [d(0, 1), d(2, 1), d(1, 0), d(1, 2)]);
                let got = ours(rule, patch).map(|c| match c {
                    Corner::Round(r) => r,
                    _ => 0.0,
                });
                assert_eq!(got, want, "{rule:?} patch {patch:09b}");
            }
        }
    }

    #[test]
    fn our_rules_read_the_diagonal() {
        // Bit (y·3 + x) of a 3×3 patch; the centre's bottom-right corner is at stake.
        let (centre, right, below, diagonal) = (1 << 4, 1 << 5, 1 << 7, 1 << 8);
        // A dark centre with the diagonal module dark (a saddle) or light.
        let saddle = |rule| ours(rule, centre | diagonal)[3];
        let alone = |rule| ours(rule, centre)[3];
        // A light centre between two dark neighbours, with the diagonal dark or light.
        let enclosed = |rule| ours(rule, right | below | diagonal)[3];
        let bay = |rule| ours(rule, right | below)[3];
        assert_eq!((saddle(CornerRule::Bridge), alone(CornerRule::Bridge)), (Corner::Square, Corner::Round(HALF)));
        assert_eq!((bay(CornerRule::Bridge), enclosed(CornerRule::Bridge)), (Corner::Fillet(HALF), Corner::Square));
        let fluid = Corner::Fillet(FLUID_RADIUS);
        assert_eq!((enclosed(CornerRule::Fluid), bay(CornerRule::Fluid)), (fluid, Corner::Square));
        // The peers ignore the diagonal.
        for rule in [CornerRule::Rounded, CornerRule::ExtraRounded, CornerRule::Classy, CornerRule::ClassyRounded] {
            assert_eq!(saddle(rule), alone(rule), "{rule:?}");
            assert_eq!((bay(rule), enclosed(rule)), (Corner::Square, Corner::Square), "{rule:?}");
        }
    }

    #[test]
    fn tables_carry_the_ink_and_a_flag() {
        for rule in CornerRule::ALL {
            let t = rule.table();
            assert_eq!(t.len(), 16);
            for (code, &v) in t.iter().enumerate() {
                assert_eq!(v & 1, (code as u8 >> 3) & 1, "{rule:?}");
                assert!(v < 4);
            }
        }
    }
}
