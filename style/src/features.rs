//! The linear tier's inputs: public, style-independent encodings of the module grid. For each
//! cell of its domain an encoding names a small code (the 2×2 block at a vertex, say), and the
//! client encrypts the code's one-hot indicators. Any function of that code is then a
//! clear-weighted sum of ciphertexts, `T[0] + Σ_k (T[k] − T[0])·[code = k]`: no bootstrapping,
//! no server key. The indicator of code 0 is left out: it is 1 minus the others, a public
//! constant.
//!
//! Three encodings are fixed ([`Encoding::FIXED`]). The fourth, [`Encoding::NodeValue`], is the
//! style's own: the value of one node of its public program, at most 16 codes, which the client
//! computes in the clear on its own grid. A wide fitted look's program is two layers of lookups;
//! its first layer (a stencil over the 3×3 neighbourhood and its grouping) reads only the
//! client's bitmap, so the client encodes the second lookup's input, `8·self + group`, and the
//! server evaluates that lookup as `Σ T[k]·x_k` with the style's own table.

use crate::clear::node_values;
use crate::grid::{FixedModules, ModuleGrid};
use crate::program::{Domain, ServerProgram};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A public encoding of the grid, named in the job's manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Encoding {
    /// Per module: its bit (2 codes).
    ModuleBits,
    /// Per module: `5·self + dark orthogonal neighbours` (10 codes).
    ModuleCross,
    /// Per vertex: the 2×2 block around it, `TL + 2·TR + 4·BL + 8·BR` (16 codes).
    VertexBlocks,
    /// Per cell of `domain`: the value of node `node` of the style's program `program` (16 codes:
    /// analysis keeps every node's value below 16).
    NodeValue { domain: Domain, program: u8, node: u8 },
}

/// Offsets from the anchor of the modules each encoding reads, in code-bit order.
const MODULE: [(i8, i8); 1] = [(0, 0)];
const CROSS: [(i8, i8); 5] = [(0, 0), (-1, 0), (1, 0), (0, -1), (0, 1)];
const BLOCK: [(i8, i8); 4] = [(-1, -1), (0, -1), (-1, 0), (0, 0)];

impl Encoding {
    /// The encodings that do not depend on the style, cheapest first.
    pub const FIXED: [Encoding; 3] = [Encoding::ModuleBits, Encoding::ModuleCross, Encoding::VertexBlocks];

    /// The cells the codes are of.
    pub fn domain(self) -> Domain {
        match self {
            Encoding::ModuleBits | Encoding::ModuleCross => Domain::Modules,
            Encoding::VertexBlocks => Domain::Vertices,
            Encoding::NodeValue { domain, .. } => domain,
        }
    }

    /// How many codes a cell can have.
    pub fn codes(self) -> usize {
        match self {
            Encoding::ModuleBits => 2,
            Encoding::ModuleCross => 10,
            Encoding::VertexBlocks | Encoding::NodeValue { .. } => 16,
        }
    }

    /// Encrypted indicators per cell: one per code but code 0.
    pub fn slots_per_cell(self) -> usize {
        self.codes() - 1
    }

    /// The upload's shape for a symbol `side` modules wide: (cells, indicators per cell).
    pub fn shape(self, side: u32) -> (u32, u32) {
        (self.domain().cells(side) as u32, self.slots_per_cell() as u32)
    }

    /// The modules a fixed encoding's code reads, as offsets from the cell's anchor (none for a
    /// node value: its program says what it reads).
    pub fn neighbourhood(self) -> &'static [(i8, i8)] {
        match self {
            Encoding::ModuleBits => &MODULE,
            Encoding::ModuleCross => &CROSS,
            Encoding::VertexBlocks => &BLOCK,
            Encoding::NodeValue { .. } => &[],
        }
    }

    /// The code of a cell whose neighbourhood reads `bits` (in [`Encoding::neighbourhood`] order);
    /// fixed encodings only.
    pub fn code_of(self, bits: &[bool]) -> usize {
        match self {
            Encoding::ModuleBits | Encoding::VertexBlocks => {
                bits.iter().enumerate().map(|(i, &b)| usize::from(b) << i).sum()
            }
            Encoding::ModuleCross => 5 * usize::from(bits[0]) + bits[1..].iter().filter(|&&b| b).count(),
            Encoding::NodeValue { .. } => 0,
        }
    }

    /// Every cell's code, row-major over the domain; a node value is computed with `style`'s
    /// program. Modules the QR standard fixes are read at their standard value, as both
    /// evaluators read them.
    pub fn codes_of(self, grid: &ModuleGrid, style: &ServerProgram) -> Result<Vec<u8>, EncodingError> {
        let side = grid.side();
        let fixed = FixedModules::for_side(side);
        let module = |x: i64, y: i64| fixed.get(x, y).unwrap_or_else(|| grid.is_dark(x, y));
        let (w, h) = self.domain().dims(side);
        let mut codes = Vec::with_capacity((w * h) as usize);
        if let Encoding::NodeValue { domain, program, node } = self {
            crate::analysis::analyse(style)?;
            let p =
                style.programs.get(program as usize).filter(|p| p.domain == domain && (node as usize) < p.nodes.len());
            let p = p.ok_or(EncodingError::NotInStyle(self))?;
            for cy in 0..h {
                for cx in 0..w {
                    let value = node_values(p, &module, cx, cy)[node as usize];
                    codes.push(u8::try_from(value).ok().filter(|&v| v < 16).ok_or(EncodingError::NotInStyle(self))?);
                }
            }
            return Ok(codes);
        }
        let mut bits = Vec::with_capacity(self.neighbourhood().len());
        for cy in 0..h {
            for cx in 0..w {
                let (ax, ay) = self.domain().anchor(cx, cy);
                bits.clear();
                bits.extend(self.neighbourhood().iter().map(|&(dx, dy)| module(ax + dx as i64, ay + dy as i64)));
                codes.push(self.code_of(&bits) as u8);
            }
        }
        Ok(codes)
    }
}

