//! The clear evaluator: the reference semantics of a style, used by tests, by the `simulate`
//! mode and to check the FHE evaluator, which must produce exactly the same values.

use crate::analysis::{analyse, StyleError};
use crate::grid::ModuleGrid;
use crate::style::{Node, Program, ServerProgram};

/// Evaluate every program over `grid`; outputs in evaluation order (program by program,
/// cells row-major), each 0..=3.
pub fn evaluate(style: &ServerProgram, grid: &ModuleGrid) -> Result<Vec<u8>, StyleError> {
    analyse(style)?;
    let mut out = Vec::with_capacity(style.output_count(grid.side()));
    for program in &style.programs {
        let (w, h) = program.domain.dims(grid.side());
        for cy in 0..h {
            for cx in 0..w {
                out.push(evaluate_cell(program, grid, cx, cy));
            }
        }
    }
    Ok(out)
}

fn evaluate_cell(program: &Program, grid: &ModuleGrid, cx: u32, cy: u32) -> u8 {
    let (ax, ay) = program.domain.anchor(cx, cy);
    let mut values: Vec<u32> = Vec::with_capacity(program.nodes.len());
    for node in &program.nodes {
        let v = match node {
            Node::Stencil { taps } => taps
                .iter()
                .filter(|t| grid.is_dark(ax + t.dx as i64, ay + t.dy as i64))
                .map(|t| t.weight as u32)
                .sum(),
            // Analysis guarantees the index is below 16 and the table has 16 entries.
            Node::Lut { input, table } => table[values[*input] as usize] as u32,
            Node::Add { a, b } => values[*a] + values[*b],
            Node::Scale { input, by } => values[*input] * *by as u32,
        };
        values.push(v);
    }
    values[program.output] as u8
}
