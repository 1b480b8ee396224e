//! The published experiment's second metric: mean absolute pixel difference (0..1) between
//! our `gradient` output at one pixel per module and the reference styled image that Python
//! `qrcode` draws for the same module matrix (`lab/reference.py`).

use super::corpus::Case;
use image::RgbImage;
use qrveil_sdk::{encode, over_white, Drawing, Palette};
use qrveil_style::{clear, FixedModules, Preset, Readability, StyleId};
use serde::Serialize;

const HELPER: &str = include_str!("../../helpers/reference.py");
const QUIET_ZONE: u32 = 4;

#[derive(Clone, Serialize)]
pub struct ReferenceDiff {
    pub preset: &'static str,
    /// Codes compared.
    pub codes: usize,
    /// Mean over codes of the mean absolute difference per pixel and channel, 0..1.
    pub mean_diff: f64,
    /// The same leaving out the function patterns (finders, timing, alignment), which we draw
    /// with more contrast than the data on purpose (see `docs/readability.md`): what remains
    /// measures the data modules' colours and shapes alone.
    pub mean_diff_outside_function_patterns: f64,
    /// Outside the function patterns again, ours drawn uncorrected (the preset's own colours,
    /// no contrast asked): the colour correction taken out, what remains is the gradient
    /// formula and the geometry, which should agree to rounding.
    pub same_colours_mean_diff_outside_function_patterns: f64,
}

/// The case drawn at 1 px per module in `palette`, or, with a level, in the colours the SDK
/// settles on from it at that level.
fn ours(case: &Case, palette: Palette, level: Option<Readability>) -> Option<(u32, Vec<String>, RgbImage)> {
    let symbol = encode(&case.payload, case.ec, None).ok()?;
    let side = symbol.grid.side();
    let style = StyleId::Square.style().expect("a built-in style");
    let outputs = clear::evaluate(&style.server, &symbol.grid).ok()?;
    let drawing = Drawing::styled(style.geometry, &symbol.grid, &outputs).ok()?;
    let canvas = drawing.canvas(1, QUIET_ZONE, palette);
    let img = match level {
        Some(level) => over_white(&super::settled(&drawing, &canvas, &case.payload, &symbol.grid, level)?.rgba),
        None => canvas.to_image(),
    };
    let rows = symbol
        .grid
        .bits()
        .chunks(side as usize)
        .map(|r| r.iter().map(|&d| if d { '1' } else { '0' }).collect())
        .collect();
    Some((side, rows, img))
}

/// Mean absolute difference per channel (0..1) over the pixels `keep` accepts.
fn mean_abs_diff(a: &RgbImage, b: &RgbImage, keep: impl Fn(u32, u32) -> bool) -> Option<f64> {
    if a.dimensions() != b.dimensions() {
        return None;
    }
    let (mut sum, mut n) = (0u64, 0u64);
    for ((x, y, p), q) in a.enumerate_pixels().zip(b.pixels()) {
        if keep(x, y) {
            sum += p.0.iter().zip(q.0).map(|(u, v)| u.abs_diff(v) as u64).sum::<u64>();
            n += 3;
        }
    }
    Some(sum as f64 / (n.max(1) as f64 * 255.0))
}

/// Compare on the first `limit` cases, our colours at `level`; `Err` says why the reference
/// could not be drawn.
pub fn measure(cases: &[Case], preset: &Preset, level: Readability, limit: usize) -> Result<ReferenceDiff, String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let script = dir.path().join("reference.py");
    std::fs::write(&script, HELPER).map_err(|e| e.to_string())?;
    let mut jobs = String::new();
    let mut mine: Vec<(u32, RgbImage, RgbImage)> = Vec::new();
    let chosen = Palette::new(preset);
    for (i, case) in cases.iter().take(limit).enumerate() {
        let Some((side, rows, img)) = ours(case, chosen.clone(), Some(level)) else { continue };
        let Some((_, _, plain_colours)) = ours(case, chosen.clone(), None) else { continue };
        let (left, right, back) = (preset.left, preset.right, preset.background);
        let job = serde_json::json!({
            "modules": rows,
            "left": [left.0, left.1, left.2],
            "right": [right.0, right.1, right.2],
            "back": [back.0, back.1, back.2],
            "border": QUIET_ZONE,
            "out": dir.path().join(format!("ref-{i}.png")),
        });
        jobs.push_str(&job.to_string());
        jobs.push('\n');
        mine.push((side, img, plain_colours));
    }
    let cmd = ["python3".to_string(), script.display().to_string()];
    let (written, ok) = super::external::run_lines(&cmd, &jobs).ok_or("cannot run python3")?;
    if !ok || written.len() != mine.len() {
        return Err("Python qrcode could not draw the references (pip install \"qrcode[pil]\")".into());
    }
    let diffs: Vec<(f64, f64, f64)> = written
        .iter()
        .zip(&mine)
        .filter_map(|(path, (side, img, uncorrected))| {
            let reference = image::open(path).ok()?.to_rgb8();
            let fixed = FixedModules::for_side(*side);
            let outside = |x: u32, y: u32| {
                let (mx, my) = (x as i64 - QUIET_ZONE as i64, y as i64 - QUIET_ZONE as i64);
                let in_symbol = (0..*side as i64).contains(&mx) && (0..*side as i64).contains(&my);
                !in_symbol || fixed.get(mx, my).is_none()
            };
            Some((
                mean_abs_diff(img, &reference, |_, _| true)?,
                mean_abs_diff(img, &reference, outside)?,
                mean_abs_diff(uncorrected, &reference, outside)?,
            ))
        })
        .collect();
    if diffs.len() != mine.len() {
        return Err("a reference image differs in size from ours".into());
    }
    let mean = |f: fn(&(f64, f64, f64)) -> f64| diffs.iter().map(f).sum::<f64>() / diffs.len().max(1) as f64;
    Ok(ReferenceDiff {
        preset: preset.name,
        codes: diffs.len(),
        mean_diff: mean(|d| d.0),
        mean_diff_outside_function_patterns: mean(|d| d.1),
        same_colours_mean_diff_outside_function_patterns: mean(|d| d.2),
    })
}
