//! `qrveil-lab eval`: the readability lab. Every built-in style, simulated with the clear
//! evaluator (which the FHE evaluator matches exactly), over a fixed corpus, under camera-like
//! conditions, read by decoders nobody here wrote, against a plain black-on-white baseline of
//! the same payload under the same condition.
//!
//! Decoders: the SDK's own in-process (its judges rxing and zxing-cpp, and rqrr); zbar and OpenCV (Python packages) and ZXing Java
//! (Debian's jars) through [`external`]. [`fhe_sample`] checks on real ciphertexts that the
//! simulation stands for the FHE result. [`reference`] measures the gradient presets against
//! Python `qrcode`'s styled images, the published experiment's second metric.

pub mod conditions;
pub mod corpus;
pub mod external;
pub mod fhe_sample;
mod in_process;
mod output;
pub mod reference;
mod settling;

use crate::selection::{Drawn, Selection};
use crate::{write_json, LabError};
use clap::Args;
use conditions::{Condition, RENDER_PX};
use corpus::{corpus, Case};
use external::Found;
pub(crate) use in_process::InProcess;
use output::{contact_sheet, markdown};
use qrveil_style::spec::served_example;
pub use settling::settled;
use settling::{render, Moved, SettledLook, Settling, Styled};

use qrveil_sdk::{encode, Canvas, Drawing, Palette};

use qrveil_style::{clear, Preset, Readability, StyleId, PRESETS};
use rayon::prelude::*;
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct EvalArgs {
    /// Payloads in the corpus.
    #[arg(long, default_value_t = 1000)]
    count: usize,
    #[command(flatten)]
    select: Selection,
    /// Readability level of the styled codes' colours.
    #[arg(long, default_value = "balanced")]
    readability: String,
    /// Also write the results as JSON to this file.
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
    /// Write a PNG contact sheet of sample outputs (first payloads, clean and in perspective).
    #[arg(long, value_name = "PATH")]
    gallery: Option<PathBuf>,
    /// Payloads (the first of the corpus) to also evaluate under real FHE, every style, checking
    /// the outputs equal the simulation's. Uses your keys (generated if needed).
    #[arg(long, default_value_t = 2)]
    fhe_sample: usize,
    /// Key directory for --fhe-sample [default: as for making a code].
    #[arg(long)]
    key_dir: Option<PathBuf>,
}

/// The name the plain black-on-white baseline has in the results.
pub const PLAIN: &str = "plain";
/// Every decoder the lab asks: the SDK's own ([`InProcess`]: its judges, then rqrr), then
/// those in other processes ([`external`]).
pub(crate) fn decoders() -> Vec<&'static str> {
    InProcess::names().chain(external::PYTHON_DECODERS).chain([external::JAVA_DECODER]).collect()
}
/// Codes compared with Python qrcode's reference images, per preset.
const REFERENCE_CODES: usize = 200;
/// Cases rendered, written and decoded per batch (bounds disk and memory).
const BATCH: usize = 16;

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
    /// Decoders that could not run here, and how to install them.
    unavailable: Vec<String>,
    fhe_sample: Option<fhe_sample::FheSample>,
    /// `gradient` at 1 px per module vs Python qrcode's reference, per preset.
    reference_diff: Vec<reference::ReferenceDiff>,
    rows: Vec<Row>,
    /// Corpus entries (index, kind) the plain code does not decode on a clean render, per decoder.
    plain_unreadable: BTreeMap<&'static str, Vec<(usize, corpus::Kind)>>,
    /// Clean renders a decoder reads as plain but not styled: (decoder, style, index, kind).
    /// The product's promise says this list is empty.
    clean_misses: Vec<(&'static str, String, usize, corpus::Kind)>,
    /// Per look: how many codes the SDK settled each way at this level (see [`Settling`]).
    settled: BTreeMap<String, BTreeMap<String, usize>>,
}

/// Black on white: the baseline every styled code is measured against.
pub fn plain_palette() -> Palette {
    let mono = PRESETS.iter().find(|p| p.name == "mono").copied().unwrap_or_default();
    Palette::new(&mono)
}

