//! The qrveil client core.
//!
//! Builds the QR symbol on the device ([`qr`]), keeps the keys ([`keys`]), encrypts the module
//! grid and decrypts the style's results ([`crypto`]), forces every module into a readable
//! colour band and checks the result with an independent decoder ([`correct`], [`verify`]),
//! and draws PNG or SVG ([`render`]). [`pipeline`] ties them together over a [`transport`]:
//! the local folder store with the function in-process, a bucket written directly, or the
//! presign endpoint's URLs ([`presigned`]).
//!
//! The client key never leaves this crate's callers: no API sends it anywhere. Errors are one
//! typed enum ([`SdkError`]) whose messages never contain the payload or key material.

pub mod cancel;
pub mod colour;
pub mod correct;
pub mod crypto;
pub mod error;
pub mod keys;
pub mod pipeline;
pub mod presigned;
pub mod qr;
pub mod render;
pub mod transport;
pub mod verify;

pub use cancel::Cancel;
pub use error::SdkError;
pub use keys::Keys;
pub use pipeline::{style_code, Report, Stage, StyleOptions, StyledCode, Styler};
pub use qr::{EcLevel, QrSymbol};
