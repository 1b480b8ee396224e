//! The bench's measurements, one row at a time.

use crate::LabError;
use qrveil_function::{Function, ServerKeys};
use qrveil_protocol::job::paths;
use qrveil_protocol::{FolderStore, JobId, JobStatus, ServerTimings, Store, Tier};
use qrveil_sdk::{
    decrypt_linear, decrypt_outputs, encode, encrypt_features, encrypt_grid, finish, integrity, job_manifest,
    round_trip, EcLevel, JobKey, Keys, OnTier, SdkError, StyleOptions,
};
use qrveil_style::recipe::classes;
use qrveil_style::spec::served_example;
use qrveil_style::{clear, cost, Plan, ServerProgram, StyleId};
use rayon::prelude::*;
use serde::Serialize;
use std::time::Instant;
use tfhe::shortint::Ciphertext;

/// A fixed payload; the version is forced, so its size only has to fit version 1.
const PAYLOAD: &[u8] = b"qrveil-bench";

/// The same look on the PBS tier.
#[derive(Serialize)]
pub struct PbsComparison {
    pub pbs: u64,
    pub server_s: f64,
    /// Measured in this run, or estimated as PBS ÷ the measured throughput.
    pub measured: bool,
    /// Measured server time ÷ (PBS ÷ throughput): how close the engine is to its PBS floor.
    pub floor_ratio: Option<f64>,
}

#[derive(Serialize)]
pub struct ServerRow {
    pub style: String,
    pub version: u8,
    pub modules: u32,
    /// The tier the style runs on.
    pub tier: String,
    pub pbs: u64,
    pub outputs: usize,
    pub encrypt_s: f64,
    pub expand_s: f64,
    pub evaluate_s: f64,
    pub pack_s: f64,
    pub server_s: f64,
    /// Peak resident memory of the process during this row (Linux), MB.
    pub peak_rss_mb: Option<f64>,
    pub bytes_up: usize,
    pub bytes_up_per_module: f64,
    pub bytes_down: usize,
    pub bytes_down_per_output: f64,
    pub on_pbs_tier: PbsComparison,
    /// PBS-tier server time ÷ this row's: how much faster the chosen tier is.
    pub speedup: f64,
}

/// KS + PBS on fresh ciphertexts, all cores, nothing else: best of three runs (the first also
/// warms the thread pool), so a ratio to it is not flattered by a slow start.
pub fn baseline_throughput(keys: &Keys, server: &ServerKeys, count: usize) -> f64 {
    let pair = keys.current();
    let cts: Vec<Ciphertext> = (0..count).map(|i| pair.client().client_key.encrypt((i % 4) as u64)).collect();
    let lut = server.server_key.generate_lookup_table(|x| x);
    (0..3)
        .map(|_| {
            let t = Instant::now();
            let _: Vec<Ciphertext> = cts.par_iter().map(|c| server.server_key.apply_lookup_table(c, &lut)).collect();
            count as f64 / t.elapsed().as_secs_f64()
        })
        .fold(0.0, f64::max)
}

/// What the bench's server rows measure: a built-in style's program, or a reference wide
/// look's class program.
pub struct BenchLook {
    pub name: String,
    pub server: ServerProgram,
}

impl BenchLook {
    pub fn built_in(id: StyleId) -> BenchLook {
        BenchLook { name: id.name().into(), server: served_example(id).server }
    }

    /// The reference class programs of the shapes `qrveil style fit` writes.
    pub fn wide() -> [BenchLook; 2] {
        [
            BenchLook { name: "wide-density".into(), server: classes::density_program() },
            BenchLook { name: "wide-sides".into(), server: classes::sides_program() },
        ]
    }
}

