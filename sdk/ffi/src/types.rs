//! The records, enums and the error the bindings see. Kept apart from the object so that the
//! foreign API reads top to bottom here.

use qrveil_sdk::{EcLevel, SdkError};
use qrveil_style::{NameKind, UnknownName};

/// How an app reaches the style function.
#[derive(uniffi::Enum)]
pub enum TransportConfig {
    /// A folder stands in for the bucket and the style function runs in this process: demos,
    /// tests and offline development. Evaluation then takes seconds of this device's CPU.
    /// Builds without the style function (mobile packages) refuse it with `InvalidOption`.
    Local { folder: String },
    /// The deployed service, through its presign endpoint (a Lambda Function URL). The token is
    /// the operator's bearer token; it is sent only to `presign_url`, which must be https.
    Remote { presign_url: String, token: String, timeout_seconds: u64 },
}

/// Where the keys live.
#[derive(uniffi::Enum)]
pub enum KeyStorage {
    /// A folder in the app's private storage: keys are created there on first use and loaded
    /// from there afterwards.
    Folder { path: String },
    /// Bytes the app keeps itself, from `generate_keys()`: the client key in the
    /// Keychain/Keystore, and the (public, large) server key in app files if there is one. A
    /// style on the PBS tier without it makes one for this object's life (a few seconds). After
    /// an integrity event whose `save_keys` is set, save `QrVeil.key_material()` in their place.
    Bytes { client_key: Vec<u8>, server_key: Option<Vec<u8>> },
}

/// What a `QrVeil` talks to and where its keys are.
#[derive(uniffi::Record)]
pub struct Config {
    pub transport: TransportConfig,
    pub keys: KeyStorage,
}

/// Error correction: the share of the code that may be damaged and still read.
#[derive(uniffi::Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorCorrection {
    /// ~7%, most capacity.
    Low,
    /// ~15%.
    Medium,
    /// ~25%.
    Quartile,
    /// ~30%.
    High,
}

impl From<ErrorCorrection> for EcLevel {
    fn from(e: ErrorCorrection) -> Self {
        match e {
            ErrorCorrection::Low => EcLevel::L,
            ErrorCorrection::Medium => EcLevel::M,
            ErrorCorrection::Quartile => EcLevel::Q,
            ErrorCorrection::High => EcLevel::H,
        }
    }
}

/// What to make; every field has a default.
#[derive(uniffi::Record, Clone, Debug)]
pub struct StyleOptions {
    /// One of the names `QrVeil.styles()` lists.
    #[uniffi(default = "fluid")]
    pub style: String,
    /// One of the names `QrVeil.presets()` lists.
    #[uniffi(default = "green-orange")]
    pub preset: String,
    /// Finder rings (qr-code-styling's corners square): "square", "dot" or "extra-rounded".
    #[uniffi(default = "square")]
    pub corners_square: String,
    /// Finder centres (qr-code-styling's corners dot): "square" or "dot".
    #[uniffi(default = "square")]
    pub corners_dot: String,
    /// Medium when not given.
    #[uniffi(default)]
    pub error_correction: Option<ErrorCorrection>,
    /// QR version 1..=40; the smallest that fits when not given.
    #[uniffi(default)]
    pub version: Option<u8>,
    /// An ECI designator naming UTF-8 before text that is not all ASCII; on when not given.
    /// Off only for readers that do not know ECI (a look's or document's `qrOptions.eci` wins).
    #[uniffi(default)]
    pub eci: Option<bool>,
    /// Pixels per module in the PNG (and SVG units), 1..=100.
    #[uniffi(default = 10)]
    pub module_px: u32,
    /// Light border in modules; 4 is the standard's.
    #[uniffi(default = 4)]
    pub quiet_zone: u32,
    /// The tier to evaluate on; the cheapest the style can run on when not given.
    #[uniffi(default)]
    pub tier: Option<StyleTier>,
    /// How far the chosen colours may move for readability; balanced when not given.
    #[uniffi(default)]
    pub readability: Option<ReadabilityLevel>,
    /// A style document (JSON with qr-code-styling's option names, `QrVeil.styleDocument(name)`
    /// gives a built-in one to start from). When given, it sets the style, colours, pattern
    /// shapes, error correction, version and readability; the other fields keep sizes and tier.
    #[uniffi(default)]
    pub style_document: Option<String>,
    /// The same as a record (`QrVeil.look(name)` gives a built-in one); give one or the other.
    #[uniffi(default)]
    pub look: Option<crate::Look>,
    /// Also make a JPEG at this quality (1-100).
    #[uniffi(default)]
    pub jpeg_quality: Option<u8>,
    /// A centre image (PNG, JPEG or SVG bytes); its size and margin come from the style
    /// document's `imageOptions` (imageSize 0.4 by default). Refused with the size and error
    /// correction level that would fit when it is too big.
    #[uniffi(default)]
    pub logo: Option<Vec<u8>>,
}

