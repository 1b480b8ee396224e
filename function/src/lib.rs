//! The qrveil style engine and the job handler that runs it.
//!
//! A style is data: a small program over the module grid ([`style`]), checked statically for
//! value range, noise and cost ([`analysis`]), evaluated either in the clear ([`clear`]) or on
//! TFHE ciphertexts ([`fhe`]) with results that must agree exactly. [`styles`] holds the
//! built-in styles and [`recipe`] the public render recipe that turns a style's outputs into
//! tile shapes. [`handler`] runs a job over a [`store`], as the cloud function and the local
//! mode both do.
//!
//! This crate never sees a secret key or a payload: it works on module bits, which it only
//! ever holds encrypted except in the clear evaluator used by tests and simulation.

pub mod analysis;
pub mod clear;
pub mod fhe;
pub mod grid;
pub mod handler;
pub mod keycache;
pub mod packing;
pub mod recipe;
pub mod store;
pub mod style;
pub mod styles;

pub use grid::ModuleGrid;
pub use styles::{Preset, StyleId};
