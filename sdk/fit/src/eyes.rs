//! The finder patterns ("eyes"): their own colours when the examples give them some, and their
//! shapes, as qr-code-styling names them: a ring `square`, `dot` or `extra-rounded`, a centre
//! `square` or `dot`; each drawn as the SDK draws it and checked like every other look.

use crate::colour::{fit_fill_or_map, rms, Fitted, Sample};
use crate::grid::Grid;
use crate::tiles::{bilinear, ink_point, Colours};
use image::RgbImage;
use qrveil_sdk::{Area, Fill};
use qrveil_style::recipe::{CentreShape, Patterns, RingShape};

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
    /// The ring and centre shapes that explain the examples' finders best.
    pub patterns: Patterns,
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

pub fn fit_eyes(seen: &[Seen], dots: &Fill, background: &Fill) -> Eyes {
    // The shapes first, as the dots' colours see them; then each part's colours from the
    // module centres inside its shape (a round ring leaves its corner modules bare), and the
    // shapes again with those colours.
    let first = best_patterns(seen, dots, dots, background);
    let finder = first.boxes(21)[0];
    let inside = |i: usize, j: usize| finder.ring.contains(i as f32 + 0.5, j as f32 + 0.5);
    let ring = |i: usize, j: usize| (i == 0 || j == 0 || i == 6 || j == 6) && inside(i, j);
    // The centre's middle cross: inside a square and a dot alike, clear of anti-aliased edges.
    let centre = |i: usize, j: usize| (i == 3 && (2..5).contains(&j)) || (j == 3 && (2..5).contains(&i));
    let rings = own_fill(&samples(seen, ring), dots);
    let centres = own_fill(&samples(seen, centre), dots);
    let ring_fill = rings.as_ref().map_or(dots, |f| &f.fill);
    let centre_fill = centres.as_ref().map_or(dots, |f| &f.fill);
    let patterns = best_patterns(seen, ring_fill, centre_fill, background);
    Eyes { rings, centres, patterns }
}

/// Probe points per module side, in each finder.
const PROBES: usize = 4;

/// The ring and centre shapes whose drawing is nearest the examples' finders: the mean squared
/// difference between each shape's ink (1 inside, 0 outside) and the coverage seen, over a
/// grid of probe points in every finder of every example.
fn best_patterns(seen: &[Seen], ring_fill: &Fill, centre_fill: &Fill, background: &Fill) -> Patterns {
    let n = 7 * PROBES;
    let points: Vec<(f32, f32)> =
        (0..n * n).map(|k| (((k % n) as f32 + 0.5) / PROBES as f32, ((k / n) as f32 + 0.5) / PROBES as f32)).collect();
    let in_centre = |(u, v): (f32, f32)| (2.0..5.0).contains(&u) && (2.0..5.0).contains(&v);
    // Coverage per point, averaged over every finder seen: the centre's fill inside its box.
    let mut seen_ink = vec![0f32; points.len()];
    let mut finders = 0;
    for s in seen {
        let colours = |fill| Colours { ink: fill, background, area: s.area, grid: s.grid, size: s.img.dimensions() };
        let (ring, centre) = (colours(ring_fill), colours(centre_fill));
        for (ox, oy) in origins(s.grid.side) {
            for (ink, &(u, v)) in seen_ink.iter_mut().zip(&points) {
                let (px, py) = s.grid.pixel(ox + u, oy + v);
                let part = if in_centre((u, v)) { &centre } else { &ring };
                *ink += part.coverage(s.img, px, py);
            }
            finders += 1;
        }
    }
    seen_ink.iter_mut().for_each(|c| *c /= finders.max(1) as f32);
    let error = |patterns: Patterns| -> f32 {
        let finder = patterns.boxes(21)[0];
        let drawn = |&(u, v): &(f32, f32)| f32::from(u8::from(finder.contains(u, v)));
        points.iter().zip(&seen_ink).map(|(p, c)| (drawn(p) - c).powi(2)).sum()
    };
    let candidates = RingShape::ALL.into_iter().flat_map(|ring| {
        [CentreShape::Square, CentreShape::Dot].into_iter().map(move |centre| Patterns { ring, centre })
    });
    // Ties keep the simpler shapes (square first).
    candidates
        .fold((Patterns::default(), f32::INFINITY), |best, p| {
            let e = error(p);
            if e < best.1 {
                (p, e)
            } else {
                best
            }
        })
        .0
}
