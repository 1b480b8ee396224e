//! `qrveil`: style a QR code for private data, end to end, on this machine.
//!
//! The client part (encode, encrypt, decrypt, correct, verify, render) and the style function
//! run in this one process; a folder stands in for the bucket, with the cloud's storage
//! layout, so the bytes are the ones the cloud path moves.

mod bench;
mod eval;

use clap::{Args, Parser, Subcommand};
use qrveil_function::analysis::cost;
use qrveil_function::store::FolderStore;
use qrveil_function::styles::{Preset, PRESETS};
use qrveil_function::StyleId;
use qrveil_sdk::keys::{self, data_home, default_key_dir};
use qrveil_sdk::pipeline::Stage;
use qrveil_sdk::transport::LocalTransport;
use qrveil_sdk::{EcLevel, SdkError, StyleOptions, Styler};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Parser)]
#[command(
    name = "qrveil",
    about = "Stylish QR codes for private data: the style is applied to the encrypted code (TFHE), never to your data.",
    disable_version_flag = true,
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  qrveil \"WIFI:T:WPA;S:home;P:secret;;\" --style rounded -o code.png\n  printf 'secret' | qrveil - --style dots --svg -o code.svg\n  qrveil --list-styles\n  qrveil bench"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    make: MakeArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Measure server and client time, PBS throughput and bytes (prints the targets).
    Bench(bench::BenchArgs),
    /// Readability lab: decode rates of every style under camera-like conditions.
    Eval(eval::EvalArgs),
}