/// One look at one version on its own tier, and the same look on the PBS tier (measured, or
/// estimated from its PBS count), each checked against the clear evaluator.
pub fn server_row(
    keys: &Keys,
    server: &ServerKeys,
    look: &BenchLook,
    version: u8,
    baseline: f64,
    pbs_measured: bool,
) -> Result<ServerRow, LabError> {
    let symbol = encode(PAYLOAD, EcLevel::M, Some(version))?;
    let side = symbol.grid.side();
    let id = &look.name;
    let plan = cost(&look.server, side)?;
    let expect = clear::evaluate(&look.server, &symbol.grid)?;
    let check = |outputs: &[u8], tier: &str| {
        if outputs == expect {
            Ok(())
        } else {
            Err(LabError::Check(format!("{id} v{version} on the {tier} tier: FHE differs from the clear evaluator")))
        }
    };
    let on = if plan.chosen().tier == Tier::Linear { OnTier::Linear } else { OnTier::Pbs(server) };
    reset_peak_rss();
    let trip = round_trip(keys, on, &look.server, &symbol.grid)?;
    check(&trip.outputs, &plan.chosen().tier.to_string())?;
    let peak_rss_mb = peak_rss_mb();
    let s = trip.seconds;
    let server_s = s.expand + s.evaluate + s.pack;
    let pbs = plan.on_pbs_tier.pbs;
    let on_pbs_tier = if pbs_measured || pbs == 0 || matches!(on, OnTier::Pbs(_)) {
        let t = round_trip(keys, OnTier::Pbs(server), &look.server, &symbol.grid)?;
        check(&t.outputs, "pbs")?;
        let server_s = t.seconds.expand + t.seconds.evaluate + t.seconds.pack;
        let floor_ratio = (pbs > 0).then(|| server_s / (pbs as f64 / baseline));
        PbsComparison { pbs, server_s, measured: true, floor_ratio }
    } else {
        PbsComparison { pbs, server_s: pbs as f64 / baseline, measured: false, floor_ratio: None }
    };
    let outputs = trip.outputs.len();
    Ok(ServerRow {
        style: look.name.clone(),
        version,
        modules: side,
        tier: plan.chosen().tier.to_string(),
        pbs: plan.chosen().pbs,
        outputs,
        encrypt_s: s.encrypt,
        expand_s: s.expand,
        evaluate_s: s.evaluate,
        pack_s: s.pack,
        server_s,
        peak_rss_mb,
        bytes_up: trip.bytes_up,
        bytes_up_per_module: trip.bytes_up as f64 / (side * side) as f64,
        bytes_down: trip.bytes_down,
        bytes_down_per_output: trip.bytes_down as f64 / outputs as f64,
        speedup: on_pbs_tier.server_s / server_s,
        on_pbs_tier,
    })
}

pub fn print_header() {
    println!(
        "\n{:<12} {:>3} {:>5} {:>6} {:>7} {:>9} {:>9} {:>10} {:>9} {:>8} {:>8} | {:>6} {:>10} {:>9}",
        "style",
        "ver",
        "side",
        "tier",
        "outputs",
        "encrypt",
        "server",
        "B/module",
        "B/output",
        "KB up",
        "peak MB",
        "PBS",
        "PBS tier",
        "speedup"
    );
}

pub fn print_server_row(r: &ServerRow) {
    let peak = r.peak_rss_mb.map(|m| format!("{m:.0}")).unwrap_or_else(|| "-".into());
    let pbs_time = format!("{:.3} s{}", r.on_pbs_tier.server_s, if r.on_pbs_tier.measured { "" } else { "*" });
    println!(
        "{:<12} {:>3} {:>5} {:>6} {:>7} {:>7.2}ms {:>7.2}ms {:>10.1} {:>9.2} {:>8.1} {:>8} | {:>6} {:>10} {:>8.0}x",
        r.style,
        r.version,
        r.modules,
        r.tier,
        r.outputs,
        r.encrypt_s * 1e3,
        r.server_s * 1e3,
        r.bytes_up_per_module,
        r.bytes_down_per_output,
        r.bytes_up as f64 / 1e3,
        peak,
        r.on_pbs_tier.pbs,
        pbs_time,
        r.speedup
    );
}

/// The job handler itself, over a folder store, at version 1: a linear job (no key), and a
/// PBS-tier job cold (the server key read, hash-checked, deserialized and expanded) and warm.
#[derive(Serialize)]
pub struct HandlerRow {
    pub style: String,
    pub tier: String,
    pub run: &'static str,
    pub key_s: f64,
    pub total_s: f64,
}

pub fn handler_rows(keys: &Keys, id: StyleId) -> Result<Vec<HandlerRow>, LabError> {
    let dir = tempfile::tempdir()?;
    let store = FolderStore::new(dir.path());
    let server_key = keys.server_key()?;
    store.put(&paths::server_key(&server_key.id), &server_key.bytes)?;
    let symbol = encode(PAYLOAD, EcLevel::M, Some(1))?;
    let side = symbol.grid.side();
    let plan = Plan::of(&served_example(id).server)?;
    let server = served_example(id).server;
    let linear_input = encrypt_features(&JobKey::fresh(), &symbol.grid, &server, &plan.encodings())
        .map_err(|e| LabError::Check(e.to_string()))?
        .to_bytes()?;
    let pbs_input = encrypt_grid(keys.current().client(), &symbol.grid).to_bytes()?;
    let function = Function::default();
    let run = |tier: Tier, input: &[u8]| -> Result<(ServerTimings, bool), LabError> {
        let (encodings, key) = match tier {
            Tier::Linear => (plan.encodings(), None),
            Tier::Pbs => (Vec::new(), Some(&server_key.id)),
        };
        let job = JobId::random();
        store.put(&paths::manifest(&job), &job_manifest(&served_example(id), tier, &encodings, key, side)?)?;
        store.put(&paths::input(&job), input)?;
        match function.run_job(&store, &job) {
            JobStatus::Done { seconds, key_cache_hit, .. } => Ok((seconds, key_cache_hit)),
            JobStatus::Failed { kind, reason, .. } => Err(SdkError::Job { kind, reason }.into()),
        }
    };
    let mut rows = Vec::new();
    let mut push = |tier: Tier, run_name: &'static str, (seconds, _): (ServerTimings, bool)| {
        let row = HandlerRow {
            style: id.name().into(),
            tier: tier.to_string(),
            run: run_name,
            key_s: seconds.key,
            total_s: seconds.total,
        };
        println!(
            "job handler, {} v1, {} tier, {}: {:.4} s (key {:.4} s)",
            row.style, row.tier, row.run, row.total_s, row.key_s
        );
        rows.push(row);
    };
    // The handler runs a style on its own tier only (a manifest naming the other is refused).
    if plan.tier() == Tier::Linear {
        push(Tier::Linear, "no key", run(Tier::Linear, &linear_input)?);
    } else {
        let (cold, warm) = (run(Tier::Pbs, &pbs_input)?, run(Tier::Pbs, &pbs_input)?);
        if cold.1 || !warm.1 {
            return Err(LabError::Check(format!("key cache: cold run hit={}, warm run hit={}", cold.1, warm.1)));
        }
        push(Tier::Pbs, "cold", cold);
        push(Tier::Pbs, "warm", warm);
    }
    Ok(rows)
}

