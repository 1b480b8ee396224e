//! The contract between the qrveil client (`sdk/`) and the style function (`function/`):
//! what crosses the network or the disk, and how it is checked.
//!
//! The one pinned TFHE parameter set ([`params`]); the versioned key and ciphertext
//! containers, read only through tfhe-rs safe deserialization with size limits and
//! conformance checks ([`wire`] for keys and the PBS tier, [`linear`] for the linear tier); the job manifest and status documents and the storage
//! layout ([`job`]); the presign endpoint's messages ([`presign`]); and the object store both
//! sides move those objects through ([`store`]), with the folder that stands in for the bucket.
//!
//! It holds no secret-key logic and evaluates nothing; its only I/O is the folder store.

pub mod job;
pub mod linear;
pub mod params;
pub mod presign;
pub mod seeds;
pub mod store;
pub mod wire;

pub use job::{DocumentError, FailureKind, JobId, JobStatus, KeyId, Manifest, ServerTimings, Tier};
pub use linear::{LinearInput, LinearOutputs};
pub use store::{FolderStore, Store, StoreError};
pub use wire::{ClientKeyBundle, EncryptedGrid, EncryptedOutputs, ServerKeyBundle, WireError};
