//! The clear evaluator: the reference semantics of a style. The FHE evaluator must produce
//! exactly the same values; the tests and the readability lab use this one to stand for it.
//!
//! Modules the QR standard fixes ([`FixedModules`]) are read at their standard value, not
//! from the grid: the function evaluates cells that see only such modules in the clear.

use crate::analysis::{analyse, StyleError};
use crate::grid::{FixedModules, ModuleGrid};
use crate::program::{Node, Program, ServerProgram};

/// Evaluate every program over `grid`; outputs in evaluation order (program by program,
/// cells row-major), each 0..=3.
pub fn evaluate(style: &ServerProgram, grid: &ModuleGrid) -> Result<Vec<u8>, StyleError> {
    analyse(style)?;
    let fixed = FixedModules::for_side(grid.side());
    let module = |x: i64, y: i64| fixed.get(x, y).unwrap_or_else(|| grid.is_dark(x, y));
    let mut out = Vec::with_capacity(style.output_count(grid.side()));
    for program in &style.programs {
        let (w, h) = program.domain.dims(grid.side());
        for cy in 0..h {
            for cx in 0..w {
                out.push(evaluate_cell(program, &module, cx, cy));
            }
        }
    }
    Ok(out)
}

/// One cell's output, reading module (x, y) through `module`.
pub fn evaluate_cell(program: &Program, module: &dyn Fn(i64, i64) -> bool, cx: u32, cy: u32) -> u8 {
    node_values(program, module, cx, cy)[program.output] as u8
}

/// Every node's value at one cell (of an analysed program), reading module (x, y) through
/// `module`.
pub fn node_values(program: &Program, module: &dyn Fn(i64, i64) -> bool, cx: u32, cy: u32) -> Vec<u32> {
    let (ax, ay) = program.domain.anchor(cx, cy);
    let mut values: Vec<u32> = Vec::with_capacity(program.nodes.len());
    for node in &program.nodes {
        let v = match node {
            Node::Stencil { taps } => {
                taps.iter().filter(|t| module(ax + t.dx as i64, ay + t.dy as i64)).map(|t| t.weight as u32).sum()
            }
            // Analysis guarantees the index is below 16 and the table has 16 entries.
            Node::Lut { input, table } => table[values[*input] as usize] as u32,
            Node::Add { a, b } => values[*a] + values[*b],
            Node::Scale { input, by } => values[*input] * *by as u32,
        };
        values.push(v);
    }
    values
}
