//! Wide fitted looks: a learned tile per module *class*, the class computed by the server from
//! the module's 3×3 neighbourhood.
//!
//! Some looks are not explained by one vertex's 2×2 block: a dot whose size follows how many
//! of its eight neighbours are dark, say. For those, `qrveil style fit` learns a small program
//! that gives every module a class (0..=3 from one output, 0..=15 from two) and a
//! [`TileSet`](super::TileSet) whose entry k is the ink of a module of class k, in module units
//! (the tile's unit square is the module). On the PBS tier the program is two layers of 4-bit
//! lookups: a stencil over the neighbours summarised by one lookup, then the module's own bit
//! and that summary looked up into the class. The program is public, like a style's name: it
//! travels with the job (the manifest's `program`), so [`check_program`] bounds what a stranger
//! can ask the function to run.

use crate::analysis::{analyse, StyleError};
use crate::clear::evaluate_cell;
use crate::program::{Domain, Node, Program, ServerProgram, Tap};

/// Most lookups (programmable bootstraps) a class program may cost per module.
pub const MAX_LUTS_PER_MODULE: u32 = 4;
/// Most nodes one program of a class may hold.
pub const MAX_NODES: usize = 16;
/// How far from its module a class program may read: the 3×3 neighbourhood.
pub const REACH: i8 = 1;
/// Most stencil taps a class program may read per module, each a multiply-add of a whole input
/// ciphertext (2,049 words) per module on the PBS tier: a full 3×3 stencil for every lookup
/// allowed. The two shapes the fitter writes read at most 18.
pub const MAX_TAPS_PER_MODULE: usize = MAX_LUTS_PER_MODULE as usize * NEIGHBOURHOOD.len();

/// A class program the function must not run, or a client cannot draw.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClassProgramError {
    #[error(transparent)]
    Style(#[from] StyleError),
    #[error("a module-class program has 1 or 2 programs (class bits 0-1, then bits 2-3); this one has {0}")]
    Outputs(usize),
    #[error("program {0} runs over {1:?}; classes are computed per module (domain modules)")]
    Domain(usize, Domain),
    #[error("program {program} reads the module at ({dx}, {dy}); a class reads only its module's 3x3 neighbourhood")]
    Reach { program: usize, dx: i8, dy: i8 },
    #[error("program {program} has {nodes} nodes; at most {MAX_NODES} are allowed")]
    Nodes { program: usize, nodes: usize },
    #[error("the program costs {luts} lookups (PBS) per module; at most {MAX_LUTS_PER_MODULE} are allowed")]
    Cost { luts: u32 },
    #[error("the program reads {taps} stencil taps per module; at most {MAX_TAPS_PER_MODULE} are allowed")]
    Taps { taps: usize },
    #[error("class {class} is given to both light and dark modules; each class must keep its module's ink")]
    MixedInk { class: u8 },
}

/// Which of the 16 classes are drawn dark (bit k for class k).
pub type DarkClasses = u16;

/// Check a class program and find which classes are dark: it is evaluated in the clear on every
/// 3×3 neighbourhood (512), and every class it gives must keep the module's own ink. The limits
/// that only count (programs, nodes, reach, taps) come first, then the analysis, then the cost
/// in lookups, then the clear evaluations.
pub fn check_program(style: &ServerProgram) -> Result<DarkClasses, ClassProgramError> {
    if !(1..=2).contains(&style.programs.len()) {
        return Err(ClassProgramError::Outputs(style.programs.len()));
    }
    for (i, p) in style.programs.iter().enumerate() {
        if p.domain != Domain::Modules {
            return Err(ClassProgramError::Domain(i, p.domain));
        }
        if p.nodes.len() > MAX_NODES {
            return Err(ClassProgramError::Nodes { program: i, nodes: p.nodes.len() });
        }
        let far = p.nodes.iter().flat_map(|n| match n {
            Node::Stencil { taps } => taps.as_slice(),
            _ => &[],
        });
        if let Some(t) = far.into_iter().find(|t| t.dx.abs() > REACH || t.dy.abs() > REACH) {
            return Err(ClassProgramError::Reach { program: i, dx: t.dx, dy: t.dy });
        }
    }
    let taps = style.programs.iter().map(Program::taps).sum();
    if taps > MAX_TAPS_PER_MODULE {
        return Err(ClassProgramError::Taps { taps });
    }
    let facts = analyse(style)?;
    let luts = facts.iter().map(|f| f.luts_per_cell).sum();
    if luts > MAX_LUTS_PER_MODULE {
        return Err(ClassProgramError::Cost { luts });
    }
    let (mut dark, mut light) = (0u16, 0u16);
    for pattern in 0u16..512 {
        let class = class_of(style, pattern);
        if pattern & 1 == 1 {
            dark |= 1 << class;
        } else {
            light |= 1 << class;
        }
    }
    match dark & light {
        0 => Ok(dark),
        both => Err(ClassProgramError::MixedInk { class: both.trailing_zeros() as u8 }),
    }
}

