//! The catalogue: built-in styles and colour presets, by name.
//!
//! Each style pairs a [`ServerProgram`] (everything that depends on the encrypted module bits)
//! with a public [`Geometry`] (how the client draws the outputs). Colours are presets applied
//! by the client; the server never learns them.

pub use crate::presets::{Preset, Rgb, PRESETS};
use crate::program::{Domain, Node, Program, ServerProgram, Tap};
use crate::recipe::classes::{self, ClassProgramError};
use crate::recipe::{CornerRule, Geometry};
use crate::spec::SpecError;
use serde::Serialize;
use std::fmt;
use std::str::FromStr;

/// A style the function evaluates: the shape of the dark modules, named as qr-code-styling's
/// `dotsOptions.type` names it, plus three of ours. Colours and finder shapes are drawn by the
/// client and never reach the function.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum StyleId {
    Square,
    Dots,
    Rounded,
    ExtraRounded,
    Classy,
    ClassyRounded,
    Fluid,
    Bridge,
    Swell,
    /// Any fitted look: the server computes each vertex's block code and the client draws it
    /// with the look's tiles (`recipe::fitted`).
    Fitted,
    /// A fitted look over each module's 3×3 neighbourhood: the server computes each module's
    /// class with the look's own program, which travels with the job (`recipe::classes`).
    FittedWide,
}

impl StyleId {
    pub const ALL: [StyleId; 9] = [
        StyleId::Square,
        StyleId::Dots,
        StyleId::Rounded,
        StyleId::ExtraRounded,
        StyleId::Classy,
        StyleId::ClassyRounded,
        StyleId::Fluid,
        StyleId::Bridge,
        StyleId::Swell,
    ];
    /// Every style the function evaluates: the catalogue, and the programs of fitted looks
    /// (which the client can draw only with a look's tiles).
    pub const SERVED: [StyleId; 11] = {
        let mut served = [StyleId::Fitted; 11];
        served[10] = StyleId::FittedWide;
        let mut i = 0;
        while i < StyleId::ALL.len() {
            served[i] = StyleId::ALL[i];
            i += 1;
        }
        served
    };

    pub fn name(self) -> &'static str {
        match self {
            StyleId::Square => "square",
            StyleId::Dots => "dots",
            StyleId::Rounded => "rounded",
            StyleId::ExtraRounded => "extra-rounded",
            StyleId::Classy => "classy",
            StyleId::ClassyRounded => "classy-rounded",
            StyleId::Fluid => "fluid",
            StyleId::Bridge => "bridge",
            StyleId::Swell => "swell",
            StyleId::Fitted => "fitted",
            StyleId::FittedWide => "fitted-wide",
        }
    }

    pub fn summary(self) -> &'static str {
        match self {
            StyleId::Square => "square modules",
            StyleId::Dots => "a round dot per module",
            StyleId::Rounded => "corners rounded where both neighbours beside them are light",
            StyleId::ExtraRounded => "rounded, with whole-module quarter discs at the ends of bends",
            StyleId::Classy => "top-left and bottom-right corners rounded at the edges of shapes",
            StyleId::ClassyRounded => "classy, with whole-module curves",
            StyleId::Fluid => "ours: rounded, connected shapes with concave fillets (reads diagonals)",
            StyleId::Bridge => "ours: rounded, diagonal neighbours joined into ribbons (reads diagonals)",
            StyleId::Swell => "ours: round dots that swell where dark neighbours are dense",
            StyleId::Fitted => "a look fitted from example images (`qrveil style fit`), drawn from its style document",
            StyleId::FittedWide => {
                "a fitted look that reads each module's 3x3 neighbourhood; its style document carries the program"
            }
        }
    }

    /// The style `self` names when its program is fixed: every id but `FittedWide`, whose
    /// program is a fitted look's own ([`crate::spec::resolve`] takes it).
    pub fn style(self) -> Result<Style, SpecError> {
        Ok(match self {
            StyleId::Square => module_bits(self, Geometry::Squares),
            StyleId::Dots => module_bits(self, Geometry::Circles),
            StyleId::Rounded => corners(self, CornerRule::Rounded),
            StyleId::ExtraRounded => corners(self, CornerRule::ExtraRounded),
            StyleId::Classy => corners(self, CornerRule::Classy),
            StyleId::ClassyRounded => corners(self, CornerRule::ClassyRounded),
            StyleId::Fluid => corners(self, CornerRule::Fluid),
            StyleId::Bridge => corners(self, CornerRule::Bridge),
            StyleId::Swell => swell(),
            StyleId::Fitted => fitted(),
            StyleId::FittedWide => return Err(SpecError::MissingProgram),
        })
    }
}

impl fmt::Display for StyleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What kind of name a catalogue lookup was for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameKind {
    Style,
    Preset,
    Readability,
    /// The finder rings' shape (qr-code-styling's `cornersSquareOptions.type`).
    Ring,
    /// The finder centres' shape (`cornersDotOptions.type`).
    Centre,
}

