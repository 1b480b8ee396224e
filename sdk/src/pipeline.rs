//! The whole client flow for one code: encode → encrypt → submit → wait → decrypt and
//! compare → finish. The code is drawn from this device's own evaluation of the style's program
//! ([`crate::integrity`]); the decrypted results only decide whether there was an integrity event.

use crate::crypto::{decrypt_linear, decrypt_outputs, encrypt_features, encrypt_grid, JobKey};
use crate::error::Internal;
use crate::finish::{finish, RenderOptions};
use crate::integrity::{self, IntegrityEvent};
use crate::keys::{KeyPair, ServerKey};
use crate::qr::{encode_with, QrSymbol};
use crate::report::{RaisedVersion, Report, StyledCode};
use crate::transport::{Delivery, Transport};
use crate::{Cancel, Keys, SdkError, StyleOptions};
use qrveil_protocol::job::FORMAT_VERSION;
use qrveil_protocol::params::PARAMS_NAME;
use qrveil_protocol::presign::UploadSizes;
use qrveil_protocol::{EncryptedOutputs, KeyId, LinearOutputs, Manifest, ServerTimings, Tier};
use qrveil_style::{cost, spec, Encoding, Plan, ServerProgram, Style};
use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

/// Steps of a long call, for progress display.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stage {
    Encoding,
    /// Making the server key from the client key: once per key, for the first style that
    /// needs the PBS tier (a few seconds).
    GeneratingServerKey,
    Encrypting {
        modules: u32,
    },
    UploadingKey {
        bytes: usize,
    },
    Styling {
        tier: Tier,
        pbs: u64,
    },
    Finishing,
}

/// How many versions above the smallest one a code without a pinned version may grow when its
/// checks refuse it: small codes are the ones a phone scan misses most (docs/readability.md),
/// and one or two versions more is a code people still call small.
pub const VERSION_STEPS: u8 = 2;
/// Styles codes with one set of keys over one transport.
pub struct Styler<T: Transport> {
    keys: Keys,
    transport: T,
}

/// The manifest of a job: the style (with its program when it is a wide fitted look's), how the
/// client encrypted it, the grid size and, on the PBS tier, the server key; no payload.
pub fn job_manifest(
    style: &Style,
    tier: Tier,
    encodings: &[Encoding],
    key_id: Option<&KeyId>,
    side: u32,
) -> Result<Vec<u8>, SdkError> {
    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        params: PARAMS_NAME.to_string(),
        style: style.id.name().to_string(),
        tier,
        encodings: encodings.iter().map(Encoding::to_string).collect(),
        key_id: key_id.cloned(),
        modules: side,
        created_at: SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0),
        program: spec::manifest_program(style),
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

/// The secret a job was encrypted under, kept until its results are read.
enum JobSecret {
    /// A key made for this job alone, dropped (and zeroed) with it.
    Linear(JobKey),
    /// The client's key pair, and the server key made from it.
    Pbs(Arc<KeyPair>, Arc<ServerKey>),
}

impl JobSecret {
    fn server_key(&self) -> Option<&ServerKey> {
        match self {
            JobSecret::Linear(_) => None,
            JobSecret::Pbs(_, server) => Some(server),
        }
    }
}

/// A job ready to send: its manifest and input, and the secret that reads its results.
struct Encrypted {
    manifest: Vec<u8>,
    input: Vec<u8>,
    secret: JobSecret,
    seconds: f64,
}

/// Encrypt `symbol` for `plan`'s tier: the encodings it reads under a fresh job key (linear),
/// or the module grid under the client key (PBS, which needs the server key: made now if this
/// is its first use).
fn encrypt(
    keys: &Keys,
    style: &Style,
    plan: &Plan,
    symbol: &QrSymbol,
    progress: &mut dyn FnMut(Stage),
) -> Result<Encrypted, SdkError> {
    let side = symbol.grid.side();
    if plan.tier() == Tier::Pbs && keys.existing_server_key().is_none() {
        progress(Stage::GeneratingServerKey);
    }
    let secret = match plan {
        Plan::Linear(_) => JobSecret::Linear(JobKey::fresh()),
        Plan::Pbs => {
            let pair = keys.current();
            let server = keys.server_key_of(&pair)?;
            JobSecret::Pbs(pair, server)
        }
    };
    progress(Stage::Encrypting { modules: side * side });
    let t = Instant::now();
    let input = match &secret {
        JobSecret::Linear(key) => {
            encrypt_features(key, &symbol.grid, &style.server, &plan.encodings()).map_err(Internal::from)?.to_bytes()
        }
        JobSecret::Pbs(pair, _) => encrypt_grid(pair.client(), &symbol.grid).to_bytes(),
    }
    .map_err(Internal::from)?;
    let seconds = t.elapsed().as_secs_f64();
    let key_id = secret.server_key().map(|k| &k.id);
    let manifest = job_manifest(style, plan.tier(), &plan.encodings(), key_id, side)?;
    Ok(Encrypted { manifest, input, secret, seconds })
}