/// A built-in style.
#[derive(uniffi::Record, Clone, Debug, PartialEq)]
pub struct StyleInfo {
    pub name: String,
    pub summary: String,
}

/// The keys in use. `server_key_id` names the server key in the bucket (not secret), once a
/// style on the PBS tier has needed one.
#[derive(uniffi::Record, Clone, Debug, PartialEq)]
pub struct KeyInfo {
    pub server_key_id: Option<String>,
    /// Whether this call generated them (first use of a key folder).
    pub generated: bool,
}

/// Fresh keys for an app that stores them itself (`KeyStorage.Bytes`).
#[derive(uniffi::Record)]
pub struct KeyMaterial {
    /// Secret: keep it in the Keychain/Keystore; it never leaves the device.
    pub client_key: Vec<u8>,
    /// Public, tens of MB, when asked for: app files are fine. Uploaded once per key.
    pub server_key: Option<Vec<u8>>,
    pub server_key_id: Option<String>,
}

/// How the service evaluates a style.
#[derive(uniffi::Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum StyleTier {
    /// Clear-weighted sums of encrypted encodings: milliseconds, no server key.
    Linear,
    /// Programmable bootstrapping: about 100 per second per core, needs the server key.
    Pbs,
}

/// How much of a plain code's tolerance to camera conditions the colours keep. The chosen
/// colours' lightness moves only as far as the level needs; hue and chroma stay.
#[derive(uniffi::Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadabilityLevel {
    /// Closest to the chosen colours; every code still scans clean.
    Vivid,
    /// At least 0.8 of a plain code's tolerance (the default).
    Balanced,
    /// At least 0.95 of a plain code's tolerance.
    Robust,
}

impl From<ReadabilityLevel> for qrveil_style::Readability {
    fn from(r: ReadabilityLevel) -> Self {
        match r {
            ReadabilityLevel::Vivid => Self::Vivid,
            ReadabilityLevel::Balanced => Self::Balanced,
            ReadabilityLevel::Robust => Self::Robust,
        }
    }
}

impl From<qrveil_style::Readability> for ReadabilityLevel {
    fn from(r: qrveil_style::Readability) -> Self {
        match r {
            qrveil_style::Readability::Vivid => Self::Vivid,
            qrveil_style::Readability::Balanced => Self::Balanced,
            qrveil_style::Readability::Robust => Self::Robust,
        }
    }
}

impl From<StyleTier> for qrveil_sdk::Tier {
    fn from(t: StyleTier) -> Self {
        match t {
            StyleTier::Linear => qrveil_sdk::Tier::Linear,
            StyleTier::Pbs => qrveil_sdk::Tier::Pbs,
        }
    }
}

impl From<qrveil_sdk::Tier> for StyleTier {
    fn from(t: qrveil_sdk::Tier) -> Self {
        match t {
            qrveil_sdk::Tier::Linear => StyleTier::Linear,
            qrveil_sdk::Tier::Pbs => StyleTier::Pbs,
        }
    }
}

