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
use crate::clear::{evaluate_cell, node_values};
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
/// Most distinct modules a plan over a node value may read: every assignment of them is
/// evaluated (2^12 = 4,096; a class program reads 9).
const MAX_SEARCHED_READS: usize = 12;

/// The linear plan of program `index` of an analysed `style`, if any: the first encoding whose
/// code determines the output. The fixed encodings come first (cheapest first), then the node
/// values earlier programs chose (so programs share one upload), then the inputs of the
/// program's own lookups, last first. Found by evaluating the program in the clear on every
/// assignment of the modules the encoding and the program read.
pub fn linear_plan(style: &ServerProgram, index: usize, earlier: &[Encoding]) -> Option<LinearPlan> {
    let program = style.programs.get(index)?;
    let lut_inputs = program.nodes.iter().rev().filter_map(|n| match n {
        Node::Lut { input, .. } => Some(*input),
        _ => None,
    });
    let own_values = lut_inputs.filter_map(|node| {
        Some(Encoding::NodeValue {
            domain: program.domain,
            program: u8::try_from(index).ok()?,
            node: u8::try_from(node).ok()?,
        })
    });
    let shared = earlier.iter().copied().filter(|e| matches!(e, Encoding::NodeValue { .. }));
    Encoding::FIXED
        .into_iter()
        .chain(shared)
        .chain(own_values)
        .filter(|e| e.domain() == program.domain)
        .find_map(|encoding| plan_on(style, program, encoding))
}

/// The distinct modules a program's stencils read, as offsets from the anchor.
fn reads(program: &Program) -> Vec<(i8, i8)> {
    let mut reads: Vec<(i8, i8)> = program
        .nodes
        .iter()
        .flat_map(|n| match n {
            Node::Stencil { taps } => taps.iter().map(|t| (t.dx, t.dy)).collect(),
            _ => Vec::new(),
        })
        .collect();
    reads.sort_unstable();
    reads.dedup();
    reads
}