/// Offsets of a 3×3 neighbourhood's bits in [`class_of`]'s pattern: the module itself first,
/// then its neighbours row by row.
pub const NEIGHBOURHOOD: [(i8, i8); 9] = [(0, 0), (-1, -1), (0, -1), (1, -1), (-1, 0), (1, 0), (-1, 1), (0, 1), (1, 1)];

/// The class `style` gives a module whose 3×3 neighbourhood is `pattern` (bit k for
/// [`NEIGHBOURHOOD`]`[k]`), evaluated in the clear.
pub fn class_of(style: &ServerProgram, pattern: u16) -> u8 {
    const AT: i64 = 4;
    let module = |x: i64, y: i64| {
        NEIGHBOURHOOD
            .iter()
            .position(|&(dx, dy)| (AT + dx as i64, AT + dy as i64) == (x, y))
            .is_some_and(|k| pattern >> k & 1 == 1)
    };
    style
        .programs
        .iter()
        .enumerate()
        .fold(0u8, |class, (i, p)| class | evaluate_cell(p, &module, AT as u32, AT as u32) << (2 * i))
}

/// The class program of the plain look: class 1 for a dark module, 0 for a light one (0 PBS).
pub fn plain_program() -> ServerProgram {
    let ink = Program {
        domain: Domain::Modules,
        nodes: vec![Node::Stencil { taps: vec![Tap { dx: 0, dy: 0, weight: 1 }] }],
        output: 0,
    };
    ServerProgram { version: 1, programs: vec![ink] }
}

// Reference class programs of the two shapes `qrveil style fit` writes (`sdk/fit/src/wide.rs`),
// written out by hand so the tests and the bench do not depend on a fit.

/// Two layers, one channel (2 PBS per module on the PBS tier): the dark neighbours among the eight, grouped
/// 0-2, 3-5, 6-8 by the first lookup; then `8·self + group` into light 0, or dark 1, 2, 3.
pub fn density_program() -> ServerProgram {
    let ring: Vec<Tap> = NEIGHBOURHOOD[1..].iter().map(|&(dx, dy)| tap(dx, dy, 1)).collect();
    let groups: Vec<u8> = (0..16).map(|count: u8| (count / 3).min(2)).collect();
    let classes: Vec<u8> = (0..16).map(|i: u8| if i < 8 { 0 } else { (i - 8).min(2) + 1 }).collect();
    one_channel(vec![
        Node::Stencil { taps: ring },
        Node::Lut { input: 0, table: groups },
        Node::Stencil { taps: vec![tap(0, 0, 8)] },
        Node::Add { a: 1, b: 2 },
        Node::Lut { input: 3, table: classes },
    ])
}

