//! Logos: at every EC level, the largest logo qrveil allows against qr-code-styling's cap
//! (`floor(imageSize × EC% × count²)` modules, its `calculateImageSize` square, imageSize 0.4),
//! both drawn on the same `square` code and read clean by every decoder, beside the plain code.
//! Also counts how often the peer's square spoils more codewords of some Reed-Solomon block
//! than the block corrects (the map from `qrveil_sdk::CodewordMap`).

use crate::eval::corpus::corpus;
use crate::eval::external::External;
use crate::eval::{decoders, InProcess};
use crate::{write_json, LabError};
use clap::Args;
use image::{Rgba, RgbaImage};
use qrveil_sdk::{encode, Canvas, CodewordMap, Drawing, EcLevel, Logo, Palette};
use qrveil_style::{clear, StyleId, PRESETS};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Args)]
pub struct LogoArgs {
    /// Payloads, each drawn at every EC level.
    #[arg(long, default_value_t = 100)]
    count: usize,
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Also write the results as JSON to this file.
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
}

/// qr-code-styling's share of modules a logo may hide per EC level, times its default
/// imageSize 0.4.
fn peer_hidden_share(ec: EcLevel) -> f32 {
    0.4 * match ec {
        EcLevel::L => 0.07,
        EcLevel::M => 0.15,
        EcLevel::Q => 0.25,
        EcLevel::H => 0.30,
    }
}

/// The peer's logo side in modules: the largest odd square within its cap.
fn peer_side(side: u32, ec: EcLevel) -> u32 {
    let max_hidden = (peer_hidden_share(ec) * (side * side) as f32).floor();
    let k = max_hidden.sqrt().floor() as u32;
    let k = if k.is_multiple_of(2) { k.saturating_sub(1) } else { k };
    k.min(side.saturating_sub(14))
}

/// A logo as many are: a coloured disc with a dark centre, transparent around.
fn synthetic_logo() -> RgbaImage {
    RgbaImage::from_fn(96, 96, |x, y| {
        let d = ((x as f32 - 47.5).powi(2) + (y as f32 - 47.5).powi(2)).sqrt();
        Rgba(if d < 20.0 {
            [40, 40, 40, 255]
        } else if d < 46.0 {
            [255, 170, 0, 255]
        } else {
            [0, 0, 0, 0]
        })
    })
}

#[derive(Default, Serialize)]
struct Level {
    codes: usize,
    ours_size_mean: f32,
    peer_size_mean: f32,
    /// Codes where the peer's square spoils more codewords of some block than it corrects.
    peer_over_capacity: usize,
    /// Per decoder: (plain, ours, peer) codes read; and the peer's among those over capacity.
    read: BTreeMap<&'static str, (usize, usize, usize, usize)>,
}

#[derive(Serialize)]
struct Report {
    count: usize,
    seed: u64,
    levels: BTreeMap<String, Level>,
    unavailable: Vec<String>,
}

