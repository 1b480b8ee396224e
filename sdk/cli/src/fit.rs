//! `qrveil style fit`: learn a look from example images and write its style document.

use crate::{usage, CliError};
use clap::{Args, Subcommand};
use qrveil_fit::{fit, load_examples, FitOptions, FitReport, Model, Progress, POOR_FIT};
use qrveil_style::Readability;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Subcommand)]
pub enum StyleAction {
    /// Fit a look from example images, then render with `qrveil TEXT --style-file look.json`.
    Fit(FitArgs),
}

#[derive(Args)]
pub struct FitArgs {
    /// Folder of pairs: NAME.png (a code in the look) and NAME.plain.png (the plain
    /// black-on-white code of the same symbol), at any resolution.
    examples: PathBuf,
    /// Where to write the style document (written whole or not at all).
    #[arg(short, long, default_value = "look.json")]
    output: PathBuf,
    /// The look's name in the document [default: the examples folder's name].
    #[arg(long)]
    name: Option<String>,
    /// The readability level the document asks for. vivid draws the examples' colours as they
    /// are (every code is still verified to scan); balanced or robust move colours that lack
    /// contrast, function patterns first, to keep tolerance to camera conditions.
    #[arg(long, default_value = "vivid")]
    readability: String,
    /// The shape model: vertex (a tile per vertex's 2x2 block, 0 PBS), wide (a class per
    /// module from its 3x3 neighbourhood, two layers of lookups, 0 PBS on the linear tier), or
    /// auto (vertex, unless wide explains the examples clearly better).
    #[arg(long, default_value = "auto", value_parser = ["auto", "vertex", "wide"])]
    model: String,
    /// Print nothing but errors.
    #[arg(short, long)]
    quiet: bool,
}

pub fn run(action: StyleAction) -> Result<(), CliError> {
    let StyleAction::Fit(args) = action;
    let t = Instant::now();
    let readability = args.readability.parse::<Readability>().map_err(qrveil_sdk::SdkError::from)?;
    let name = args.name.clone().or_else(|| args.examples.file_name().map(|n| n.to_string_lossy().into_owned()));
    let examples = load_examples(&args.examples).map_err(|e| usage("examples", e.to_string()))?;
    if !args.quiet {
        eprintln!("{:<17} {} pairs in {:.1} s", "loading examples", examples.len(), t.elapsed().as_secs_f64());
    }
    // Each stage's own time, printed when it ends.
    let mut stage = Instant::now();
    let mut bar = |p: Progress| {
        if !args.quiet {
            let (what, done, total) = match p {
                Progress::Reading { done, total } => ("reading grids", done, total),
                Progress::Learning { done, total } => ("learning tiles", done, total),
                Progress::Checking { done, total } => ("checking the fit", done, total),
            };
            let filled = 24 * done / total.max(1);
            eprint!("\r{what:<17} [{}{}] {done}/{total}  ", "#".repeat(filled), ".".repeat(24 - filled));
            if done == total {
                eprintln!("{:.1} s", stage.elapsed().as_secs_f64());
                stage = Instant::now();
            }
            let _ = std::io::stderr().flush();
        }
    };
    let model = match args.model.as_str() {
        "vertex" => Model::Vertex,
        "wide" => Model::Wide,
        _ => Model::Auto,
    };
    let report =
        fit(&examples, &FitOptions { name, readability, model }, &mut bar).map_err(|e| usage("fit", e.to_string()))?;
    let json = report.document.to_json() + "\n";
    write_whole(&args.output, json.as_bytes())?;
    if !args.quiet {
        print_fit(&report, &args.output, json.len(), t.elapsed().as_secs_f64());
    }
    Ok(())
}

/// Write beside the target, then rename: a failed run leaves no half-written document.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), CliError> {
    let fail = |e: std::io::Error| CliError::Output { path: path.display().to_string(), detail: e.to_string() };
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".partial");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(fail)?;
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        fail(e)
    })
}

/// The model chosen, what each leaves unexplained, and what the wide one costs.
fn print_model(report: &FitReport) {
    let m = &report.model;
    let shapes = match m.chosen {
        "wide" => "a class per module from its 3x3 neighbourhood (style fitted-wide)",
        _ => "a tile per vertex's 2x2 block (style fitted, 0 PBS)",
    };
    println!("  shapes:     {shapes}");
    let residual = |r: Option<f32>| r.map_or("-".to_string(), |r| format!("{r:.4}"));
    if let (Some(summary), Some(classes), Some(pbs)) = (m.wide_summary, m.wide_classes, m.wide_pbs) {
        let tier = if pbs == 0 { "linear tier, 0 PBS".to_string() } else { format!("{pbs} PBS at version 1") };
        println!(
            "  models:     unexplained with the colours exact: vertex {}, wide {} ({summary}, {classes} classes, {tier})",
            residual(m.vertex_residual),
            residual(m.wide_residual)
        );
    }
}

fn print_fit(report: &FitReport, output: &Path, bytes: usize, seconds: f64) {
    let residuals: Vec<f32> = report.examples.iter().filter_map(|e| e.residual).collect();
    println!(
        "fitted {} examples in {seconds:.1} s -> {} ({:.1} KB)",
        report.examples.len(),
        output.display(),
        bytes as f64 / 1e3
    );
    let d = &report.document;
    let none = || "-".to_string();
    println!(
        "  ink:        {} (rms error {:.1} of 255)",
        d.dots_options.fill_summary().unwrap_or_else(none),
        report.ink_rms
    );
    let bg = &d.background_options;
    let bg =
        bg.color.clone().or_else(|| bg.gradient.as_ref().map(|g| format!("{} gradient", g.kind))).unwrap_or_else(none);
    println!("  background: {bg} (rms error {:.1} of 255)", report.background_rms);
    if d.fill_area == qrveil_sdk::Area::Image {
        println!("  the ink's colours span the whole image, quiet zone included (fillArea: image)");
    }
    let eyes = |p: &qrveil_sdk::document::PartOptions| match p.fill_summary() {
        None => format!("{}, in the dots' colours", p.kind),
        Some(fill) => format!("{}, {fill}", p.kind),
    };
    println!("  finder rings: {}; centres: {}", eyes(&d.corners_square_options), eyes(&d.corners_dot_options));
    print_model(report);
    if !report.unseen.is_empty() {
        println!("  {} tile quarters no example showed are drawn as plain squares", report.unseen.len());
    }
    match residuals.iter().cloned().reduce(f32::max) {
        Some(worst) => {
            let mean = residuals.iter().sum::<f32>() / residuals.len() as f32;
            println!(
                "  unexplained (mean absolute pixel difference, 0..1): mean {mean:.4}, worst {worst:.4} over {} examples",
                residuals.len()
            );
            if mean > POOR_FIT {
                println!(
                    "  that is more than {POOR_FIT}: the look may depend on more than a module's 3x3 neighbourhood, or on colours the readability level moves; check the colours at --readability vivid"
                );
            }
        }
        None => println!("  no example was drawn again: the residual was not measured"),
    }
    println!("render with: qrveil TEXT --style-file {}", output.display());
}
