//! Static checks and cost of a style, before any ciphertext is touched.
//!
//! # Noise model
//! tfhe-rs counts noise in units of a *nominal* ciphertext (one fresh out of a PBS) and lets a
//! PBS input reach `max_noise_level` = 5 units for the pinned parameters. We keep that rule for
//! everything derived from PBS outputs. Inputs are different: the client encrypts each module
//! freshly under the big key with TUniform(17) noise, so every input's error lies in
//! [-2^17, 2^17] *with certainty*. A stencil with weights summing to W therefore has
//! |error| ≤ W · 2^17. We cap W at [`FRESH_WEIGHT_LIMIT`] = 64, i.e. |error| ≤ 2^23, which is
//! more than a million times below the standard deviation of a nominal post-PBS ciphertext
//! (~2^44 and up, dominated by the bootstrapping-key noise), so counting such a stencil as one
//! nominal unit is conservative and the parameter set's 2^-128 failure bound still holds.
//! `tests/tests/noise.rs` measures both quantities on real ciphertexts.
//!
//! Levels and weights saturate at `u32::MAX` rather than wrap: a program that scales a PBS
//! output by 16 eight times has 2^32 units, not 0, and is refused at its next lookup.
//!
//! # Range
//! Values must stay below 16 (2 message + 2 carry bits; the padding bit must stay clean) at
//! every node, and outputs below 4: list compression packs only 2-bit values.

use crate::program::{Node, Program, ServerProgram, Tap};
use qrveil_protocol::params::{CLEARTEXT_MODULUS, OUTPUT_MODULUS, PBS_PARAMS};
use serde::Serialize;

/// Largest total stencil weight treated as one nominal noise unit (see module docs).
pub const FRESH_WEIGHT_LIMIT: u32 = 64;

/// A style program that cannot be evaluated correctly.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StyleError {
    #[error("program {program}, node {node}: refers to node {target}, which is not earlier")]
    ForwardReference { program: usize, node: usize, target: usize },
    #[error("program {program}, node {node}: a lookup table needs 16 entries, this one has {len}")]
    TableSize { program: usize, node: usize, len: usize },
    #[error("program {program}, node {node}: value can reach {max}, over the 4-bit limit of 15")]
    Overflow { program: usize, node: usize, max: u32 },
    #[error(
        "program {program}, node {node}: noise reaches {level} units at a PBS input; the parameter set allows {limit}"
    )]
    NoiseBudget { program: usize, node: usize, level: u32, limit: u32 },
    #[error(
        "program {program}, node {node}: stencil weights sum to {weight}; at most {FRESH_WEIGHT_LIMIT} is allowed"
    )]
    StencilWeight { program: usize, node: usize, weight: u32 },
    #[error("program {program}, node {node}: the stencil tap at ({dx}, {dy}) has weight 0; leave it out")]
    ZeroWeightTap { program: usize, node: usize, dx: i8, dy: i8 },
    #[error(
        "program {program}, node {node}: the stencil reads ({dx}, {dy}) twice; give it one tap of the summed weight"
    )]
    DuplicateTap { program: usize, node: usize, dx: i8, dy: i8 },
    #[error("program {program}: output node {node} does not exist")]
    MissingOutput { program: usize, node: usize },
    #[error("program {program}: output can reach {max}; outputs must be 2-bit (0..=3)")]
    OutputRange { program: usize, max: u32 },
    #[error("program {program}: output noise is {level} units; outputs must be nominal (1) to be packed")]
    OutputNoise { program: usize, level: u32 },
    #[error("style has no programs")]
    Empty,
}

/// The noise a node's ciphertext carries, in the model above.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Noise {
    /// Linear in fresh inputs only; `weight` is the sum of absolute weights.
    Fresh { weight: u32 },
    /// Derived from PBS outputs; `level` in nominal units.
    Nominal { level: u32 },
}

impl Noise {
    /// Nominal units, counting a bounded fresh combination as one.
    pub fn units(self) -> u32 {
        match self {
            Noise::Fresh { weight: 0 } => 0,
            Noise::Fresh { .. } => 1,
            Noise::Nominal { level } => level,
        }
    }
}

