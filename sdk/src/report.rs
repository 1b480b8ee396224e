//! What the client tells the caller about one styled code: the images and a report of timings,
//! sizes, colours and checks. No payload, no key material.

use crate::finish::FinishTimings;
use crate::integrity::IntegrityEvent;
use crate::settle::{ColourChoice, Shapes};
use qrveil_protocol::{ServerTimings, Tier};
use qrveil_style::Readability;
use serde::Serialize;

/// Timings, sizes and checks for one styled code. No payload, no key material. A code is
/// returned only once both judges decoded it to exactly the payload, so there is no "verified"
/// flag.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub version: u8,
    /// Modules per side.
    pub modules: u32,
    pub style: String,
    pub preset: String,
    pub readability: Readability,
    /// Median CIEDE2000 difference between the chosen and the drawn data ink across the
    /// gradient (0: the colours as chosen; about 1 is just noticeable).
    pub ink_delta_e: f32,
    /// Every chosen colour: drawn as chosen, or moved as little as the named check needed.
    pub colours: Vec<ColourChoice>,
    /// Which modules were drawn square because the checks needed it (none for most codes).
    pub shapes: Shapes,
    /// The logo's size as drawn (its longer side over the code's), when there is one: as
    /// asked, or shrunk to the largest that fits.
    pub logo_size: Option<f32>,
    pub ec: String,
    /// How the function evaluated the style: `linear` (no bootstrapping, no server key) or `pbs`.
    pub tier: Tier,
    pub pbs: u64,
    pub outputs: u32,
    pub encrypt: f64,
    /// Seconds the function spent on the job (key load, expand, evaluate, pack).
    pub server: f64,
    /// Seconds for decrypt + correct + render + verify + encode.
    pub client: f64,
    /// Manifest + input bytes uploaded for this job.
    pub bytes_up: usize,
    /// Output bytes downloaded.
    pub bytes_down: usize,
    /// Server-key bytes uploaded by this call (0 when the key was already there or not needed).
    pub key_upload_bytes: usize,
    /// Short id of the server key the job used (PBS tier only).
    pub key_id: Option<String>,
    pub key_cache_hit: bool,
    /// Modules whose style (as this device evaluates it) disagreed with the true bitmap and
    /// were redrawn: 0 for every catalogue style.
    pub corrected_modules: usize,
    /// Whether rqrr (quirc's algorithm, the family of some desktop and older scanners) also
    /// reads the code; the judges (rxing, zxing-cpp) always do. `None`: rqrr gave no answer
    /// within [`crate::verify::QUIRC_BUDGET`] (it can take half a minute on some large codes).
    pub quirc_family: Option<bool>,
    /// Set when the service's results differed from the style's program: the code was drawn
    /// from this device's evaluation all the same, and new keys were made.
    pub integrity: Option<IntegrityEvent>,
    pub server_detail: ServerTimings,
    /// Where the client's finishing time went: drawing, rendering, the checks, encoding.
    pub client_detail: FinishTimings,
    /// Set when the smallest version that holds the payload did not pass its checks in this
    /// look, so the code was made larger (only when no version was asked for).
    pub raised_from: Option<RaisedVersion>,
}

/// The smaller version a code was first made at, and the check that refused it.
#[derive(Clone, Debug, Serialize)]
pub struct RaisedVersion {
    pub version: u8,
    /// Which check refused it, for people (no payload).
    pub refused_by: String,
}

/// The result: the same code as PNG and as SVG (and as JPEG when asked), and the report.
pub struct StyledCode {
    pub png: Vec<u8>,
    pub svg: String,
    pub jpeg: Option<Vec<u8>>,
    pub report: Report,
}
