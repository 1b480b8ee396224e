//! The whole client flow for one code: encode → encrypt → submit → wait → decrypt → tiles →
//! correct → render → verify.

use crate::correct::correct;
use crate::crypto::{decrypt_outputs, encrypt_grid};
use crate::qr::{encode, EcLevel};
use crate::render::{Canvas, Palette};
use crate::transport::Transport;
use crate::verify::verify;
use crate::{Cancel, Keys, SdkError};
use qrveil_function::analysis::cost;
use qrveil_function::recipe::tiles;
use qrveil_function::styles::Preset;
use qrveil_function::StyleId;
use qrveil_protocol::job::FORMAT_VERSION;
use qrveil_protocol::params::PARAMS_NAME;
use qrveil_protocol::{EncryptedOutputs, JobStatus, KeyId, Manifest, ServerTimings};
use serde::Serialize;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// What to make. Defaults: `rounded`, `green-orange`, EC M, smallest version, 10 px modules,
/// 4-module quiet zone.
#[derive(Clone, Debug)]
pub struct StyleOptions {
    pub style: StyleId,
    pub preset: Preset,
    pub ec: EcLevel,
    pub version: Option<u8>,
    pub module_px: u32,
    pub quiet_zone: u32,
}

impl Default for StyleOptions {
    fn default() -> Self {
        Self {
            style: StyleId::Rounded,
            preset: Preset::default(),
            ec: EcLevel::M,
            version: None,
            module_px: 10,
            quiet_zone: 4,
        }
    }
}

/// Steps of a long call, for progress display.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Encoding,
    Encrypting { modules: u32 },
    UploadingKey { bytes: usize },
    Styling { pbs: u64 },
    Finishing,
}

/// Timings, sizes and checks for one styled code. No payload, no key material.
#[derive(Clone, Debug, Serialize)]
pub struct Report {
    pub version: u8,
    /// Modules per side.
    pub modules: u32,
    pub style: String,
    pub preset: String,
    pub ec: String,
    pub pbs: u64,
    pub outputs: u32,
    /// Seconds generating keys (0 when existing keys were reused; set by the caller).
    pub keygen: f64,
    pub encrypt: f64,
    /// Seconds the function spent on the job (key load, expand, evaluate, pack).
    pub server: f64,
    /// Seconds for decrypt + correct + verify + render.
    pub client: f64,
    /// Manifest + input bytes uploaded for this job.
    pub bytes_up: usize,
    /// Output bytes downloaded.
    pub bytes_down: usize,
    /// Server-key bytes uploaded by this call (0 when the key was already there).
    pub key_upload_bytes: usize,
    pub key_id: String,
    pub key_cache_hit: bool,
    /// Modules whose decrypted style disagreed with the true bitmap and were redrawn.
    pub corrected_modules: usize,
    /// The delivered image decoded with rqrr to exactly the payload.
    pub verified: bool,
    pub server_detail: ServerTimings,
}

/// The result: the same code as PNG and as SVG, and the report.
pub struct StyledCode {
    pub png: Vec<u8>,
    pub svg: String,
    pub report: Report,
}

/// Styles codes with one set of keys over one transport.
pub struct Styler<T: Transport> {
    keys: Keys,
    transport: T,
}

/// The manifest of a job: the style, the grid size and the key; no payload.
pub fn job_manifest(style: StyleId, key_id: &KeyId, side: u32) -> Vec<u8> {
    Manifest {
        format_version: FORMAT_VERSION,
        params: PARAMS_NAME.to_string(),
        style: style.name().to_string(),
        key_id: key_id.clone(),
        modules: side,
        created_at: SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
    }
    .to_json()
}

fn check_options(o: &StyleOptions) -> Result<(), SdkError> {
    if !(1..=100).contains(&o.module_px) {
        return Err(SdkError::InvalidOption { what: "module size", detail: format!("{} px is outside 1..=100", o.module_px) });
    }
    if o.quiet_zone > 40 {
        return Err(SdkError::InvalidOption { what: "quiet zone", detail: format!("{} modules is over 40", o.quiet_zone) });
    }
    Ok(())
}

impl<T: Transport> Styler<T> {
    pub fn new(keys: Keys, transport: T) -> Self {
        Self { keys, transport }
    }

    pub fn keys(&self) -> &Keys {
        &self.keys
    }

    pub fn transport(&self) -> &T {
        &self.transport
    }

    pub fn style(
        &self,
        payload: &[u8],
        opts: &StyleOptions,
        progress: &mut dyn FnMut(Stage),
    ) -> Result<StyledCode, SdkError> {
        style_code(&self.keys, &self.transport, payload, opts, progress, &Cancel::new())
    }
}

