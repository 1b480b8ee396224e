//! How the SDK settles each look of a code at a level, as the evaluation draws it: the same
//! step the SDK runs, and a count of what it needed.

use super::conditions::RENDER_PX;
use image::RgbImage;
use qrveil_sdk::capture::{seed_of, Scan};
use qrveil_sdk::{over_white, Canvas, Contrast, Drawing, Palette, Settled, Why};
use qrveil_style::recipe::{Patterns, Squaring};
use qrveil_style::{ModuleGrid, Readability};

/// How the SDK drew one code at the level: the least change its checks needed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Settling {
    /// In the look's shapes and the chosen colours.
    AsChosen,
    /// With some modules squared ([`Squaring`]), the colours as chosen.
    Squared(Squaring),
    /// Colours moved (on the look's own shapes unless even black failed there).
    ColoursMoved,
    /// Not even black passes at the smallest version, so the SDK makes the code this many
    /// versions larger (drawn here in black at the smallest version).
    Larger(u8),
    /// Not even black passes, up to [`qrveil_sdk::VERSION_STEPS`] versions larger: the SDK
    /// refuses the code (drawn in black here).
    Refused,
}

/// How the SDK draws `drawing` on `canvas` (its palette as chosen) at `level`: as the look
/// draws it in the colours as chosen when the code passes the level's checks so, else the least
/// squaring or colour change that passes; `None` when the SDK would refuse the code even in black.
pub fn settled(
    drawing: &Drawing,
    canvas: &Canvas,
    payload: &[u8],
    grid: &ModuleGrid,
    level: Readability,
) -> Option<Settled> {
    qrveil_sdk::settle(drawing, canvas, payload, Scan::of(level), seed_of(grid)).ok()
}

/// A look drawn as the SDK draws it at a level, for one code.
pub struct Styled<'a> {
    pub grid: &'a ModuleGrid,
    pub payload: &'a [u8],
    pub level: Readability,
}

/// How one code was settled, and for a code whose colours moved, how far.
#[derive(Clone, Copy, Debug)]
pub struct Outcome {
    pub how: Settling,
    pub moved: Option<Moved>,
}

/// The contrast a code needed and the largest CIEDE2000 any of its colours moved for it: the
/// nearest colour with that contrast, so the least any drawing with it can cost.
#[derive(Clone, Copy, Debug)]
pub struct Moved {
    pub needed: f32,
    pub delta_e: f32,
}

/// `drawing` as the SDK draws it at `level` (black when the SDK would refuse it), and how.
pub fn render(drawing: &Drawing, chosen: Palette, patterns: Patterns, code: &Styled) -> (RgbImage, Outcome) {
    let canvas = Canvas { patterns, ..drawing.canvas(RENDER_PX, 4, chosen) };
    match settled(drawing, &canvas, code.payload, code.grid, code.level) {
        Some(settled) => {
            let delta_e = settled.colours.iter().map(|c| c.delta_e).fold(0.0, f32::max);
            let needed = settled.colours.iter().find_map(|c| match c.why {
                Why::Contrast { needed, .. } => Some(needed),
                Why::AsChosen => None,
            });
            let how = if delta_e > 0.0 {
                Settling::ColoursMoved
            } else if settled.shapes.squaring != Squaring::Nothing {
                Settling::Squared(settled.shapes.squaring)
            } else {
                Settling::AsChosen
            };
            let moved = needed.filter(|_| delta_e > 0.0).map(|needed| Moved { needed, delta_e });
            (over_white(&settled.rgba), Outcome { how, moved })
        }
        None => {
            let black = Canvas { palette: canvas.palette.at(Contrast::uniform(1.0)), ..canvas };
            (black.to_image(), Outcome { how: Settling::Refused, moved: None })
        }
    }
}

/// A look's name and how the SDK settled one code of it.
pub type SettledLook = (String, Outcome);

impl Settling {
    pub fn name(self) -> String {
        match self {
            Settling::AsChosen => "as chosen".into(),
            Settling::Squared(s) => format!("with {s}"),
            Settling::ColoursMoved => "with colours moved".into(),
            Settling::Larger(n) => format!("made {n} version{} larger", if n == 1 { "" } else { "s" }),
            Settling::Refused => "refused".into(),
        }
    }
}