pub fn run(args: LogoArgs) -> Result<(), LabError> {
    let mut external = External::prepare()?;
    let dir = tempfile::tempdir()?;
    let cases = corpus(args.count, args.seed);
    let levels = [EcLevel::L, EcLevel::M, EcLevel::Q, EcLevel::H];
    let base = Logo::from_bytes(&png(&synthetic_logo())?)?;
    eprintln!("logos on {} payloads x 4 EC levels, plain / qrveil's largest / qr-code-styling's cap...", cases.len());
    // (level, over capacity, [plain, ours, peer] image paths and in-process reads, sizes, case)
    let drawn: Vec<_> = cases
        .par_iter()
        .enumerate()
        .flat_map_iter(|(i, case)| levels.map(|ec| (i, case, ec)))
        .filter_map(|(i, case, ec)| {
            let symbol = encode(&case.payload, ec, None).ok()?;
            let side = symbol.grid.side();
            let map = CodewordMap::new(symbol.version, ec)?;
            let ours = Logo { size: base.largest_size(&symbol), ..base.clone() };
            let peer = Logo { size: peer_side(side, ec) as f32 / side as f32, ..base.clone() };
            let hidden = peer.hidden(side);
            let damage = map.damage((0..side * side).filter(|&m| hidden[m as usize]).map(|m| (m % side, m / side)));
            let over = damage.iter().enumerate().any(|(b, &d)| d > map.capacity(b));
            let images = [None, Some(&ours), Some(&peer)].map(|logo| draw(&symbol.grid, &case.payload, logo));
            let mut seen = Vec::new();
            for (k, (img, read)) in images.into_iter().enumerate() {
                let path = dir.path().join(format!("{i}-{ec}-{k}.png"));
                img.save(&path).ok()?;
                seen.push((path, read));
            }
            Some((ec, over, seen, ours.size, peer.size, i))
        })
        .collect();
    let paths: Vec<PathBuf> = drawn.iter().flat_map(|d| d.2.iter().map(|(p, _)| p.clone())).collect();
    let found = external.decode(&paths);
    let mut report = Report { count: cases.len(), seed: args.seed, levels: BTreeMap::new(), unavailable: Vec::new() };
    for (n, (ec, over, seen, ours_size, peer_size, case)) in drawn.iter().enumerate() {
        let payload = &cases[*case].payload;
        let level = report.levels.entry(ec.to_string()).or_default();
        level.codes += 1;
        level.ours_size_mean += ours_size;
        level.peer_size_mean += peer_size;
        level.peer_over_capacity += usize::from(*over);
        for decoder in decoders() {
            let read = |k: usize| {
                seen[k].1.get(decoder).unwrap_or_else(|| {
                    found.get(decoder).and_then(|f| f.get(3 * n + k)?.as_ref()).is_some_and(|c| c.contains(payload))
                })
            };
            let e = level.read.entry(decoder).or_default();
            e.0 += usize::from(read(0));
            e.1 += usize::from(read(0) && read(1));
            e.2 += usize::from(read(0) && read(2));
            e.3 += usize::from(*over && read(0) && read(2));
        }
    }
    for level in report.levels.values_mut() {
        level.ours_size_mean /= level.codes.max(1) as f32;
        level.peer_size_mean /= level.codes.max(1) as f32;
    }
    report.unavailable = external.missing.clone();
    print(&report);
    if let Some(path) = &args.json {
        write_json(path, &report)?;
    }
    Ok(())
}

/// The `square` style of `grid`, clean, with `logo` if any: the image, and what the
/// in-process decoders read.
fn draw(grid: &qrveil_style::ModuleGrid, payload: &[u8], logo: Option<&Logo>) -> (image::RgbImage, InProcess) {
    let style = StyleId::Square.style().expect("a built-in style");
    let outputs = clear::evaluate(&style.server, grid).unwrap_or_default();
    let mut drawing = Drawing::plain(grid);
    if let (Ok(d), Some(l)) = (Drawing::styled(style.geometry, grid, &outputs), logo) {
        drawing = d;
        drawing.hide(&l.hidden(grid.side()));
    }
    let palette = Palette::new(&PRESETS[2]);
    let img = Canvas { logo, ..drawing.canvas(8, 4, palette) }.to_image();
    let read = InProcess::read(&img, payload);
    (img, read)
}

fn png(img: &RgbaImage) -> Result<Vec<u8>, LabError> {
    let mut out = Vec::new();
    img.write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .map_err(|e| LabError::Check(format!("cannot encode the synthetic logo: {e}")))?;
    Ok(out)
}

fn print(report: &Report) {
    println!("\n| EC | codes | qrveil size | peer size | peer over a block's capacity | decoder: plain / qrveil / peer (peer over capacity) |");
    println!("|---|---|---|---|---|---|");
    for (ec, l) in &report.levels {
        let reads: Vec<String> = l
            .read
            .iter()
            .map(|(d, (p, o, q, over))| format!("{d} {p} / {o} / {q} ({over} of {})", l.peer_over_capacity))
            .collect();
        println!(
            "| {ec} | {} | {:.2} | {:.2} | {} | {} |",
            l.codes,
            l.ours_size_mean,
            l.peer_size_mean,
            l.peer_over_capacity,
            reads.join("; ")
        );
    }
    for m in &report.unavailable {
        println!("not run: {m}");
    }
}
