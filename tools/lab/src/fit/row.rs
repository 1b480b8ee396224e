//! One look of the fit lab: examples drawn by python-qrcode or qr-code-styling, the fit, and its
//! test codes.

use super::peer::{Peer, PeerLook};
use crate::eval::external::External;
use crate::eval::InProcess;
use crate::LabError;
use qrveil_fit::{compare, fit, grid::plain_code, load_examples, FitOptions, Model};
use qrveil_sdk::{expand_server_keys, round_trip, Keys, OnTier, StyleOptions};
use qrveil_style::{clear, cost, FixedModules, Plan, Readability, ServerProgram, Tier};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

const EXAMPLES_PY: &str = include_str!("../../../fit/examples.py");
/// The experiment's protocol enlarges its one-pixel-per-module images this much, nearest
/// neighbour, before decoding.
const EXPERIMENT_ENLARGE: u32 = 10;

pub struct FitCase {
    pub name: String,
    pub drawer: String,
    pub mask: String,
    pub fit_versions: String,
    pub test_versions: String,
    pub box_size: u32,
    pub experiment: bool,
    /// Test codes to evaluate under FHE.
    pub fhe_codes: usize,
    /// Drawn by qr-code-styling (with `drawer` its dot type), not python-qrcode.
    pub peer: Option<PeerLook>,
}

#[derive(Serialize)]
pub struct Row {
    pub look: String,
    pub experiment: bool,
    pub fit_seconds: f64,
    /// The fitted ink fill and its error (0..255).
    pub ink: String,
    pub ink_rms: f32,
    /// Mean reference diff over the examples fitted on.
    pub fit_residual: f32,
    pub test_codes: usize,
    /// Reference diff (mean absolute pixel difference, 0..1) of the test codes.
    pub test_residual_mean: f32,
    pub test_residual_worst: f32,
    /// The same with the fitted colours drawn exactly, without the readability level's
    /// correction: the fit's own difference.
    pub test_residual_exact_colours: f32,
    /// The same (at the level) over the data modules only: outside the finder, timing and
    /// alignment patterns, which every look draws square (python-qrcode draws timing and
    /// alignment with its module drawer).
    pub test_residual_data_modules: f32,
    /// Test codes each decoder read as exactly their payload.
    pub read: BTreeMap<String, usize>,
    /// The shape model the fit chose (vertex or wide), the tier it runs on, and its PBS for a
    /// version-1 code.
    pub model: &'static str,
    /// A wide model's summary of the neighbours and its classes.
    pub wide_summary: Option<&'static str>,
    pub wide_classes: Option<usize>,
    pub tier: Tier,
    pub pbs_v1: u64,
    /// The finder ring and centre types the fit learned, and whether they are the ones the
    /// peer drew (qr-code-styling looks only).
    pub rings: String,
    pub centres: String,
    pub eyes_as_drawn: Option<bool>,
    /// Test codes evaluated under FHE on the look's tier, and how many of them gave exactly
    /// the clear evaluation's outputs.
    pub fhe_checked: usize,
    pub fhe_equal: usize,
    /// Mean server seconds per test code (expand, evaluate, pack) on this machine.
    pub server_seconds: f64,
}

/// Write examples with tools/fit/examples.py, or qr-code-styling's for a peer look; their
/// payloads by name.
fn examples(
    dir: &Path,
    look: &FitCase,
    peer: Option<&Peer>,
    versions: &str,
    seed: u32,
    count: usize,
) -> Result<HashMap<String, String>, LabError> {
    let index = dir.join(format!("payloads-{seed}.txt"));
    let out = dir.join(format!("set-{seed}"));
    if let Some(drawn) = &look.peer {
        let peer = peer.ok_or_else(|| LabError::Check("qr-code-styling is not prepared".into()))?;
        peer.examples(&out, &index, &look.drawer, drawn, versions, seed, count)?;
        let text = std::fs::read_to_string(&index)?;
        return Ok(text
            .lines()
            .filter_map(|l| l.split_once('\t'))
            .map(|(n, p)| (n.to_string(), p.to_string()))
            .collect());
    }
    let script = dir.join("examples.py");
    std::fs::write(&script, EXAMPLES_PY)?;
    let status = Command::new("python3")
        .arg(&script)
        .arg(&out)
        .args(["--drawer", &look.drawer, "--mask", &look.mask, "--versions", versions])
        .args(["--count", &count.to_string(), "--seed", &seed.to_string(), "--box-size", &look.box_size.to_string()])
        .arg("--payloads")
        .arg(&index)
        .status()?;
    if !status.success() {
        return Err(LabError::Check("python-qrcode could not draw the examples (pip install \"qrcode[pil]\")".into()));
    }
    let text = std::fs::read_to_string(&index)?;
    Ok(text.lines().filter_map(|l| l.split_once('\t')).map(|(n, p)| (n.to_string(), p.to_string())).collect())
}

