//! `qrveil-lab bench`: where time and bytes go, against the raw PBS throughput of this machine
//! measured in the same run. Every run also checks that the FHE results equal the clear
//! evaluator's.

use crate::{write_json, LabError};
use clap::Args;
use qrveil_function::{Function, ServerKeys};
use qrveil_protocol::job::paths;
use qrveil_protocol::{FolderStore, JobId, JobStatus, ServerTimings, Store};
use qrveil_sdk::keys::{self, default_key_dir};
use qrveil_sdk::{decrypt_outputs, encode, finish, job_manifest, EcLevel, Keys, SdkError, StyleOptions};
use qrveil_style::{clear, cost, StyleId};
use rayon::prelude::*;
use serde::Serialize;
use std::path::PathBuf;
use std::time::Instant;
use tfhe::shortint::Ciphertext;

#[derive(Args)]
pub struct BenchArgs {
    /// QR versions to evaluate on the server, comma-separated.
    #[arg(long, value_delimiter = ',', default_value = "1,2,5,10")]
    versions: Vec<u8>,
    /// Also run versions 20 and 40 (minutes each on two cores).
    #[arg(long)]
    large: bool,
    /// Styles to measure, comma-separated [default: all].
    #[arg(long, value_delimiter = ',')]
    styles: Vec<String>,
    /// Version whose client side (decrypt, correct, verify, render) is timed.
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
struct ServerRow {
    style: String,
    version: u8,
    modules: u32,
    pbs: u64,
    outputs: u32,
    encrypt_s: f64,
    expand_s: f64,
    evaluate_s: f64,
    pack_s: f64,
    server_s: f64,
    /// Peak resident memory of the process during this row (Linux), MB.
    peak_rss_mb: Option<f64>,
    /// server_s / (pbs / baseline throughput); null without PBS.
    overhead_ratio: Option<f64>,
    bytes_up: usize,
    bytes_up_per_module: f64,
    bytes_down: usize,
    bytes_down_per_output: f64,
}

#[derive(Serialize)]
struct ClientRow {
    style: String,
    version: u8,
    decrypt_s: f64,
    /// Tiles from the outputs, and correction.
    draw_s: f64,
    render_s: f64,
    verify_s: f64,
    /// PNG and SVG encoding.
    encode_s: f64,
    client_s: f64,
}

/// The job handler itself, over a folder store: a cold run (empty key cache: the server key
/// is read, hash-checked, deserialized and expanded) and a warm one (cache hit).
#[derive(Serialize)]
struct HandlerRow {
    style: String,
    version: u8,
    cold_key_s: f64,
    cold_total_s: f64,
    warm_key_s: f64,
    warm_total_s: f64,
}

#[derive(Serialize)]
struct BenchReport {
    threads: usize,
    keygen_s: Option<f64>,
    server_key_bytes: usize,
    /// Expanded (evaluation-ready) key size, approximate.
    server_key_expanded_bytes: usize,
    key_expand_s: f64,
    baseline_pbs_per_s: f64,
    server: Vec<ServerRow>,
    handler: HandlerRow,
    client: Vec<ClientRow>,
}

/// A fixed payload; the version is forced, so its size only has to fit version 1.
const PAYLOAD: &[u8] = b"qrveil-bench";

pub fn run(args: BenchArgs) -> Result<(), LabError> {
    let styles: Vec<StyleId> = if args.styles.is_empty() {
        StyleId::ALL.to_vec()
    } else {
        args.styles.iter().map(|s| s.parse()).collect::<Result<_, _>>()?
    };
    let threads = rayon::current_num_threads();
    let t = Instant::now();
    let (keys, generated) = keys::load_or_generate(&args.key_dir.clone().unwrap_or_else(default_key_dir))?;
    let keygen_s = generated.then(|| t.elapsed().as_secs_f64());

    let t = Instant::now();
    let server = qrveil_sdk::expand_server_keys(&keys)?;
    let key_expand_s = t.elapsed().as_secs_f64();
    let expanded = server.approx_bytes();

    let baseline = baseline_throughput(&keys, &server, args.baseline_pbs);
    println!(
        "machine: {threads} threads; raw KS+PBS throughput {baseline:.1} PBS/s (best of 3 x {} PBS)",
        args.baseline_pbs
    );
    println!(
        "server key: {:.1} MB compressed, ~{:.0} MB expanded, expanded in {key_expand_s:.2} s",
        keys.server_key_bytes.len() as f64 / 1e6,
        expanded as f64 / 1e6
    );

    let mut versions = args.versions.clone();
    if args.large {
        versions.extend([20, 40]);
    }
    let rows = server_rows(&keys, &server, &styles, &versions, baseline)?;

    let handler_style = if styles.contains(&StyleId::Gradient) { StyleId::Gradient } else { styles[0] };
    let handler = handler_cold_and_warm(&keys, handler_style)?;
    println!(
        "\njob handler, {} v1 over a folder store: cold {:.3} s (server key read, checked and expanded: {:.3} s), warm {:.3} s (key from the cache: {:.0} µs)",
        handler.style, handler.cold_total_s, handler.cold_key_s, handler.warm_total_s, handler.warm_key_s * 1e6
    );

    println!("\nclient side, version {v} (10 px/module):", v = args.client_version);
    let client =
        styles.iter().map(|&id| client_row(&keys, &server, id, args.client_version)).collect::<Result<Vec<_>, _>>()?;
    print_targets(&rows, &client);

    if let Some(path) = &args.json {
        let report = BenchReport {
            threads,
            keygen_s,
            server_key_bytes: keys.server_key_bytes.len(),
            server_key_expanded_bytes: expanded,
            key_expand_s,
            baseline_pbs_per_s: baseline,
            server: rows,
            handler,
            client,
        };
        write_json(path, &report)?;
    }
    Ok(())
}

/// KS + PBS on fresh ciphertexts, all cores, nothing else: best of three runs (the first also
/// warms the thread pool), so the ratio to it is not flattered by a slow start.
fn baseline_throughput(keys: &Keys, server: &ServerKeys, count: usize) -> f64 {
    let cts: Vec<Ciphertext> = (0..count).map(|i| keys.client.client_key.encrypt((i % 4) as u64)).collect();
    let lut = server.server_key.generate_lookup_table(|x| x);
    (0..3)
        .map(|_| {
            let t = Instant::now();
            let _: Vec<Ciphertext> = cts.par_iter().map(|c| server.server_key.apply_lookup_table(c, &lut)).collect();
            count as f64 / t.elapsed().as_secs_f64()
        })
        .fold(0.0, f64::max)
}

/// Every style at every version, printed as a table as they come.
fn server_rows(
    keys: &Keys,
    server: &ServerKeys,
    styles: &[StyleId],
    versions: &[u8],
    baseline: f64,
) -> Result<Vec<ServerRow>, LabError> {
    println!(
        "\n{:<9} {:>3} {:>5} {:>6} {:>7} {:>8} {:>8} {:>8} {:>8} {:>7} {:>9} {:>9} {:>8}",
        "style",
        "ver",
        "side",
        "PBS",
        "outputs",
        "expand",
        "eval",
        "pack",
        "server",
        "ratio",
        "B/module",
        "B/output",
        "peak MB"
    );
    let mut rows = Vec::new();
    for &version in versions {
        for &id in styles {
            let row = server_row(keys, server, id, version, baseline)?;
            print_server_row(&row);
            rows.push(row);
        }
    }
    Ok(rows)
}

/// One style at one version through the FHE round trip, checked against the clear evaluator.
fn server_row(
    keys: &Keys,
    server: &ServerKeys,
    id: StyleId,
    version: u8,
    baseline: f64,
) -> Result<ServerRow, LabError> {
    let symbol = encode(PAYLOAD, EcLevel::M, Some(version))?;
    let side = symbol.grid.side();
    let style = id.style();
    let plan = cost(&style.server, side)?;
    reset_peak_rss();
    let trip = qrveil_sdk::round_trip(keys, server, &style.server, &symbol.grid)?;
    if trip.outputs != clear::evaluate(&style.server, &symbol.grid)? {
        return Err(LabError::Check(format!("{id} v{version}: FHE result differs from the clear evaluator")));
    }
    let s = trip.seconds;
    let server_s = s.expand + s.evaluate + s.pack;
    let outputs = trip.outputs.len();
    Ok(ServerRow {
        style: id.name().into(),
        version,
        modules: side,
        pbs: plan.pbs,
        outputs: outputs as u32,
        encrypt_s: s.encrypt,
        expand_s: s.expand,
        evaluate_s: s.evaluate,
        pack_s: s.pack,
        server_s,
        peak_rss_mb: peak_rss_mb(),
        overhead_ratio: (plan.pbs > 0).then(|| server_s / (plan.pbs as f64 / baseline)),
        bytes_up: trip.bytes_up,
        bytes_up_per_module: trip.bytes_up as f64 / (side * side) as f64,
        bytes_down: trip.bytes_down,
        bytes_down_per_output: trip.bytes_down as f64 / outputs as f64,
    })
}

fn print_server_row(r: &ServerRow) {
    let ratio = r.overhead_ratio.map(|r| format!("{r:.3}")).unwrap_or_else(|| "-".into());
    let peak = r.peak_rss_mb.map(|m| format!("{m:.0}")).unwrap_or_else(|| "-".into());
    println!(
        "{:<9} {:>3} {:>5} {:>6} {:>7} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>7} {:>9.1} {:>9.1} {:>8}",
        r.style,
        r.version,
        r.modules,
        r.pbs,
        r.outputs,
        r.expand_s,
        r.evaluate_s,
        r.pack_s,
        r.server_s,
        ratio,
        r.bytes_up_per_module,
        r.bytes_down_per_output,
        peak
    );
}

fn handler_cold_and_warm(keys: &Keys, style: StyleId) -> Result<HandlerRow, LabError> {
    let dir = tempfile::tempdir()?;
    let store = FolderStore::new(dir.path());
    store.put(&paths::server_key(&keys.key_id), &keys.server_key_bytes)?;
    let symbol = encode(PAYLOAD, EcLevel::M, Some(1))?;
    let input = qrveil_sdk::encrypt_grid(&keys.client, &symbol.grid).to_bytes()?;
    let manifest = job_manifest(style, &keys.key_id, symbol.grid.side())?;
    let function = Function::default();
    let run = || -> Result<(ServerTimings, bool), LabError> {
        let job = JobId::random();
        store.put(&paths::manifest(&job), &manifest)?;
        store.put(&paths::input(&job), &input)?;
        match function.run_job(&store, &job) {
            JobStatus::Done { seconds, key_cache_hit, .. } => Ok((seconds, key_cache_hit)),
            JobStatus::Failed { kind, reason, .. } => Err(SdkError::Job { kind, reason }.into()),
        }
    };
    let (cold, cold_hit) = run()?;
    let (warm, warm_hit) = run()?;
    if cold_hit || !warm_hit {
        return Err(LabError::Check(format!("key cache: cold run hit={cold_hit}, warm run hit={warm_hit}")));
    }
    Ok(HandlerRow {
        style: style.name().into(),
        version: 1,
        cold_key_s: cold.key,
        cold_total_s: cold.total,
        warm_key_s: warm.key,
        warm_total_s: warm.total,
    })
}

/// The client side at a larger version: real packed ciphertexts of the style's true outputs
/// (encrypted directly, so no server run is needed to time the client), decrypted and finished
/// exactly as the pipeline does.
fn client_row(keys: &Keys, server: &ServerKeys, id: StyleId, version: u8) -> Result<ClientRow, LabError> {
    let symbol = encode(PAYLOAD, EcLevel::M, Some(version))?;
    let style = id.style();
    let values = clear::evaluate(&style.server, &symbol.grid)?;
    let cts: Vec<Ciphertext> = values.iter().map(|&v| keys.client.client_key.encrypt(v as u64)).collect();
    let packed = qrveil_function::fhe::pack_outputs(server, &cts);
    let total = Instant::now();
    let t = Instant::now();
    let decrypted = decrypt_outputs(&keys.client, &packed);
    let decrypt_s = t.elapsed().as_secs_f64();
    let look = StyleOptions::default().look();
    let finished = finish(style.geometry, &symbol.grid, &decrypted, PAYLOAD, look)?;
    let client_s = total.elapsed().as_secs_f64();
    let f = finished.seconds;
    println!(
        "  {:<9} decrypt {decrypt_s:.3} s, correct {:.4} s, render {:.3} s, verify {:.3} s, png+svg {:.3} s = {client_s:.3} s",
        id.name(), f.draw, f.render, f.verify, f.encode
    );
    Ok(ClientRow {
        style: id.name().into(),
        version,
        decrypt_s,
        draw_s: f.draw,
        render_s: f.render,
        verify_s: f.verify,
        encode_s: f.encode,
        client_s,
    })
}

/// The design targets (README, "Benchmark"), checked against this run's figures.
fn print_targets(rows: &[ServerRow], client: &[ClientRow]) {
    let mark = |ok: bool| if ok { "ok" } else { "MISSED" };
    println!("\ntargets:");
    for (style, limit) in [("rounded", 5.0), ("gradient", 0.5)] {
        if let Some(r) = rows.iter().find(|r| r.style == style && r.version == 1) {
            println!("  {style} v1 server <= {limit} s: {:.3} s {}", r.server_s, mark(r.server_s <= limit));
        }
    }
    let worst_ratio = rows.iter().filter_map(|r| r.overhead_ratio).fold(f64::NAN, f64::max);
    if !worst_ratio.is_nan() {
        println!("  server <= 1.15 x PBS floor: worst {worst_ratio:.3} {}", mark(worst_ratio <= 1.15));
    }
    let up = rows.iter().map(|r| r.bytes_up_per_module).fold(0.0, f64::max);
    let down = rows.iter().map(|r| r.bytes_down_per_output).fold(0.0, f64::max);
    println!("  upload <= 64 B/module: worst {up:.1} {}", mark(up <= 64.0));
    println!("  download <= 16 B/value: worst {down:.1} {}", mark(down <= 16.0));
    let slowest = client.iter().map(|c| c.client_s).fold(0.0, f64::max);
    if let Some(c) = client.first() {
        println!("  client v{} <= 300 ms: slowest {:.0} ms {}", c.version, slowest * 1e3, mark(slowest <= 0.3));
    }
}

/// Reset the kernel's peak-RSS counter for this process (Linux; ignored elsewhere).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident memory since the last reset, MB (Linux `VmHWM`).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}
