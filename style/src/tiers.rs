//! Which tier evaluates a style, and what it costs on each.
//!
//! A program whose output is a function of one encoding's code at its cell (a vertex's 2×2
//! block, say) runs on the **linear tier**: its table over the codes becomes clear weights on
//! the encrypted one-hot indicators, so the function needs no bootstrapping and no server key.
//! Anything else (a lookup on a sum the encodings do not capture) runs on the **PBS tier**.
//! A style runs on the linear tier when all its programs do.
//!
//! # Linear noise
//! Every uploaded slot carries fresh TUniform(17) noise, |e| ≤ 2^17, and the rounding of its
//! body to [`LINEAR_UPLOAD_LOG_MODULUS`] bits, ≤ 2^(63−10); both are certain bounds, so a sum
//! with weights of total W is off by at most W·(2^17 + 2^53). Switching the result to
//! [`LINEAR_DOWNLOAD_LOG_MODULUS`] bits rounds the body (≤ 2^51) and each of the 2048 mask
//! coefficients (≤ 2^51 each, times a binary key coefficient): by Hoeffding's inequality their
//! sum exceeds 2^51·√(2·2048·ln(2^129)) ≈ 2^60.2 with probability below 2^-128. The total must
//! stay under half the output step, 2^61. `tests/tests/noise.rs` measures it.

use crate::analysis::{analyse, StyleError};
use crate::clear::evaluate_cell;
use crate::features::Encoding;
use crate::grid::FixedModules;
use crate::program::{Node, Program, ServerProgram};
use qrveil_protocol::linear::page_counts;
use qrveil_protocol::params::{
    COMPRESSION_PARAMS, FRESH_NOISE_BOUND_LOG2, LINEAR_DELTA, LINEAR_DOWNLOAD_LOG_MODULUS, LINEAR_UPLOAD_LOG_MODULUS,
    PBS_PARAMS,
};
pub use qrveil_protocol::Tier;
use serde::Serialize;

/// A program on the linear tier: the encoding it reads and its output for each code.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LinearPlan {
    pub encoding: Encoding,
    pub table: Vec<u8>,
}

impl LinearPlan {
    /// The output for code 0, added as a public constant.
    pub fn constant(&self) -> u8 {
        self.table[0]
    }

    /// The clear weight of each encrypted indicator (codes 1, 2, ...): `T[k] − T[0]`.
    pub fn weights(&self) -> Vec<i64> {
        self.table[1..].iter().map(|&t| t as i64 - self.constant() as i64).collect()
    }

    pub fn weight_sum(&self) -> u64 {
        self.weights().iter().map(|w| w.unsigned_abs()).sum()
    }

    /// Output cells for a symbol `side` modules wide: one per cell of the encoding's domain.
    pub fn cells(&self, side: u32) -> u32 {
        self.encoding.domain().cells(side) as u32
    }
}

/// Where linear cells are evaluated, well inside any symbol (the table does not depend on it).
const PROBE: u32 = 8;

/// The linear plan of an analysed `program`: the first encoding (cheapest first) on its domain
/// whose code determines the output, if any. Found by evaluating the program in the clear on
/// every assignment of the encoding's neighbourhood.
pub fn linear_plan(program: &Program) -> Option<LinearPlan> {
    let reads: Vec<(i8, i8)> = program
        .nodes
        .iter()
        .flat_map(|n| match n {
            Node::Stencil { taps } => taps.iter().map(|t| (t.dx, t.dy)).collect(),
            _ => Vec::new(),
        })
        .collect();
    Encoding::ALL.into_iter().filter(|e| e.domain() == program.domain).find_map(|encoding| {
        let around = encoding.neighbourhood();
        if !reads.iter().all(|r| around.contains(r)) {
            return None;
        }
        let (ax, ay) = encoding.domain().anchor(PROBE, PROBE);
        let mut table: Vec<Option<u8>> = vec![None; encoding.codes()];
        for assignment in 0u32..1 << around.len() {
            let bits: Vec<bool> = (0..around.len()).map(|i| assignment >> i & 1 == 1).collect();
            let module = |x: i64, y: i64| {
                around.iter().position(|&(dx, dy)| (ax + dx as i64, ay + dy as i64) == (x, y)).is_some_and(|i| bits[i])
            };
            let out = evaluate_cell(program, &module, PROBE, PROBE);
            let entry = &mut table[encoding.code_of(&bits)];
            match entry {
                None => *entry = Some(out),
                Some(seen) if *seen == out => {}
                Some(_) => return None,
            }
        }
        let table: Option<Vec<u8>> = table.into_iter().collect();
        let plan = LinearPlan { encoding, table: table? };
        (linear_noise_log2(plan.weight_sum()) < LINEAR_MARGIN_LOG2).then_some(plan)
    })
}