/// One image a decoder is asked to read.
struct Seen {
    case: usize,
    name: String,
    condition: Condition,
    path: PathBuf,
    read: InProcess,
}

/// Render the plain code and every style for one case, apply every condition, decode with
/// rqrr, and write each image to `dir` for the external decoders.
fn evaluate_case(
    i: usize,
    case: &Case,
    looks: &[Drawn],
    palette: &Palette,
    level: Readability,
    seed: u64,
    dir: &Path,
) -> (Vec<Seen>, Vec<SettledLook>) {
    let Ok(symbol) = encode(&case.payload, case.ec, None) else { return Default::default() };
    let plain = Canvas { ..Drawing::plain(&symbol.grid).canvas(RENDER_PX, 4, plain_palette()) }.to_image();
    let mut images = vec![(PLAIN.to_string(), plain)];
    let code = Styled { grid: &symbol.grid, payload: &case.payload, level };
    let mut settled = Vec::new();
    for look in looks {
        let style = served_example(look.id);
        let Ok(outputs) = clear::evaluate(&style.server, &symbol.grid) else { continue };
        let Ok(drawing) = Drawing::styled(style.geometry, &symbol.grid, &outputs) else { continue };
        let (img, mut outcome) = render(&drawing, palette.clone(), look.patterns, &code);
        if outcome.how == Settling::Refused {
            outcome.how = larger(case, symbol.version, look, palette, level).unwrap_or(Settling::Refused);
        }
        settled.push((look.name(), outcome));
        images.push((look.name(), img));
    }
    let mut out = Vec::new();
    for condition in Condition::ALL {
        for (name, img) in &images {
            let seen = condition.apply(img, seed ^ i as u64);
            let path = dir.join(format!("{i}-{name}-{}.png", condition.name()));
            if seen.save(&path).is_err() {
                continue;
            }
            out.push(Seen {
                case: i,
                name: name.clone(),
                condition,
                path,
                read: InProcess::read(&seen, &case.payload),
            });
        }
    }
    (out, settled)
}

/// As the SDK does when no version is asked for: the first of the next versions whose code
/// passes the checks in this look.
fn larger(case: &Case, version: u8, look: &Drawn, palette: &Palette, level: Readability) -> Option<Settling> {
    (1..=qrveil_sdk::VERSION_STEPS).find_map(|step| {
        let symbol = encode(&case.payload, case.ec, Some(version.checked_add(step).filter(|v| *v <= 40)?)).ok()?;
        let style = served_example(look.id);
        let outputs = clear::evaluate(&style.server, &symbol.grid).ok()?;
        let drawing = Drawing::styled(style.geometry, &symbol.grid, &outputs).ok()?;
        let code = Styled { grid: &symbol.grid, payload: &case.payload, level };
        let (_, outcome) = render(&drawing, palette.clone(), look.patterns, &code);
        (outcome.how != Settling::Refused).then_some(Settling::Larger(step))
    })
}

