//! Wide looks for the end-to-end tests: the reference class programs (`recipe::classes`), and
//! tiles that draw each class plainly.

use qrveil_sdk::StyleOptions;
use qrveil_style::program::ServerProgram;
use qrveil_style::recipe::classes::check_program;
pub use qrveil_style::recipe::classes::{density_program, sides_program};
use qrveil_style::recipe::fitted::quarter_box;
use qrveil_style::recipe::TileSet;
use qrveil_style::StyleId;
use std::sync::Arc;

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
