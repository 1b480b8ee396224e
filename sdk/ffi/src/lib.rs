//! qrveil for apps: one object, `QrVeil`, exported with uniffi to Kotlin (Android), Swift
//! (iOS) and Python. It makes a stylish QR code for private data: the code is built and
//! encrypted on the device, styled by a service that only sees ciphertexts, then decrypted,
//! corrected, verified and drawn here.
//!
//! Calls block: run them off the UI thread. Long ones report `Progress` to a listener and
//! stop early when their `CancelToken` is cancelled.

mod defaults;
mod look;
mod route;
mod types;

pub use look::*;
pub use types::*;

use qrveil_sdk::{keys, style_code, Cancel, Keys, Logo, SdkError, Stage, StyleDocument};
use qrveil_style::recipe::{CentreShape, Patterns, RingShape};
use qrveil_style::{Preset, StyleId, PRESETS};
use route::Route;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use zeroize::Zeroizing;

uniffi::setup_scaffolding!("qrveil");

/// Cancels a running call from another thread (e.g. a cancel button). One token per call.
#[derive(uniffi::Object, Default)]
pub struct CancelToken(Cancel);

#[uniffi::export]
impl CancelToken {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// The call stops at its next step, or within 0.1 s while it waits for the service.
    pub fn cancel(&self) {
        self.0.cancel();
    }

    pub fn is_cancelled(&self) -> bool {
        self.0.is_cancelled()
    }
}

/// Makes styled codes with one set of keys over one transport. Safe to share between
/// threads, and calls may run at the same time: each linear job has a fresh key of its own,
/// and the client key is loaded once, under a lock, by whichever call needs it first.
#[derive(uniffi::Object)]
pub struct QrVeil {
    route: Route,
    storage: Storage,
    keys: Mutex<Option<Arc<Keys>>>,
}

/// Where the keys live, as this object keeps it: the secret bytes an app passed are zeroed
/// when the object goes.
enum Storage {
    Folder(PathBuf),
    Bytes { client_key: Zeroizing<Vec<u8>>, server_key: Option<Vec<u8>> },
}

impl From<KeyStorage> for Storage {
    fn from(storage: KeyStorage) -> Self {
        match storage {
            KeyStorage::Folder { path } => Storage::Folder(PathBuf::from(path)),
            KeyStorage::Bytes { client_key, server_key } => {
                Storage::Bytes { client_key: Zeroizing::new(client_key), server_key }
            }
        }
    }
}

fn invalid(what: &'static str, detail: impl Into<String>) -> QrVeilError {
    SdkError::InvalidOption { what, detail: detail.into() }.into()
}

fn tell(listener: &Option<Arc<dyn ProgressListener>>, progress: Progress) {
    if let Some(l) = listener {
        l.on_progress(progress);
    }
}

#[uniffi::export]
impl QrVeil {
    /// Checks the configuration (URL, token, folders) without touching keys or the network.
    #[uniffi::constructor]
    pub fn new(config: Config) -> Result<Arc<Self>, QrVeilError> {
        let route = Route::new(config.transport)?;
        if let KeyStorage::Folder { path } = &config.keys {
            if path.trim().is_empty() {
                return Err(invalid("key folder", "give a folder in the app's private storage"));
            }
        }
        Ok(Arc::new(Self { route, storage: config.keys.into(), keys: Mutex::new(None) }))
    }

    /// Load the keys, or create the client key on first use of a key folder (milliseconds,
    /// reported as `Progress.GeneratingKeys`). Styling calls this when needed.
    #[uniffi::method(default(listener = None))]
    pub fn create_or_load_keys(&self, listener: Option<Arc<dyn ProgressListener>>) -> Result<KeyInfo, QrVeilError> {
        let (keys, generated) = self.keys(&listener)?;
        Ok(KeyInfo { server_key_id: keys.existing_server_key().map(|k| k.id.to_string()), generated })
    }

    /// The built-in styles.
    pub fn styles(&self) -> Vec<StyleInfo> {
        StyleId::ALL.iter().map(|s| StyleInfo { name: s.name().into(), summary: s.summary().into() }).collect()
    }

    /// A built-in style as a style document (JSON), to edit and pass as
    /// `StyleOptions.style_document`.
    pub fn style_document(&self, name: String) -> Result<String, QrVeilError> {
        Ok(StyleDocument::named(&name)?.to_json())
    }

    /// A built-in style as a look, to change and pass as `StyleOptions.look`.
    pub fn look(&self, name: String) -> Result<Look, QrVeilError> {
        Ok(StyleDocument::named(&name)?.into())
    }