pub fn measure(
    look: &FitCase,
    count: usize,
    readability: Readability,
    keys: &Keys,
    external: &mut External,
    peer: Option<&Peer>,
) -> Result<Row, LabError> {
    let dir = tempfile::tempdir()?;
    examples(dir.path(), look, peer, &look.fit_versions, 1, count)?;
    let payloads = examples(dir.path(), look, peer, &look.test_versions, 2, count)?;
    let check = |e: qrveil_fit::FitError| LabError::Check(format!("{}: {e}", look.name));
    let train = load_examples(&dir.path().join("set-1")).map_err(check)?;
    let t = Instant::now();
    let options = FitOptions { name: Some(look.name.clone()), readability, model: Model::Auto };
    let report = fit(&train, &options, &mut |_| {}).map_err(check)?;
    let fit_seconds = t.elapsed().as_secs_f64();
    let residuals: Vec<f32> = report.examples.iter().filter_map(|e| e.residual).collect();
    let test = load_examples(&dir.path().join("set-2")).map_err(check)?;
    let compared = compare(&report.document, &test, false).map_err(check)?;
    let exact: Vec<f32> =
        compare(&report.document, &test, true).map_err(check)?.iter().filter_map(|(f, _)| f.residual).collect();
    let mut read: BTreeMap<String, usize> = BTreeMap::new();
    let mut paths: Vec<PathBuf> = Vec::new();
    let mut expected: Vec<Vec<u8>> = Vec::new();
    let mut test_residuals = Vec::new();
    let mut data_residuals = Vec::new();
    for (i, ((fitted, drawn), example)) in compared.iter().zip(&test).enumerate() {
        let (Some(drawn), Some(payload)) = (drawn, payloads.get(&fitted.name)) else { continue };
        test_residuals.push(fitted.residual.unwrap_or(1.0));
        data_residuals.push(data_difference(drawn, example)?);
        let shown = if look.experiment {
            let (w, h) = drawn.dimensions();
            image::imageops::resize(
                drawn,
                w * EXPERIMENT_ENLARGE,
                h * EXPERIMENT_ENLARGE,
                image::imageops::FilterType::Nearest,
            )
        } else {
            drawn.clone()
        };
        let found = InProcess::read(&shown, payload.as_bytes());
        for name in InProcess::names() {
            *read.entry(name.into()).or_default() += usize::from(found.get(name) == Some(true));
        }
        let path = dir.path().join(format!("test-{i}.png"));
        shown.save(&path).map_err(|e| LabError::output(&path, e))?;
        paths.push(path);
        expected.push(payload.as_bytes().to_vec());
    }
    let found = external.decode(&paths);
    for decoder in ["zbar"] {
        let Some(results) = found.get(decoder) else { continue };
        let n = results.iter().zip(&expected).filter(|(r, p)| r.as_ref().is_some_and(|c| c.contains(p))).count();
        read.insert(decoder.into(), n);
    }
    let style = report.document.options(&StyleOptions::default())?.resolved()?;
    let (fhe_equal, server_seconds, tier) = fhe_check(keys, &style.server, &test, look.fhe_codes)?;
    let d = &report.document.dots_options;
    let eyes = (report.document.corners_square_options.kind.clone(), report.document.corners_dot_options.kind.clone());
    let eyes_as_drawn =
        look.peer.as_ref().map(|p| (p.rings.as_str(), p.centres.as_str()) == (&eyes.0[..], &eyes.1[..]));
    Ok(Row {
        rings: eyes.0,
        centres: eyes.1,
        eyes_as_drawn,
        look: look.name.clone(),
        experiment: look.experiment,
        fit_seconds,
        ink: d.fill_summary().unwrap_or_else(|| "-".into()),
        ink_rms: report.ink_rms,
        fit_residual: mean(&residuals),
        test_codes: test_residuals.len(),
        test_residual_mean: mean(&test_residuals),
        test_residual_worst: test_residuals.iter().copied().fold(0.0, f32::max),
        test_residual_exact_colours: mean(&exact),
        test_residual_data_modules: mean(&data_residuals),
        read,
        model: report.model.chosen,
        wide_summary: report.model.wide_summary.filter(|_| report.model.chosen == "wide"),
        wide_classes: report.model.wide_classes.filter(|_| report.model.chosen == "wide"),
        tier,
        pbs_v1: cost(&style.server, 21)?.chosen().pbs,
        fhe_checked: test.len().min(look.fhe_codes),
        fhe_equal,
        server_seconds,
    })
}

