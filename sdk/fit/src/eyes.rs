//! The finder patterns ("eyes"): their own colours when the examples give them some, and their
//! shapes. A centre is square or a dot; rings other than square cannot be verified (rqrr and
//! OpenCV locate a code by their square corners), so round rings are drawn square and reported.

use crate::colour::{fit_fill_or_map, rms, Fitted, Sample};
use crate::grid::Grid;
use crate::tiles::{bilinear, ink_point, Colours};
use image::RgbImage;
use qrveil_sdk::{Area, Fill};
use qrveil_style::recipe::CentreShape;

/// One example as the eyes need it.
pub struct Seen<'a> {
    pub img: &'a RgbImage,
    pub grid: Grid,
    /// Where the ink fills are laid.
    pub area: Area,
}

pub struct Eyes {
    /// The rings' and centres' own fills, when the dots' fill does not explain them.
    pub rings: Option<Fitted>,
    pub centres: Option<Fitted>,
    pub centre: CentreShape,
    /// The examples' rings are round: drawn square.
    pub round_rings: bool,
}

/// A fill's own colour is kept only if it explains the samples this much better (0..255).
const OWN_FILL_GAIN: f32 = 3.0;

/// Each finder's top-left module.
fn origins(side: u32) -> [(f32, f32); 3] {
    let far = side as f32 - 7.0;
    [(0.0, 0.0), (far, 0.0), (0.0, far)]
}

fn samples(seen: &[Seen], modules: impl Fn(usize, usize) -> bool) -> Vec<Sample> {
    let mut out = Vec::new();
    for s in seen {
        for (ox, oy) in origins(s.grid.side) {
            for (i, j) in (0..49).map(|k| (k % 7, k / 7)).filter(|&(i, j)| modules(i, j)) {
                let (px, py) = s.grid.pixel(ox + i as f32 + 0.5, oy + j as f32 + 0.5);
                let (x, y) = ink_point(s.area, &s.grid, s.img.dimensions(), px, py);
                out.push(Sample { x, y, rgb: bilinear(s.img, px, py) });
            }
        }
    }
    out
}

/// The part's own fill, if the dots' fill explains its samples clearly worse.
fn own_fill(samples: &[Sample], dots: &Fill) -> Option<Fitted> {
    let own = fit_fill_or_map(samples)?;
    let dots_rms = rms(dots, samples);
    (dots_rms > own.rms + OWN_FILL_GAIN).then_some(own)
}

/// Mean ink coverage at points given in finder units (0..7 from its top-left corner).
fn coverage_at(seen: &[Seen], fill: &Fill, background: &Fill, points: &[(f32, f32)]) -> f32 {
    let (mut sum, mut n) = (0.0, 0);
    for s in seen {
        let colours = Colours { ink: fill, background, area: s.area, grid: s.grid, size: s.img.dimensions() };
        for (ox, oy) in origins(s.grid.side) {
            for &(u, v) in points {
                let (px, py) = s.grid.pixel(ox + u, oy + v);
                sum += colours.coverage(s.img, px, py);
                n += 1;
            }
        }
    }
    sum / n.max(1) as f32
}

pub fn fit_eyes(seen: &[Seen], dots: &Fill, background: &Fill) -> Eyes {
    let ring = |i: usize, j: usize| i == 0 || j == 0 || i == 6 || j == 6;
    // The centre's middle cross: inside a square and a dot alike, clear of anti-aliased edges.
    let centre = |i: usize, j: usize| (i == 3 && (2..5).contains(&j)) || (j == 3 && (2..5).contains(&i));
    let rings = own_fill(&samples(seen, ring), dots);
    let centres = own_fill(&samples(seen, centre), dots);
    // Just inside the corners: a square shape covers them, a round one leaves them bare.
    let inside = 0.15;
    let corners = |lo: f32, hi: f32| {
        [(lo + inside, lo + inside), (hi - inside, lo + inside), (lo + inside, hi - inside), (hi - inside, hi - inside)]
    };
    let ring_fill = rings.as_ref().map_or(dots, |f| &f.fill);
    let centre_fill = centres.as_ref().map_or(dots, |f| &f.fill);
    let square_centre = coverage_at(seen, centre_fill, background, &corners(2.0, 5.0)) > 0.5;
    let square_ring = coverage_at(seen, ring_fill, background, &corners(0.0, 7.0)) > 0.5;
    Eyes {
        rings,
        centres,
        centre: if square_centre { CentreShape::Square } else { CentreShape::Dot },
        round_rings: !square_ring,
    }
}
