//! `qrveil`: style a QR code for private data, end to end.
//!
//! By default the client part (encode, encrypt, decrypt, correct, verify, render) and the style
//! function run in this one process; a folder stands in for the bucket, with the cloud's
//! storage layout, so the bytes are the ones the cloud path moves. With `--remote` the job goes
//! to the deployed function, through the presign endpoint or straight to the bucket.

mod fit;
mod printing;
mod remote;
mod studio;

use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use printing::{list_styles, print_report};
use qrveil_sdk::keys::{self, default_key_dir};
use qrveil_sdk::{EcLevel, Logo, Report, SdkError, Stage, StyleDocument, StyleOptions, Styler};
use qrveil_style::recipe::{CentreShape, Patterns, RingShape};
use qrveil_style::{Preset, Readability, StyleId, Tier};
use remote::{transport, RemoteArgs};
use serde::Serialize;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Everything that can stop a command, converted to a message once, in `main`.
#[derive(Debug, thiserror::Error)]
enum CliError {
    #[error(transparent)]
    Sdk(#[from] SdkError),
    #[error("{what}: {detail}")]
    Usage { what: &'static str, detail: String },
    #[error("could not write {path}: {detail}")]
    Output { path: String, detail: String },
    #[error("cannot start the AWS client runtime: {0}")]
    Runtime(std::io::Error),
}

/// What to make, from the flags, the style document if one is given, and the output's name.
fn style_options(args: &Cli, output: &Path) -> Result<StyleOptions, CliError> {
    let mut opts = StyleOptions {
        style: args.style.parse::<StyleId>().map_err(SdkError::from)?,
        preset: args.preset.parse::<Preset>().map_err(SdkError::from)?,
        colours: None,
        jpeg_quality: None,
        logo: match &args.logo {
            Some(path) => {
                let logo = Logo::from_bytes(&read_input(path, "logo")?)?;
                Some(match args.logo_size {
                    Some(size) => Logo { size, shrink_to_fit: false, ..logo },
                    None => logo,
                })
            }
            None => None,
        },
        ec: args.ec.parse::<EcLevel>()?,
        version: args.version,
        eci: !args.no_eci,
        module_px: args.module_px,
        quiet_zone: args.quiet_zone,
        readability: args.readability.parse::<Readability>().map_err(SdkError::from)?,
        patterns: Patterns {
            ring: args.corners_square.parse::<RingShape>().map_err(SdkError::from)?,
            centre: args.corners_dot.parse::<CentreShape>().map_err(SdkError::from)?,
        },
        fitted: None,
        program: None,
        tier: args.tier.as_deref().map(|t| if t == "pbs" { Tier::Pbs } else { Tier::Linear }),
    };
    if let Some(path) = &args.style_file {
        let doc = StyleDocument::from_json(&read_input(path, "style document")?)?;
        if let (Some(image), None) = (&doc.image, &opts.logo) {
            let at = path.parent().unwrap_or(Path::new(".")).join(image);
            opts.logo = Some(Logo::from_bytes(&read_input(&at, "the document's image")?)?);
        }
        opts = doc.options(&opts)?;
    }
    let jpeg = !args.svg
        && output
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("jpg") || e.eq_ignore_ascii_case("jpeg"));
    if jpeg {
        opts.jpeg_quality = Some(JPEG_QUALITY);
    }
    Ok(opts)
}

fn read_input(path: &Path, what: &'static str) -> Result<Vec<u8>, CliError> {
    std::fs::read(path).map_err(|e| usage(what, format!("cannot read {}: {e}", path.display())))
}

/// JPEG quality for a .jpg output: high enough that compression never decides whether it reads.
const JPEG_QUALITY: u8 = 92;

fn usage(what: &'static str, detail: impl Into<String>) -> CliError {
    CliError::Usage { what, detail: detail.into() }
}

/// Write a file, or say which one could not be written.
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    std::fs::write(path, bytes)
        .map_err(|e| CliError::Output { path: path.display().to_string(), detail: e.to_string() })
}

/// The subcommands beside the default (style one code).
#[derive(Subcommand)]
enum Command {
    /// Style documents: learn one from examples.
    Style {
        #[command(subcommand)]
        action: fit::StyleAction,
    },
    /// Design a look in the browser: a page on 127.0.0.1, previews by the real pipeline here.
    Studio(studio::StudioArgs),
}