/// The fixed encodings' names, and the node value's prefix.
const NAMES: [(Encoding, &str); 3] = [
    (Encoding::ModuleBits, "module-bits"),
    (Encoding::ModuleCross, "module-cross"),
    (Encoding::VertexBlocks, "vertex-blocks"),
];
const NODE_VALUE: &str = "node-value";

/// As the manifest names it: `module-bits`, ..., or `node-value:<domain>:<program>:<node>`.
impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Encoding::NodeValue { domain, program, node } => {
                write!(f, "{NODE_VALUE}:{}:{program}:{node}", domain.name())
            }
            fixed => f.write_str(NAMES.iter().find(|(e, _)| e == fixed).map_or("", |(_, name)| name)),
        }
    }
}

/// A name that is not an encoding.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown encoding {0:?}; this version knows module-bits, module-cross, vertex-blocks and node-value:<domain>:<program>:<node>"
)]
pub struct UnknownEncoding(pub String);

/// An encoding a style cannot give codes for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EncodingError {
    #[error("encoding {0} names a node the style's program does not have (or whose value is not below 16)")]
    NotInStyle(Encoding),
    #[error(transparent)]
    Style(#[from] crate::analysis::StyleError),
}

impl FromStr for Encoding {
    type Err = UnknownEncoding;
    fn from_str(s: &str) -> Result<Self, UnknownEncoding> {
        let unknown = || UnknownEncoding(s.to_string());
        if let Some((named, _)) = NAMES.iter().find(|(_, name)| *name == s) {
            return Ok(*named);
        }
        let mut parts =
            s.strip_prefix(NODE_VALUE).and_then(|rest| rest.strip_prefix(':')).ok_or_else(unknown)?.split(':');
        let domain = parts.next().and_then(Domain::from_name).ok_or_else(unknown)?;
        // Canonical decimal only, so that every encoding has one name.
        let number = |part: Option<&str>| {
            part.filter(|p| p == &"0" || !p.starts_with('0')).and_then(|p| p.parse::<u8>().ok()).ok_or_else(unknown)
        };
        let (program, node) = (number(parts.next())?, number(parts.next())?);
        if parts.next().is_some() {
            return Err(unknown());
        }
        Ok(Encoding::NodeValue { domain, program, node })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn block_codes_follow_the_rounded_weights() {
        // TL, TR, BL, BR -> 1, 2, 4, 8.
        assert_eq!(Encoding::VertexBlocks.code_of(&[true, false, false, true]), 9);
        assert_eq!(Encoding::ModuleCross.code_of(&[true, true, false, true, true]), 8);
        assert_eq!(Encoding::ModuleCross.code_of(&[false, true, true, true, true]), 4);
    }

    #[test]
    fn codes_read_the_grid_with_the_standards_fixed_modules() {
        // All-light 21x21 grid: the finder's top-left module is dark by the standard anyway.
        let grid = ModuleGrid::new(21, vec![false; 441]).expect("square");
        let style = crate::recipe::classes::plain_program();
        let blocks = Encoding::VertexBlocks.codes_of(&grid, &style).expect("fixed");
        assert_eq!(blocks.len(), 22 * 22);
        assert_eq!(blocks[0], 8, "vertex (0,0) sees the finder's corner as its BR module");
        assert_eq!(blocks[11 * 22 + 11], 0, "a data vertex of an all-light grid");
        let bits = Encoding::ModuleBits.codes_of(&grid, &style).expect("fixed");
        assert_eq!((bits.len(), bits[0], bits[10 * 21 + 10]), (441, 1, 0));
        for e in Encoding::FIXED {
            assert_eq!(e.to_string().parse::<Encoding>(), Ok(e));
            assert!(e.codes_of(&grid, &style).expect("fixed").iter().all(|&c| (c as usize) < e.codes()));
        }
    }
}