#[derive(Args)]
struct MakeArgs {
    /// The text to encode; `-` reads the payload from standard input (keeps it out of shell history).
    text: Option<String>,
    /// Style to apply (see --list-styles).
    #[arg(long, default_value = "rounded")]
    style: String,
    /// Colour preset (see --list-styles).
    #[arg(long, default_value = "green-orange")]
    preset: String,
    /// Error correction level: L, M, Q or H.
    #[arg(long, default_value = "M")]
    ec: String,
    /// QR version 1-40; by default the smallest that fits.
    #[arg(long)]
    version: Option<u8>,
    /// Pixels per module.
    #[arg(long, default_value_t = 10)]
    module_px: u32,
    /// Quiet zone in modules.
    #[arg(long, default_value_t = 4)]
    quiet_zone: u32,
    /// Write SVG instead of PNG.
    #[arg(long)]
    svg: bool,
    /// Output file [default: qrveil.png, or qrveil.svg with --svg].
    #[arg(short, long)]
    output: Option<PathBuf>,
    /// List styles and presets with their cost at version 1, then exit.
    #[arg(long)]
    list_styles: bool,
    /// Also write the report as JSON to this file.
    #[arg(long, value_name = "PATH")]
    report_json: Option<PathBuf>,
    /// Key directory [default: $QRVEIL_HOME/keys or ~/.local/share/qrveil/keys].
    #[arg(long)]
    key_dir: Option<PathBuf>,
    /// Folder standing in for the bucket [default: $QRVEIL_HOME/local-bucket].
    #[arg(long)]
    store_dir: Option<PathBuf>,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Some(Command::Bench(args)) => bench::run(args),
        Some(Command::Eval(args)) => eval::run(args),
        None => make(cli.make),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn list_styles() {
    println!("styles (cost at version 1, 21x21 modules):");
    for id in StyleId::ALL {
        let c = cost(&id.style().server, 21)
            .map(|c| format!("{} PBS, {} outputs, noise {}/{}", c.pbs, c.outputs, c.worst_noise, c.noise_limit));
        println!("  {:<10} {}  [{}]", id.name(), id.summary(), c.unwrap_or_else(|e| e.to_string()));
    }
    println!("presets (dark modules: left -> right gradient, on background):");
    for p in PRESETS {
        println!(
            "  {:<14} rgb{:?} -> rgb{:?} on rgb{:?}",
            p.name,
            (p.left.0, p.left.1, p.left.2),
            (p.right.0, p.right.1, p.right.2),
            (p.background.0, p.background.1, p.background.2)
        );
    }
}

fn read_payload(text: Option<String>) -> Result<Vec<u8>, SdkError> {
    match text.as_deref() {
        None => Err(SdkError::InvalidOption {
            what: "payload",
            detail: "give the text to encode, or `-` to read it from standard input (try --help)".into(),
        }),
        Some("-") => {
            let mut buf = Vec::new();
            std::io::stdin()
                .take(8 << 10)
                .read_to_end(&mut buf)
                .map_err(|e| SdkError::InvalidOption { what: "payload", detail: format!("cannot read standard input: {e}") })?;
            Ok(buf)
        }
        Some(t) => Ok(t.as_bytes().to_vec()),
    }
}

fn make(args: MakeArgs) -> Result<(), SdkError> {
    if args.list_styles {
        list_styles();
        return Ok(());
    }
    let invalid = |what, e: &dyn std::fmt::Display| SdkError::InvalidOption { what, detail: e.to_string() };
    let opts = StyleOptions {
        style: args.style.parse::<StyleId>().map_err(|e| invalid("style", &e))?,
        preset: args.preset.parse::<Preset>().map_err(|e| invalid("preset", &e))?,
        ec: args.ec.parse::<EcLevel>()?,
        version: args.version,
        module_px: args.module_px,
        quiet_zone: args.quiet_zone,
        svg: args.svg,
    };
    let payload = read_payload(args.text)?;
    // Fail on bad payloads before spending seconds on keys.
    qrveil_sdk::qr::encode(&payload, opts.ec, opts.version)?;
    let output = args.output.unwrap_or_else(|| PathBuf::from(if opts.svg { "qrveil.svg" } else { "qrveil.png" }));
    let say = |msg: String| {
        if !args.quiet {
            eprintln!("{msg}");
        }
    };

    let key_dir = args.key_dir.unwrap_or_else(default_key_dir);
    let t = Instant::now();
    if !keys::exists(&key_dir) {
        say(format!("generating your keys in {} (first run only, a few seconds)...", key_dir.display()));
    }
    let (keys, generated) = keys::load_or_generate(&key_dir)?;
    let keygen = if generated { t.elapsed().as_secs_f64() } else { 0.0 };

    let store_dir = args.store_dir.unwrap_or_else(|| data_home().join("local-bucket"));
    let styler = Styler::new(keys, LocalTransport::new(FolderStore::new(&store_dir)));
    let mut progress = |stage: Stage| match stage {
        Stage::Encrypting { modules } => say(format!("encrypting {modules} modules...")),
        Stage::UploadingKey { bytes } => say(format!("uploading the server key to the local bucket ({:.1} MB, once per key)...", bytes as f64 / 1e6)),
        Stage::Styling { pbs } => say(format!("styling on the encrypted code ({pbs} PBS)...")),
        Stage::Encoding | Stage::Finishing => {}
    };
    let mut styled = styler.style(&payload, &opts, &mut progress)?;
    styled.report.keygen = keygen;

    let bytes = match (&styled.png, &styled.svg) {
        (Some(png), _) => png.clone(),
        (None, Some(svg)) => svg.clone().into_bytes(),
        (None, None) => return Err(SdkError::Internal("nothing was rendered".into())),
    };
    let write_err = |path: &PathBuf, e: std::io::Error| SdkError::Output { path: path.display().to_string(), detail: e.to_string() };
    std::fs::write(&output, bytes).map_err(|e| write_err(&output, e))?;
    if let Some(path) = &args.report_json {
        let json = serde_json::to_string_pretty(&styled.report).map_err(|e| SdkError::Internal(e.to_string()))?;
        std::fs::write(path, json + "\n").map_err(|e| write_err(path, e))?;
    }
    if !args.quiet {
        print_report(&styled.report, &output, generated);
    }
    Ok(())
}

fn print_report(r: &qrveil_sdk::Report, output: &std::path::Path, generated: bool) {
    let keys = if generated { format!("generated in {:.1} s", r.keygen) } else { "reused".to_string() };
    println!(
        "qrveil: version-{} code ({m}x{m} modules), style {}, preset {}, EC {}",
        r.version, r.style, r.preset, r.ec, m = r.modules
    );
    println!("  keys     {keys} (key id {})", r.key_id);
    println!("  encrypt  {:.3} s, {} bytes up ({:.1} B/module)", r.encrypt, r.bytes_up, r.bytes_up as f64 / (r.modules * r.modules) as f64);
    println!(
        "  server   {:.2} s: {} PBS, {} outputs (key {}, expand {:.2} s, evaluate {:.2} s, pack {:.2} s)",
        r.server,
        r.pbs,
        r.outputs,
        if r.key_cache_hit { "cached".to_string() } else { format!("load {:.2} s", r.server_detail.key) },
        r.server_detail.expand,
        r.server_detail.evaluate,
        r.server_detail.pack
    );
    println!(
        "  client   {:.3} s: {} bytes down ({:.1} B/value), {} modules corrected, verified with rqrr",
        r.client,
        r.bytes_down,
        r.bytes_down as f64 / r.outputs.max(1) as f64,
        r.corrected_modules
    );
    println!("  wrote    {}", output.display());
}