#[derive(Parser)]
#[command(
    name = "qrveil",
    about = "Stylish QR codes for private data: the style is applied to the encrypted code (TFHE), never to your data.",
    disable_version_flag = true,
    args_conflicts_with_subcommands = true,
    after_help = "Examples:\n  qrveil \"WIFI:T:WPA;S:home;P:secret;;\" --style rounded -o code.png\n  printf 'secret' | qrveil - --style dots --svg -o code.svg\n  QRVEIL_TOKEN=... qrveil --remote --presign-url https://<id>.lambda-url.<region>.on.aws/ \"hello\"\n  qrveil --list-styles\n  qrveil --print-style classy-rounded > mine.json   # edit, then:\n  qrveil \"hello\" --style-file mine.json\n  qrveil style fit examples/ -o look.json   # learn a look from example images\n  qrveil studio   # design a look in the browser, previewed here"
)]
struct Cli {
    /// The text to encode; `-` reads the payload from standard input (keeps it out of shell history).
    text: Option<String>,
    /// Style to apply (see --list-styles).
    #[arg(long, default_value = "fluid")]
    style: String,
    /// A style document (JSON, qr-code-styling's option names; start from --print-style NAME).
    /// It sets the style, colours, pattern shapes, EC level, version and readability.
    #[arg(long, value_name = "PATH", conflicts_with_all = ["style", "preset", "readability", "corners_square", "corners_dot", "ec", "version"])]
    style_file: Option<PathBuf>,
    /// A centre image (PNG, JPEG or SVG); refused, with the size and EC level that would fit,
    /// when it would spoil more of any Reed-Solomon block than a logo may.
    #[arg(long, value_name = "PATH")]
    logo: Option<PathBuf>,
    /// The logo's longer side as a share of the code's side (qr-code-styling's imageSize);
    /// refused if it does not fit [default: 0.4, shrunk to the largest that fits].
    #[arg(long, requires = "logo")]
    logo_size: Option<f32>,
    /// Print a built-in style as a style document, then exit.
    #[arg(long, value_name = "NAME")]
    print_style: Option<String>,
    /// Colour preset (see --list-styles).
    #[arg(long, default_value = "green-orange")]
    preset: String,
    /// Readability, the phone scan every code must also pass: vivid (an ordinary scan), balanced
    /// (a poor one) or robust (a bad one). Colours are as chosen whenever the code passes so.
    #[arg(long, default_value = "balanced")]
    readability: String,
    /// Finder rings: square, dot or extra-rounded (qr-code-styling's corner square types).
    #[arg(long, default_value = "square")]
    corners_square: String,
    /// Finder centres: square or dot (qr-code-styling's corner dot types).
    #[arg(long, default_value = "square")]
    corners_dot: String,
    /// Error correction level: L, M, Q or H.
    #[arg(long, default_value = "M")]
    ec: String,
    /// QR version 1-40; by default the smallest that fits.
    #[arg(long)]
    version: Option<u8>,
    /// Write no ECI designator (by default text that is not all ASCII is marked as UTF-8, so
    /// readers need not guess): only for readers that do not know ECI.
    #[arg(long)]
    no_eci: bool,
    /// Pixels per module.
    #[arg(long, default_value_t = 10)]
    module_px: u32,
    /// Quiet zone in modules.
    #[arg(long, default_value_t = 4)]
    quiet_zone: u32,
    /// Evaluation tier: linear (no bootstrapping, no server key) or pbs [default: the cheapest
    /// the style can run on; every built-in runs on the linear tier].
    #[arg(long, value_parser = ["linear", "pbs"])]
    tier: Option<String>,
    /// Write SVG instead of PNG.
    #[arg(long)]
    svg: bool,
    /// Output file [default: qrveil.png, or qrveil.svg with --svg]; a .jpg or .jpeg name writes
    /// JPEG (verified as decoded).
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
    #[command(subcommand)]
    command: Option<Command>,
}

/// The arguments; `--token` on the command line needs `--presign-url`, but `QRVEIL_TOKEN` in the
/// environment does not (clap's `requires` would count it too and refuse the local mode).
fn arguments() -> Cli {
    let mut command = Cli::command();
    let matches = command.get_matches_mut();
    if matches.value_source("token") == Some(ValueSource::CommandLine)
        && matches.get_one::<String>("presign_url").is_none()
    {
        command
            .error(
                clap::error::ErrorKind::MissingRequiredArgument,
                "--token is for the presign endpoint: add --remote --presign-url URL",
            )
            .exit();
    }
    Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit())
}