/// Where a long call is.
#[derive(uniffi::Enum, Clone, Debug, PartialEq)]
pub enum Progress {
    /// First use of a key folder: milliseconds.
    GeneratingKeys,
    /// The first style on the PBS tier makes the server key: a few seconds, once.
    GeneratingServerKey,
    Encoding,
    Encrypting {
        modules: u32,
    },
    /// Once per key, tens of MB (PBS tier only).
    UploadingKey {
        bytes: u64,
    },
    /// The service evaluates the style on the ciphertexts: milliseconds on the linear tier,
    /// `pbs` bootstrappings (~100 per second per core) on the PBS tier.
    Styling {
        tier: StyleTier,
        pbs: u64,
    },
    /// Decrypting, correcting, verifying and drawing.
    Finishing,
}

/// Told where a long call is; called on the calling thread outside every lock: it may call back.
#[uniffi::export(with_foreign)]
pub trait ProgressListener: Send + Sync {
    fn on_progress(&self, progress: Progress);
}

/// Timings, sizes and checks for one code. No payload, no key material.
#[derive(uniffi::Record, Clone, Debug)]
pub struct Report {
    pub version: u8,
    /// Set when the smallest version that holds the payload did not pass its checks in this
    /// look, so the code was made larger (only when no version was asked for).
    pub raised_from_version: Option<u8>,
    /// Why the smaller version was refused, for people.
    pub raised_because: Option<String>,
    pub modules: u32,
    pub style: String,
    pub preset: String,
    pub readability: ReadabilityLevel,
    /// Median CIEDE2000 difference between the chosen and the drawn ink (0: as chosen).
    pub ink_delta_e: f32,
    /// Every chosen colour and how it was drawn: as chosen whenever the code passes its checks
    /// with it, otherwise the nearest colour the named check needed.
    pub colours: Vec<ColourChoice>,
    /// Which modules were drawn square, for people: "as the look draws them" for most codes,
    /// else what was squared and the check that needed it.
    pub shapes: String,
    /// The logo's size as drawn (shrunk to fit when no imageSize was given).
    pub logo_size: Option<f32>,
    pub tier: StyleTier,
    pub pbs: u64,
    pub encrypt_seconds: f64,
    pub server_seconds: f64,
    pub client_seconds: f64,
    /// Of `client_seconds`, the checks: both judges, clean and from the phone check.
    pub check_seconds: f64,
    pub bytes_up: u64,
    pub bytes_down: u64,
    pub key_upload_bytes: u64,
    /// Short id of the server key the job used (PBS tier only).
    pub server_key_id: Option<String>,
    /// Modules whose style disagreed with the code and were redrawn (0 for every built-in style).
    pub corrected_modules: u64,
    /// Whether quirc-family scanners (rqrr) also read the code; the judges, ZXing's algorithm
    /// (rxing) and zxing-cpp, the decoders of Android and iOS scanner apps, always do. Null when
    /// rqrr gave no answer within 2 s (it can take half a minute on some large codes).
    pub quirc_family_reads: Option<bool>,
    /// Set when the service returned results that differ from the style's program. The code
    /// is drawn from this device's own evaluation all the same, so it is exactly the code an
    /// honest service would have given; the keys that read the results were replaced.
    pub integrity: Option<IntegrityEvent>,
}

/// One chosen colour and how it was drawn.
#[derive(uniffi::Record, Clone, Debug, PartialEq)]
pub struct ColourChoice {
    /// `dots`, `corners-square`, `corners-dot` or `background`.
    pub part: String,
    /// `#rrggbb`.
    pub chosen: String,
    pub drawn: String,
    /// CIEDE2000 between them: 0 as chosen, about 1 just noticeable.
    pub delta_e: f32,
    /// Why, for people: "as chosen", or the contrast and the check that needed it.
    pub why: String,
}