/// Style one code with `keys` over `transport`, reporting each step to `progress`; stops with
/// [`SdkError::Cancelled`] at the next step (or poll) after `cancel` is set.
///
/// When no version is asked for and the checks refuse the smallest version in this look, the
/// code is made again (a new job) up to [`VERSION_STEPS`] versions larger before it is refused,
/// and the report says so: the look and the colours stay as chosen.
pub fn style_code(
    keys: &Keys,
    transport: &dyn Transport,
    payload: &[u8],
    opts: &StyleOptions,
    progress: &mut dyn FnMut(Stage),
    cancel: &Cancel,
) -> Result<StyledCode, SdkError> {
    opts.check()?;
    if opts.version.is_some() {
        return style_at(keys, transport, payload, opts, opts.version, progress, cancel);
    }
    let smallest = encode_with(payload, opts.ec, None, opts.eci)?.version;
    let mut raised_from = None;
    let mut version = smallest;
    loop {
        // The first try is unpinned (`None`): a logo that does not fit is then refused with
        // the sizes each level holds at its own smallest version, not at this one.
        let at = (version > smallest).then_some(version);
        match style_at(keys, transport, payload, opts, at, progress, cancel) {
            Ok(mut code) => {
                code.report.raised_from = raised_from;
                return Ok(code);
            }
            // Text shown wrongly is the character set's doing, not the size's.
            Err(SdkError::VerificationFailed(refused))
                if version < smallest + VERSION_STEPS
                    && version < 40
                    && !matches!(refused, crate::verify::VerifyError::OtherText(_)) =>
            {
                raised_from.get_or_insert(RaisedVersion { version: smallest, refused_by: refused.to_string() });
                version += 1;
            }
            Err(e) => return Err(e),
        }
    }
}

/// One job at `version` (`None`: the smallest that holds the payload).
fn style_at(
    keys: &Keys,
    transport: &dyn Transport,
    payload: &[u8],
    opts: &StyleOptions,
    version: Option<u8>,
    progress: &mut dyn FnMut(Stage),
    cancel: &Cancel,
) -> Result<StyledCode, SdkError> {
    cancel.check()?;
    progress(Stage::Encoding);
    let symbol = encode_with(payload, opts.ec, version, opts.eci)?;
    opts.check_pixels(symbol.grid.side())?;
    let logo = opts.logo.as_ref().map(|l| l.resolve(payload, opts.ec, version, opts.eci)).transpose()?;
    let side = symbol.grid.side();
    let style = opts.resolved()?;
    let plan = opts.plan(&style)?;
    let pbs = match plan {
        Plan::Linear(_) => 0,
        Plan::Pbs => cost(&style.server, side).map_err(Internal::from)?.on_pbs_tier.pbs,
    };
    let sent = encrypt(keys, &style, &plan, &symbol, progress)?;

    cancel.check()?;
    progress(Stage::Styling { tier: plan.tier(), pbs });
    let job = run_job(transport, &sent, progress, cancel)?;

    cancel.check()?;
    progress(Stage::Finishing);
    let t = Instant::now();
    let values = integrity::expected(&style.server, &symbol.grid)?;
    let decrypted = decrypt(&sent.secret, &plan, &style.server, side, &job.output)?;
    let event = integrity::check(plan.tier(), &values, &decrypted);
    if event.is_some() {
        burn(keys, sent.secret)?;
    }
    let look = RenderOptions { logo: logo.clone(), ..opts.render_options() };
    let finished = finish(style.geometry, &symbol.grid, &values, payload, look.clone())?;
    let client = t.elapsed().as_secs_f64();

    let report = Report {
        version: symbol.version,
        modules: side,
        style: opts.style.name().into(),
        preset: if opts.colours.is_some() { "custom".into() } else { opts.preset.name.into() },
        readability: opts.readability,
        ink_delta_e: finished.ink_delta_e,
        colours: finished.colours.clone(),
        shapes: finished.shapes,
        logo_size: logo.as_ref().map(|l| l.size),
        ec: opts.ec.to_string(),
        tier: plan.tier(),
        pbs: job.pbs,
        outputs: values.len() as u32,
        encrypt: sent.seconds,
        server: job.seconds.total,
        client,
        bytes_up: sent.manifest.len() + sent.input.len(),
        bytes_down: job.output.len(),
        key_upload_bytes: job.key_upload_bytes,
        key_id: job.key_id,
        key_cache_hit: job.key_cache_hit,
        corrected_modules: finished.corrected_modules,
        quirc_family: finished.quirc_family,
        integrity: event,
        server_detail: job.seconds,
        client_detail: finished.seconds,
        raised_from: None,
    };
    Ok(StyledCode { png: finished.png, svg: finished.svg, jpeg: finished.jpeg, report })
}

