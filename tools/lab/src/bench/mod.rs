//! `qrveil-lab bench`: where time and bytes go, per version and style, on the tier each style
//! runs on and, for comparison, for the same look on the PBS tier, measured in the same run
//! (or, where that would take minutes, estimated from its PBS count and this machine's raw PBS
//! throughput, also measured in the run). Every evaluation is checked against the clear
//! evaluator.

mod rows;

use crate::{write_json, LabError};
use clap::Args;
use qrveil_sdk::keys::{self, default_key_dir};
use qrveil_style::StyleId;
use rows::{BenchLook, ClientRow, HandlerRow, ServerRow};
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args)]
pub struct BenchArgs {
    /// QR versions to evaluate, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,2,5,10,20,40")]
    versions: Vec<u8>,
    /// Versions at which the same looks also run on the PBS tier, for the ratio (seconds to
    /// minutes each); the others are estimated from their PBS count and the measured throughput.
    #[arg(long, value_delimiter = ',', default_value = "1,2,5")]
    pbs_versions: Vec<u8>,
    /// Styles to measure, comma-separated: built-ins, and `wide-density` and `wide-sides`, the
    /// reference class programs of wide fitted looks (server rows only) [default: all].
    #[arg(long, value_delimiter = ',')]
    styles: Vec<String>,
    /// Version whose client side (decrypt, correct, render, verify, encode) is timed.
    #[arg(long, default_value_t = 10)]
    client_version: u8,
    /// PBS to run for the raw throughput baseline.
    #[arg(long, default_value_t = 192)]
    baseline_pbs: usize,
    /// Write the figures as JSON to this file.
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
    /// Key directory [default: as for making a code].
    #[arg(long)]
    key_dir: Option<PathBuf>,
}

#[derive(Serialize)]
struct BenchReport {
    threads: usize,
    server_key_bytes: usize,
    /// Expanded (evaluation-ready) server key size, approximate.
    server_key_expanded_bytes: usize,
    key_expand_s: f64,
    baseline_pbs_per_s: f64,
    server: Vec<ServerRow>,
    handler: Vec<HandlerRow>,
    client: Vec<ClientRow>,
}

pub fn run(args: BenchArgs) -> Result<(), LabError> {
    let mut looks: Vec<BenchLook> =
        StyleId::ALL.into_iter().map(BenchLook::built_in).chain(BenchLook::wide()).collect();
    if !args.styles.is_empty() {
        for name in &args.styles {
            if !looks.iter().any(|l| &l.name == name) {
                name.parse::<StyleId>()?;
            }
        }
        looks.retain(|l| args.styles.contains(&l.name));
    }
    let styles: Vec<StyleId> = looks.iter().filter_map(|l| l.name.parse().ok()).collect();
    let threads = rayon::current_num_threads();
    let (keys, _) = keys::load_or_generate(&args.key_dir.clone().unwrap_or_else(default_key_dir))?;
    let t = Instant::now();
    let server = qrveil_sdk::expand_server_keys(&keys)?;
    let key_expand_s = t.elapsed().as_secs_f64();
    let server_key_bytes = keys.server_key()?.bytes.len();
    let baseline = rows::baseline_throughput(&keys, &server, args.baseline_pbs);
    println!(
        "machine: {threads} threads; raw KS+PBS throughput {baseline:.1} PBS/s (best of 3 x {} PBS)",
        args.baseline_pbs
    );
    println!(
        "server key (PBS tier only): {:.1} MB compressed, ~{:.0} MB expanded, expanded in {key_expand_s:.2} s",
        server_key_bytes as f64 / 1e6,
        server.approx_bytes() as f64 / 1e6
    );

    rows::print_header();
    let mut server_rows = Vec::new();
    for &version in &args.versions {
        for look in &looks {
            let pbs_measured = args.pbs_versions.contains(&version);
            let row = rows::server_row(&keys, &server, look, version, baseline, pbs_measured)?;
            rows::print_server_row(&row);
            server_rows.push(row);
        }
    }
    let handler = match styles.first() {
        Some(&id) => rows::handler_rows(&keys, id)?,
        None => Vec::new(),
    };
    println!("\nclient side, version {v} (10 px/module):", v = args.client_version);
    let client = styles
        .iter()
        .map(|&id| rows::client_row(&keys, &server, id, args.client_version))
        .collect::<Result<Vec<_>, _>>()?;
    print_targets(&server_rows, &client);

    if let Some(path) = &args.json {
        let report = BenchReport {
            threads,
            server_key_bytes,
            server_key_expanded_bytes: server.approx_bytes(),
            key_expand_s,
            baseline_pbs_per_s: baseline,
            server: server_rows,
            handler,
            client,
        };
        write_json(path, &report)?;
    }
    Ok(())
}

/// The design targets (docs/benchmark.md), checked against this run's figures.
fn print_targets(rows: &[ServerRow], client: &[ClientRow]) {
    let mark = |ok: bool| if ok { "ok" } else { "MISSED" };
    println!("\ntargets (linear-tier built-ins and wide looks):");
    let linear = |version: u8| rows.iter().filter(move |r| r.tier == "linear" && r.version == version);
    for (version, limit_ms) in [(10, 5.0), (40, 50.0)] {
        if let Some(worst) = linear(version).map(|r| r.server_s * 1e3).reduce(f64::max) {
            println!("  server at v{version} <= {limit_ms} ms: slowest {worst:.2} ms {}", mark(worst <= limit_ms));
        }
    }
    for version in [10, 40] {
        if let Some(up) = linear(version).map(|r| r.bytes_up_per_module).reduce(f64::max) {
            println!("  upload at v{version} <= 64 B/module: worst {up:.1} {}", mark(up <= 64.0));
        }
    }
    // A wide look's one encoding, `8·self + group` (16 codes per module).
    for version in [10, 40] {
        if let Some(up) =
            linear(version).filter(|r| r.style.starts_with("wide-")).map(|r| r.bytes_up_per_module).reduce(f64::max)
        {
            println!("  wide look upload at v{version} <= 32 B/module: worst {up:.1} {}", mark(up <= 32.0));
        }
    }
    if let Some(up) = linear(1).map(|r| r.bytes_up).max() {
        println!("  upload at v1 <= 96 KB: worst {:.1} KB {}", up as f64 / 1e3, mark(up <= 96_000));
    }
    if let Some(down) = linear(10).map(|r| r.bytes_down_per_output).reduce(f64::max) {
        println!("  download at v10 <= 4 B/value: worst {down:.2} {}", mark(down <= 4.0));
    }
    if let Some(c) = client.iter().max_by(|a, b| a.client_s.total_cmp(&b.client_s)) {
        println!("  client v{} <= 300 ms: slowest {:.0} ms {}", c.version, c.client_s * 1e3, mark(c.client_s <= 0.3));
    }
    // What never trusting the server costs: a fresh key per linear job and the device's own
    // evaluation of the program, compared with the decrypted results.
    if let Some(c) =
        client.iter().max_by(|a, b| (a.job_key_s + a.integrity_s).total_cmp(&(b.job_key_s + b.integrity_s)))
    {
        let added = (c.job_key_s + c.integrity_s) * 1e3;
        println!(
            "  fresh key + own evaluation at v{} <= 5 ms: worst {added:.3} ms ({}; {:.1}% of its client time) {}",
            c.version,
            c.style,
            100.0 * added / (c.client_s * 1e3),
            mark(added <= 5.0)
        );
    }
}
