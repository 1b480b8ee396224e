//! The qrveil client core: everything on the device.
//!
//! Builds the QR symbol ([`encode`]), keeps the keys ([`Keys`], [`keys`]: the server key only
//! once a style needs the PBS tier), encrypts what the style's tier reads (the grid's encodings
//! under a key made for the job, [`encrypt_features`] and [`JobKey`], or the module grid,
//! [`encrypt_grid`]) and decrypts the style's results ([`decrypt_linear`], [`decrypt_outputs`])
//! only to compare them with its own evaluation of the style's program, which it draws from
//! ([`IntegrityEvent`] when they differ). Then it finishes the code ([`finish`]): tiles from the
//! public render recipe, every module's ink corrected to the true bitmap, the chosen colours'
//! lightness moved only as far as the readability level asks, drawn as PNG and SVG and
//! verified by the judges, rxing and zxing-cpp. [`style_code`] ties the steps together over a [`Transport`]: a
//! bucket written directly ([`StoreTransport`]), the presign endpoint's URLs
//! ([`PresignedTransport`]), or, with the `local` feature, the function in this process
//! (`LocalTransport`).
//!
//! It depends on the shared contract (`qrveil-protocol`, `qrveil-style`) and never on the
//! function, except through the `local` feature. The client key never leaves this crate's
//! callers: no API sends it anywhere. Errors are one typed enum ([`SdkError`]) whose messages
//! never contain the payload or key material.

mod cancel;
pub mod capture;
mod codewords;
mod colour;
mod correct;
mod crypto;
pub mod document;
mod error;
mod fill;
mod finish;
pub mod integrity;
pub mod keys;
#[cfg(feature = "local")]
mod local;
mod logo;
mod options;
mod palette;
mod pipeline;
mod presigned;
mod qr;
mod render;
mod report;
mod settle;
mod transport;
mod verify;

pub use cancel::Cancel;
pub use codewords::CodewordMap;
pub use colour::{contrast, delta_e, luma, mix};
pub use crypto::{decrypt_linear, decrypt_outputs, encrypt_features, encrypt_grid, JobKey};
pub use document::{StyleDocument, DOCUMENT_VERSION};
pub use error::{Internal, SdkError};
pub use fill::{ColourMap, Fill, FillError, GradientKind, Stop, MAP_SIDES};
pub use finish::{finish, Drawing, FinishTimings, Finished, RenderOptions};
pub use integrity::IntegrityEvent;
pub use keys::{KeyPair, Keys, ServerKey};
#[cfg(feature = "local")]
pub use local::{expand_server_keys, round_trip, LocalTransport, OnTier, RoundTrip, RoundTripTimings};
pub use logo::{Logo, LOGO_SHARE};
pub use options::StyleOptions;
pub use palette::{Area, Background, Colours, Contrast, Palette, Part, Shade};
pub use pipeline::{job_manifest, style_code, Stage, Styler, VERSION_STEPS};
pub use presigned::{read_answer as read_presign_answer, PresignConfig, PresignedTransport, UrlRefusal};
pub use qr::{encode, encode_with, writes_eci, EcLevel, QrSymbol, ECI_UTF8};
pub use qrveil_protocol::Tier;
pub use render::{over_white, Canvas, Coverage};
pub use report::{RaisedVersion, Report, StyledCode};
pub use settle::{settle, Check, ColourChoice, Settled, Shapes, Why, VERIFY_MIN_MODULE_PX};
pub use transport::{Delivery, StoreTransport, Ticket, Transport, WaitPolicy, CANCEL_CHECK};
pub use verify::{greys, verify, Decoder, VerifyError, QUIRC_BUDGET};