/// Style one code with `keys` over `transport`, reporting each step to `progress`; stops with
/// [`SdkError::Cancelled`] at the next step (or poll) after `cancel` is set.
pub fn style_code(
    keys: &Keys,
    transport: &dyn Transport,
    payload: &[u8],
    opts: &StyleOptions,
    progress: &mut dyn FnMut(Stage),
    cancel: &Cancel,
) -> Result<StyledCode, SdkError> {
    check_options(opts)?;
    cancel.check()?;
    progress(Stage::Encoding);
    let symbol = encode(payload, opts.ec, opts.version)?;
    let side = symbol.grid.side();
    let style = opts.style.style();
    let plan = cost(&style.server, side).map_err(|e| SdkError::Internal(e.to_string()))?;

    progress(Stage::Encrypting { modules: side * side });
    let t = Instant::now();
    let input = encrypt_grid(&keys.client, &symbol.grid)
        .to_bytes()
        .map_err(|e| SdkError::Internal(e.to_string()))?;
    let encrypt = t.elapsed().as_secs_f64();

    cancel.check()?;
    let ticket = transport.begin(&keys.key_id)?;
    let mut key_upload_bytes = 0;
    if ticket.needs_server_key {
        progress(Stage::UploadingKey { bytes: keys.server_key_bytes.len() });
        transport.upload_server_key(&ticket, &keys.server_key_bytes)?;
        key_upload_bytes = keys.server_key_bytes.len();
    }
    cancel.check()?;

    let manifest = job_manifest(opts.style, &keys.key_id, side);
    progress(Stage::Styling { pbs: plan.pbs });
    transport.submit(&ticket, &manifest, &input)?;
    let (status, output) = transport.wait(&ticket, cancel)?;
    let (pbs, server_detail, key_cache_hit) = match status {
        JobStatus::Done { pbs, seconds, key_cache_hit, .. } => (pbs, seconds, key_cache_hit),
        JobStatus::Failed { kind, reason, .. } => return Err(SdkError::Job { kind, reason }),
    };
    let output = output.ok_or_else(|| SdkError::BadResult("job is done but has no output".into()))?;

    cancel.check()?;
    progress(Stage::Finishing);
    let t = Instant::now();
    let packed = EncryptedOutputs::from_bytes(&output, plan.outputs as u32)
        .map_err(|e| SdkError::BadResult(e.to_string()))?;
    let values = decrypt_outputs(&keys.client, &packed);
    let mut tiles = tiles(style.geometry, side, &values).map_err(|e| SdkError::BadResult(e.to_string()))?;
    let corrected_modules = correct(&mut tiles, &symbol.grid);
    let canvas = Canvas {
        side,
        tiles: &tiles,
        module_px: opts.module_px,
        quiet_zone: opts.quiet_zone,
        palette: Palette::readable(&opts.preset),
    };
    let image = canvas.to_image();
    verify_canvas(&canvas, &image, payload).map_err(SdkError::VerificationFailed)?;
    let png = crate::render::encode_png(&image).map_err(SdkError::Internal)?;
    let svg = canvas.to_svg();
    let client = t.elapsed().as_secs_f64();

    Ok(StyledCode {
        png,
        svg,
        report: Report {
            version: symbol.version,
            modules: side,
            style: opts.style.name().into(),
            preset: opts.preset.name.into(),
            ec: opts.ec.to_string(),
            pbs,
            outputs: packed.count,
            keygen: 0.0,
            encrypt,
            server: server_detail.total,
            client,
            bytes_up: manifest.len() + input.len(),
            bytes_down: output.len(),
            key_upload_bytes,
            key_id: keys.key_id.short().to_string(),
            key_cache_hit,
            corrected_modules,
            verified: true,
            server_detail,
        },
    })
}

/// Verify the image as delivered. Below 8 px per module or 2 modules of quiet zone, rqrr
/// misreads some anti-aliased curved shapes that camera decoders read (phones never see an
/// image at its pixel size anyway), so the same tiles are verified drawn at that minimum.
pub const VERIFY_MIN_MODULE_PX: u32 = 8;

pub fn verify_canvas(canvas: &Canvas, image: &image::RgbImage, payload: &[u8]) -> Result<(), String> {
    if canvas.module_px >= VERIFY_MIN_MODULE_PX && canvas.quiet_zone >= 2 {
        return verify(image, payload);
    }
    let bigger = Canvas {
        side: canvas.side,
        tiles: canvas.tiles,
        module_px: canvas.module_px.max(VERIFY_MIN_MODULE_PX),
        quiet_zone: canvas.quiet_zone.max(2),
        palette: canvas.palette,
    };
    verify(&bigger.to_image(), payload)
}
