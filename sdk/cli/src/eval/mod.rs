//! `qrveil eval`: the readability lab. Every built-in style, simulated with the clear
//! evaluator (which the FHE evaluator matches exactly), over a fixed corpus, under camera-like
//! conditions, read by decoders nobody here wrote, against a plain black-on-white baseline of
//! the same payload under the same condition.
//!
//! Decoders so far: rqrr (in-process). zbar, zxing-cpp, OpenCV and ZXing Java, the FHE
//! sample, the reference diff and the gallery are to come (issue 3).

pub mod conditions;
pub mod corpus;

use clap::Args;
use conditions::{Condition, RENDER_PX};
use corpus::{corpus, Case};
use image::RgbImage;
use qrveil_function::recipe::{tiles, Tile};
use qrveil_function::styles::{Preset, PRESETS};
use qrveil_function::{clear, StyleId};
use qrveil_sdk::correct::correct;
use qrveil_sdk::qr::encode;
use qrveil_sdk::render::{Canvas, Palette};
use qrveil_sdk::verify::decode_all;
use qrveil_sdk::SdkError;
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

#[derive(Args)]
pub struct EvalArgs {
    /// Payloads in the corpus.
    #[arg(long, default_value_t = 1000)]
    count: usize,
    /// Seed of the corpus (and of the noise condition).
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Styles to measure, comma-separated [default: all].
    #[arg(long, value_delimiter = ',')]
    styles: Vec<String>,
    /// Colour preset for the styled codes.
    #[arg(long, default_value = "green-orange")]
    preset: String,
    /// Also write the results as JSON to this file.
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
}

/// The name the plain black-on-white baseline has in the results.
pub const PLAIN: &str = "plain";
const DECODER: &str = "rqrr";

#[derive(Serialize)]
struct Row {
    style: String,
    decoder: &'static str,
    condition: &'static str,
    decoded: usize,
    total: usize,
}

#[derive(Serialize)]
struct EvalReport {
    count: usize,
    seed: u64,
    render_px_per_module: u32,
    rows: Vec<Row>,
    /// Corpus entries (index, kind) the plain code does not decode on a clean render, per decoder.
    plain_unreadable: BTreeMap<&'static str, Vec<(usize, corpus::Kind)>>,
}

fn render(side: u32, tiles: &[Tile], palette: Palette) -> RgbImage {
    Canvas { side, tiles, module_px: RENDER_PX, quiet_zone: 4, palette }.to_image()
}

fn decodes(img: &RgbImage, payload: &[u8]) -> bool {
    decode_all(img).iter().any(|r| r.as_deref() == Ok(payload))
}

/// Per case: (style or "plain", condition, decoded?).
fn evaluate_case(i: usize, case: &Case, styles: &[StyleId], preset: &Preset, seed: u64) -> Vec<(String, Condition, bool)> {
    let Ok(symbol) = encode(&case.payload, case.ec, None) else { return Vec::new() };
    let side = symbol.grid.side();
    let plain: Vec<Tile> = symbol.grid.bits().iter().map(|&d| if d { Tile::DARK } else { Tile::LIGHT }).collect();
    let mono = PRESETS.iter().find(|p| p.name == "mono").copied().unwrap_or_default();
    let mut images = vec![(PLAIN.to_string(), render(side, &plain, Palette::readable(&mono)))];
    for &id in styles {
        let style = id.style();
        let Ok(outputs) = clear::evaluate(&style.server, &symbol.grid) else { continue };
        let Ok(mut t) = tiles(style.geometry, side, &outputs) else { continue };
        correct(&mut t, &symbol.grid);
        images.push((id.name().to_string(), render(side, &t, Palette::readable(preset))));
    }
    let mut out = Vec::new();
    for condition in Condition::ALL {
        for (name, img) in &images {
            let seen = condition.apply(img, seed ^ i as u64);
            out.push((name.clone(), condition, decodes(&seen, &case.payload)));
        }
    }
    out
}

pub fn run(args: EvalArgs) -> Result<(), SdkError> {
    let invalid = |what, e: &dyn std::fmt::Display| SdkError::InvalidOption { what, detail: e.to_string() };
    let styles: Vec<StyleId> = if args.styles.is_empty() {
        StyleId::ALL.to_vec()
    } else {
        args.styles.iter().map(|s| s.parse::<StyleId>().map_err(|e| invalid("style", &e))).collect::<Result<_, _>>()?
    };
    let preset = args.preset.parse::<Preset>().map_err(|e| invalid("preset", &e))?;
    let cases = corpus(args.count, args.seed);
    eprintln!("evaluating {} payloads x {} styles + plain x {} conditions with rqrr...", cases.len(), styles.len(), Condition::ALL.len());
    let results: Vec<Vec<(String, Condition, bool)>> = cases
        .par_iter()
        .enumerate()
        .map(|(i, c)| evaluate_case(i, c, &styles, &preset, args.seed))
        .collect();

    let mut tally: BTreeMap<(String, Condition), (usize, usize)> = BTreeMap::new();
    let mut plain_unreadable = Vec::new();
    for (i, case_results) in results.iter().enumerate() {
        for (name, condition, ok) in case_results {
            let e = tally.entry((name.clone(), *condition)).or_default();
            e.0 += usize::from(*ok);
            e.1 += 1;
            if name == PLAIN && *condition == Condition::Clean && !ok {
                plain_unreadable.push((i, cases[i].kind));
            }
        }
    }
    let names: Vec<String> = std::iter::once(PLAIN.to_string()).chain(styles.iter().map(|s| s.name().to_string())).collect();
    print!("{}", markdown(&names, &tally));
    if !plain_unreadable.is_empty() {
        println!("\nplain codes rqrr cannot read even clean (index, kind): {plain_unreadable:?}");
    }
    if let Some(path) = args.json {
        let rows = tally
            .iter()
            .map(|((style, c), (ok, total))| Row { style: style.clone(), decoder: DECODER, condition: c.name(), decoded: *ok, total: *total })
            .collect();
        let report = EvalReport {
            count: cases.len(),
            seed: args.seed,
            render_px_per_module: RENDER_PX,
            rows,
            plain_unreadable: BTreeMap::from([(DECODER, plain_unreadable)]),
        };
        let json = serde_json::to_string_pretty(&report).map_err(|e| SdkError::Internal(e.to_string()))?;
        std::fs::write(&path, json + "\n").map_err(|e| SdkError::Output { path: path.display().to_string(), detail: e.to_string() })?;
    }
    Ok(())
}

/// Style × condition → decode rate with counts, for one decoder.
fn markdown(names: &[String], tally: &BTreeMap<(String, Condition), (usize, usize)>) -> String {
    let mut s = format!("decoder: {DECODER}\n\n| style |");
    for c in Condition::ALL {
        let _ = write!(s, " {} |", c.name());
    }
    s.push_str("\n|---|");
    s.push_str(&"---|".repeat(Condition::ALL.len()));
    s.push('\n');
    for name in names {
        let _ = write!(s, "| {name} |");
        for c in Condition::ALL {
            let (ok, total) = tally.get(&(name.clone(), c)).copied().unwrap_or_default();
            let rate = if total > 0 { 100.0 * ok as f64 / total as f64 } else { 0.0 };
            let _ = write!(s, " {rate:.1}% ({ok}/{total}) |");
        }
        s.push('\n');
    }
    s
}