/// Mean absolute difference over the pixels of modules no function pattern holds.
fn data_difference(drawn: &image::RgbImage, example: &qrveil_fit::Example) -> Result<f32, LabError> {
    let (grid, modules) = plain_code(&example.plain, &example.name).map_err(|e| LabError::Check(e.to_string()))?;
    let fixed = FixedModules::for_side(modules.side());
    let (mut sum, mut n) = (0u64, 0u64);
    for ((x, y, p), q) in drawn.enumerate_pixels().zip(example.styled.pixels()) {
        let mx = ((x as f32 + 0.5 - grid.left) / grid.module).floor() as i64;
        let my = ((y as f32 + 0.5 - grid.top) / grid.module).floor() as i64;
        let side = modules.side() as i64;
        if (0..side).contains(&mx) && (0..side).contains(&my) && fixed.get(mx, my).is_none() {
            sum += p.0.iter().zip(q.0).map(|(a, b)| a.abs_diff(b) as u64).sum::<u64>();
            n += 3;
        }
    }
    Ok(sum as f32 / (255.0 * n.max(1) as f32))
}

fn mean(v: &[f32]) -> f32 {
    v.iter().sum::<f32>() / v.len().max(1) as f32
}

/// The first `codes` test symbols through FHE on the look's tier, against the clear evaluation.
fn fhe_check(
    keys: &Keys,
    server: &ServerProgram,
    test: &[qrveil_fit::Example],
    codes: usize,
) -> Result<(usize, f64, Tier), LabError> {
    let tier = Plan::of(server)?.tier();
    let expanded = match tier {
        Tier::Pbs => Some(expand_server_keys(keys)?),
        Tier::Linear => None,
    };
    let on = expanded.as_ref().map_or(OnTier::Linear, OnTier::Pbs);
    let (mut equal, mut seconds) = (0, 0.0);
    let checked = &test[..codes.min(test.len())];
    for example in checked {
        let (_, modules) = plain_code(&example.plain, &example.name).map_err(|e| LabError::Check(e.to_string()))?;
        let fhe = round_trip(keys, on, server, &modules)?;
        equal += usize::from(fhe.outputs == clear::evaluate(server, &modules)?);
        seconds += fhe.seconds.expand + fhe.seconds.evaluate + fhe.seconds.pack;
    }
    Ok((equal, seconds / checked.len().max(1) as f64, tier))
}

/// The model a row's fit chose, with what a wide one reads and its classes.
fn model_name(r: &Row) -> String {
    match (r.wide_summary, r.wide_classes) {
        (Some(summary), Some(classes)) => format!("{} ({summary}, {classes} classes)", r.model),
        _ => r.model.to_string(),
    }
}

pub fn print_row(r: &Row) {
    let read: Vec<String> = r.read.iter().map(|(d, n)| format!("{d} {n}")).collect();
    println!(
        "{:<28} {} model ({} tier, {} PBS at v1)  eyes {}/{}{}  fit {:>5.1} s  ink {} (rms {:.1})  diff fit {:.4} test {:.4} (worst {:.4}, exact colours {:.4}, data modules {:.4})  read of {}: {}  FHE = clear {}/{}  server {:.1} ms",
        r.look,
        model_name(r),
        r.tier,
        r.pbs_v1,
        r.rings,
        r.centres,
        match r.eyes_as_drawn {
            Some(true) => " (as drawn)",
            Some(false) => " (NOT as drawn)",
            None => "",
        },
        r.fit_seconds,
        r.ink,
        r.ink_rms,
        r.fit_residual,
        r.test_residual_mean,
        r.test_residual_worst,
        r.test_residual_exact_colours,
        r.test_residual_data_modules,
        r.test_codes,
        read.join(", "),
        r.fhe_equal,
        r.fhe_checked,
        r.server_seconds * 1e3
    );
}