/// The service returned results that differ from the style's program: a faulty or lying
/// service. The code was drawn from this device's evaluation; new keys were made, so a lying
/// service learns at most one bit of any key. Nothing about it is sent anywhere.
#[derive(uniffi::Record, Clone, Debug)]
pub struct IntegrityEvent {
    /// What happened and what was done, for people.
    pub message: String,
    /// The tier the job ran on: on the linear tier every job has a key of its own anyway; on
    /// the PBS tier the client key was replaced (and a new server key is made when next needed).
    pub tier: StyleTier,
    /// The app keeps its keys itself (`KeyStorage.Bytes`) and must save `QrVeil.key_material()`
    /// in place of the old ones; a key folder was updated by the SDK.
    pub save_keys: bool,
}

/// One styled code: the same image as PNG and as SVG, and as JPEG when asked. Only a code that
/// the judges (rxing and zxing-cpp) decoded to exactly the payload is ever returned.
#[derive(uniffi::Record)]
pub struct StyledCode {
    pub png: Vec<u8>,
    pub svg: String,
    /// When `StyleOptions.jpeg_quality` was given; verified as decoded.
    pub jpeg: Option<Vec<u8>>,
    pub report: Report,
}

/// Every failure, by what the app can do about it. Messages are readable and never contain
/// the payload, keys or ciphertexts.
#[derive(Debug, thiserror::Error, uniffi::Error)]
#[uniffi(flat_error)]
pub enum QrVeilError {
    /// The payload is empty or does not fit a QR code at these settings.
    #[error("{0}")]
    InvalidPayload(String),
    /// A style name this SDK (or the service) does not know.
    #[error("{0}")]
    UnknownStyle(String),
    /// Any other option out of range: preset, version, module size, quiet zone, URL, token.
    #[error("{0}")]
    InvalidOption(String),
    /// Keys could not be created, read or parsed.
    #[error("{0}")]
    Keys(String),
    /// The service could not be reached or its storage failed; retrying may help.
    #[error("{0}")]
    Network(String),
    /// The presign endpoint or the bucket said no (wrong token, an expired URL...).
    #[error("{0}")]
    Refused(String),
    /// Over the presign endpoint's rate limits; the message says in how many seconds to retry.
    #[error("{0}")]
    RateLimited(String),
    /// No result within the configured time.
    #[error("{0}")]
    Timeout(String),
    /// The style function recorded a failure for this job.
    #[error("{0}")]
    JobFailed(String),
    /// The result could not be decrypted, read or verified.
    #[error("{0}")]
    BadResult(String),
    /// The call was cancelled through its `CancelToken`.
    #[error("{0}")]
    Cancelled(String),
    #[error("{0}")]
    Internal(String),
}

/// The one conversion from the SDK's errors to what apps see.
impl From<SdkError> for QrVeilError {
    fn from(e: SdkError) -> Self {
        let msg = e.to_string();
        match e {
            SdkError::EmptyPayload | SdkError::PayloadTooLong { .. } => Self::InvalidPayload(msg),
            SdkError::UnknownName(UnknownName { kind: NameKind::Style, .. }) => Self::UnknownStyle(msg),
            SdkError::UnknownName(_) | SdkError::InvalidOption { .. } => Self::InvalidOption(msg),
            SdkError::Keys { .. } => Self::Keys(msg),
            SdkError::KeyBytes(e) => Self::Keys(format!(
                "the key bytes given are not qrveil keys ({e}); pass the bytes generate_keys() returned"
            )),
            SdkError::Store(_) | SdkError::Transport(_) => Self::Network(msg),
            SdkError::Refused { .. } | SdkError::UrlRefused { .. } => Self::Refused(msg),
            SdkError::RateLimited { .. } => Self::RateLimited(msg),
            SdkError::Timeout { .. } => Self::Timeout(msg),
            SdkError::Job { kind: qrveil_protocol::FailureKind::UnknownStyle, .. } => Self::UnknownStyle(msg),
            SdkError::Job { .. } => Self::JobFailed(msg),
            SdkError::BadResult(_) | SdkError::VerificationFailed(_) => Self::BadResult(msg),
            SdkError::Cancelled => Self::Cancelled(msg),
            SdkError::Internal(_) => Self::Internal(msg),
        }
    }
}
