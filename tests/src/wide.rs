//! Wide looks for the end-to-end tests: class programs of the two shapes `qrveil style fit`
//! writes (`sdk/fit/src/wide.rs`), written out by hand so the tests do not depend on a fit,
//! and tiles that draw each class plainly.

use qrveil_sdk::StyleOptions;
use qrveil_style::program::{Domain, Node, Program, ServerProgram, Tap};
use qrveil_style::recipe::classes::{check_program, NEIGHBOURHOOD};
use qrveil_style::recipe::fitted::quarter_box;
use qrveil_style::recipe::TileSet;
use qrveil_style::StyleId;
use std::sync::Arc;

fn tap(dx: i8, dy: i8, weight: u8) -> Tap {
    Tap { dx, dy, weight }
}

/// Two layers, one channel (2 PBS per module): the dark neighbours among the eight, grouped
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

/// Two layers, two channels (4 PBS per module, the most a class program may cost): the four
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

fn one_channel(nodes: Vec<Node>) -> ServerProgram {
    let output = nodes.len() - 1;
    ServerProgram { version: 1, programs: vec![Program { domain: Domain::Modules, nodes, output }] }
}

/// Tiles for `program`'s classes: a whole module for a dark class, nothing for a light one.
pub fn square_class_tiles(program: &ServerProgram) -> TileSet {
    let dark = check_program(program).expect("a valid class program");
    let codes = (0..16)
        .map(|class| {
            std::array::from_fn(|q| {
                let (x0, y0, x1, y1) = quarter_box(q);
                if dark >> class & 1 == 1 {
                    vec![vec![[x0, y0], [x1, y0], [x1, y1], [x0, y1]]]
                } else {
                    Vec::new()
                }
            })
        })
        .collect();
    TileSet::new(codes).expect("valid tiles")
}

/// Options for a wide look with `program`, drawn with [`square_class_tiles`].
pub fn wide_options(program: &ServerProgram) -> StyleOptions {
    StyleOptions {
        style: StyleId::FittedWide,
        fitted: Some(Arc::new(square_class_tiles(program))),
        program: Some(Arc::new(program.clone())),
        ..StyleOptions::default()
    }
}

/// Modules of a `side`-wide symbol whose 3×3 neighbourhood holds a module the standard does not
/// fix: the ones a class program is evaluated on under FHE (the rest are public).
pub fn modules_reading_data(side: u32) -> u64 {
    let fixed = qrveil_style::FixedModules::for_side(side);
    let n = side as i64;
    (0..n * n).filter(|i| (-1..=1).any(|dy| (-1..=1).any(|dx| fixed.get(i % n + dx, i / n + dy).is_none()))).count()
        as u64
}