impl fmt::Display for NameKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            NameKind::Style => "style",
            NameKind::Preset => "preset",
            NameKind::Readability => "readability level",
            NameKind::Ring => "corner square type",
            NameKind::Centre => "corner dot type",
        })
    }
}

/// An unknown style or preset name; the message lists the valid ones.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {given:?}; choose one of: {choices}")]
pub struct UnknownName {
    pub kind: NameKind,
    pub given: String,
    pub choices: String,
}

/// The entry of `all` called `given`, or an error listing every name.
pub(crate) fn by_name<T: Copy>(
    kind: NameKind,
    all: &[T],
    name: impl Fn(&T) -> &str,
    given: &str,
) -> Result<T, UnknownName> {
    all.iter().find(|t| name(t) == given).copied().ok_or_else(|| UnknownName {
        kind,
        given: given.to_string(),
        choices: all.iter().map(&name).collect::<Vec<_>>().join(", "),
    })
}

impl FromStr for StyleId {
    type Err = UnknownName;
    fn from_str(s: &str) -> Result<Self, UnknownName> {
        by_name(NameKind::Style, &StyleId::SERVED, |id| id.name(), s)
    }
}

/// A built-in style: server part and public geometry.
#[derive(Clone, Debug)]
pub struct Style {
    pub id: StyleId,
    pub server: ServerProgram,
    pub geometry: Geometry,
}

impl Style {
    /// A wide fitted look's style: its class `program` (checked: what the function may run,
    /// and the ink of each class), drawn with the look's tiles per class.
    pub fn fitted_wide(program: ServerProgram) -> Result<Style, ClassProgramError> {
        let dark = classes::check_program(&program)?;
        let channels = program.programs.len() as u8;
        Ok(Style { id: StyleId::FittedWide, server: program, geometry: Geometry::Classes { dark, channels } })
    }
}

fn tap(dx: i8, dy: i8, weight: u8) -> Tap {
    Tap { dx, dy, weight }
}

/// Output per module: its ink, which is all a shape that ignores the neighbours needs. The
/// module bits themselves on the linear tier; a free stencil on the PBS tier.
fn module_bits(id: StyleId, geometry: Geometry) -> Style {
    let ink = Program { domain: Domain::Modules, nodes: vec![Node::Stencil { taps: vec![tap(0, 0, 1)] }], output: 0 };
    Style { id, server: ServerProgram { version: 2, programs: vec![ink] }, geometry }
}

/// The 2×2 block code at each vertex (TL=1, TR=2, BL=4, BR=8) selects, in one PBS (or none on
/// the linear tier), the bottom-right module's ink and the rule's flag ([`CornerRule::table`]).
fn corners(id: StyleId, rule: CornerRule) -> Style {
    let block = vec![tap(-1, -1, 1), tap(0, -1, 2), tap(-1, 0, 4), tap(0, 0, 8)];
    stencil_then_lut(id, Domain::Vertices, block, rule.table(), Geometry::Corners(rule))
}

/// Each vertex's block code, in two outputs of two bits (the server's programs carry 2-bit
/// values): the low half (TL, TR) and the high half (BL, BR). 0 PBS on the linear tier.
fn fitted() -> Style {
    let half = |shift: u8| Program {
        domain: Domain::Vertices,
        nodes: vec![
            Node::Stencil { taps: vec![tap(-1, -1, 1), tap(0, -1, 2), tap(-1, 0, 4), tap(0, 0, 8)] },
            Node::Lut { input: 0, table: (0u8..16).map(|code| code >> shift & 3).collect() },
        ],
        output: 1,
    };
    Style {
        id: StyleId::Fitted,
        server: ServerProgram { version: 1, programs: vec![half(0), half(2)] },
        geometry: Geometry::Fitted,
    }
}

/// A style of one program: a free stencil, then one PBS on its value, one output per cell.
fn stencil_then_lut(id: StyleId, domain: Domain, taps: Vec<Tap>, table: Vec<u8>, geometry: Geometry) -> Style {
    let program = Program { domain, nodes: vec![Node::Stencil { taps }, Node::Lut { input: 0, table }], output: 1 };
    Style { id, server: ServerProgram { version: 1, programs: vec![program] }, geometry }
}

/// Code = 8·self + dark orthogonal neighbours (0..=4); the PBS picks a dot size class:
/// 0 light, 1 isolated, 2 one or two neighbours, 3 three or four.
pub fn swell_table() -> Vec<u8> {
    (0u8..16)
        .map(|code| match (code >= 8, code.saturating_sub(8)) {
            (false, _) => 0,
            (true, 0) => 1,
            (true, 1 | 2) => 2,
            (true, 3 | 4) => 3,
            (true, _) => 0, // unreachable: at most four neighbours
        })
        .collect()
}