/// `program`'s table over `encoding`'s codes, if its output is a function of the code.
fn plan_on(style: &ServerProgram, program: &Program, encoding: Encoding) -> Option<LinearPlan> {
    let own = reads(program);
    let (around, source) = match encoding {
        Encoding::NodeValue { program: source, .. } => {
            let source = style.programs.get(source as usize)?;
            let mut around = own.clone();
            around.extend(reads(source));
            around.sort_unstable();
            around.dedup();
            (around, Some(source))
        }
        fixed => (fixed.neighbourhood().to_vec(), None),
    };
    if around.len() > MAX_SEARCHED_READS || !own.iter().all(|r| around.contains(r)) {
        return None;
    }
    let (ax, ay) = encoding.domain().anchor(PROBE, PROBE);
    let mut table: Vec<Option<u8>> = vec![None; encoding.codes()];
    for assignment in 0u32..1 << around.len() {
        let bits: Vec<bool> = (0..around.len()).map(|i| assignment >> i & 1 == 1).collect();
        let module = |x: i64, y: i64| {
            around.iter().position(|&(dx, dy)| (ax + dx as i64, ay + dy as i64) == (x, y)).is_some_and(|i| bits[i])
        };
        let code = match (encoding, source) {
            (Encoding::NodeValue { node, .. }, Some(source)) => {
                *node_values(source, &module, PROBE, PROBE).get(node as usize)? as usize
            }
            _ => encoding.code_of(&bits),
        };
        let out = evaluate_cell(program, &module, PROBE, PROBE);
        match table.get_mut(code)? {
            entry @ None => *entry = Some(out),
            Some(seen) if *seen == out => {}
            Some(_) => return None,
        }
    }
    let table: Vec<u8> = match encoding {
        // Values no grid gives are never encrypted as set: they take code 0's output (weight 0).
        Encoding::NodeValue { .. } => {
            let filler = table.iter().flatten().next().copied()?;
            let first = table[0].unwrap_or(filler);
            table.into_iter().map(|t| t.unwrap_or(first)).collect()
        }
        _ => table.into_iter().collect::<Option<_>>()?,
    };
    let plan = LinearPlan { encoding, table };
    (linear_noise_log2(plan.weight_sum()) < LINEAR_MARGIN_LOG2).then_some(plan)
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
        let mut plans: Vec<LinearPlan> = Vec::with_capacity(style.programs.len());
        for index in 0..style.programs.len() {
            let earlier: Vec<Encoding> = plans.iter().map(|p| p.encoding).collect();
            match linear_plan(style, index, &earlier) {
                Some(plan) => plans.push(plan),
                None => return Ok(Plan::Pbs),
            }
        }
        Ok(Plan::Linear(plans))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::{Domain, Tap};

    fn tap(dx: i8, dy: i8, weight: u8) -> Tap {
        Tap { dx, dy, weight }
    }

    /// Dark modules among the `reach`-square around a module (at most `most` of them), looked
    /// up in `table`: no fixed encoding holds the corners' bits.
    fn count_lookup(reach: i8, most: usize, table: Vec<u8>) -> Program {
        let taps = (-reach..=reach).flat_map(|dy| (-reach..=reach).map(move |dx| tap(dx, dy, 1))).take(most).collect();
        Program {
            domain: Domain::Modules,
            nodes: vec![Node::Stencil { taps }, Node::Lut { input: 0, table }],
            output: 1,
        }
    }

    #[test]
    fn a_lookup_on_a_sum_runs_on_the_linear_tier_over_its_input_with_its_own_table() {
        let table = vec![0, 1, 2, 3, 3, 3, 3, 3, 3, 3, 0, 0, 0, 0, 0, 0];
        let style = ServerProgram { version: 1, programs: vec![count_lookup(1, 9, table.clone())] };
        let Plan::Linear(plans) = Plan::of(&style).expect("valid") else { panic!("a 3x3 count is linear") };
        let value = Encoding::NodeValue { domain: Domain::Modules, program: 0, node: 0 };
        // Counts 0-9 occur and take the style's entries; 10-15 never occur and cost nothing.
        let expected: Vec<u8> = (0..16).map(|k| if k <= 9 { table[k] } else { table[0] }).collect();
        assert_eq!(plans, vec![LinearPlan { encoding: value, table: expected }]);
        assert_eq!(value.to_string(), "node-value:modules:0:0");
        assert_eq!("node-value:modules:0:0".parse::<Encoding>(), Ok(value));
        for bad in
            ["node-value:modules:00:0", "node-value:planes:0:0", "node-value:modules:0", "node-value:modules:0:0:1"]
        {
            assert!(bad.parse::<Encoding>().is_err(), "{bad}");
        }
        let c = cost(&style, 21).expect("valid");
        assert_eq!((c.chosen().tier, c.chosen().pbs), (Tier::Linear, 0));
        assert!(c.on_pbs_tier.pbs > 0, "the PBS tier still bootstraps it");
    }

    #[test]
    fn two_outputs_over_one_lookup_input_share_one_encoding() {
        let low = count_lookup(1, 9, (0..16).map(|k| (k % 4) as u8).collect());
        let high = count_lookup(1, 9, (0..16).map(|k| (k / 4 % 4) as u8).collect());
        let style = ServerProgram { version: 1, programs: vec![low, high] };
        let plan = Plan::of(&style).expect("valid");
        assert_eq!(plan.encodings(), vec![Encoding::NodeValue { domain: Domain::Modules, program: 0, node: 0 }]);
    }

    #[test]
    fn a_lookup_over_more_modules_than_the_search_reads_stays_on_the_pbs_tier() {
        let style = ServerProgram { version: 1, programs: vec![count_lookup(2, 13, vec![1; 16])] };
        assert_eq!(Plan::of(&style).expect("valid"), Plan::Pbs);
        let c = cost(&style, 21).expect("valid");
        assert!(c.linear.is_none() && c.chosen().tier == Tier::Pbs && c.chosen().pbs > 0);
    }
}
