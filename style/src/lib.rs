//! What a qrveil style is and what its outputs mean, shared by the client and the function.
//!
//! A style is data: a small program over the module grid ([`program`]), checked statically for
//! value range, noise and cost ([`analysis`]) and given its reference semantics by the clear
//! evaluator ([`clear`]), which the function's FHE evaluator must match exactly. [`catalogue`]
//! names the built-in styles and colour presets; [`recipe`] is the public render recipe that
//! turns a style's decrypted outputs into tile shapes; [`grid`] holds the module grid and the
//! modules the QR standard fixes.
//!
//! Nothing here touches a ciphertext or a key, and nothing does I/O.

pub mod analysis;
pub mod catalogue;
pub mod clear;
pub mod grid;
pub mod program;
pub mod recipe;

pub use analysis::{cost, CostReport, StyleError};
pub use catalogue::{NameKind, Preset, Rgb, Style, StyleId, UnknownName, PRESETS};
pub use grid::{FixedModules, GridSizeError, ModuleGrid};
pub use program::ServerProgram;
pub use recipe::{tiles, Geometry, RecipeError, Shape, Tile};
