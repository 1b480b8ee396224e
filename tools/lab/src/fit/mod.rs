//! Learned looks against python-qrcode's catalogue: for each module drawer and colour mask,
//! fit on examples at some versions, then draw codes of other versions and payloads with the
//! fitted look and compare them with python-qrcode's own drawing of the same symbols (mean
//! absolute pixel difference), read them with four decoders, and check that the FHE linear
//! tier returns exactly the clear evaluation. Plus the published experiment's protocol:
//! green-orange horizontal gradient, version 1, one pixel per module, read by pyzbar.

mod peer;
mod row;

use crate::eval::external::External;
use crate::{write_json, LabError};
use clap::Args;
use peer::{Peer, PeerLook, CENTRE_TYPES, DOT_TYPES, RING_TYPES};
use qrveil_style::Readability;
use row::{measure, print_row, FitCase, Row};
use std::path::PathBuf;

pub const DRAWERS: [&str; 6] = ["square", "gapped", "circle", "rounded", "vertical", "horizontal"];
/// Drawers of tools/fit/examples.py whose module's look reads its whole 3×3 neighbourhood,
/// which no vertex block explains: dots sized by the dark neighbours among the eight, or the
/// four beside. Not in the default set: `--drawers density,cross` adds them.
pub const WIDE_DRAWERS: [&str; 2] = ["density", "cross"];
pub const MASKS: [&str; 4] = ["radial", "square", "horizontal", "vertical"];

#[derive(Args)]
pub struct FitArgs {
    /// python-qrcode module drawers: square, gapped, circle, rounded, vertical, horizontal;
    /// and two drawn by tools/fit/examples.py through python-qrcode's neighbour API that read
    /// the 3x3 neighbourhood: density, cross.
    #[arg(long, value_delimiter = ',', default_values_t = DRAWERS.map(String::from))]
    drawers: Vec<String>,
    /// python-qrcode colour masks: radial, square, horizontal, vertical (and solid).
    #[arg(long, value_delimiter = ',', default_values_t = MASKS.map(String::from))]
    masks: Vec<String>,
    /// Examples to fit on, and test codes, per look.
    #[arg(long, default_value_t = 20)]
    count: usize,
    /// Test codes of each wide look (drawers that read the 3x3 neighbourhood) evaluated under
    /// FHE [default: all]; each takes milliseconds on the linear tier.
    #[arg(long)]
    fhe_codes: Option<usize>,
    /// QR versions of the examples fitted on (first-last).
    #[arg(long, default_value = "1-5")]
    fit_versions: String,
    /// QR versions of the test codes (first-last).
    #[arg(long, default_value = "6-10")]
    test_versions: String,
    /// Pixels per module of the examples and test codes (the experiment's protocol keeps 1).
    #[arg(long, default_value_t = 10)]
    box_size: u32,
    /// The readability level of the fitted documents.
    #[arg(long, default_value = "vivid")]
    readability: String,
    /// Leave out the published experiment's protocol.
    #[arg(long)]
    no_experiment: bool,
    /// Where the examples come from: python-qrcode (`tools/fit/examples.py`), or
    /// qr-code-styling under Node (`tools/fit/peer-examples.mjs`: every dot type with every
    /// ring and centre type, one purple, at --widths; installs its packages with npm).
    #[arg(long, default_value = "python-qrcode", value_parser = ["python-qrcode", "qr-code-styling"])]
    source: String,
    /// qr-code-styling's image widths in pixels, taken in turn by its looks.
    #[arg(long, value_delimiter = ',', default_values_t = [300, 600, 1000])]
    widths: Vec<u32>,
    /// Key directory for the FHE check [default: the CLI's].
    #[arg(long)]
    key_dir: Option<PathBuf>,
    /// Also write the rows as JSON to this file.
    #[arg(long, value_name = "PATH")]
    json: Option<PathBuf>,
}

/// The published experiment: 0.137 reference diff, 78.2% read, 39.5 s per code on 32 CPUs.
const EXPERIMENT: &str = "experiment: python-qrcode square + horizontal green-orange, version 1, 1 px per module";

