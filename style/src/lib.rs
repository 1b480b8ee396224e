//! What a qrveil style is and what its outputs mean, shared by the client and the function.
//!
//! A style is data: a small program over the module grid ([`program`]), checked statically for
//! value range and noise ([`analysis`]), given its reference semantics by the clear evaluator
//! ([`clear`]), which the function's FHE evaluators must match exactly, and assigned the
//! cheapest tier that can run it, with its cost on each ([`tiers`]): the linear tier reads
//! public encodings of the grid ([`features`]), the PBS tier the module grid itself. [`catalogue`]
//! names the built-in styles, [`presets`] the colour presets, [`readability`] the levels of
//! readability; [`recipe`] is the public render recipe that turns a style's decrypted outputs
//! into tile shapes (and checks the class programs wide fitted looks carry); [`grid`] holds the
//! module grid and the modules the QR standard fixes; [`spec`] is the one rule for which style a
//! job runs (a built-in, or a wide look with its program) and on which tier.
//!
//! Nothing here touches a ciphertext or a key, and nothing does I/O.

pub mod analysis;
pub mod catalogue;
pub mod clear;
pub mod features;
pub mod grid;
pub mod presets;
pub mod program;
pub mod readability;
pub mod recipe;
pub mod spec;
pub mod tiers;

pub use analysis::StyleError;
pub use catalogue::{NameKind, Preset, Rgb, Style, StyleId, UnknownName, PRESETS};
pub use features::Encoding;
pub use grid::{FixedModules, GridSizeError, ModuleGrid};
pub use program::ServerProgram;
pub use readability::Readability;
pub use recipe::{tiles, Geometry, RecipeError, Shape, Tile};
pub use tiers::{cost, CostReport, LinearPlan, Plan, Tier, TierCost};