#[derive(Serialize)]
pub struct ClientRow {
    pub style: String,
    pub version: u8,
    /// Making the linear tier's key for this one job (0 on the PBS tier: the client's key).
    pub job_key_s: f64,
    pub decrypt_s: f64,
    /// The style's program evaluated on the device's own grid (what the code is drawn from),
    /// and the decrypted results compared with it.
    pub integrity_s: f64,
    /// Tiles from the outputs, and correction.
    pub draw_s: f64,
    pub render_s: f64,
    pub verify_s: f64,
    /// PNG and SVG encoding.
    pub encode_s: f64,
    pub client_s: f64,
}

/// The client side: real results of the style's tier, decrypted, compared with the device's
/// own evaluation and finished from it, as the pipeline does it.
pub fn client_row(keys: &Keys, server: &ServerKeys, id: StyleId, version: u8) -> Result<ClientRow, LabError> {
    let symbol = encode(PAYLOAD, EcLevel::M, Some(version))?;
    let style = served_example(id);
    let plan = Plan::of(&style.server)?;
    let (decrypted, job_key_s, decrypt_s) = match &plan {
        Plan::Linear(plans) => {
            let t = Instant::now();
            let key = JobKey::fresh();
            let job_key_s = t.elapsed().as_secs_f64();
            let features = encrypt_features(&key, &symbol.grid, &style.server, &plan.encodings())
                .map_err(|e| LabError::Check(e.to_string()))?;
            let expanded = qrveil_function::linear::expand(&features, &plan.encodings());
            let outputs =
                qrveil_function::linear::evaluate(plans, &expanded).map_err(|e| LabError::Check(e.to_string()))?;
            let t = Instant::now();
            (decrypt_linear(&key, &outputs), job_key_s, t.elapsed().as_secs_f64())
        }
        Plan::Pbs => {
            let pair = keys.current();
            let values = integrity::expected(&style.server, &symbol.grid)?;
            let cts: Vec<Ciphertext> = values.iter().map(|&v| pair.client().client_key.encrypt(v as u64)).collect();
            let packed = qrveil_function::fhe::pack_outputs(server, &cts);
            let t = Instant::now();
            (decrypt_outputs(pair.client(), &packed), 0.0, t.elapsed().as_secs_f64())
        }
    };
    let t = Instant::now();
    let values = integrity::expected(&style.server, &symbol.grid)?;
    if let Some(event) = integrity::check(plan.tier(), &values, &decrypted) {
        return Err(LabError::Check(format!("{}: {event}", id.name())));
    }
    let integrity_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let finished = finish(style.geometry, &symbol.grid, &values, PAYLOAD, StyleOptions::default().render_options())?;
    let client_s = job_key_s + decrypt_s + integrity_s + t.elapsed().as_secs_f64();
    let f = finished.seconds;
    println!(
        "  {:<9} job key {:.3} ms, decrypt {decrypt_s:.4} s, evaluate + compare {:.3} ms, correct {:.4} s, render {:.3} s, verify {:.3} s, png+svg {:.3} s = {client_s:.3} s",
        id.name(),
        job_key_s * 1e3,
        integrity_s * 1e3,
        f.draw,
        f.render,
        f.verify,
        f.encode
    );
    Ok(ClientRow {
        style: id.name().into(),
        version,
        job_key_s,
        decrypt_s,
        integrity_s,
        draw_s: f.draw,
        render_s: f.render,
        verify_s: f.verify,
        encode_s: f.encode,
        client_s,
    })
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