/// How a style is evaluated.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Plan {
    /// One linear plan per program.
    Linear(Vec<LinearPlan>),
    Pbs,
}

impl Plan {
    /// The style's tier; an invalid style is an error.
    pub fn of(style: &ServerProgram) -> Result<Plan, StyleError> {
        analyse(style)?;
        let plans: Option<Vec<LinearPlan>> = style.programs.iter().map(linear_plan).collect();
        Ok(plans.map_or(Plan::Pbs, Plan::Linear))
    }

    pub fn tier(&self) -> Tier {
        match self {
            Plan::Linear(_) => Tier::Linear,
            Plan::Pbs => Tier::Pbs,
        }
    }

    /// The encodings a linear style reads, each once, in a fixed order; none on the PBS tier.
    pub fn encodings(&self) -> Vec<Encoding> {
        match self {
            Plan::Linear(plans) => encodings_of(plans),
            Plan::Pbs => Vec::new(),
        }
    }
}

fn encodings_of(plans: &[LinearPlan]) -> Vec<Encoding> {
    let mut encodings: Vec<Encoding> = plans.iter().map(|p| p.encoding).collect();
    encodings.sort();
    encodings.dedup();
    encodings
}

/// Half the linear tier's output step: its error must stay below this (log2, torus of 2^64).
pub const LINEAR_MARGIN_LOG2: f64 = (LINEAR_DELTA.trailing_zeros() - 1) as f64;

/// Bound on the linear tier's error for weights of total `weight_sum`, as log2 of torus units
/// of 2^64 (see the module docs): certain for the sum, 2^-128 for the download's rounding.
pub fn linear_noise_log2(weight_sum: u64) -> f64 {
    let fresh = 2f64.powi(FRESH_NOISE_BOUND_LOG2 as i32);
    let upload = 2f64.powi(63 - LINEAR_UPLOAD_LOG_MODULUS as i32);
    let download = 2f64.powi(63 - LINEAR_DOWNLOAD_LOG_MODULUS as i32);
    let key_bits = (PBS_PARAMS.glwe_dimension.0 * PBS_PARAMS.polynomial_size.0) as f64;
    let tail = (2.0 * key_bits * (2.0f64 / 2f64.powi(-128)).ln()).sqrt();
    (weight_sum as f64 * (fresh + upload) + download * (1.0 + tail)).log2()
}

/// A style's noise, in its tier's terms.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum NoiseBound {
    /// PBS tier: worst nominal units at a PBS input, and the parameter set's limit.
    Units { worst: u32, limit: u32 },
    /// Linear tier: log2 of the error bound and of the margin (torus of 2^64).
    Log2 { bound: f64, margin: f64 },
}

/// What a style costs on one tier, for one symbol size.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TierCost {
    pub tier: Tier,
    /// Programmable bootstraps: the expensive operation.
    pub pbs: u64,
    /// 2-bit values the client downloads.
    pub outputs: u64,
    /// Approximate bytes of the input object, and of the output object.
    pub bytes_up: u64,
    pub bytes_down: u64,
    pub noise: NoiseBound,
}