fn swell() -> Style {
    let cross = vec![tap(0, 0, 8), tap(-1, 0, 1), tap(1, 0, 1), tap(0, -1, 1), tap(0, 1, 1)];
    stencil_then_lut(StyleId::Swell, Domain::Modules, cross, swell_table(), Geometry::Swell)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::Encoding;
    use crate::spec::served_example;
    use crate::tiers::{cost, Plan, Tier};

    #[test]
    fn costs_match_the_design_for_version_1() {
        let costs = |id: StyleId| cost(&served_example(id).server, 21).expect("valid");
        // Every built-in runs on the linear tier: no PBS at all.
        for id in StyleId::ALL {
            let c = costs(id);
            assert_eq!((c.chosen().tier, c.chosen().pbs), (Tier::Linear, 0), "{id}");
        }
        for id in [StyleId::Square, StyleId::Dots] {
            let g = costs(id);
            assert_eq!((g.on_pbs_tier.pbs, g.chosen().outputs), (0, 441), "{id}");
        }
        // On the PBS tier: one PBS per vertex, except the 8x8 vertices around each finder that
        // see only the finder, its separator or the outside (the standard fixes them).
        for id in [StyleId::Rounded, StyleId::Classy, StyleId::Fluid, StyleId::Bridge] {
            let r = costs(id);
            assert_eq!((r.on_pbs_tier.pbs, r.chosen().outputs), (22 * 22 - 3 * 64, 22 * 22), "{id}");
        }
        // One PBS per module, except each finder's 7x7 modules and the separator modules
        // whose cross reaches only the timing patterns (2 at the top-left, 1 at each other).
        let d = costs(StyleId::Swell);
        assert_eq!((d.on_pbs_tier.pbs, d.chosen().outputs), (441 - 3 * 49 - 4, 441));
    }

    #[test]
    fn built_ins_read_the_cheapest_encoding_that_determines_them() {
        let plan = |id: StyleId| match Plan::of(&served_example(id).server).expect("valid") {
            Plan::Linear(plans) => plans,
            Plan::Pbs => panic!("{id} should be linear"),
        };
        for id in [StyleId::Square, StyleId::Dots] {
            assert_eq!(plan(id)[0].encoding, Encoding::ModuleBits, "{id}");
            assert_eq!(plan(id)[0].table, [0, 1], "{id}");
        }
        // A corner rule's table is exactly its PBS lookup, indexed by the same block code.
        for id in StyleId::ALL {
            if let Geometry::Corners(rule) = served_example(id).geometry {
                assert_eq!(plan(id)[0].encoding, Encoding::VertexBlocks, "{id}");
                assert_eq!(plan(id)[0].table, rule.table(), "{id}");
            }
        }
        // Swell reads 8·self + neighbours: a function of the cross code 5·self + neighbours.
        let dots = &plan(StyleId::Swell)[0];
        assert_eq!(dots.encoding, Encoding::ModuleCross);
        let table = swell_table();
        for (code, &out) in dots.table.iter().enumerate() {
            assert_eq!(out, table[8 * (code / 5) + code % 5], "code {code}");
        }
    }

    #[test]
    fn a_fitted_look_costs_no_pbs_and_returns_every_vertex_code() {
        let Plan::Linear(plans) = Plan::of(&StyleId::Fitted.style().expect("a built-in style").server).expect("valid")
        else {
            panic!("fitted looks should be linear")
        };
        assert_eq!(plans.len(), 2);
        // Both halves read the vertex blocks; together they give back the whole code.
        for code in 0..16 {
            assert!(plans.iter().all(|p| p.encoding == Encoding::VertexBlocks));
            assert_eq!(plans[0].table[code] | plans[1].table[code] << 2, code as u8);
        }
        let c = cost(&StyleId::Fitted.style().expect("a built-in style").server, 21).expect("valid");
        assert_eq!((c.chosen().tier, c.chosen().pbs, c.chosen().outputs), (Tier::Linear, 0, 2 * 22 * 22));
        assert_eq!("fitted".parse::<StyleId>(), Ok(StyleId::Fitted));
    }

    #[test]
    fn fluid_table_marks_odd_corners_and_saddles() {
        let t = CornerRule::Fluid.table();
        // Single dark module in the bottom-right: its top-left corner is rounded.
        assert_eq!(t[0b1000], 0b11);
        // All dark or all light: nothing to round.
        assert_eq!(t[0b1111], 0b01);
        assert_eq!(t[0], 0);
        // Straight edge (top row dark): not rounded.
        assert_eq!(t[0b0011], 0);
        // Three dark, bottom-right light: concave corner.
        assert_eq!(t[0b0111], 0b10);
    }

    #[test]
    fn names_round_trip_and_unknown_names_list_choices() {
        for id in StyleId::ALL {
            assert_eq!(id.name().parse::<StyleId>(), Ok(id));
        }
        let err = "wavy".parse::<StyleId>().unwrap_err().to_string();
        assert!(err.contains("square, dots, rounded, extra-rounded, classy"), "{err}");
        assert!("nope".parse::<Preset>().unwrap_err().to_string().contains("green-orange"));
    }
}