/// Two layers, two channels (4 PBS per module on the PBS tier, the most a class program may cost): the four
/// sides as a 4-bit pattern (N + 2E + 4S + 8W) grouped into 8 by the first lookup; then
/// `8·self + group` into 16 classes, the low and high two bits from their own lookups.
pub fn sides_program() -> ServerProgram {
    let sides = vec![tap(0, -1, 1), tap(1, 0, 2), tap(0, 1, 4), tap(-1, 0, 8)];
    let groups: Vec<u8> = (0..16).map(|pattern: u8| pattern % 8).collect();
    let channel = |shift: u8| {
        // Light modules take the even classes, dark ones the odd.
        let table = (0..16).map(|i: u8| ((i % 8) * 2 + i / 8) >> shift & 3).collect();
        Program {
            domain: Domain::Modules,
            nodes: vec![
                Node::Stencil { taps: sides.clone() },
                Node::Lut { input: 0, table: groups.clone() },
                Node::Stencil { taps: vec![tap(0, 0, 8)] },
                Node::Add { a: 1, b: 2 },
                Node::Lut { input: 3, table },
            ],
            output: 4,
        }
    };
    ServerProgram { version: 1, programs: vec![channel(0), channel(2)] }
}

fn tap(dx: i8, dy: i8, weight: u8) -> Tap {
    Tap { dx, dy, weight }
}

fn one_channel(nodes: Vec<Node>) -> ServerProgram {
    let output = nodes.len() - 1;
    ServerProgram { version: 1, programs: vec![Program { domain: Domain::Modules, nodes, output }] }
}

