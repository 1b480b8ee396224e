//! Which shape model draws the look: the vertex model (a tile per vertex's 2×2 block, 0 PBS)
//! or the wide one (a class per module from its 3×3 neighbourhood, [`crate::wide`]), each
//! drawn and checked against the examples, and the choice `auto` makes between them.

use crate::eyes::Eyes;
use crate::report::{residual, ExampleFit, Progress, Read, BATCH};
use crate::tiles::Coverage;
use crate::wide::ModuleCoverage;
use crate::write::{document, Shapes};
use crate::{FitError, FitOptions};
use qrveil_sdk::{Area, Fill, StyleDocument};
use qrveil_style::recipe::TileSet;
use rayon::prelude::*;

/// The shape model a fit learns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Model {
    /// The vertex model, unless the wide one explains the examples clearly better.
    #[default]
    Auto,
    /// A tile per vertex block code (style `fitted`, 0 PBS).
    Vertex,
    /// A class per module from its 3×3 neighbourhood (style `fitted-wide`, 0 PBS on the linear
    /// tier).
    Wide,
}

/// Which model a fit chose, and how much of the examples each leaves unexplained with the
/// fitted colours drawn exactly (mean absolute pixel difference, 0..1; none when only one model
/// was fitted).
#[derive(Clone, Debug, serde::Serialize)]
pub struct ModelChoice {
    pub chosen: &'static str,
    pub vertex_residual: Option<f32>,
    pub wide_residual: Option<f32>,
    /// The wide model's summary of the neighbours, its classes and its PBS for a version-1 code.
    pub wide_summary: Option<&'static str>,
    pub wide_classes: Option<usize>,
    pub wide_pbs: Option<u64>,
}

/// A mean residual above this is a poor fit: python-qrcode's looks leave 0.0004 to 0.013 of
/// their examples unexplained where the level keeps their colours (docs/readability.md,
/// "Learned looks"), and the issue that asked for fitting set 0.02 as its target.
pub const POOR_FIT: f32 = 0.02;
/// `auto` takes the wide model when it leaves less than this share of the vertex model's
/// residual (colours exact; beyond run-to-run noise)...
const GAIN: f64 = 0.9;
/// ...and, when it costs PBS, only if it also explains at least this much more of the ink's
/// coverage (mean squared error per sample, which no colour scales): a dot of the wrong one of
/// two sizes (0.3 or 0.4 of a module in radius) on about 1% of the modules.
const PAID_COVERAGE_GAIN: f64 = 2e-3;

/// The look as each model draws it, each checked against the examples, and the one `options`
/// asks for (or `auto` picks): its document, its fits, and the tile quarters no example showed.
#[allow(clippy::type_complexity)]
pub(crate) fn choose_shapes(
    read: &[Read],
    options: &FitOptions,
    colours: (&Fill, Area, &Fill),
    eyes: &Eyes,
    coverage: &Coverage,
    wide: Option<&ModuleCoverage>,
    progress: &mut dyn FnMut(Progress),
) -> Result<(ModelChoice, StyleDocument, Vec<ExampleFit>, Vec<(usize, usize)>), FitError> {
    let total = read.len();
    let wide_fit = wide.and_then(ModuleCoverage::fit);
    let mut candidates: Vec<(&'static str, StyleDocument)> = Vec::new();
    if options.model != Model::Wide || wide_fit.is_none() {
        let (codes, _) = coverage.trace();
        candidates
            .push(("vertex", document(options, colours, eyes, Shapes { tiles: TileSet::new(codes)?, program: None })));
    }
    if let Some(w) = &wide_fit {
        let mut tiles = w.tiles.clone();
        tiles.resize_with(16, Default::default);
        let shapes = Shapes { tiles: TileSet::new(tiles)?, program: Some(w.program.clone()) };
        candidates.push(("wide", document(options, colours, eyes, shapes)));
    }
    // With two models, each is drawn with the fitted colours exact: the readability level's
    // colour shift weighs the same on both and would hide what the shapes explain.
    let compared = if candidates.len() > 1 { candidates.len() } else { 0 };
    let checks = (compared + 1) * total;
    let mut done = 0;
    let mut shape_residuals: Vec<Option<f32>> = Vec::new();
    for (_, document) in candidates.iter().take(compared) {
        let mut sum = (0.0, 0);
        for batch in read.chunks(BATCH) {
            let found: Vec<Option<f32>> =
                batch.par_iter().map(|r| residual(document, r, true)).collect::<Result<_, _>>()?;
            for d in found.into_iter().flatten() {
                sum = (sum.0 + d, sum.1 + 1);
            }
            done += batch.len();
            progress(Progress::Checking { done, total: checks });
        }
        shape_residuals.push((sum.1 > 0).then(|| sum.0 / sum.1 as f32));
    }
    let pick = match (options.model, &wide_fit) {
        (_, None) => 0,
        (_, Some(_)) if candidates.len() == 1 => 0,
        (Model::Wide, _) => 1,
        (_, Some(w)) => {
            usize::from(wide_is_worth_it((shape_residuals[0], coverage.error()), (shape_residuals[1], w.error), w.pbs))
        }
    };
    let by_model =
        |name: &str| candidates.iter().position(|(n, _)| *n == name).and_then(|i| shape_residuals.get(i).copied()?);
    let model = ModelChoice {
        chosen: candidates[pick].0,
        vertex_residual: by_model("vertex"),
        wide_residual: by_model("wide"),
        wide_summary: wide_fit.as_ref().map(|w| w.summary),
        wide_classes: wide_fit.as_ref().map(|w| w.classes),
        wide_pbs: wide_fit.as_ref().map(|w| w.pbs),
    };
    let document = candidates.swap_remove(pick).1;
    let mut fits = Vec::with_capacity(total);
    for batch in read.chunks(BATCH) {
        let checked: Vec<ExampleFit> = batch
            .par_iter()
            .map(|r| {
                Ok::<_, FitError>(ExampleFit {
                    name: r.example.name.clone(),
                    modules: r.modules.side(),
                    module_px: r.grid.module,
                    residual: residual(&document, r, false)?,
                })
            })
            .collect::<Result<_, _>>()?;
        fits.extend(checked);
        done += batch.len();
        progress(Progress::Checking { done, total: checks });
    }
    let unseen = if model.chosen == "vertex" { coverage.trace().1 } else { Vec::new() };
    Ok((model, document, fits, unseen))
}

/// Whether `auto` takes the wide model over the vertex one, each given as (mean residual over
/// the examples with the colours exact; mean squared coverage error). It must be better;
/// costing PBS, it must also explain clearly more ink.
fn wide_is_worth_it(vertex: (Option<f32>, f64), wide: (Option<f32>, f64), wide_pbs: u64) -> bool {
    let better = match (vertex.0, wide.0) {
        (Some(v), Some(w)) => (w as f64) < GAIN * v as f64,
        // No residual measured: the coverage errors stand in for them.
        _ => wide.1 < GAIN * vertex.1,
    };
    better && (wide_pbs == 0 || vertex.1 - wide.1 > PAID_COVERAGE_GAIN)
}