/// What analysis knows about one node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct NodeFacts {
    pub max_value: u32,
    pub noise: Noise,
}

/// Per-program facts that the evaluators and the cost report use.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ProgramFacts {
    pub nodes: Vec<NodeFacts>,
    pub luts_per_cell: u32,
    /// Highest noise (units) seen at any PBS input, for the report.
    pub worst_lut_input_noise: u32,
}

/// Check one program; the facts are exact upper bounds under the module docs' model.
pub fn analyse_program(index: usize, program: &Program) -> Result<ProgramFacts, StyleError> {
    let limit = PBS_PARAMS.max_noise_level.get() as u32;
    let max_value = (CLEARTEXT_MODULUS - 1) as u32;
    let mut facts: Vec<NodeFacts> = Vec::with_capacity(program.nodes.len());
    let mut luts = 0;
    let mut worst = 0;
    for (i, node) in program.nodes.iter().enumerate() {
        let earlier = |target: usize| -> Result<NodeFacts, StyleError> {
            facts.get(target).copied().filter(|_| target < i).ok_or(StyleError::ForwardReference {
                program: index,
                node: i,
                target,
            })
        };
        let fact = match node {
            Node::Stencil { taps } => stencil_facts(index, i, taps)?,
            Node::Lut { input, table } => {
                let input = earlier(*input)?;
                if table.len() != CLEARTEXT_MODULUS as usize {
                    return Err(StyleError::TableSize { program: index, node: i, len: table.len() });
                }
                let level = input.noise.units();
                if level > limit {
                    return Err(StyleError::NoiseBudget { program: index, node: i, level, limit });
                }
                worst = worst.max(level);
                luts += 1;
                let reachable = &table[..=input.max_value.min(max_value) as usize];
                NodeFacts {
                    max_value: reachable.iter().copied().max().unwrap_or(0) as u32,
                    noise: Noise::Nominal { level: 1 },
                }
            }
            Node::Add { a, b } => {
                let (a, b) = (earlier(*a)?, earlier(*b)?);
                let noise = match (a.noise, b.noise) {
                    (Noise::Fresh { weight: x }, Noise::Fresh { weight: y }) => {
                        Noise::Fresh { weight: x.saturating_add(y) }
                    }
                    _ => Noise::Nominal { level: a.noise.units().saturating_add(b.noise.units()) },
                };
                NodeFacts { max_value: a.max_value.saturating_add(b.max_value), noise }
            }
            Node::Scale { input, by } => {
                let input = earlier(*input)?;
                let by = *by as u32;
                let noise = match input.noise {
                    Noise::Fresh { weight } => Noise::Fresh { weight: weight.saturating_mul(by) },
                    Noise::Nominal { level } => Noise::Nominal { level: level.saturating_mul(by) },
                };
                NodeFacts { max_value: input.max_value.saturating_mul(by), noise }
            }
        };
        if fact.max_value > max_value {
            return Err(StyleError::Overflow { program: index, node: i, max: fact.max_value });
        }
        if let Noise::Fresh { weight } = fact.noise {
            if weight > FRESH_WEIGHT_LIMIT {
                return Err(StyleError::StencilWeight { program: index, node: i, weight });
            }
        }
        facts.push(fact);
    }
    let out =
        facts.get(program.output).copied().ok_or(StyleError::MissingOutput { program: index, node: program.output })?;
    if out.max_value >= OUTPUT_MODULUS as u32 {
        return Err(StyleError::OutputRange { program: index, max: out.max_value });
    }
    if out.noise.units() > 1 {
        return Err(StyleError::OutputNoise { program: index, level: out.noise.units() });
    }
    Ok(ProgramFacts { nodes: facts, luts_per_cell: luts, worst_lut_input_noise: worst })
}