/// The tile of module (x, y) from a class program's outputs (`channels` of them, each `n × n`).
pub fn class_tile(outputs: &[u8], channels: u8, dark: DarkClasses, n: usize, x: usize, y: usize) -> super::Tile {
    let i = y * n + x;
    let class = (0..channels as usize).fold(0u8, |c, k| c | (outputs[k * n * n + i] & 3) << (2 * k));
    super::Tile { ink: dark >> class & 1 == 1, shape: super::Shape::Class(class) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_two_layer_program_classes_modules_by_their_dark_neighbours() {
        let style = density_program();
        assert_eq!(check_program(&style), Ok(0b1110), "classes 1-3 are dark, 0 light");
        // Pattern bit 0 is the module; bits 1-8 its neighbours (NW, N, NE, W, E, SW, S, SE).
        let pattern = |neighbours: u16, dark: bool| neighbours << 1 | u16::from(dark);
        assert_eq!(class_of(&style, pattern(0, true)), 1, "a lone dark module");
        assert_eq!(class_of(&style, pattern(0b0001_0101, true)), 2, "three dark neighbours");
        assert_eq!(class_of(&style, pattern(0b1111_1111, true)), 3, "surrounded");
        assert_eq!(class_of(&style, pattern(0b1111_1111, false)), 0, "light whatever its neighbours");
        assert_eq!(check_program(&plain_program()), Ok(0b10));
    }

    #[test]
    fn programs_the_function_must_not_run_are_refused() {
        let mut far = plain_program();
        far.programs[0].nodes[0] = Node::Stencil { taps: vec![tap(2, 0, 1)] };
        assert_eq!(check_program(&far), Err(ClassProgramError::Reach { program: 0, dx: 2, dy: 0 }));
        let mut costly = density_program();
        let p = costly.programs[0].clone();
        costly.programs.push(p.clone());
        costly.programs[1].nodes.push(Node::Lut { input: 4, table: vec![0; 16] });
        costly.programs[1].output = 5;
        assert_eq!(check_program(&costly), Err(ClassProgramError::Cost { luts: 5 }));
        let three = ServerProgram { version: 1, programs: vec![plain_program().programs[0].clone(); 3] };
        assert_eq!(check_program(&three), Err(ClassProgramError::Outputs(3)));
        // Ink dropped: every module in class 0.
        let mut blind = plain_program();
        blind.programs[0].nodes = vec![Node::Stencil { taps: vec![] }];
        assert_eq!(check_program(&blind), Err(ClassProgramError::MixedInk { class: 0 }));
        let mut vertices = plain_program();
        vertices.programs[0].domain = Domain::Vertices;
        assert!(matches!(check_program(&vertices), Err(ClassProgramError::Domain(0, Domain::Vertices))));
    }

    #[test]
    fn a_tile_reads_its_class_from_every_channel() {
        // 2x2 modules, two channels: module (1, 0) has low bits 3 and high bits 1: class 7.
        let outputs = [0, 3, 1, 0, 0, 1, 0, 2];
        let t = class_tile(&outputs, 2, 1 << 7, 2, 1, 0);
        assert_eq!((t.ink, t.shape), (true, super::super::Shape::Class(7)));
        assert_eq!(class_tile(&outputs, 2, 1 << 7, 2, 1, 1).shape, super::super::Shape::Class(8));
    }

    /// A zero lookup scaled by 16 eight times (2^32 nominal units, which wrapped to 0 in u32),
    /// added to the module's bit and looked up: 12 nodes, within every count limit.
    fn wrapping_program() -> ServerProgram {
        let mut nodes = vec![Node::Stencil { taps: vec![tap(0, 0, 1)] }, Node::Lut { input: 0, table: vec![0; 16] }];
        for _ in 0..8 {
            nodes.push(Node::Scale { input: nodes.len() - 1, by: 16 });
        }
        nodes.push(Node::Add { a: 0, b: 9 });
        nodes.push(Node::Lut { input: 10, table: vec![0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] });
        one_channel(nodes)
    }

    #[test]
    fn a_program_whose_noise_passes_u32_is_refused() {
        assert_eq!(
            check_program(&wrapping_program()),
            Err(ClassProgramError::Style(StyleError::NoiseBudget { program: 0, node: 11, level: u32::MAX, limit: 5 }))
        );
    }

    #[test]
    fn node_and_reach_limits_come_before_the_analysis() {
        // Both also fail the analysis (a forward reference at node 0).
        let mut long = wrapping_program();
        let nodes = &mut long.programs[0].nodes;
        nodes.insert(0, Node::Lut { input: 5, table: vec![0; 16] });
        while nodes.len() <= MAX_NODES {
            nodes.push(Node::Scale { input: 0, by: 1 });
        }
        assert_eq!(check_program(&long), Err(ClassProgramError::Nodes { program: 0, nodes: MAX_NODES + 1 }));
        let mut far = plain_program();
        far.programs[0].nodes.insert(0, Node::Stencil { taps: vec![tap(2, 0, 1)] });
        far.programs[0].nodes.insert(0, Node::Add { a: 3, b: 4 });
        assert_eq!(check_program(&far), Err(ClassProgramError::Reach { program: 0, dx: 2, dy: 0 }));
    }

    #[test]
    fn stencil_taps_count_in_the_cost() {
        let square: Vec<Tap> = NEIGHBOURHOOD.iter().map(|&(dx, dy)| tap(dx, dy, 1)).collect();
        let mut nodes = vec![Node::Stencil { taps: square }; 4];
        nodes.push(Node::Stencil { taps: vec![tap(0, 0, 1)] });
        assert_eq!(check_program(&one_channel(nodes.clone())), Err(ClassProgramError::Taps { taps: 37 }));
        nodes.remove(0);
        assert_eq!(check_program(&one_channel(nodes)), Ok(0b10), "36 taps are allowed");
        let fitted = [density_program(), sides_program()].map(|p| p.programs.iter().map(Program::taps).sum::<usize>());
        assert_eq!(fitted, [9, 10]);
        // Zero-weight and duplicate taps, which once padded a stencil for free, are refused.
        let mut padded = plain_program();
        padded.programs[0].nodes[0] = Node::Stencil { taps: vec![tap(0, 0, 1), tap(1, 1, 0)] };
        let zero = StyleError::ZeroWeightTap { program: 0, node: 0, dx: 1, dy: 1 };
        assert_eq!(check_program(&padded), Err(ClassProgramError::Style(zero)));
        padded.programs[0].nodes[0] = Node::Stencil { taps: vec![tap(0, 0, 1), tap(-1, 0, 1), tap(-1, 0, 2)] };
        let twice = StyleError::DuplicateTap { program: 0, node: 0, dx: -1, dy: 0 };
        assert_eq!(check_program(&padded), Err(ClassProgramError::Style(twice)));
    }
}