pub fn run(args: FitArgs) -> Result<(), LabError> {
    let readability = args.readability.parse::<Readability>()?;
    let key_dir = args.key_dir.clone().unwrap_or_else(qrveil_sdk::keys::default_key_dir);
    let (keys, _) = qrveil_sdk::keys::load_or_generate(&key_dir)?;
    let mut external = External::prepare()?;
    let mut looks: Vec<FitCase> = Vec::new();
    let peer = (args.source == "qr-code-styling").then(Peer::prepare).transpose()?;
    if peer.is_some() {
        looks = peer_cases(&args);
    }
    for drawer in args.drawers.iter().filter(|_| peer.is_none()) {
        for mask in &args.masks {
            looks.push(FitCase {
                name: format!("{drawer} + {mask}"),
                drawer: drawer.clone(),
                mask: mask.clone(),
                fit_versions: args.fit_versions.clone(),
                test_versions: args.test_versions.clone(),
                box_size: args.box_size,
                experiment: false,
                fhe_codes: match args.fhe_codes {
                    Some(n) if WIDE_DRAWERS.contains(&drawer.as_str()) => n,
                    _ => args.count,
                },
                peer: None,
            });
        }
    }
    if !args.no_experiment && peer.is_none() {
        looks.push(FitCase {
            name: EXPERIMENT.into(),
            drawer: "square".into(),
            mask: "horizontal".into(),
            fit_versions: "1-1".into(),
            test_versions: "1-1".into(),
            box_size: 1,
            experiment: true,
            fhe_codes: args.count,
            peer: None,
        });
    }
    eprintln!("fitting {} looks on {} examples each, testing on {} others...", looks.len(), args.count, args.count);
    let mut rows: Vec<Row> = Vec::new();
    for look in &looks {
        let row = measure(look, args.count, readability, &keys, &mut external, peer.as_ref())?;
        print_row(&row);
        rows.push(row);
    }
    if !external.missing.is_empty() {
        println!("not run: {}", external.missing.join("; "));
    }
    summary(&rows);
    if let Some(path) = &args.json {
        write_json(path, &rows)?;
    }
    let unequal: usize = rows.iter().map(|r| r.fhe_checked - r.fhe_equal).sum();
    if unequal > 0 {
        return Err(LabError::Check(format!(
            "{unequal} fitted codes evaluated under FHE differ from the clear evaluation"
        )));
    }
    Ok(())
}

/// Every qr-code-styling dot type with every ring and centre type, each at the next width in
/// turn (`--drawers` narrows the dot types when it names some of them).
fn peer_cases(args: &FitArgs) -> Vec<FitCase> {
    let given = args.drawers != DRAWERS.map(String::from);
    let named: Vec<&str> = DOT_TYPES.into_iter().filter(|t| given && args.drawers.iter().any(|d| d == t)).collect();
    let dots = if named.is_empty() { DOT_TYPES.to_vec() } else { named };
    let mut cases = Vec::new();
    for dot in dots {
        for ring in RING_TYPES {
            for centre in CENTRE_TYPES {
                let width = args.widths[cases.len() % args.widths.len().max(1)];
                cases.push(FitCase {
                    name: format!("qr-code-styling {dot} {ring}/{centre} {width}px"),
                    drawer: dot.into(),
                    mask: "solid".into(),
                    fit_versions: args.fit_versions.clone(),
                    test_versions: args.test_versions.clone(),
                    box_size: 0,
                    experiment: false,
                    fhe_codes: args.fhe_codes.unwrap_or(args.count),
                    peer: Some(PeerLook { rings: ring.into(), centres: centre.into(), width }),
                });
            }
        }
    }
    cases
}

fn summary(rows: &[Row]) {
    let styled: Vec<&Row> = rows.iter().filter(|r| !r.experiment).collect();
    if let Some(worst) = styled.iter().max_by(|a, b| a.test_residual_mean.total_cmp(&b.test_residual_mean)) {
        println!(
            "\nworst look on its test codes: {} (reference diff {:.4}; target 0.02)",
            worst.look, worst.test_residual_mean
        );
    }
    let missed: Vec<String> = styled
        .iter()
        .flat_map(|r| {
            r.read
                .iter()
                .filter(|(_, &n)| n < r.test_codes)
                .map(move |(d, n)| format!("{} {d} {n}/{}", r.look, r.test_codes))
        })
        .collect();
    println!("test codes not read: {}", if missed.is_empty() { "none".into() } else { missed.join(", ") });
}
