//! The style function: evaluates a style on the encrypted module grid and writes the encrypted
//! result, for the cloud and for the local mode alike.
//!
//! [`linear`] evaluates the linear tier (clear-weighted sums of encrypted encodings, no key);
//! [`fhe`] the PBS tier (the semantics of [`qrveil_style::clear`] on TFHE ciphertexts, with the
//! input expansion and output packing around it); [`packing`] the fast packing keyswitch; [`keys`] the expanded server keys and their warm cache; [`handler`] runs one job
//! over a [`qrveil_protocol::Store`], as the cloud function and the local mode both do.
//!
//! This crate never sees a secret key, a payload or a module bit in the clear: it works on
//! ciphertexts, and evaluates in the clear only the cells that read modules the QR standard
//! fixes for every symbol of the size.

pub mod fhe;
pub mod handler;
pub mod keys;
pub mod linear;
pub mod packing;
mod run;

pub use handler::{Function, DEFAULT_KEY_CACHE_BYTES};
pub use keys::ServerKeys;
