//! How a code is drawn: in the look's shapes and the colours as chosen whenever the code passes
//! its checks with them (both judges, clean and from the phone check's capture). Otherwise the
//! least squaring of its function patterns that passes ([`Squaring`]); and if none does, the
//! least contrast that passes. A contrast moves only the inks that lack it, each to its nearest
//! colour that has it (CIEDE2000, any direction of colour space), so the colours that fail move
//! first and the rest stay as chosen. Each drawing's shapes are traced once
//! ([`Canvas::coverage`]); each try of colours only lays other colours on them.

mod check;

use crate::capture::Scan;
use crate::colour::delta_e;
use crate::finish::Drawing;
use crate::palette::{Background, Contrast, Palette, Part};
use crate::render::{over_white, Canvas, Coverage};
use crate::verify::{greys, Decoder, QuircReading, VerifyError};
use check::{check, Readings, Target};
use image::{RgbImage, RgbaImage};
use qrveil_style::recipe::Squaring;
use qrveil_style::Rgb;
use serde::Serialize;
use std::fmt;

/// Below 8 px per module or 2 modules of quiet zone, decoders misread some anti-aliased curved
/// shapes that they read from a camera (phones never see an image at its pixel size anyway),
/// so such codes are checked drawn at that minimum, from the same tiles and colours.
pub const VERIFY_MIN_MODULE_PX: u32 = 8;
const VERIFY_MIN_QUIET_ZONE: u32 = 2;

/// Tries of the search for the least contrast that passes, after the colours as chosen: each
/// halves the interval between the weakest ink's contrast and black, so the contrast found is
/// within 1/16 of that interval of the least. (Each try makes one reading, the one that failed
/// last; the contrast found is then checked in full.)
const SEARCH_STEPS: usize = 4;

/// Why a colour is drawn as it is.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum Why {
    /// As chosen: the code passed its checks with it, or it had the contrast asked already.
    AsChosen,
    /// Moved to the nearest colour with the contrast the named check needed.
    Contrast { needed: f32, check: Check },
}

impl fmt::Display for Why {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Why::AsChosen => f.write_str("as chosen"),
            Why::Contrast { needed, check } => {
                write!(f, "contrast {needed:.2} against the background, which {check} needed")
            }
        }
    }
}

/// Which check a colour change was for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "check", rename_all = "kebab-case")]
pub enum Check {
    /// The judges' reading of the drawing itself.
    Clean { judge: Decoder },
    /// The judges' reading of the phone check's capture.
    PhoneScan { scan: Scan, judge: Decoder },
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Check::Clean { judge } => write!(f, "{judge}'s clean reading"),
            Check::PhoneScan { scan, judge } => write!(f, "{judge}'s reading of the {scan} phone scan"),
        }
    }
}

impl From<&VerifyError> for Check {
    fn from(e: &VerifyError) -> Self {
        match *e {
            VerifyError::PhoneScan { scan, judge } => Check::PhoneScan { scan, judge },
            ref other => Check::Clean { judge: other.decoder() },
        }
    }
}

/// One chosen colour and how it is drawn.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ColourChoice {
    /// `dots`, `corners-square` (the finder rings), `corners-dot` (their centres) or `background`.
    pub part: &'static str,
    #[serde(serialize_with = "hex")]
    pub chosen: Rgb,
    #[serde(serialize_with = "hex")]
    pub drawn: Rgb,
    /// CIEDE2000 between the two (0: as chosen; about 1 is just noticeable).
    pub delta_e: f32,
    pub why: Why,
}

fn hex<S: serde::Serializer>(c: &Rgb, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2))
}

/// Which modules a code has drawn square, and the check that needed it.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Shapes {
    pub squaring: Squaring,
    /// What failed with fewer modules squared (`None`: drawn as the style says).
    pub needed_by: Option<Check>,
}