/// Static cost of a style on a symbol of `modules` a side, on the tier it runs on and on the
/// PBS tier (which can run any style), for comparison.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CostReport {
    pub modules: u32,
    pub linear: Option<TierCost>,
    pub on_pbs_tier: TierCost,
}

impl CostReport {
    /// The tier the style runs on: the linear one when it can.
    pub fn chosen(&self) -> &TierCost {
        self.linear.as_ref().unwrap_or(&self.on_pbs_tier)
    }
}

pub fn cost(style: &ServerProgram, modules: u32) -> Result<CostReport, StyleError> {
    let facts = analyse(style)?;
    let fixed = FixedModules::for_side(modules);
    let n = PBS_PARAMS.polynomial_size.0 as u64;
    let cells: Vec<u64> = style.programs.iter().map(|p| p.domain.cells(modules) as u64).collect();
    let outputs: u64 = cells.iter().sum();

    let mut pbs = 0u64;
    for (p, f) in style.programs.iter().zip(&facts) {
        let (w, h) = p.domain.dims(modules);
        let encrypted = (0..w * h).filter(|i| !p.reads_only_fixed(&fixed, i % w, i / w)).count() as u64;
        pbs += encrypted * f.luts_per_cell as u64;
    }
    let comp = COMPRESSION_PARAMS;
    let per_glwe = comp.lwe_per_glwe().0 as u64;
    let glwe_coeffs = (comp.packing_ks_glwe_dimension().0 * comp.packing_ks_polynomial_size().0) as u64;
    let packed_glwes = outputs.div_ceil(per_glwe);
    let on_pbs_tier = TierCost {
        tier: Tier::Pbs,
        pbs,
        outputs,
        // Seeded GLWEs of 2048 modules: 8 B a coefficient, and a seed.
        bytes_up: (modules as u64).pow(2).div_ceil(n) * (n * 8 + SEED_BYTES),
        bytes_down: packed_glwes * (glwe_coeffs + per_glwe) * comp.storage_log_modulus().0 as u64 / 8,
        noise: NoiseBound::Units {
            worst: facts.iter().map(|f| f.worst_lut_input_noise).max().unwrap_or(0),
            limit: PBS_PARAMS.max_noise_level.get() as u32,
        },
    };
    let linear = match Plan::of(style)? {
        Plan::Pbs => None,
        Plan::Linear(plans) => Some(linear_cost(&plans, modules, outputs)),
    };
    Ok(CostReport { modules, linear, on_pbs_tier })
}

/// A seed and the container's framing, per GLWE (approximate).
const SEED_BYTES: u64 = 32;

fn linear_cost(plans: &[LinearPlan], modules: u32, outputs: u64) -> TierCost {
    let n = PBS_PARAMS.polynomial_size.0 as u64;
    let packed = |values: u64, bits: usize| (values * bits as u64).div_ceil(64) * 8;
    let bytes_up = encodings_of(plans)
        .iter()
        .flat_map(|e| page_counts(e.domain().cells(modules)).map(move |count| (e.slots_per_cell(), count)))
        .map(|(slots, count)| slots as u64 * (packed(count as u64, LINEAR_UPLOAD_LOG_MODULUS) + SEED_BYTES))
        .sum();
    let bytes_down = plans
        .iter()
        .flat_map(|p| page_counts(p.encoding.domain().cells(modules)))
        .map(|count| packed(n + count as u64, LINEAR_DOWNLOAD_LOG_MODULUS) + SEED_BYTES)
        .sum();
    let worst = plans.iter().map(LinearPlan::weight_sum).max().unwrap_or(0);
    TierCost {
        tier: Tier::Linear,
        pbs: 0,
        outputs,
        bytes_up,
        bytes_down,
        noise: NoiseBound::Log2 { bound: linear_noise_log2(worst), margin: LINEAR_MARGIN_LOG2 },
    }
}
