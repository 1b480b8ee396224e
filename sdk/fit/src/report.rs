//! The fit itself, step by step, and what it reports: the colour fields' error, the
//! (code, quarter) pairs no example showed, and how much of each example the fitted look
//! leaves unexplained (mean absolute pixel difference of its render against the example).

use crate::colour::{fit_fill, fit_fill_or_map, Fitted, Sample};
use crate::eyes::{fit_eyes, Seen};
use crate::grid::{plain_code, Grid};
use crate::model::{choose_shapes, Model, ModelChoice};
use crate::tiles::{bilinear, in_pattern, ink_point, Colours, Coverage};
use crate::wide::ModuleCoverage;
use crate::{Example, FitError};
use image::RgbImage;
use qrveil_sdk::{Area, Contrast, Drawing, Fill, Palette, StyleDocument, StyleOptions};
use qrveil_style::{clear, FixedModules, ModuleGrid, Readability};
use rayon::prelude::*;

#[derive(Clone, Debug, Default)]
pub struct FitOptions {
    /// The look's name in the document.
    pub name: Option<String>,
    /// The readability level the document asks for.
    pub readability: Readability,
    /// Which model to fit.
    pub model: Model,
}

/// How far a fit has come, for a progress bar.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Grids found and modules read.
    Reading {
        done: usize,
        total: usize,
    },
    Learning {
        done: usize,
        total: usize,
    },
    /// Examples drawn with the fitted look and compared.
    Checking {
        done: usize,
        total: usize,
    },
}

/// How well one example is explained.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ExampleFit {
    pub name: String,
    pub modules: u32,
    pub module_px: f32,
    /// Mean absolute difference, 0..1 per channel, between the example and the fitted look's
    /// render of its modules, on the example's own pixels (at any module size).
    pub residual: Option<f32>,
}

pub struct FitReport {
    pub document: StyleDocument,
    pub examples: Vec<ExampleFit>,
    /// The colour fields' root-mean-square error, 0..255.
    pub ink_rms: f32,
    pub background_rms: f32,
    /// (code, quarter) pairs no example showed, drawn as a plain module's quarter.
    pub unseen: Vec<(usize, usize)>,
    pub model: ModelChoice,
}

/// Below this many pixels per module, the ink's colour is read where shapes are fullest.
const SMALL_MODULE_PX: f32 = 6.0;
/// Enclosed dark modules over all examples needed to read the ink from them alone.
const MIN_ENCLOSED: usize = 200;

/// Examples worked on side by side between progress reports (and merged in order).
pub(crate) const BATCH: usize = 8;

/// Modules whose centre reads otherwise in the styled image than in the plain one, beyond
/// which a pair is taken for two different codes.
const DISAGREEMENT: f32 = 0.03;

/// An example whose shapes deviate this much more than the median's is not the same look
/// (anti-aliasing and JPEG leave every example some deviation).
fn inconsistent(deviation: f32, median: f32) -> bool {
    deviation > (3.0 * median).max(0.02)
}

pub(crate) struct Read<'a> {
    pub example: &'a Example,
    pub grid: Grid,
    pub modules: ModuleGrid,
}