impl fmt::Display for Shapes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.needed_by {
            None => f.write_str("as the look draws them"),
            Some(check) => write!(f, "{}, which {check} needed", self.squaring),
        }
    }
}

/// What a code settled on: its shapes, its palette and pixels, and what the checks found.
pub struct Settled {
    /// The drawing as drawn (the modules [`Shapes::squaring`] names squared).
    pub drawing: Drawing,
    pub shapes: Shapes,
    pub palette: Palette,
    pub rgba: RgbaImage,
    /// Whether rqrr also reads the code; `None`: no answer within [`crate::QUIRC_BUDGET`].
    pub quirc_family: Option<bool>,
    pub colours: Vec<ColourChoice>,
    /// Seconds painting and checking.
    pub render: f64,
    pub verify: f64,
}

/// One drawing tried: its shapes traced once, at its own size and (when that is too small to
/// check) at the verifiable minimum.
struct Trial<'c> {
    canvas: Canvas<'c>,
    coverage: Coverage,
    checked: Option<(Canvas<'c>, Coverage)>,
}

impl<'c> Trial<'c> {
    fn new(canvas: Canvas<'c>, clock: &mut Clock) -> Self {
        let coverage = clock.render(|| canvas.coverage());
        let small = canvas.module_px < VERIFY_MIN_MODULE_PX || canvas.quiet_zone < VERIFY_MIN_QUIET_ZONE;
        let checked = small.then(|| {
            let at_least = Canvas {
                module_px: canvas.module_px.max(VERIFY_MIN_MODULE_PX),
                quiet_zone: canvas.quiet_zone.max(VERIFY_MIN_QUIET_ZONE),
                ..canvas.clone()
            };
            let coverage = clock.render(|| at_least.coverage());
            (at_least, coverage)
        });
        Self { canvas, coverage, checked }
    }

    /// The drawing in `palette`, and whether it passes every check. `first`: the reading that
    /// failed the last try, made first ([`check`]); `quirc_alongside`: read rqrr during the
    /// check, where the check is expected to pass (its time then hides behind the capture's).
    fn attempt(
        &self,
        palette: Palette,
        clock: &mut Clock,
        t: &Target,
        first: Option<Check>,
        quirc_alongside: bool,
    ) -> (RgbaImage, Result<Quirc, VerifyError>) {
        let (rgba, image, module_px) = self.paint(palette, clock);
        let result = if quirc_alongside {
            let reading = QuircReading::start(greys(&image), t.payload);
            clock.verify(|| check(&image, module_px, t, first, Readings::All)).map(|()| Quirc::Reading(reading))
        } else {
            clock.verify(|| check(&image, module_px, t, first, Readings::All)).map(|()| Quirc::Unread(image))
        };
        (rgba, result)
    }

    /// Whether the drawing in `palette` passes the one reading `only`: a search's step.
    fn passes(&self, palette: Palette, clock: &mut Clock, t: &Target, only: Check) -> Result<(), VerifyError> {
        let (_, image, module_px) = self.paint(palette, clock);
        clock.verify(|| check(&image, module_px, t, Some(only), Readings::First))
    }

    /// The drawing in `palette`, the image the checks read, and its module size.
    fn paint(&self, palette: Palette, clock: &mut Clock) -> (RgbaImage, RgbImage, u32) {
        let rgba = clock.render(|| Canvas { palette: palette.clone(), ..self.canvas.clone() }.paint(&self.coverage));
        match &self.checked {
            None => {
                let image = over_white(&rgba);
                (rgba, image, self.canvas.module_px)
            }
            Some((at_least, coverage)) => {
                let image = clock.render(|| over_white(&Canvas { palette, ..at_least.clone() }.paint(coverage)));
                (rgba, image, at_least.module_px)
            }
        }
    }
}

