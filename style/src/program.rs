//! The style IR: what the server computes, as data.
//!
//! A [`ServerProgram`] is a list of [`Program`]s. Each runs once per cell of its [`Domain`]
//! (modules, module corners or module pairs) and yields one 2-bit output per cell. Within a
//! program, nodes form a tiny SSA list: a node may use only earlier nodes. Linear nodes
//! ([`Node::Stencil`], [`Node::Add`], [`Node::Scale`]) cost no bootstrapping; a [`Node::Lut`]
//! costs one PBS per cell. [`crate::analysis`] checks range, noise and cost before any work.

use crate::grid::FixedModules;
use serde::{Deserialize, Serialize};

/// Which cells a program runs on, and where each cell sits on the module grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Domain {
    /// One cell per module (n × n); the anchor is the module itself.
    Modules,
    /// One cell per module corner ((n+1) × (n+1)); vertex (x, y) is the top-left corner of
    /// module (x, y), which is the anchor. Its four quadrants are the modules at offsets
    /// (-1,-1), (0,-1), (-1,0) and (0,0).
    Vertices,
    /// One cell per horizontal pair of modules (⌈n/2⌉ × n); the anchor is the left module.
    ModulePairs,
}

impl Domain {
    const ALL: [Domain; 3] = [Domain::Modules, Domain::Vertices, Domain::ModulePairs];

    /// As programs name it.
    pub fn name(self) -> &'static str {
        match self {
            Domain::Modules => "modules",
            Domain::Vertices => "vertices",
            Domain::ModulePairs => "module-pairs",
        }
    }

    pub fn from_name(name: &str) -> Option<Domain> {
        Domain::ALL.into_iter().find(|d| d.name() == name)
    }

    /// Cells per row and per column for a symbol of `n` modules a side.
    pub fn dims(self, n: u32) -> (u32, u32) {
        match self {
            Domain::Modules => (n, n),
            Domain::Vertices => (n + 1, n + 1),
            Domain::ModulePairs => (n.div_ceil(2), n),
        }
    }

    pub fn cells(self, n: u32) -> usize {
        let (w, h) = self.dims(n);
        w as usize * h as usize
    }

    /// The module a cell's stencil offsets are relative to.
    pub fn anchor(self, cx: u32, cy: u32) -> (i64, i64) {
        match self {
            Domain::Modules | Domain::Vertices => (cx as i64, cy as i64),
            Domain::ModulePairs => (2 * cx as i64, cy as i64),
        }
    }
}

/// One term of a stencil: `weight` times the module at `anchor + (dx, dy)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tap {
    pub dx: i8,
    pub dy: i8,
    pub weight: u8,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Node {
    /// Σ weight · module(anchor + offset), straight from the encrypted input. Modules outside
    /// the symbol count as light (0). Free: additions and clear multiplications only.
    Stencil { taps: Vec<Tap> },
    /// `table[input]`: one programmable bootstrap per cell. `table` has 16 entries.
    Lut { input: usize, table: Vec<u8> },
    /// `a + b`. Free.
    Add { a: usize, b: usize },
    /// `input · by`. Free.
    Scale { input: usize, by: u8 },
}

/// One output channel over one domain.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Program {
    pub domain: Domain,
    pub nodes: Vec<Node>,
    /// Index of the node whose value (0..=3) is this cell's output.
    pub output: usize,
}

impl Program {
    /// Stencil taps a cell reads: on the PBS tier each is a multiply-add of a whole input
    /// ciphertext per cell, so they count in a program's cost.
    pub fn taps(&self) -> usize {
        self.nodes
            .iter()
            .map(|node| match node {
                Node::Stencil { taps } => taps.len(),
                _ => 0,
            })
            .sum()
    }

    /// Whether every module cell (cx, cy) reads is fixed by the QR standard (or outside the
    /// symbol): such a cell's output is public, so it is evaluated in the clear, without PBS.
    pub fn reads_only_fixed(&self, fixed: &FixedModules, cx: u32, cy: u32) -> bool {
        let (ax, ay) = self.domain.anchor(cx, cy);
        self.nodes.iter().all(|node| match node {
            Node::Stencil { taps } => taps.iter().all(|t| fixed.get(ax + t.dx as i64, ay + t.dy as i64).is_some()),
            _ => true,
        })
    }
}

/// Everything data-dependent a style computes; what the function evaluates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServerProgram {
    /// Bumped whenever the meaning of a program changes.
    pub version: u32,
    pub programs: Vec<Program>,
}

impl ServerProgram {
    /// Total output values for a symbol of `n` modules a side, in evaluation order.
    pub fn output_count(&self, n: u32) -> usize {
        self.programs.iter().map(|p| p.domain.cells(n)).sum()
    }
}