/// Fit one look from `examples`.
pub fn fit(
    examples: &[Example],
    options: &FitOptions,
    progress: &mut dyn FnMut(Progress),
) -> Result<FitReport, FitError> {
    let total = examples.len();
    let mut read = Vec::with_capacity(total);
    for batch in examples.chunks(BATCH) {
        let batch: Vec<Read> = batch.par_iter().map(read_example).collect::<Result<_, _>>()?;
        read.extend(batch);
        progress(Progress::Reading { done: read.len(), total });
    }
    let (ink, area, background) = colour_fields(&read)?;
    let seen: Vec<Seen> = read.iter().map(|r| Seen { img: &r.example.styled, grid: r.grid, area }).collect();
    let eyes = fit_eyes(&seen, &ink.fill, &background.fill);
    let mut coverage = Coverage::default();
    let wants_wide = options.model != Model::Vertex;
    let mut wide = wants_wide.then(ModuleCoverage::default);
    // Each example's sums on its own thread, added in the examples' order: the same result
    // on any number of cores.
    let mut done = 0;
    for batch in read.chunks(BATCH) {
        let sums: Vec<(Coverage, Option<ModuleCoverage>)> = batch
            .par_iter()
            .map(|r| {
                let colours = colours_of(&ink.fill, area, &background.fill, r);
                check_agreement(r, &colours)?;
                let mut c = Coverage::default();
                c.add(&r.example.styled, &r.modules, &colours);
                let w = wants_wide.then(|| {
                    let mut w = ModuleCoverage::default();
                    w.add(&r.example.styled, &r.modules, &colours);
                    w
                });
                Ok::<_, FitError>((c, w))
            })
            .collect::<Result<_, _>>()?;
        for (c, w) in &sums {
            coverage.merge(c);
            if let (Some(wide), Some(w)) = (wide.as_mut(), w) {
                wide.merge(w);
            }
        }
        done += batch.len();
        progress(Progress::Learning { done, total });
    }
    let deviations: Vec<f32> = read
        .par_iter()
        .map(|r| coverage.deviation(&r.example.styled, &r.modules, &colours_of(&ink.fill, area, &background.fill, r)))
        .collect();
    let mut sorted = deviations.clone();
    sorted.sort_by(f32::total_cmp);
    if let Some(&median) = sorted.get(sorted.len() / 2).filter(|_| sorted.len() >= 3) {
        if let Some((r, d)) = read.iter().zip(&deviations).find(|(_, &d)| inconsistent(d, median)) {
            let detail = format!(
                "its shapes differ from the mean of all examples by {d:.3} per sample, against a median of {median:.3}: is it a different look from the others?"
            );
            return Err(FitError::Example { name: r.example.name.clone(), detail });
        }
    }
    let colours = (&ink.fill, area, &background.fill);
    let (model, document, examples, unseen) =
        choose_shapes(&read, options, colours, &eyes, &coverage, wide.as_ref(), progress)?;
    Ok(FitReport { document, examples, ink_rms: ink.rms, background_rms: background.rms, unseen, model })
}

fn read_example(example: &Example) -> Result<Read<'_>, FitError> {
    let (grid, modules) = plain_code(&example.plain, &example.name)?;
    let (pw, ph) = example.plain.dimensions();
    let (sw, sh) = example.styled.dimensions();
    let scale = sw as f32 / pw as f32;
    if (sh as f32 / ph as f32 - scale).abs() > 0.01 * scale {
        let detail = format!("the styled image is {sw}x{sh} px and the plain one {pw}x{ph}: not the same picture");
        return Err(FitError::Example { name: example.name.clone(), detail });
    }
    Ok(Read { example, grid: grid.scaled(scale), modules })
}

/// The ink's colour field from dark module centres, laid over the symbol or over the image,
/// whichever explains them better (python-qrcode's masks span the image, so a fill over the
/// symbol would shift with the version); the background's from light module centres and the
/// quiet zone, over the image.
///
/// Where modules are a few pixels wide, a small dot's centre pixel is part background
/// (anti-aliased): the ink is then read from the dark modules whose four sides are dark too,
/// which every look that grows or joins shapes with their neighbours draws fullest, when the
/// examples hold enough of them.
fn colour_fields(read: &[Read]) -> Result<(Fitted, Area, Fitted), FitError> {
    let small = read.iter().any(|r| r.grid.module < SMALL_MODULE_PX);
    let enclosed = |r: &Read, mx: i64, my: i64| {
        [(0, -1), (-1, 0), (1, 0), (0, 1)].iter().all(|&(dx, dy)| r.modules.is_dark(mx + dx, my + dy))
    };
    let enclosed_count: usize = if small {
        read.iter()
            .map(|r| {
                let n = r.modules.side() as i64;
                (0..n * n).filter(|i| r.modules.is_dark(i % n, i / n) && enclosed(r, i % n, i / n)).count()
            })
            .sum()
    } else {
        0
    };
    let only_enclosed = small && enclosed_count >= MIN_ENCLOSED;
    let (mut symbol, mut image, mut background) = (Vec::new(), Vec::new(), Vec::new());
    for r in read {
        let n = r.modules.side() as i64;
        let alignment = FixedModules::for_side(r.modules.side()).alignment_centres();
        let size = r.example.styled.dimensions();
        let (w, h) = (size.0 as f32, size.1 as f32);
        for my in -2..n + 2 {
            for mx in -2..n + 2 {
                let (px, py) = r.grid.pixel(mx as f32 + 0.5, my as f32 + 0.5);
                if !(0.0..w).contains(&px) || !(0.0..h).contains(&py) {
                    continue;
                }
                let rgb = bilinear(&r.example.styled, px, py);
                if !r.modules.is_dark(mx, my) {
                    background.push(Sample { x: px / w, y: py / h, rgb });
                } else if !in_pattern(r.modules.side(), &alignment, mx, my) && (!only_enclosed || enclosed(r, mx, my)) {
                    // Finder and alignment patterns may have their own colours (eyes.rs).
                    for (area, samples) in [(Area::Symbol, &mut symbol), (Area::Image, &mut image)] {
                        let (x, y) = ink_point(area, &r.grid, size, px, py);
                        samples.push(Sample { x, y, rgb });
                    }
                }
            }
        }
    }
    let none = |what: &str| FitError::Colours(format!("no {what} colour could be fitted"));
    let over_symbol = fit_fill_or_map(&symbol).ok_or_else(|| none("ink"))?;
    let over_image = fit_fill_or_map(&image).ok_or_else(|| none("ink"))?;
    // The symbol, as qr-code-styling and the built-in documents lay fills, unless the image
    // explains the ink clearly better (a fifth less error, beyond rounding).
    let (ink, area) = if over_image.rms < 0.8 * over_symbol.rms - 0.1 {
        (over_image, Area::Image)
    } else {
        (over_symbol, Area::Symbol)
    };
    let background = fit_fill(&background).ok_or_else(|| none("background"))?;
    Ok((ink, area, background))
}

