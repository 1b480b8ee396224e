//! `qrveil-lab scan`: the phone check's calibration. Plain codes of the corpus (black on
//! white, as the SDK draws them for its checks: 8 px per module, a 4-module quiet zone) meet
//! the SDK's own capture ([`qrveil_sdk::capture`]) at a ladder of strengths, each code with its
//! own seed, as the SDK checks it; the share that both judges read is printed per strength with
//! the strongest at which 100%, 97% and 90% of them still read: the scans the readability
//! levels name ([`Scan`]). Every decoder in the SDK's list is reported too.

use crate::eval::corpus::corpus;
use crate::eval::plain_palette;
use crate::{write_json, LabError};
use clap::Args;
use qrveil_sdk::capture::{capture, seed_of, Scan};
use qrveil_sdk::{encode, greys, Decoder, Drawing};
use rayon::prelude::*;
use serde::Serialize;
use std::path::PathBuf;

#[derive(Args)]
pub struct ScanArgs {
    /// Payloads in the corpus (versions 1-40 and EC levels L-H vary with them).
    #[arg(long, default_value_t = 300)]
    count: usize,
    /// Seed of the corpus.
    #[arg(long, default_value_t = 2026)]
    seed: u64,
    /// Capture strengths to measure, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "0.25,0.5,0.75,1,1.25,1.5,1.75,2,2.25,2.5,3")]
    strengths: Vec<f32>,
    /// Also write the figures as JSON to this file.
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
}

/// Pixels per module and quiet zone of the drawings checked: the SDK's verification minimum.
const MODULE_PX: u32 = qrveil_sdk::VERIFY_MIN_MODULE_PX;
const QUIET_ZONE: u32 = 4;

#[derive(Serialize)]
struct Step {
    strength: f32,
    codes: usize,
    /// Codes both judges read.
    judges: usize,
    /// Codes each decoder read, in the SDK's list order.
    by_decoder: Vec<(&'static str, usize)>,
}

#[derive(Serialize)]
struct Calibration {
    count: usize,
    seed: u64,
    steps: Vec<Step>,
    /// The strength each scan uses today, and the share of plain codes both judges read there.
    scans: Vec<(&'static str, f32, f64)>,
}

pub fn run(args: ScanArgs) -> Result<(), LabError> {
    let cases = corpus(args.count, args.seed);
    let mut strengths = args.strengths.clone();
    for scan in Scan::ALL {
        if !strengths.contains(&scan.strength()) {
            strengths.push(scan.strength());
        }
    }
    strengths.sort_by(f32::total_cmp);
    eprintln!("scan: {} plain codes x {} strengths, read by {:?}...", cases.len(), strengths.len(), Decoder::ALL);
    // Per code: its version and, for each strength, what each decoder read.
    let coded: Vec<(u8, Vec<[bool; Decoder::ALL.len()]>)> = cases
        .par_iter()
        .filter_map(|case| {
            let symbol = encode(&case.payload, case.ec, None).ok()?;
            let img = Drawing::plain(&symbol.grid).canvas(MODULE_PX, QUIET_ZONE, plain_palette()).to_image();
            let seed = seed_of(&symbol.grid);
            let read = strengths
                .iter()
                .map(|&s| {
                    let seen = greys(&capture(&img, MODULE_PX as f32, s, seed));
                    Decoder::ALL.map(|d| d.reads(&seen, &case.payload))
                })
                .collect();
            Some((symbol.version, read))
        })
        .collect();
    print_by_version(&coded, &strengths);
    let reads: Vec<Vec<[bool; Decoder::ALL.len()]>> = coded.into_iter().map(|(_, r)| r).collect();
    let judges = |r: &[bool; Decoder::ALL.len()]| {
        Decoder::ALL.iter().zip(r).filter(|(d, _)| Decoder::JUDGES.contains(d)).all(|(_, &ok)| ok)
    };
    let steps: Vec<Step> = strengths
        .iter()
        .enumerate()
        .map(|(k, &strength)| Step {
            strength,
            codes: reads.len(),
            judges: reads.iter().filter(|r| judges(&r[k])).count(),
            by_decoder: Decoder::ALL
                .iter()
                .enumerate()
                .map(|(d, decoder)| (decoder.name(), reads.iter().filter(|r| r[k][d]).count()))
                .collect(),
        })
        .collect();
    print_steps(&steps);
    let share = |s: &Step| s.judges as f64 / s.codes.max(1) as f64;
    for (target, wanted) in [(1.0, "100%"), (0.97, ">= 97%"), (0.90, ">= 90%")] {
        // The strongest strength at which the share holds, and every weaker one holds it too.
        let held = steps.iter().take_while(|s| share(s) >= target).last();
        println!(
            "  strongest with {wanted} read by both judges: {}",
            held.map_or("none".into(), |s| format!("{}", s.strength))
        );
    }
    let scans = Scan::ALL
        .iter()
        .map(|scan| {
            let step = steps.iter().find(|s| s.strength == scan.strength());
            (scan.name(), scan.strength(), step.map_or(0.0, share))
        })
        .collect::<Vec<_>>();
    for (name, strength, read) in &scans {
        println!("  the SDK's {name} scan: strength {strength}, {:.1}% of plain codes read", 100.0 * read);
    }
    if let Some(path) = &args.json {
        write_json(path, &Calibration { count: reads.len(), seed: args.seed, steps, scans })?;
    }
    Ok(())
}

/// Both judges' share per group of versions and strength: where the misses are.
fn print_by_version(coded: &[(u8, Vec<[bool; Decoder::ALL.len()]>)], strengths: &[f32]) {
    let both = |r: &[bool; Decoder::ALL.len()]| r[..Decoder::JUDGES.len()].iter().all(|&ok| ok);
    println!("both judges, by version:");
    for (lo, hi) in [(1, 5), (6, 10), (11, 20), (21, 40)] {
        let group: Vec<_> = coded.iter().filter(|(v, _)| (lo..=hi).contains(v)).collect();
        if group.is_empty() {
            continue;
        }
        let shares: Vec<String> = (0..strengths.len())
            .map(|k| {
                format!("{:.0}%", 100.0 * group.iter().filter(|(_, r)| both(&r[k])).count() as f64 / group.len() as f64)
            })
            .collect();
        println!("  versions {lo}-{hi} ({} codes): {}", group.len(), shares.join(" "));
    }
}

fn print_steps(steps: &[Step]) {
    let names: Vec<&str> = Decoder::ALL.iter().map(|d| d.name()).collect();
    println!("| strength | both judges | {} |", names.join(" | "));
    println!("|---|---|{}", "---|".repeat(names.len()));
    for s in steps {
        let pct = |n: usize| format!("{:.1}%", 100.0 * n as f64 / s.codes.max(1) as f64);
        let each: Vec<String> = s.by_decoder.iter().map(|(_, n)| pct(*n)).collect();
        println!("| {} | {} | {} |", s.strength, pct(s.judges), each.join(" | "));
    }
}