/// A stencil's facts: every tap a distinct module of non-zero weight (each tap costs a
/// multiply-add of a whole input ciphertext per cell, so one that adds nothing is refused), and
/// the weights within [`FRESH_WEIGHT_LIMIT`].
fn stencil_facts(program: usize, node: usize, taps: &[Tap]) -> Result<NodeFacts, StyleError> {
    if let Some(t) = taps.iter().find(|t| t.weight == 0) {
        return Err(StyleError::ZeroWeightTap { program, node, dx: t.dx, dy: t.dy });
    }
    let mut offsets: Vec<(i8, i8)> = taps.iter().map(|t| (t.dx, t.dy)).collect();
    offsets.sort_unstable();
    if let Some(pair) = offsets.windows(2).find(|pair| pair[0] == pair[1]) {
        let (dx, dy) = pair[0];
        return Err(StyleError::DuplicateTap { program, node, dx, dy });
    }
    let weight = taps.iter().fold(0u32, |sum, t| sum.saturating_add(t.weight as u32));
    if weight > FRESH_WEIGHT_LIMIT {
        return Err(StyleError::StencilWeight { program, node, weight });
    }
    Ok(NodeFacts { max_value: weight, noise: Noise::Fresh { weight } })
}

/// Check every program of a style.
pub fn analyse(style: &ServerProgram) -> Result<Vec<ProgramFacts>, StyleError> {
    if style.programs.is_empty() {
        return Err(StyleError::Empty);
    }
    style.programs.iter().enumerate().map(|(i, p)| analyse_program(i, p)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::program::Domain;

    fn prog(nodes: Vec<Node>, output: usize) -> Program {
        Program { domain: Domain::Modules, nodes, output }
    }
    fn tap(dx: i8, dy: i8, weight: u8) -> Tap {
        Tap { dx, dy, weight }
    }

    #[test]
    fn adding_six_pbs_outputs_exceeds_the_noise_budget() {
        let mut nodes = vec![Node::Stencil { taps: vec![tap(0, 0, 1)] }];
        nodes.push(Node::Lut { input: 0, table: vec![1; 16] });
        let mut acc = 1;
        for _ in 0..5 {
            nodes.push(Node::Add { a: acc, b: 1 });
            acc = nodes.len() - 1;
        }
        nodes.push(Node::Lut { input: acc, table: vec![0; 16] });
        let out = nodes.len() - 1;
        let err = analyse_program(0, &prog(nodes, out)).unwrap_err();
        assert_eq!(err, StyleError::NoiseBudget { program: 0, node: 7, level: 6, limit: 5 });
    }

    #[test]
    fn five_pbs_outputs_fit_the_budget() {
        let mut nodes = vec![Node::Stencil { taps: vec![tap(0, 0, 1)] }];
        nodes.push(Node::Lut { input: 0, table: vec![1; 16] });
        let mut acc = 1;
        for _ in 0..4 {
            nodes.push(Node::Add { a: acc, b: 1 });
            acc = nodes.len() - 1;
        }
        nodes.push(Node::Lut { input: acc, table: vec![0; 16] });
        let out = nodes.len() - 1;
        let facts = analyse_program(0, &prog(nodes, out)).expect("within budget");
        assert_eq!(facts.worst_lut_input_noise, 5);
        assert_eq!(facts.luts_per_cell, 2);
    }

    #[test]
    fn a_weighted_stencil_of_fresh_bits_counts_as_one_unit() {
        let taps = vec![tap(0, 0, 1), tap(1, 0, 2), tap(0, 1, 4), tap(1, 1, 8)];
        let nodes = vec![Node::Stencil { taps }, Node::Lut { input: 0, table: vec![3; 16] }];
        let facts = analyse_program(0, &prog(nodes, 1)).expect("fresh stencil");
        assert_eq!(facts.nodes[0].noise, Noise::Fresh { weight: 15 });
        assert_eq!(facts.worst_lut_input_noise, 1);
    }

    #[test]
    fn overflow_into_the_padding_bit_is_refused() {
        let taps = vec![tap(0, 0, 8), tap(1, 0, 8)];
        let err = analyse_program(0, &prog(vec![Node::Stencil { taps }], 0)).unwrap_err();
        assert_eq!(err, StyleError::Overflow { program: 0, node: 0, max: 16 });
    }

    #[test]
    fn outputs_must_be_two_bit_and_nominal() {
        let nodes = vec![Node::Stencil { taps: vec![tap(0, 0, 4)] }];
        assert_eq!(analyse_program(0, &prog(nodes, 0)).unwrap_err(), StyleError::OutputRange { program: 0, max: 4 });
        let nodes = vec![
            Node::Stencil { taps: vec![tap(0, 0, 1)] },
            Node::Lut { input: 0, table: vec![1; 16] },
            Node::Add { a: 1, b: 1 },
        ];
        assert_eq!(analyse_program(0, &prog(nodes, 2)).unwrap_err(), StyleError::OutputNoise { program: 0, level: 2 });
    }

    #[test]
    fn forward_references_are_refused() {
        let nodes = vec![Node::Lut { input: 0, table: vec![0; 16] }];
        assert!(matches!(analyse_program(0, &prog(nodes, 0)), Err(StyleError::ForwardReference { .. })));
    }

    /// A zero lookup scaled by 16 eight times: 2^32 nominal units, which wrapped to 0 in u32.
    #[test]
    fn a_lookup_scaled_past_u32_is_refused_for_its_noise() {
        let mut nodes = vec![Node::Stencil { taps: vec![tap(0, 0, 1)] }, Node::Lut { input: 0, table: vec![0; 16] }];
        for _ in 0..8 {
            nodes.push(Node::Scale { input: nodes.len() - 1, by: 16 });
        }
        nodes.push(Node::Add { a: 0, b: 9 });
        nodes.push(Node::Lut { input: 10, table: vec![0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] });
        let err = analyse_program(0, &prog(nodes, 11)).unwrap_err();
        assert_eq!(err, StyleError::NoiseBudget { program: 0, node: 11, level: u32::MAX, limit: 5 });
    }

    #[test]
    fn doubling_a_lookup_saturates_too() {
        let mut nodes = vec![Node::Stencil { taps: vec![tap(0, 0, 1)] }, Node::Lut { input: 0, table: vec![0; 16] }];
        for _ in 0..40 {
            nodes.push(Node::Add { a: nodes.len() - 1, b: nodes.len() - 1 });
        }
        let last = nodes.len() - 1;
        nodes.push(Node::Lut { input: last, table: vec![0; 16] });
        let err = analyse_program(0, &prog(nodes, last + 1)).unwrap_err();
        assert_eq!(err, StyleError::NoiseBudget { program: 0, node: last + 1, level: u32::MAX, limit: 5 });
    }

    #[test]
    fn zero_weight_taps_are_refused() {
        let taps = vec![tap(0, 0, 1), tap(1, 0, 0)];
        let err = analyse_program(0, &prog(vec![Node::Stencil { taps }], 0)).unwrap_err();
        assert_eq!(err, StyleError::ZeroWeightTap { program: 0, node: 0, dx: 1, dy: 0 });
        assert!(err.to_string().contains("(1, 0) has weight 0"), "{err}");
    }

    #[test]
    fn duplicate_taps_are_refused() {
        let taps = vec![tap(0, 0, 1), tap(1, 0, 1), tap(0, 0, 1)];
        let nodes = vec![Node::Stencil { taps }, Node::Lut { input: 0, table: vec![0; 16] }];
        let err = analyse_program(0, &prog(nodes, 1)).unwrap_err();
        assert_eq!(err, StyleError::DuplicateTap { program: 0, node: 0, dx: 0, dy: 0 });
        assert!(err.to_string().contains("reads (0, 0) twice"), "{err}");
        // Two stencils may read the same module: only one stencil's taps must be distinct.
        let nodes = vec![
            Node::Stencil { taps: vec![tap(0, 0, 1)] },
            Node::Stencil { taps: vec![tap(0, 0, 2)] },
            Node::Add { a: 0, b: 1 },
        ];
        assert_eq!(analyse_program(0, &prog(nodes, 2)).expect("valid").nodes[2].max_value, 3);
    }
}