fn colours_of<'a>(ink: &'a Fill, area: Area, background: &'a Fill, r: &Read) -> Colours<'a> {
    Colours { ink, background, area, grid: r.grid, size: r.example.styled.dimensions() }
}

/// Refuse a pair whose styled image shows other modules than its plain one. The finder
/// patterns are left out: round rings leave their corner modules bare (`eyes` learns them).
fn check_agreement(r: &Read, colours: &Colours) -> Result<(), FitError> {
    let n = r.modules.side() as i64;
    let in_finder = |mx: i64, my: i64| (mx < 7 || mx >= n - 7) && my < 7 || (mx < 7 && my >= n - 7);
    let wrong = (0..n * n)
        .filter(|i| {
            let (mx, my) = (i % n, i / n);
            if in_finder(mx, my) {
                return false;
            }
            let (px, py) = r.grid.pixel(mx as f32 + 0.5, my as f32 + 0.5);
            (colours.coverage(&r.example.styled, px, py) > 0.5) != r.modules.is_dark(mx, my)
        })
        .count();
    if wrong as f32 > DISAGREEMENT * (n * n) as f32 {
        let detail = format!("{wrong} of its {} modules read otherwise in the styled image than in the plain one: they must be the same symbol", n * n);
        return Err(FitError::Example { name: r.example.name.clone(), detail });
    }
    Ok(())
}

/// The example's modules drawn with the fitted look at its own size, against the example.
/// `exact_colours` as for [`draw`].
pub(crate) fn residual(document: &StyleDocument, r: &Read, exact_colours: bool) -> Result<Option<f32>, FitError> {
    let drawn = draw_like(document, r, exact_colours)?;
    Ok(Some(mean_difference(&drawn, &r.example.styled)))
}

/// Finest drawing a non-whole module size is resampled from, in pixels per module.
const MAX_DRAW_PX: f32 = 64.0;