fn main() -> ExitCode {
    match make(arguments()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// One tier's cost, as `--list-styles` shows it.
fn read_payload(text: Option<String>) -> Result<Vec<u8>, CliError> {
    match text.as_deref() {
        None => Err(usage("payload", "give the text to encode, or `-` to read it from standard input (try --help)")),
        Some("-") => {
            let mut buf = Vec::new();
            std::io::stdin()
                .take(8 << 10)
                .read_to_end(&mut buf)
                .map_err(|e| usage("payload", format!("cannot read standard input: {e}")))?;
            Ok(buf)
        }
        Some(t) => Ok(t.as_bytes().to_vec()),
    }
}

/// The report as `--report-json` writes it: the pipeline's, and the key generation this
/// command did before it.
#[derive(Serialize)]
struct JsonReport<'a> {
    /// Seconds generating keys (0 when existing keys were reused).
    keygen: f64,
    #[serde(flatten)]
    report: &'a Report,
}

fn make(mut args: Cli) -> Result<(), CliError> {
    match args.command.take() {
        Some(Command::Style { action }) => return fit::run(action),
        Some(Command::Studio(studio)) => return studio::run(studio),
        None => {}
    }
    if args.list_styles {
        list_styles();
        return Ok(());
    }
    if let Some(name) = &args.print_style {
        println!("{}", StyleDocument::named(name)?.to_json());
        return Ok(());
    }
    let output =
        args.output.clone().unwrap_or_else(|| PathBuf::from(if args.svg { "qrveil.svg" } else { "qrveil.png" }));
    let opts = style_options(&args, &output)?;
    let payload = read_payload(args.text)?;
    // Fail on bad payloads and options before spending seconds on keys.
    qrveil_sdk::encode_with(&payload, opts.ec, opts.version, opts.eci)?;
    opts.check()?;
    let say = |msg: String| {
        if !args.quiet {
            eprintln!("{msg}");
        }
    };

    // Before keys, so that a wrong remote setting fails fast.
    let mut runtime = None;
    let key_dir = args.key_dir.unwrap_or_else(default_key_dir);
    let (transport, bucket) = transport(&args.remote, args.store_dir, &key_dir, &mut runtime)?;

    let t = Instant::now();
    if !keys::exists(&key_dir) {
        say(format!("making your client key in {} (first run only)...", key_dir.display()));
    }
    let (keys, generated) = keys::load_or_generate(&key_dir)?;
    let keygen = if generated { t.elapsed().as_secs_f64() } else { 0.0 };

    let styler = Styler::new(keys, transport);
    let remote = args.remote.remote;
    let mut progress = |stage: Stage| match stage {
        Stage::Encrypting { modules } => say(format!("encrypting {modules} modules...")),
        Stage::UploadingKey { bytes } => {
            say(format!("uploading the server key to {bucket} ({:.1} MB, once per key)...", bytes as f64 / 1e6))
        }
        Stage::GeneratingServerKey => {
            say("making your server key (the first time a style needs the PBS tier, a few seconds)...".into())
        }
        Stage::Styling { tier, pbs } => {
            let work = match tier {
                Tier::Linear => "linear tier, no bootstrapping".to_string(),
                Tier::Pbs => format!("{pbs} PBS"),
            };
            say(if remote {
                format!("waiting for the style function ({work} on the encrypted code)...")
            } else {
                format!("styling on the encrypted code ({work})...")
            })
        }
        Stage::Encoding | Stage::Finishing => {}
    };
    let styled = styler.style(&payload, &opts, &mut progress)?;
    if let Some(event) = styled.report.integrity {
        // Shown even with --quiet: the service is faulty or lying.
        eprintln!("qrveil: warning: {event}");
    }

    let bytes = match (&styled.jpeg, args.svg) {
        (_, true) => styled.svg.as_bytes(),
        (Some(jpeg), false) => jpeg,
        (None, false) => &styled.png,
    };
    write_file(&output, bytes)?;
    if let Some(path) = &args.report_json {
        let json = serde_json::to_string_pretty(&JsonReport { keygen, report: &styled.report })
            .map_err(|e| SdkError::from(qrveil_sdk::Internal::from(e)))?;
        write_file(path, (json + "\n").as_bytes())?;
    }
    if !args.quiet {
        print_report(&styled.report, keygen, &output, generated);
    }
    Ok(())
}
