//! The whole client flow for one code: encode → encrypt → submit → wait → decrypt → finish.

use crate::crypto::{decrypt_outputs, encrypt_grid};
use crate::error::Internal;
use crate::finish::{finish, Look};
use crate::qr::{encode, EcLevel};
use crate::render::Palette;
use crate::transport::Transport;
use crate::{Cancel, Keys, SdkError};
use qrveil_protocol::job::FORMAT_VERSION;
use qrveil_protocol::params::PARAMS_NAME;
use qrveil_protocol::{EncryptedOutputs, JobStatus, KeyId, Manifest, ServerTimings};
use qrveil_style::{cost, Preset, StyleId};
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

impl StyleOptions {
    /// The drawing options out of range, before any work.
    fn check(&self) -> Result<(), SdkError> {
        if !(1..=100).contains(&self.module_px) {
            let detail = format!("{} px is outside 1..=100", self.module_px);
            return Err(SdkError::InvalidOption { what: "module size", detail });
        }
        if self.quiet_zone > 40 {
            let detail = format!("{} modules is over 40", self.quiet_zone);
            return Err(SdkError::InvalidOption { what: "quiet zone", detail });
        }
        Ok(())
    }

    /// How the finished code is drawn: sizes as asked, the preset's colours made readable.
    pub fn look(&self) -> Look {
        Look { module_px: self.module_px, quiet_zone: self.quiet_zone, palette: Palette::readable(&self.preset) }
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

/// Timings, sizes and checks for one styled code. No payload, no key material. A code is
/// returned only once it decoded to exactly the payload, so there is no "verified" flag.
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
    pub encrypt: f64,
    /// Seconds the function spent on the job (key load, expand, evaluate, pack).
    pub server: f64,
    /// Seconds for decrypt + correct + render + verify + encode.
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
pub fn job_manifest(style: StyleId, key_id: &KeyId, side: u32) -> Result<Vec<u8>, SdkError> {
    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        params: PARAMS_NAME.to_string(),
        style: style.name().to_string(),
        key_id: key_id.clone(),
        modules: side,
        created_at: SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
    };
    Ok(manifest.to_json().map_err(Internal::from)?)
}

impl<T: Transport> Styler<T> {
    pub fn new(keys: Keys, transport: T) -> Self {
        Self { keys, transport }
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
    opts.check()?;
    cancel.check()?;
    progress(Stage::Encoding);
    let symbol = encode(payload, opts.ec, opts.version)?;
    let side = symbol.grid.side();
    let style = opts.style.style();
    let plan = cost(&style.server, side).map_err(Internal::from)?;

    progress(Stage::Encrypting { modules: side * side });
    let t = Instant::now();
    let input = encrypt_grid(&keys.client, &symbol.grid).to_bytes().map_err(Internal::from)?;
    let encrypt = t.elapsed().as_secs_f64();

    cancel.check()?;
    let manifest = job_manifest(opts.style, &keys.key_id, side)?;
    let job = run_job(keys, transport, &manifest, &input, plan.pbs, progress, cancel)?;

    cancel.check()?;
    progress(Stage::Finishing);
    let t = Instant::now();
    let packed = EncryptedOutputs::from_bytes(&job.output, plan.outputs as u32)
        .map_err(|e| SdkError::BadResult(e.to_string()))?;
    let values = decrypt_outputs(&keys.client, &packed);
    let finished = finish(style.geometry, &symbol.grid, &values, payload, opts.look())?;
    let client = t.elapsed().as_secs_f64();

    let report = Report {
        version: symbol.version,
        modules: side,
        style: opts.style.name().into(),
        preset: opts.preset.name.into(),
        ec: opts.ec.to_string(),
        pbs: job.pbs,
        outputs: packed.count,
        encrypt,
        server: job.seconds.total,
        client,
        bytes_up: manifest.len() + input.len(),
        bytes_down: job.output.len(),
        key_upload_bytes: job.key_upload_bytes,
        key_id: keys.key_id.short().to_string(),
        key_cache_hit: job.key_cache_hit,
        corrected_modules: finished.corrected_modules,
        server_detail: job.seconds,
    };
    Ok(StyledCode { png: finished.png, svg: finished.svg, report })
}

/// A job the function finished, as the client got it back.
struct FinishedJob {
    output: Vec<u8>,
    pbs: u64,
    key_cache_hit: bool,
    seconds: ServerTimings,
    key_upload_bytes: usize,
}

/// Open a job, upload the server key if the function lacks it, submit, and wait for the result.
fn run_job(
    keys: &Keys,
    transport: &dyn Transport,
    manifest: &[u8],
    input: &[u8],
    pbs: u64,
    progress: &mut dyn FnMut(Stage),
    cancel: &Cancel,
) -> Result<FinishedJob, SdkError> {
    let ticket = transport.begin(&keys.key_id)?;
    let mut key_upload_bytes = 0;
    if ticket.needs_server_key {
        progress(Stage::UploadingKey { bytes: keys.server_key_bytes.len() });
        transport.upload_server_key(&ticket, &keys.server_key_bytes)?;
        key_upload_bytes = keys.server_key_bytes.len();
    }
    cancel.check()?;
    progress(Stage::Styling { pbs });
    transport.submit(&ticket, manifest, input)?;
    match transport.wait(&ticket, cancel)? {
        (JobStatus::Done { pbs, seconds, key_cache_hit, .. }, Some(output)) => {
            Ok(FinishedJob { output, pbs, key_cache_hit, seconds, key_upload_bytes })
        }
        (JobStatus::Done { .. }, None) => Err(SdkError::BadResult("the job is done but has no output".into())),
        (JobStatus::Failed { kind, reason, .. }, _) => Err(SdkError::Job { kind, reason }),
    }
}
