//! Which shape model draws the look: the vertex model (a tile per vertex's 2×2 block, 0 PBS)
//! or the wide one (a class per module from its 3×3 neighbourhood, [`crate::wide`]), each
//! drawn and checked against the examples, and the choice `auto` makes between them.

use crate::eyes::Eyes;
use crate::report::{residual, ExampleFit, Progress, Read};
use crate::tiles::Coverage;
use crate::wide::ModuleCoverage;
use crate::write::{document, Shapes};
use crate::{FitError, FitOptions};
use qrveil_sdk::{Area, Fill, StyleDocument};
use qrveil_style::recipe::TileSet;

/// The shape model a fit learns.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Model {
    /// The vertex model, unless the wide one explains the examples clearly better (it costs
    /// PBS where the vertex model costs none).
    #[default]
    Auto,
    /// A tile per vertex block code (style `fitted`, 0 PBS).
    Vertex,
    /// A class per module from its 3×3 neighbourhood (style `fitted-wide`, usually the PBS tier).
    Wide,
}

/// Which model a fit chose, and how much of the examples each leaves unexplained (mean
/// absolute pixel difference, 0..1; none when the examples are not drawn on whole pixels or
/// the model was not fitted).
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
/// `auto` takes a wide model that costs no PBS when it leaves less than this share of the
/// vertex model's residual (beyond run-to-run noise)...
const FREE_GAIN: f64 = 0.9;
/// ...and one that costs PBS only when the vertex model is a poor fit and the wide model leaves
/// less than this share of it.
const PAID_GAIN: f64 = 0.75;
/// Without residuals: a mean squared coverage error this large is a poor fit.
const VISIBLE_ERROR: f64 = 0.005;

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
    let checks = candidates.len() * total;
    let mut checked: Vec<Vec<ExampleFit>> = Vec::new();
    for (_, document) in &candidates {
        let mut fits = Vec::with_capacity(total);
        for r in read {
            fits.push(ExampleFit {
                name: r.example.name.clone(),
                modules: r.modules.side(),
                module_px: r.grid.module,
                residual: residual(document, r)?,
            });
            progress(Progress::Checking { done: checked.len() * total + fits.len(), total: checks });
        }
        checked.push(fits);
    }
    let residuals: Vec<Option<f32>> = checked.iter().map(|fits| mean_residual(fits)).collect();
    let pick = match (options.model, &wide_fit) {
        (_, None) => 0,
        (_, Some(_)) if candidates.len() == 1 => 0,
        (Model::Wide, _) => 1,
        (_, Some(w)) => usize::from(wide_is_worth_it((residuals[0], coverage.error()), (residuals[1], w.error), w.pbs)),
    };
    let by_model = |name: &str| candidates.iter().position(|(n, _)| *n == name).and_then(|i| residuals[i]);
    let model = ModelChoice {
        chosen: candidates[pick].0,
        vertex_residual: by_model("vertex"),
        wide_residual: by_model("wide"),
        wide_summary: wide_fit.as_ref().map(|w| w.summary),
        wide_classes: wide_fit.as_ref().map(|w| w.classes),
        wide_pbs: wide_fit.as_ref().map(|w| w.pbs),
    };
    let unseen = if model.chosen == "vertex" { coverage.trace().1 } else { Vec::new() };
    Ok((model, candidates.swap_remove(pick).1, checked.swap_remove(pick), unseen))
}

fn mean_residual(fits: &[ExampleFit]) -> Option<f32> {
    let r: Vec<f32> = fits.iter().filter_map(|f| f.residual).collect();
    (!r.is_empty()).then(|| r.iter().sum::<f32>() / r.len() as f32)
}

/// Whether `auto` takes the wide model over the vertex one, each given as (mean residual over
/// the examples, when they are drawn on whole pixels; mean squared coverage error). At no PBS
/// (a linear encoding captures its program) the wide model only has to be better; costing PBS,
/// it must be needed (the vertex model leaves more than [`POOR_FIT`]) and clearly better.
fn wide_is_worth_it(vertex: (Option<f32>, f64), wide: (Option<f32>, f64), wide_pbs: u64) -> bool {
    let (better, needed) = match (vertex.0, wide.0) {
        (Some(v), Some(w)) => ((w as f64) / (v as f64).max(1e-9), v > POOR_FIT),
        // Examples not on whole pixels: the coverage errors stand in for the residuals.
        _ => (wide.1 / vertex.1.max(1e-12), vertex.1 > VISIBLE_ERROR),
    };
    if wide_pbs == 0 {
        better < FREE_GAIN
    } else {
        needed && better < PAID_GAIN
    }
}
