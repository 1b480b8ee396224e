//! `qrveil-lab`: the developer's measurements, kept out of the user's `qrveil` command.
//!
//! `bench` times the function and the client against the raw PBS throughput of this machine
//! measured in the same run; `eval` is the readability lab at fixed conditions, `tolerance` its
//! tolerance curves (how strong a degradation codes survive, styled against plain). Both use the SDK's own steps (the
//! FHE round trip, the finishing step), so what they measure is what users run.

mod bench;
mod eval;
mod fit;
mod logo;
mod scan;
mod selection;
mod tolerance;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "qrveil-lab", about = "qrveil's benchmark and readability lab.", disable_version_flag = true)]
struct Lab {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Server and client time, PBS throughput and bytes, against the design targets.
    Bench(bench::BenchArgs),
    /// Readability: decode rates of every style under camera-like conditions.
    Eval(eval::EvalArgs),
    /// Tolerance curves: the strength of blur, noise, downscale and a phone capture at which
    /// half the codes stop decoding, styled against plain, and the colours' CIEDE2000.
    Tolerance(tolerance::ToleranceArgs),
    /// Logos: the largest qrveil allows against qr-code-styling's cap, at every EC level, read
    /// by every decoder, and how often the peer's cap spoils a Reed-Solomon block.
    Logo(logo::LogoArgs),
    /// Learned looks: fit python-qrcode's drawers and colour masks, test on other codes.
    Fit(fit::FitArgs),
    /// The phone check's calibration: plain codes read by both judges from the SDK's capture,
    /// per strength.
    Scan(scan::ScanArgs),
}

/// Everything that stops a lab run, converted to a message once, in `main`.
#[derive(Debug, thiserror::Error)]
pub enum LabError {
    #[error(transparent)]
    Sdk(#[from] qrveil_sdk::SdkError),
    #[error(transparent)]
    Style(#[from] qrveil_style::StyleError),
    #[error(transparent)]
    Name(#[from] qrveil_style::UnknownName),
    #[error(transparent)]
    Wire(#[from] qrveil_protocol::WireError),
    #[error(transparent)]
    Store(#[from] qrveil_protocol::StoreError),
    #[error("could not write {path}: {detail}")]
    Output { path: String, detail: String },
    #[error("scratch space: {0}")]
    Scratch(#[from] std::io::Error),
    #[error("{0}")]
    Check(String),
}

impl LabError {
    fn output(path: &std::path::Path, e: impl std::fmt::Display) -> Self {
        LabError::Output { path: path.display().to_string(), detail: e.to_string() }
    }
}

/// Write `value` as pretty JSON to `path`.
fn write_json(path: &std::path::Path, value: &impl serde::Serialize) -> Result<(), LabError> {
    let json = serde_json::to_string_pretty(value).map_err(|e| LabError::output(path, e))?;
    std::fs::write(path, json + "\n").map_err(|e| LabError::output(path, e))
}

fn main() -> ExitCode {
    let result = match Lab::parse().command {
        Command::Bench(args) => bench::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Tolerance(args) => tolerance::run(args),
        Command::Logo(args) => logo::run(args),
        Command::Fit(args) => fit::run(args),
        Command::Scan(args) => scan::run(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
