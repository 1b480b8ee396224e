//! Wire formats shared by the qrveil client (`sdk/`) and the style function (`function/`).
//!
//! This crate says what crosses the network or the disk and how it is checked: the one
//! pinned TFHE parameter set, the versioned key and ciphertext containers (read only through
//! tfhe-rs safe deserialization with size limits and conformance checks), the job manifest and
//! status documents, the presign endpoint's messages, and the storage layout. It does no I/O and holds no secret-key logic.

pub mod job;
pub mod params;
pub mod presign;
pub mod wire;

pub use job::{FailureKind, JobId, JobStatus, KeyId, Manifest, ServerTimings};
pub use wire::{ClientKeyBundle, EncryptedGrid, EncryptedOutputs, ServerKeyBundle, WireError};