/// Decode counts and the notable misses, accumulated batch by batch.
#[derive(Default)]
struct Tally {
    /// (decoder, code, condition) -> (decoded, total)
    counts: BTreeMap<(&'static str, String, Condition), (usize, usize)>,
    /// Per look: how many codes the SDK settled each way.
    settled: BTreeMap<String, BTreeMap<Settling, usize>>,
    /// Per look: the codes whose colours moved, and how far.
    moved: BTreeMap<String, Vec<Moved>>,
    plain_unreadable: BTreeMap<&'static str, Vec<(usize, corpus::Kind)>>,
    clean_misses: Vec<(&'static str, String, usize, corpus::Kind)>,
}

impl Tally {
    /// Count what every decoder read in one batch of images (`found`: the external ones).
    fn add(&mut self, seen: &[Seen], found: &Found, cases: &[Case]) {
        let read = |n: usize, decoder: &str| -> Option<bool> {
            let payload = &cases[seen[n].case].payload;
            seen[n]
                .read
                .get(decoder)
                .or_else(|| found.get(decoder).and_then(|f| f[n].as_ref()).map(|c| c.iter().any(|p| p == payload)))
        };
        for (n, s) in seen.iter().enumerate() {
            for decoder in decoders() {
                let Some(ok) = read(n, decoder) else { continue };
                let clean = s.condition == Condition::Clean;
                if s.name != PLAIN && clean && !ok {
                    let plain = seen
                        .iter()
                        .position(|p| p.case == s.case && p.name == PLAIN && p.condition == Condition::Clean);
                    if plain.and_then(|p| read(p, decoder)) == Some(true) {
                        self.clean_misses.push((decoder, s.name.clone(), s.case, cases[s.case].kind));
                    }
                }
                let e = self.counts.entry((decoder, s.name.clone(), s.condition)).or_default();
                e.0 += usize::from(ok);
                e.1 += 1;
                if s.name == PLAIN && clean && !ok {
                    self.plain_unreadable.entry(decoder).or_default().push((s.case, cases[s.case].kind));
                }
            }
        }
    }
}

pub fn run(args: EvalArgs) -> Result<(), LabError> {
    let styles = args.select.styles()?;
    let looks = args.select.looks()?;
    let preset = args.select.preset()?;
    let level = args.readability.parse::<Readability>()?;
    let mut external = external::External::prepare()?;
    let cases = corpus(args.count, args.select.seed);
    eprintln!(
        "evaluating {} payloads x ({} looks + plain) x {} conditions with {}...",
        cases.len(),
        looks.len(),
        Condition::ALL.len(),
        decoders().join(", ")
    );
    let tally = tally_corpus(&cases, &looks, (Palette::new(&preset), level), &args, &mut external)?;
    let fhe = fhe_sample(&args, &cases, &styles)?;
    let reference_diff = reference_diffs(&cases, level, &mut external)?;
    print_results(&tally, &looks, &external.missing);
    if let Some(path) = &args.json {
        let rows = tally
            .counts
            .iter()
            .map(|((decoder, style, c), (ok, total))| Row {
                style: style.clone(),
                decoder,
                condition: c.name(),
                decoded: *ok,
                total: *total,
            })
            .collect();
        let report = EvalReport {
            count: cases.len(),
            seed: args.select.seed,
            render_px_per_module: RENDER_PX,
            unavailable: external.missing.clone(),
            fhe_sample: fhe.clone(),
            reference_diff,
            rows,
            plain_unreadable: tally.plain_unreadable.clone(),
            clean_misses: tally.clean_misses.clone(),
            settled: tally
                .settled
                .iter()
                .map(|(look, counts)| (look.clone(), counts.iter().map(|(how, &n)| (how.name(), n)).collect()))
                .collect(),
        };
        write_json(path, &report)?;
    }
    match fhe {
        Some(f) if f.equal != f.checked => Err(LabError::Check(format!(
            "{} of {} FHE results differ from the simulation: the decode rates above do not stand for FHE",
            f.checked - f.equal,
            f.checked
        ))),
        _ => Ok(()),
    }
}

/// Render, degrade and decode the whole corpus in batches; the first batch feeds the gallery.
fn tally_corpus(
    cases: &[Case],
    looks: &[Drawn],
    (palette, level): (Palette, Readability),
    args: &EvalArgs,
    external: &mut external::External,
) -> Result<Tally, LabError> {
    let mut tally = Tally::default();
    for (b, batch) in cases.chunks(BATCH).enumerate() {
        let dir = tempfile::tempdir()?;
        let (seen, settled): (Vec<Vec<Seen>>, Vec<Vec<SettledLook>>) = batch
            .par_iter()
            .enumerate()
            .map(|(k, c)| evaluate_case(b * BATCH + k, c, looks, &palette, level, args.select.seed, dir.path()))
            .unzip();
        let seen: Vec<Seen> = seen.into_iter().flatten().collect();
        for (name, outcome) in settled.into_iter().flatten() {
            *tally.settled.entry(name.clone()).or_default().entry(outcome.how).or_default() += 1;
            tally.moved.entry(name).or_default().extend(outcome.moved);
        }
        if let (0, Some(path)) = (b, &args.gallery) {
            contact_sheet(&seen, &names_of(looks)).save(path).map_err(|e| LabError::output(path, e))?;
        }
        let paths: Vec<PathBuf> = seen.iter().map(|s| s.path.clone()).collect();
        tally.add(&seen, &external.decode(&paths), cases);
        eprintln!("  {} / {} payloads", (b * BATCH + batch.len()).min(cases.len()), cases.len());
    }
    Ok(tally)
}

/// The first `--fhe-sample` payloads under real FHE, if asked for.
fn fhe_sample(args: &EvalArgs, cases: &[Case], styles: &[StyleId]) -> Result<Option<fhe_sample::FheSample>, LabError> {
    if args.fhe_sample == 0 {
        return Ok(None);
    }
    eprintln!("checking {} payloads under real FHE...", args.fhe_sample);
    let key_dir = args.key_dir.clone().unwrap_or_else(qrveil_sdk::keys::default_key_dir);
    let (keys, _) = qrveil_sdk::keys::load_or_generate(&key_dir)?;
    let sample = fhe_sample::check(&keys, cases, styles, args.fhe_sample)?;
    println!(
        "FHE sample: {} of {} (payload, style) pairs equal to the simulation ({} PBS, {:.1} s)\n",
        sample.equal, sample.checked, sample.pbs, sample.seconds
    );
    Ok(Some(sample))
}

/// `gradient` against Python qrcode's reference, for both gradient presets.
fn reference_diffs(
    cases: &[Case],
    level: Readability,
    external: &mut external::External,
) -> Result<Vec<reference::ReferenceDiff>, LabError> {
    let mut diffs = Vec::new();
    for name in ["green-orange", "purple-violet"] {
        let preset = name.parse::<Preset>()?;
        match reference::measure(cases, &preset, level, REFERENCE_CODES) {
            Ok(d) => {
                println!(
                    "reference diff, gradient {name} vs Python qrcode (1 px/module, {} codes): {:.4} ({:.4} outside the function patterns; {:.4} there with ours uncorrected)",
                    d.codes, d.mean_diff, d.mean_diff_outside_function_patterns, d.same_colours_mean_diff_outside_function_patterns
                );
                diffs.push(d);
            }
            Err(e) => external.missing.push(format!("reference diff: {e}")),
        }
    }
    Ok(diffs)
}

fn print_results(tally: &Tally, looks: &[Drawn], missing: &[String]) {
    println!();
    let names = names_of(looks);
    for decoder in decoders() {
        if tally.counts.keys().any(|k| k.0 == decoder) {
            println!("{}", markdown(decoder, &names, &tally.counts));
        }
    }
    if !tally.clean_misses.is_empty() {
        println!("read as plain but not styled, clean (decoder, style, index, kind): {:?}", tally.clean_misses);
    }
    for (decoder, list) in &tally.plain_unreadable {
        println!("{decoder} cannot read these plain codes even clean (index, kind): {list:?}");
    }
    println!("how the SDK settled each code at this level (refused codes are drawn in black here):");
    for (look, counts) in &tally.settled {
        let counts: Vec<String> = counts.iter().map(|(how, n)| format!("{n} {}", how.name())).collect();
        println!("  {look}: {}", counts.join(", "));
        let moved = tally.moved.get(look).map(Vec::as_slice).unwrap_or_default();
        if !moved.is_empty() {
            let median = |f: fn(&Moved) -> f32| {
                let mut v: Vec<f32> = moved.iter().map(f).collect();
                v.sort_by(f32::total_cmp);
                v[v.len() / 2]
            };
            println!(
                "    colours moved in {} codes: median contrast needed {:.2}, median ΔE2000 of the most moved colour {:.1} (its nearest colour with that contrast)",
                moved.len(),
                median(|m| m.needed),
                median(|m| m.delta_e)
            );
        }
    }
    for m in missing {
        println!("not run: {m}");
    }
}

/// "plain" then the looks, in table order.
fn names_of(looks: &[Drawn]) -> Vec<String> {
    std::iter::once(PLAIN.to_string()).chain(looks.iter().map(Drawn::name)).collect()
}