/// Settle how `drawing` is drawn on `canvas` (made by [`Drawing::canvas`], with its palette as
/// chosen, patterns and logo) for `payload`, checked with `scan`'s capture seeded by `seed`:
/// first the least squaring ([`Squaring::ALL`]) that passes in the chosen colours, else the
/// unsquared drawing in the least contrast that passes, else the most squared one; an error
/// when even black ink fails.
pub fn settle(
    drawing: &Drawing,
    canvas: &Canvas,
    payload: &[u8],
    scan: Scan,
    seed: u64,
) -> Result<Settled, VerifyError> {
    let mut clock = Clock::default();
    let target = Target { payload, scan, seed };
    // Squarings that change nothing (a square look) are not tried twice.
    let mut drawings: Vec<(Squaring, Drawing)> = Vec::new();
    for squaring in Squaring::ALL {
        let squared = drawing.squared(squaring);
        if drawings.last().is_none_or(|(_, d)| d.tiles() != squared.tiles()) {
            drawings.push((squaring, squared));
        }
    }
    let chosen = canvas.palette.clone();
    let mut found = None;
    // Every drawing that failed as chosen, with how it failed.
    let mut failed = Vec::new();
    for (i, (_, squared)) in drawings.iter().enumerate() {
        let trial = Trial::new(Canvas { tiles: squared.tiles(), ..canvas.clone() }, &mut clock);
        let first = failed.last().map(|(_, _, e): &(usize, Trial, VerifyError)| Check::from(e));
        match trial.attempt(chosen.clone(), &mut clock, &target, first, false) {
            (rgba, Ok(quirc)) => {
                found = Some((i, Contrast::NONE, rgba, quirc, Why::AsChosen));
                break;
            }
            // Shown as other text: the character set, which no shape or colour changes.
            (_, Err(e @ VerifyError::OtherText(_))) => return Err(e),
            (_, Err(e)) => failed.push((i, trial, e)),
        }
    }
    // No squaring passed in the chosen colours, so squares alone do not help: colours move on
    // the drawing as the look draws it; only if even black fails there is the most squared
    // drawing searched too.
    let (i, contrast, rgba, checked, why) = match found {
        Some(found) => found,
        None => {
            let mut outcome = None;
            let (first, last) = (failed.first(), failed.last().filter(|_| failed.len() > 1));
            for (i, trial, e) in first.into_iter().chain(last) {
                match least_contrast(trial, &chosen, e.clone(), &mut clock, &target) {
                    Ok((contrast, rgba, quirc, why)) => {
                        outcome = Some(Ok((*i, contrast, rgba, quirc, why)));
                        break;
                    }
                    Err(e) => outcome = Some(Err(e)),
                }
            }
            outcome.expect("at least one drawing is tried")?
        }
    };
    let quirc_family = clock.verify(|| match checked {
        Quirc::Reading(reading) => reading.answer(),
        Quirc::Unread(image) => QuircReading::start(greys(&image), payload).answer(),
    });
    // What the look's own shapes failed, when some were squared.
    let needed_by = failed.first().filter(|_| i > 0).map(|(_, _, e)| Check::from(e));
    drop(failed);
    let (squaring, drawing) = drawings.swap_remove(i);
    let shapes = Shapes { squaring, needed_by };
    let palette = chosen.at(contrast);
    let colours = choices(&chosen, &palette, why);
    Ok(Settled { drawing, shapes, palette, rgba, quirc_family, colours, render: clock.render, verify: clock.verify })
}

/// Whether quirc's family reads the drawing that passed: reported, not required, so read only
/// for the drawing returned.
enum Quirc {
    Reading(QuircReading),
    /// Not read yet: the image the checks read.
    Unread(RgbImage),
}