    /// The colour presets' names.
    pub fn presets(&self) -> Vec<String> {
        PRESETS.iter().map(|p| p.name.to_string()).collect()
    }

    /// Style `payload` (any bytes; text as UTF-8) with `options` (every default when not given). The payload never leaves the device in
    /// clear: only its encrypted modules do.
    #[uniffi::method(default(options = None, listener = None, cancel = None))]
    pub fn style(
        &self,
        payload: Vec<u8>,
        options: Option<StyleOptions>,
        listener: Option<Arc<dyn ProgressListener>>,
        cancel: Option<Arc<CancelToken>>,
    ) -> Result<StyledCode, QrVeilError> {
        let opts = sdk_options(&options.unwrap_or_else(StyleOptions::default_values))?;
        // Bad payloads fail before seconds of key work.
        qrveil_sdk::encode_with(&payload, opts.ec, opts.version, opts.eci)?;
        let cancel = cancel.map(|c| c.0.clone()).unwrap_or_default();
        cancel.check()?;
        let (keys, _) = self.keys(&listener)?;
        let mut progress = |stage: Stage| tell(&listener, progress_of(stage));
        let styled = style_code(&keys, self.route.transport(&keys)?, &payload, &opts, &mut progress, &cancel)?;
        let keeps_keys = matches!(self.storage, Storage::Bytes { .. });
        Ok(StyledCode {
            png: styled.png,
            svg: styled.svg,
            jpeg: styled.jpeg,
            report: report_of(&styled.report, keeps_keys),
        })
    }

    /// The keys in use, for an app that keeps them itself (`KeyStorage.Bytes`): save them after
    /// an integrity event that says so. The client key is secret: Keychain/Keystore only.
    pub fn key_material(&self) -> Result<KeyMaterial, QrVeilError> {
        let (keys, _) = self.keys(&None)?;
        let server = keys.existing_server_key();
        Ok(KeyMaterial {
            client_key: std::mem::take(&mut *keys.client_key_bytes()?),
            server_key_id: server.as_ref().map(|s| s.id.to_string()),
            server_key: server.map(|s| s.bytes.clone()),
        })
    }

    /// `style` for text.
    #[uniffi::method(default(options = None, listener = None, cancel = None))]
    pub fn style_text(
        &self,
        text: String,
        options: Option<StyleOptions>,
        listener: Option<Arc<dyn ProgressListener>>,
        cancel: Option<Arc<CancelToken>>,
    ) -> Result<StyledCode, QrVeilError> {
        self.style(text.into_bytes(), options, listener, cancel)
    }
}

impl QrVeil {
    fn keys(&self, listener: &Option<Arc<dyn ProgressListener>>) -> Result<(Arc<Keys>, bool), QrVeilError> {
        if let Some(keys) = self.cached_keys() {
            return Ok((keys, false));
        }
        // Told before the lock is taken: a listener may call this object back (a deadlock
        // under the lock). Two first calls at once may both be told; one generates.
        if let Storage::Folder(dir) = &self.storage {
            if !keys::exists(dir) {
                tell(listener, Progress::GeneratingKeys);
            }
        }
        let mut slot = self.key_slot();
        if let Some(keys) = slot.as_ref() {
            return Ok((keys.clone(), false));
        }
        let (keys, generated) = match &self.storage {
            Storage::Folder(dir) => keys::load_or_generate(dir)?,
            Storage::Bytes { client_key, server_key } => (Keys::from_bytes(client_key, server_key.as_deref())?, false),
        };
        let keys = Arc::new(keys);
        *slot = Some(keys.clone());
        Ok((keys, generated))
    }

    fn cached_keys(&self) -> Option<Arc<Keys>> {
        self.key_slot().clone()
    }