/// The example's modules drawn with the fitted look on the example's own pixels: directly when
/// it is drawn on whole pixels per module, otherwise drawn finer (at least twice its module
/// size) and averaged over each of the example's pixels, as a renderer at a fractional scale
/// anti-aliases.
fn draw_like(document: &StyleDocument, r: &Read, exact_colours: bool) -> Result<RgbImage, FitError> {
    let (w, h) = r.example.styled.dimensions();
    if let Some((module_px, quiet_zone)) = r.grid.whole_pixels(w).filter(|_| w == h) {
        return draw(document, &r.modules, module_px, quiet_zone, exact_colours);
    }
    let g = r.grid;
    let k = (2.0 * g.module).ceil().clamp(2.0, MAX_DRAW_PX);
    let symbol = g.side as f32 * g.module;
    let margin = [g.left, g.top, w as f32 - g.left - symbol, h as f32 - g.top - symbol].into_iter().fold(0.0, f32::max);
    let quiet_zone = ((margin / g.module).ceil() as u32 + 1).min(40);
    let fine = draw(document, &r.modules, k as u32, quiet_zone, exact_colours)?;
    // Example pixel p covers module units [(p - origin) / module, (p + 1 - origin) / module),
    // fine pixels [(u + quiet_zone) * k, ...): the overlap of each fine pixel, per axis.
    let spans = |origin: f32, len: u32, fine_len: u32| -> Vec<Vec<(u32, f32)>> {
        (0..len)
            .map(|p| {
                let a = ((p as f32 - origin) / g.module + quiet_zone as f32) * k;
                let b = ((p as f32 + 1.0 - origin) / g.module + quiet_zone as f32) * k;
                let (first, last) = (a.floor().max(0.0) as u32, (b.ceil().max(0.0) as u32).min(fine_len));
                (first..last)
                    .map(|i| (i, (b.min(i as f32 + 1.0) - a.max(i as f32)).max(0.0)))
                    .filter(|&(_, weight)| weight > 0.0)
                    .collect()
            })
            .collect()
    };
    let (xs, ys) = (spans(g.left, w, fine.width()), spans(g.top, h, fine.height()));
    let background = *fine.get_pixel(0, 0);
    Ok(RgbImage::from_fn(w, h, |x, y| {
        let mut sum = [0f32; 3];
        let mut total = 0f32;
        for &(fy, wy) in &ys[y as usize] {
            for &(fx, wx) in &xs[x as usize] {
                let p = fine.get_pixel(fx, fy);
                for c in 0..3 {
                    sum[c] += wx * wy * p[c] as f32;
                }
                total += wx * wy;
            }
        }
        if total <= 0.0 {
            return background;
        }
        image::Rgb(sum.map(|s| (s / total).round() as u8))
    }))
}

/// A look's drawing of `modules`, as `qrveil TEXT --style-file` draws it (through the clear
/// evaluator, which the FHE tiers match exactly). With `exact_colours` the fitted colours are
/// drawn as they are, without the readability level's correction: what is left of a
/// difference then is the fit's own.
pub fn draw(
    document: &StyleDocument,
    modules: &ModuleGrid,
    module_px: u32,
    quiet_zone: u32,
    exact_colours: bool,
) -> Result<RgbImage, FitError> {
    let base = StyleOptions { module_px, quiet_zone, ..StyleOptions::default() };
    let opts = document.options(&base)?;
    let look = opts.render_options();
    let palette = match opts.colours.clone().filter(|_| exact_colours) {
        Some(c) => Palette::of(c.dots, c.rings, c.centres, c.background, c.area, Contrast { data: 0.0, patterns: 0.0 }),
        None => look.palette,
    };
    let style = opts.resolved()?;
    let internal = |e: String| FitError::Colours(e);
    let outputs = clear::evaluate(&style.server, modules).map_err(|e| internal(e.to_string()))?;
    let drawing = Drawing::styled(style.geometry, modules, &outputs).map_err(|e| internal(e.to_string()))?;
    let canvas = qrveil_sdk::Canvas {
        patterns: look.patterns,
        fitted: look.fitted.as_deref(),
        ..drawing.canvas(module_px, quiet_zone, palette)
    };
    Ok(canvas.to_image())
}

/// Mean absolute difference per channel, 0..1 (the published experiment's reference diff).
pub fn mean_difference(a: &RgbImage, b: &RgbImage) -> f32 {
    let sum: u64 = a.as_raw().iter().zip(b.as_raw()).map(|(&x, &y)| (x as i32 - y as i32).unsigned_abs() as u64).sum();
    sum as f32 / (255.0 * a.as_raw().len().max(1) as f32)
}

/// How `document` draws each example's symbol, against the example (for looks fitted on
/// other examples: the test half of a validation); `exact_colours` as for [`draw`].
pub fn compare(
    document: &StyleDocument,
    examples: &[Example],
    exact_colours: bool,
) -> Result<Vec<(ExampleFit, Option<RgbImage>)>, FitError> {
    let mut out = Vec::with_capacity(examples.len());
    for example in examples {
        let r = read_example(example)?;
        let drawn = Some(draw_like(document, &r, exact_colours)?);
        let residual = drawn.as_ref().map(|d| mean_difference(d, &example.styled));
        let fit =
            ExampleFit { name: example.name.clone(), modules: r.modules.side(), module_px: r.grid.module, residual };
        out.push((fit, drawn));
    }
    Ok(out)
}