/// The least contrast with which `trial` passes (bisection between its weakest ink's and
/// black), `failed` being how it failed as chosen. A step makes only the reading that failed
/// last (most steps of a search fail it or pass it again); the contrast found is then checked
/// in full, and if another reading fails there, the search goes on above it for that one.
fn least_contrast(
    trial: &Trial,
    chosen: &Palette,
    failed: VerifyError,
    clock: &mut Clock,
    target: &Target,
) -> Result<(Contrast, RgbaImage, Quirc, Why), VerifyError> {
    let (mut lo, mut hi) = (weakest_contrast(chosen), 1.0f32);
    let mut needed_by = Check::from(&failed);
    // Each reading that fails can restart the search once; four readings bound it.
    for _ in 0..4 {
        for _ in 0..SEARCH_STEPS {
            let mid = (lo + hi) / 2.0;
            match trial.passes(chosen.at(Contrast::uniform(mid)), clock, target, needed_by) {
                Ok(()) => hi = mid,
                Err(e) => (lo, needed_by) = (mid, Check::from(&e)),
            }
        }
        // At `hi == 1`: black on a background light enough for it, and if that fails, nothing
        // will.
        match trial.attempt(chosen.at(Contrast::uniform(hi)), clock, target, Some(needed_by), true) {
            (rgba, Ok(quirc)) => {
                return Ok((Contrast::uniform(hi), rgba, quirc, Why::Contrast { needed: hi, check: needed_by }))
            }
            (_, Err(e)) if hi >= 1.0 => return Err(e),
            (_, Err(e)) => (lo, hi, needed_by) = (hi, 1.0, Check::from(&e)),
        }
    }
    match trial.attempt(chosen.at(Contrast::uniform(1.0)), clock, target, Some(needed_by), true) {
        (rgba, Ok(quirc)) => Ok((Contrast::uniform(1.0), rgba, quirc, Why::Contrast { needed: 1.0, check: needed_by })),
        (_, Err(e)) => Err(e),
    }
}

/// The least contrast any ink has as chosen: asking for less changes nothing.
fn weakest_contrast(palette: &Palette) -> f32 {
    let bg = palette.background_luma();
    let lightest =
        |part: Part| palette.fill_of(part).0.colours().into_iter().map(crate::colour::luma).fold(0.0, f32::max);
    let weakest = [Part::Data, Part::Ring, Part::Centre].map(|p| bg - lightest(p)).into_iter().fold(1.0, f32::min);
    weakest.clamp(0.0, 1.0)
}

/// Every chosen colour (each fill's colours, the background's too) and how it is drawn.
fn choices(chosen: &Palette, drawn: &Palette, why: Why) -> Vec<ColourChoice> {
    let mut out = Vec::new();
    for (name, part) in [("dots", Part::Data), ("corners-square", Part::Ring), ("corners-dot", Part::Centre)] {
        for c in chosen.fill_of(part).0.colours() {
            let d = drawn.correct(part, c);
            out.push(choice(name, c, d, why));
        }
    }
    if let (Background::Fill(from), Background::Fill(to)) = (chosen.chosen_background(), &drawn.background) {
        for (c, d) in from.colours().into_iter().zip(to.colours()) {
            out.push(choice("background", c, d, why));
        }
    }
    out
}

fn choice(part: &'static str, chosen: Rgb, drawn: Rgb, why: Why) -> ColourChoice {
    let why = if chosen == drawn { Why::AsChosen } else { why };
    ColourChoice { part, chosen, drawn, delta_e: delta_e(chosen, drawn), why }
}

/// Seconds spent painting and checking, summed over the tries.
#[derive(Default)]
struct Clock {
    render: f64,
    verify: f64,
}

impl Clock {
    fn render<T>(&mut self, f: impl FnOnce() -> T) -> T {
        let t = std::time::Instant::now();
        let out = f();
        self.render += t.elapsed().as_secs_f64();
        out
    }

    fn verify<T>(&mut self, f: impl FnOnce() -> T) -> T {
        let t = std::time::Instant::now();
        let out = f();
        self.verify += t.elapsed().as_secs_f64();
        out
    }
}

#[cfg(test)]
mod tests;
