//! `qrveil`: style a QR code for private data, end to end.
//!
//! By default the client part (encode, encrypt, decrypt, correct, verify, render) and the style
//! function run in this one process; a folder stands in for the bucket, with the cloud's
//! storage layout, so the bytes are the ones the cloud path moves. With `--remote` the job goes
//! to the deployed function, through the presign endpoint or straight to the bucket.

mod bench;
mod eval;

use clap::{Args, Parser, Subcommand};
use qrveil_function::analysis::cost;
use qrveil_function::store::FolderStore;
use qrveil_function::styles::{Preset, PRESETS};
use qrveil_function::StyleId;
use qrveil_sdk::keys::{self, data_home, default_key_dir};
use qrveil_sdk::pipeline::Stage;
use qrveil_cloud::s3::S3Store;
use qrveil_sdk::presigned::{PresignConfig, PresignedTransport};
use qrveil_sdk::transport::{LocalTransport, StoreTransport, Transport, WaitPolicy};
use qrveil_sdk::{EcLevel, SdkError, StyleOptions, Styler};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(
    name = "qrveil",
    about = "Stylish QR codes for private data: the style is applied to the encrypted code (TFHE), never to your data.",
    disable_version_flag = true,
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  qrveil \"WIFI:T:WPA;S:home;P:secret;;\" --style rounded -o code.png\n  printf 'secret' | qrveil - --style dots --svg -o code.svg\n  QRVEIL_TOKEN=... qrveil --remote --presign-url https://<id>.lambda-url.<region>.on.aws/ \"hello\"\n  qrveil --list-styles\n  qrveil bench"
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
    #[command(flatten)]
    remote: RemoteArgs,
}

/// The cloud deployment instead of the in-process function: through the presign endpoint
/// (as apps do, no AWS credentials) or straight to the bucket with your AWS credentials.
#[derive(Args)]
#[command(next_help_heading = "Remote (the cloud deployment)")]
struct RemoteArgs {
    /// Send the job to the deployed function instead of running it here.
    #[arg(long)]
    remote: bool,
    /// Presign endpoint: the Function URL Terraform prints as `presign_url`.
    #[arg(long, requires = "remote", conflicts_with = "bucket")]
    presign_url: Option<String>,
    /// Bearer token for the presign endpoint; prefer the variable, since command lines are visible to other users.
    #[arg(long, env = "QRVEIL_TOKEN", hide_env_values = true, requires = "presign_url")]
    token: Option<String>,
    /// Bucket to use directly with your AWS credentials (server-side callers).
    #[arg(long, requires = "remote")]
    bucket: Option<String>,
    /// S3 endpoint URL, for S3-compatible servers [default: AWS's, from your AWS config].
    #[arg(long, requires = "bucket")]
    endpoint: Option<String>,
    /// AWS region [default: from your AWS config].
    #[arg(long, requires = "bucket")]
    region: Option<String>,
    /// Seconds to wait for a remote job's result.
    #[arg(long, default_value_t = 600, value_name = "SECONDS")]
    timeout: u64,
}

/// The transport the arguments ask for, and where it puts the server key (for messages).
fn transport(args: &RemoteArgs, store_dir: Option<PathBuf>, runtime: &mut Option<tokio::runtime::Runtime>) -> Result<(Box<dyn Transport>, String), SdkError> {
    let wait = WaitPolicy { timeout: Duration::from_secs(args.timeout), ..WaitPolicy::default() };
    if !args.remote {
        let dir = store_dir.unwrap_or_else(|| data_home().join("local-bucket"));
        return Ok((Box::new(LocalTransport::new(FolderStore::new(&dir))), "the local bucket".into()));
    }
    if let Some(endpoint) = &args.presign_url {
        let token = args.token.clone().ok_or_else(|| SdkError::InvalidOption {
            what: "token",
            detail: "--presign-url needs the endpoint's bearer token: set QRVEIL_TOKEN (or --token)".into(),
        })?;
        let transport = PresignedTransport::new(PresignConfig { endpoint: endpoint.clone(), token, wait })?;
        return Ok((Box::new(transport), "the bucket".into()));
    }
    let Some(bucket) = &args.bucket else {
        return Err(SdkError::InvalidOption {
            what: "--remote",
            detail: "say how to reach the deployment: --presign-url (with QRVEIL_TOKEN) or --bucket (with AWS credentials)".into(),
        });
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(|e| SdkError::Internal(format!("cannot start the AWS client runtime: {e}")))?;
    let client = rt.block_on(qrveil_cloud::s3::client(args.endpoint.as_deref(), args.region.as_deref()));
    let store = S3Store::new(client, bucket, rt.handle().clone());
    *runtime = Some(rt);
    Ok((Box::new(StoreTransport::new(store, wait)), format!("s3://{bucket}")))
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
    let opts = StyleOptions {
        style: args.style.parse::<StyleId>()?,
        preset: args.preset.parse::<Preset>()?,
        ec: args.ec.parse::<EcLevel>()?,
        version: args.version,
        module_px: args.module_px,
        quiet_zone: args.quiet_zone,
    };
    let payload = read_payload(args.text)?;
    // Fail on bad payloads before spending seconds on keys.
    qrveil_sdk::qr::encode(&payload, opts.ec, opts.version)?;
    let output = args.output.unwrap_or_else(|| PathBuf::from(if args.svg { "qrveil.svg" } else { "qrveil.png" }));
    let say = |msg: String| {
        if !args.quiet {
            eprintln!("{msg}");
        }
    };

    // Before keys, so that a wrong remote setting fails fast. The AWS client's runtime (direct
    // bucket access only) must outlive the styler.
    let mut runtime = None;
    let (transport, bucket) = transport(&args.remote, args.store_dir, &mut runtime)?;

    let key_dir = args.key_dir.unwrap_or_else(default_key_dir);
    let t = Instant::now();
    if !keys::exists(&key_dir) {
        say(format!("generating your keys in {} (first run only, a few seconds)...", key_dir.display()));
    }
    let (keys, generated) = keys::load_or_generate(&key_dir)?;
    let keygen = if generated { t.elapsed().as_secs_f64() } else { 0.0 };

    let styler = Styler::new(keys, transport);
    let remote = args.remote.remote;
    let mut progress = |stage: Stage| match stage {
        Stage::Encrypting { modules } => say(format!("encrypting {modules} modules...")),
        Stage::UploadingKey { bytes } => say(format!("uploading the server key to {bucket} ({:.1} MB, once per key)...", bytes as f64 / 1e6)),
        Stage::Styling { pbs } if remote => say(format!("waiting for the style function ({pbs} PBS on the encrypted code)...")),
        Stage::Styling { pbs } => say(format!("styling on the encrypted code ({pbs} PBS)...")),
        Stage::Encoding | Stage::Finishing => {}
    };
    let mut styled = styler.style(&payload, &opts, &mut progress)?;
    styled.report.keygen = keygen;

    let bytes = if args.svg { std::mem::take(&mut styled.svg).into_bytes() } else { std::mem::take(&mut styled.png) };
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