/// After an integrity event: a linear job's key is dropped with the job (every job has its
/// own); a PBS job's client key pair is replaced before the next job.
fn burn(keys: &Keys, secret: JobSecret) -> Result<(), SdkError> {
    match secret {
        JobSecret::Linear(key) => {
            drop(key);
            Ok(())
        }
        JobSecret::Pbs(pair, _) => keys.replace(&pair).map_err(|e| match e {
            SdkError::Keys { path, detail } => SdkError::Keys {
                path,
                detail: format!("{}, but they could not be saved: {detail}", IntegrityEvent::MESSAGE),
            },
            other => other,
        }),
    }
}

/// The job's outputs, read from the bytes the function wrote and decrypted: one value per
/// cell, only ever compared with this device's own evaluation. Bytes that do not fit the
/// style's layout are a bad result (nothing was decrypted).
fn decrypt(
    secret: &JobSecret,
    plan: &Plan,
    program: &ServerProgram,
    side: u32,
    output: &[u8],
) -> Result<Vec<u8>, SdkError> {
    let bad = |e: qrveil_protocol::WireError| SdkError::BadResult(e.to_string());
    match (plan, secret) {
        (Plan::Linear(plans), JobSecret::Linear(key)) => {
            let cells: Vec<u32> = plans.iter().map(|p| p.cells(side)).collect();
            Ok(decrypt_linear(key, &LinearOutputs::from_bytes(output, &cells).map_err(bad)?))
        }
        (Plan::Pbs, JobSecret::Pbs(pair, _)) => {
            let count = program.output_count(side) as u32;
            Ok(decrypt_outputs(pair.client(), &EncryptedOutputs::from_bytes(output, count).map_err(bad)?))
        }
        _ => Err(Internal::Unexpected("a job's secret is not its tier's").into()),
    }
}

/// A job the function finished, as the client got it back.
struct FinishedJob {
    output: Vec<u8>,
    pbs: u64,
    key_cache_hit: bool,
    seconds: ServerTimings,
    key_upload_bytes: usize,
    /// Short id of the server key the job used (PBS tier only).
    key_id: Option<String>,
}

/// Open a job, upload the server key if the function lacks it, submit, and wait for the result.
fn run_job(
    transport: &dyn Transport,
    sent: &Encrypted,
    progress: &mut dyn FnMut(Stage),
    cancel: &Cancel,
) -> Result<FinishedJob, SdkError> {
    let server_key = sent.secret.server_key();
    let sizes = UploadSizes {
        manifest: sent.manifest.len() as u64,
        input: sent.input.len() as u64,
        server_key: server_key.map(|k| k.bytes.len() as u64),
    };
    let ticket = transport.begin(server_key.map(|k| &k.id), &sizes, cancel)?;
    let mut key_upload_bytes = 0;
    if let (true, Some(key)) = (ticket.needs_server_key, server_key) {
        progress(Stage::UploadingKey { bytes: key.bytes.len() });
        transport.upload_server_key(&ticket, &key.bytes, cancel)?;
        key_upload_bytes = key.bytes.len();
    }
    cancel.check()?;
    transport.submit(&ticket, &sent.manifest, &sent.input, cancel)?;
    let Delivery { output, pbs, key_cache_hit, seconds } = transport.wait(&ticket, cancel)?;
    let key_id = server_key.map(|k| k.id.short().to_string());
    Ok(FinishedJob { output, pbs, key_cache_hit, seconds, key_upload_bytes, key_id })
}
