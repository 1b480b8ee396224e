//! `qrveil bench`: where time and bytes go, against the raw PBS throughput of this machine
//! measured in the same run.

use clap::Args;
use qrveil_function::analysis::cost;
use qrveil_function::fhe::{self, ServerKeys};
use qrveil_function::recipe::tiles;
use qrveil_function::styles::Preset;
use qrveil_function::{clear, StyleId};
use qrveil_function::handler::Function;
use qrveil_function::store::{FolderStore, Store};
use qrveil_protocol::job::paths;
use qrveil_protocol::{JobId, JobStatus, ServerKeyBundle, ServerTimings};
use qrveil_sdk::pipeline::job_manifest;
use qrveil_sdk::correct::correct;
use qrveil_sdk::crypto::{decrypt_outputs, encrypt_grid};
use qrveil_sdk::keys::{self, default_key_dir};
use qrveil_sdk::pipeline::verify_canvas;
use qrveil_sdk::qr::{encode, EcLevel};
use qrveil_sdk::render::{encode_png, Canvas, Palette};
use qrveil_sdk::SdkError;
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
    correct_s: f64,
    render_s: f64,
    verify_s: f64,
    png_s: f64,
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

fn handler_cold_and_warm(keys: &qrveil_sdk::Keys, style: StyleId) -> Result<HandlerRow, SdkError> {
    let dir = tempfile::tempdir().map_err(|e| SdkError::Internal(e.to_string()))?;
    let store = FolderStore::new(dir.path());
    store.put(&paths::server_key(&keys.key_id), &keys.server_key_bytes)?;
    let symbol = encode(PAYLOAD, EcLevel::M, Some(1))?;
    let input = encrypt_grid(&keys.client, &symbol.grid).to_bytes().map_err(|e| SdkError::Internal(e.to_string()))?;
    let manifest = job_manifest(style, &keys.key_id, symbol.grid.side());
    let function = Function::default();
    let run = || -> Result<(ServerTimings, bool), SdkError> {
        let job = JobId::random();
        store.put(&paths::manifest(&job), &manifest)?;
        store.put(&paths::input(&job), &input)?;
        match function.run_job(&store, &job) {
            JobStatus::Done { seconds, key_cache_hit, .. } => Ok((seconds, key_cache_hit)),
            JobStatus::Failed { kind, reason, .. } => Err(SdkError::Job { kind, reason }),
        }
    };
    let (cold, cold_hit) = run()?;
    let (warm, warm_hit) = run()?;
    if cold_hit || !warm_hit {
        return Err(SdkError::Internal(format!("key cache: cold run hit={cold_hit}, warm run hit={warm_hit}")));
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

/// A fixed payload; the version is forced, so its size only has to fit version 1.
const PAYLOAD: &[u8] = b"qrveil-bench";

pub fn run(args: BenchArgs) -> Result<(), SdkError> {
    let styles: Vec<StyleId> = if args.styles.is_empty() {
        StyleId::ALL.to_vec()
    } else {
        args.styles
            .iter()
            .map(|s| s.parse().map_err(|e: qrveil_function::styles::UnknownName| SdkError::InvalidOption { what: "style", detail: e.to_string() }))
            .collect::<Result<_, _>>()?
    };
    let threads = rayon::current_num_threads();
    let key_dir = args.key_dir.unwrap_or_else(default_key_dir);
    let t = Instant::now();
    let (keys, generated) = keys::load_or_generate(&key_dir)?;
    let keygen_s = generated.then(|| t.elapsed().as_secs_f64());

    let t = Instant::now();
    let bundle = ServerKeyBundle::from_bytes(&keys.server_key_bytes).map_err(|e| SdkError::Internal(e.to_string()))?;
    let server = ServerKeys::expand(&bundle);
    let key_expand_s = t.elapsed().as_secs_f64();
    let expanded = server.approx_bytes();

    // Baseline: KS + PBS on fresh ciphertexts, all cores, nothing else. Best of three runs
    // (the first also warms the thread pool), so the ratio is not flattered by a slow start.
    let cts: Vec<Ciphertext> = (0..args.baseline_pbs).map(|i| keys.client.client_key.encrypt((i % 4) as u64)).collect();
    let lut = server.server_key.generate_lookup_table(|x| x);
    use rayon::prelude::*;
    let baseline = (0..3)
        .map(|_| {
            let t = Instant::now();
            let _: Vec<Ciphertext> = cts.par_iter().map(|c| server.server_key.apply_lookup_table(c, &lut)).collect();
            args.baseline_pbs as f64 / t.elapsed().as_secs_f64()
        })
        .fold(0.0, f64::max);
    println!("machine: {threads} threads; raw KS+PBS throughput {baseline:.1} PBS/s (best of 3 x {} PBS)", args.baseline_pbs);
    println!("server key: {:.1} MB compressed, ~{:.0} MB expanded, expanded in {key_expand_s:.2} s",
        keys.server_key_bytes.len() as f64 / 1e6, expanded as f64 / 1e6);

    let mut rows = Vec::new();
    println!("\n{:<9} {:>3} {:>5} {:>6} {:>7} {:>8} {:>8} {:>8} {:>8} {:>7} {:>9} {:>9} {:>8}",
        "style", "ver", "side", "PBS", "outputs", "expand", "eval", "pack", "server", "ratio", "B/module", "B/output", "peak MB");
    let mut versions = args.versions.clone();
    if args.large {
        versions.extend([20, 40]);
    }
    for &version in &versions {
        let symbol = encode(PAYLOAD, EcLevel::M, Some(version))?;
        let side = symbol.grid.side();
        for &id in &styles {
            let style = id.style();
            let plan = cost(&style.server, side).map_err(|e| SdkError::Internal(e.to_string()))?;
            reset_peak_rss();
            let t = Instant::now();
            let grid = encrypt_grid(&keys.client, &symbol.grid);
            let up = grid.to_bytes().map_err(|e| SdkError::Internal(e.to_string()))?;
            let encrypt_s = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let input = fhe::expand_input(&grid);
            let expand_s = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let out = fhe::evaluate(&server, &style.server, side, &input).map_err(|e| SdkError::Internal(e.to_string()))?;
            let evaluate_s = t.elapsed().as_secs_f64();
            let t = Instant::now();
            let packed = fhe::pack_outputs(&server, &out);
            let down = packed.to_bytes().map_err(|e| SdkError::Internal(e.to_string()))?;
            let pack_s = t.elapsed().as_secs_f64();
            // Every run checks itself: FHE outputs must equal the clear evaluator's.
            let expect = clear::evaluate(&style.server, &symbol.grid).map_err(|e| SdkError::Internal(e.to_string()))?;
            if decrypt_outputs(&keys.client, &packed) != expect {
                return Err(SdkError::Internal(format!("{id} v{version}: FHE result differs from the clear evaluator")));
            }
            let server_s = expand_s + evaluate_s + pack_s;
            let ratio = (plan.pbs > 0).then(|| server_s / (plan.pbs as f64 / baseline));
            let row = ServerRow {
                style: id.name().into(), version, modules: side, pbs: plan.pbs, outputs: packed.count,
                encrypt_s, expand_s, evaluate_s, pack_s, server_s, peak_rss_mb: peak_rss_mb(), overhead_ratio: ratio,
                bytes_up: up.len(), bytes_up_per_module: up.len() as f64 / (side * side) as f64,
                bytes_down: down.len(), bytes_down_per_output: down.len() as f64 / packed.count as f64,
            };
            println!("{:<9} {:>3} {:>5} {:>6} {:>7} {:>8.3} {:>8.3} {:>8.3} {:>8.3} {:>7} {:>9.1} {:>9.1} {:>8}",
                row.style, version, side, row.pbs, row.outputs, expand_s, evaluate_s, pack_s, server_s,
                ratio.map(|r| format!("{r:.3}")).unwrap_or_else(|| "-".into()), row.bytes_up_per_module, row.bytes_down_per_output,
                row.peak_rss_mb.map(|m| format!("{m:.0}")).unwrap_or_else(|| "-".into()));
            rows.push(row);
        }
    }

    let handler_style = if styles.contains(&StyleId::Gradient) { StyleId::Gradient } else { styles[0] };
    let handler = handler_cold_and_warm(&keys, handler_style)?;
    println!(
        "\njob handler, {} v1 over a folder store: cold {:.3} s (server key read, checked and expanded: {:.3} s), warm {:.3} s (key from the cache: {:.0} µs)",
        handler.style, handler.cold_total_s, handler.cold_key_s, handler.warm_total_s, handler.warm_key_s * 1e6
    );

    // Client side at a larger version: real packed ciphertexts of the style's true outputs
    // (encrypted directly, so no server run is needed to time the client).
    let symbol = encode(PAYLOAD, EcLevel::M, Some(args.client_version))?;
    let side = symbol.grid.side();
    let payload = PAYLOAD;
    let mut client_rows = Vec::new();
    println!("\nclient side, version {} ({side}x{side}), 10 px/module:", args.client_version);
    for &id in &styles {
        let style = id.style();
        let values = clear::evaluate(&style.server, &symbol.grid).map_err(|e| SdkError::Internal(e.to_string()))?;
        let cts: Vec<Ciphertext> = values.iter().map(|&v| keys.client.client_key.encrypt(v as u64)).collect();
        let packed = fhe::pack_outputs(&server, &cts);
        let total = Instant::now();
        let t = Instant::now();
        let decrypted = decrypt_outputs(&keys.client, &packed);
        let decrypt_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        let mut tl = tiles(style.geometry, side, &decrypted).map_err(|e| SdkError::Internal(e.to_string()))?;
        correct(&mut tl, &symbol.grid);
        let correct_s = t.elapsed().as_secs_f64();
        let canvas = Canvas { side, tiles: &tl, module_px: 10, quiet_zone: 4, palette: Palette::readable(&Preset::default()) };
        let t = Instant::now();
        let img = canvas.to_image();
        let render_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        verify_canvas(&canvas, &img, payload).map_err(SdkError::VerificationFailed)?;
        let verify_s = t.elapsed().as_secs_f64();
        let t = Instant::now();
        encode_png(&img).map_err(SdkError::Internal)?;
        let png_s = t.elapsed().as_secs_f64();
        let client_s = total.elapsed().as_secs_f64();
        println!("  {:<9} decrypt {decrypt_s:.3} s, correct {correct_s:.4} s, render {render_s:.3} s, verify {verify_s:.3} s, png {png_s:.3} s = {client_s:.3} s", id.name());
        client_rows.push(ClientRow { style: id.name().into(), version: args.client_version, decrypt_s, correct_s, render_s, verify_s, png_s, client_s });
    }

    print_targets(&rows, &client_rows);

    let report = BenchReport {
        threads, keygen_s, server_key_bytes: keys.server_key_bytes.len(), server_key_expanded_bytes: expanded, key_expand_s,
        baseline_pbs_per_s: baseline, server: rows, handler, client: client_rows,
    };
    if let Some(path) = args.json {
        let json = serde_json::to_string_pretty(&report).map_err(|e| SdkError::Internal(e.to_string()))?;
        std::fs::write(&path, json + "\n").map_err(|e| SdkError::Output { path: path.display().to_string(), detail: e.to_string() })?;
    }
    Ok(())
}

/// The design targets, checked against this run's figures.
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