    fn key_slot(&self) -> std::sync::MutexGuard<'_, Option<Arc<Keys>>> {
        // The slot only caches keys: one left by a call that panicked is still whole.
        self.keys.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Fresh keys for an app that keeps them itself. Store `client_key` in the Keychain/Keystore
/// and pass it back as `KeyStorage.Bytes`. With `with_server_key` the (public, ~43 MB) server
/// key is made too, a few seconds: only styles on the PBS tier need it, none of the built-ins.
#[uniffi::export(default(with_server_key = false))]
pub fn generate_keys(with_server_key: bool) -> Result<KeyMaterial, QrVeilError> {
    let keys = Keys::generate();
    let server = if with_server_key { Some(keys.server_key()?) } else { None };
    Ok(KeyMaterial {
        // Moved out, not copied: the bytes cross to the app, which keeps them.
        client_key: std::mem::take(&mut *keys.client_key_bytes()?),
        server_key_id: server.as_ref().map(|s| s.id.to_string()),
        server_key: server.map(|s| s.bytes.clone()),
    })
}

fn sdk_options(o: &StyleOptions) -> Result<qrveil_sdk::StyleOptions, QrVeilError> {
    let fields = named_options(o)?;
    let opts = match (&o.style_document, &o.look) {
        (Some(_), Some(_)) => {
            let detail = "give a style document or a look, not both".into();
            return Err(SdkError::InvalidOption { what: "style options", detail }.into());
        }
        (None, Some(look)) => look::apply(look, &fields)?,
        (Some(json), None) => {
            let doc = StyleDocument::from_json(json.as_bytes())?;
            if doc.image.is_some() {
                let detail =
                    "an app passes its image as StyleOptions.logo (bytes), not as a file name in the document".into();
                return Err(SdkError::InvalidOption { what: "style document", detail }.into());
            }
            doc.options(&fields)?
        }
        (None, None) => fields,
    };
    // Options the SDK would refuse fail here, before any key work.
    opts.check()?;
    Ok(opts)
}

fn named_options(o: &StyleOptions) -> Result<qrveil_sdk::StyleOptions, QrVeilError> {
    Ok(qrveil_sdk::StyleOptions {
        style: o.style.parse::<StyleId>().map_err(SdkError::from)?,
        preset: o.preset.parse::<Preset>().map_err(SdkError::from)?,
        colours: None,
        jpeg_quality: o.jpeg_quality,
        logo: o.logo.as_deref().map(Logo::from_bytes).transpose()?,
        ec: o.error_correction.unwrap_or(ErrorCorrection::Medium).into(),
        version: o.version,
        eci: o.eci.unwrap_or(true),
        module_px: o.module_px,
        quiet_zone: o.quiet_zone,
        readability: o.readability.map(Into::into).unwrap_or_default(),
        patterns: Patterns {
            ring: o.corners_square.parse::<RingShape>().map_err(SdkError::from)?,
            centre: o.corners_dot.parse::<CentreShape>().map_err(SdkError::from)?,
        },
        fitted: None,
        program: None,
        tier: o.tier.map(Into::into),
    })
}

fn progress_of(stage: Stage) -> Progress {
    match stage {
        Stage::Encoding => Progress::Encoding,
        Stage::Encrypting { modules } => Progress::Encrypting { modules },
        Stage::UploadingKey { bytes } => Progress::UploadingKey { bytes: bytes as u64 },
        Stage::GeneratingServerKey => Progress::GeneratingServerKey,
        Stage::Styling { tier, pbs } => Progress::Styling { tier: tier.into(), pbs },
        Stage::Finishing => Progress::Finishing,
    }
}

fn colour_of(c: &qrveil_sdk::ColourChoice) -> ColourChoice {
    let hex = |c: qrveil_style::Rgb| format!("#{:02x}{:02x}{:02x}", c.0, c.1, c.2);
    ColourChoice {
        part: c.part.to_string(),
        chosen: hex(c.chosen),
        drawn: hex(c.drawn),
        delta_e: c.delta_e,
        why: c.why.to_string(),
    }
}

/// `keeps_keys`: the app keeps its keys itself, so a replacement is for it to save.
fn report_of(r: &qrveil_sdk::Report, keeps_keys: bool) -> Report {
    Report {
        version: r.version,
        raised_from_version: r.raised_from.as_ref().map(|v| v.version),
        raised_because: r.raised_from.as_ref().map(|v| v.refused_by.clone()),
        modules: r.modules,
        style: r.style.clone(),
        preset: r.preset.clone(),
        readability: r.readability.into(),
        ink_delta_e: r.ink_delta_e,
        colours: r.colours.iter().map(colour_of).collect(),
        shapes: r.shapes.to_string(),
        logo_size: r.logo_size,
        tier: r.tier.into(),
        pbs: r.pbs,
        encrypt_seconds: r.encrypt,
        server_seconds: r.server,
        client_seconds: r.client,
        check_seconds: r.client_detail.verify,
        bytes_up: r.bytes_up as u64,
        bytes_down: r.bytes_down as u64,
        key_upload_bytes: r.key_upload_bytes as u64,
        server_key_id: r.key_id.clone(),
        corrected_modules: r.corrected_modules as u64,
        quirc_family_reads: r.quirc_family,
        integrity: r.integrity.map(|event| IntegrityEvent {
            message: event.to_string(),
            tier: event.tier.into(),
            save_keys: keeps_keys && event.tier == qrveil_sdk::Tier::Pbs,
        }),
    }
}

#[cfg(test)]
pub(crate) mod tests;
