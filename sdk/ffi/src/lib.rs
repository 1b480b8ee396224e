//! qrveil for apps: one object, `QrVeil`, exported with uniffi to Kotlin (Android), Swift
//! (iOS) and Python. It makes a stylish QR code for private data: the code is built and
//! encrypted on the device, styled by a service that only sees ciphertexts, then decrypted,
//! corrected, verified and drawn here.
//!
//! Calls block: run them off the UI thread. Long ones report `Progress` to a listener and
//! stop early when their `CancelToken` is cancelled.

mod look;
mod types;

pub use look::*;
pub use types::*;

use qrveil_sdk::{
    keys, style_code, Cancel, Keys, Logo, PresignConfig, PresignedTransport, SdkError, Stage, StyleDocument, Transport,
    WaitPolicy,
};
use qrveil_style::recipe::{CentreShape, Patterns, RingShape};
use qrveil_style::{Preset, StyleId, PRESETS};
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

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
/// threads; calls on one object run one at a time.
#[derive(uniffi::Object)]
pub struct QrVeil {
    transport: Box<dyn Transport + Send + Sync>,
    storage: KeyStorage,
    keys: Mutex<Option<Arc<Keys>>>,
}

fn invalid(what: &'static str, detail: impl Into<String>) -> QrVeilError {
    SdkError::InvalidOption { what, detail: detail.into() }.into()
}

/// The in-process function over a folder (the `local` feature, on for desktop builds).
#[cfg(feature = "local")]
fn local_transport(folder: String) -> Result<Box<dyn Transport + Send + Sync>, QrVeilError> {
    if folder.trim().is_empty() {
        return Err(invalid("local folder", "give the folder that stands in for the bucket"));
    }
    let store = qrveil_protocol::FolderStore::new(PathBuf::from(folder));
    Ok(Box::new(qrveil_sdk::LocalTransport::new(store)))
}

/// Mobile builds leave the style function out: the Local transport is refused, never faked.
#[cfg(not(feature = "local"))]
fn local_transport(_folder: String) -> Result<Box<dyn Transport + Send + Sync>, QrVeilError> {
    Err(invalid(
        "transport",
        "this build has no in-process style function (built without the `local` feature, as mobile builds are): use TransportConfig.Remote",
    ))
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
        let transport: Box<dyn Transport + Send + Sync> = match config.transport {
            TransportConfig::Local { folder } => local_transport(folder)?,
            TransportConfig::Remote { presign_url, token, timeout_seconds } => {
                if timeout_seconds == 0 {
                    return Err(invalid("timeout", "give the seconds to wait for a result (600 suits every version)"));
                }
                let wait = WaitPolicy { timeout: Duration::from_secs(timeout_seconds), ..WaitPolicy::default() };
                Box::new(PresignedTransport::new(PresignConfig { endpoint: presign_url, token, wait })?)
            }
        };
        if let KeyStorage::Folder { path } = &config.keys {
            if path.trim().is_empty() {
                return Err(invalid("key folder", "give a folder in the app's private storage"));
            }
        }
        Ok(Arc::new(Self { transport, storage: config.keys, keys: Mutex::new(None) }))
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
        qrveil_sdk::encode(&payload, opts.ec, opts.version)?;
        let cancel = cancel.map(|c| c.0.clone()).unwrap_or_default();
        cancel.check()?;
        let (keys, _) = self.keys(&listener)?;
        let mut progress = |stage: Stage| tell(&listener, progress_of(stage));
        let styled = style_code(&keys, self.transport.as_ref(), &payload, &opts, &mut progress, &cancel)?;
        Ok(StyledCode { png: styled.png, svg: styled.svg, jpeg: styled.jpeg, report: report_of(&styled.report) })
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
        // The slot only caches keys: one left by a call that panicked is still whole.
        let mut slot = self.keys.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(keys) = slot.as_ref() {
            return Ok((keys.clone(), false));
        }
        let (keys, generated) = match &self.storage {
            KeyStorage::Folder { path } => {
                let dir = PathBuf::from(path);
                if !keys::exists(&dir) {
                    tell(listener, Progress::GeneratingKeys);
                }
                keys::load_or_generate(&dir)?
            }
            KeyStorage::Bytes { client_key, server_key } => {
                (Keys::from_bytes(client_key, server_key.as_deref())?, false)
            }
        };
        let keys = Arc::new(keys);
        *slot = Some(keys.clone());
        Ok((keys, generated))
    }
}

/// Fresh keys for an app that keeps them itself. Store `client_key` in the Keychain/Keystore
/// and pass it back as `KeyStorage.Bytes`. With `with_server_key` the (public, ~43 MB) server
/// key is made too, a few seconds: only styles on the PBS tier need it, none of the built-ins.
#[uniffi::export(default(with_server_key = false))]
pub fn generate_keys(with_server_key: bool) -> Result<KeyMaterial, QrVeilError> {
    let keys = Keys::generate();
    let server = if with_server_key { Some(keys.server_key()?.clone()) } else { None };
    Ok(KeyMaterial {
        client_key: keys.client_key_bytes()?,
        server_key_id: server.as_ref().map(|s| s.id.to_string()),
        server_key: server.map(|s| s.bytes),
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

fn report_of(r: &qrveil_sdk::Report) -> Report {
    Report {
        version: r.version,
        modules: r.modules,
        style: r.style.clone(),
        preset: r.preset.clone(),
        readability: r.readability.into(),
        ink_delta_e: r.ink_delta_e,
        logo_size: r.logo_size,
        tier: r.tier.into(),
        pbs: r.pbs,
        encrypt_seconds: r.encrypt,
        server_seconds: r.server,
        client_seconds: r.client,
        bytes_up: r.bytes_up as u64,
        bytes_down: r.bytes_down as u64,
        key_upload_bytes: r.key_upload_bytes as u64,
        server_key_id: r.key_id.clone(),
        corrected_modules: r.corrected_modules as u64,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) fn local(dir: &std::path::Path) -> Config {
        Config {
            transport: TransportConfig::Local { folder: dir.join("bucket").display().to_string() },
            keys: KeyStorage::Folder { path: dir.join("keys").display().to_string() },
        }
    }

    fn err_of<T>(r: Result<T, QrVeilError>) -> QrVeilError {
        match r {
            Ok(_) => panic!("expected an error"),
            Err(e) => e,
        }
    }

    #[test]
    fn the_bindings_defaults_are_the_sdks() {
        let sdk = qrveil_sdk::StyleOptions::default();
        let ffi = sdk_options(&StyleOptions::default_values()).expect("valid");
        assert_eq!(
            (ffi.style, ffi.preset.name, ffi.ec, ffi.version, ffi.module_px, ffi.quiet_zone, ffi.tier, ffi.patterns),
            (sdk.style, sdk.preset.name, sdk.ec, sdk.version, sdk.module_px, sdk.quiet_zone, sdk.tier, sdk.patterns)
        );
    }

    #[test]
    fn wrong_settings_are_typed_errors_before_any_key_work() {
        let dir = tempfile::tempdir().expect("tempdir");
        let remote = |url: &str, token: &str, timeout_seconds| Config {
            transport: TransportConfig::Remote { presign_url: url.into(), token: token.into(), timeout_seconds },
            keys: KeyStorage::Folder { path: dir.path().display().to_string() },
        };
        for (config, says) in [
            (remote("http://example.com/", "a-long-enough-token", 600), "https"),
            (remote("https://x.on.aws/", " ", 600), "token"),
            (remote("https://x.on.aws/", "a-long-enough-token", 0), "seconds"),
        ] {
            let e = err_of(QrVeil::new(config));
            assert!(matches!(e, QrVeilError::InvalidOption(_)) && e.to_string().contains(says), "{e}");
        }
        let qr = QrVeil::new(local(dir.path())).expect("local config");
        let with = |f: &dyn Fn(&mut StyleOptions)| {
            let mut o = StyleOptions::default_values();
            f(&mut o);
            Some(o)
        };
        let e = err_of(qr.style_text("hi".into(), with(&|o| o.style = "sparkles".into()), None, None));
        assert!(matches!(e, QrVeilError::UnknownStyle(_)) && e.to_string().contains("rounded"), "{e}");
        let e = err_of(qr.style_text("hi".into(), with(&|o| o.preset = "neon".into()), None, None));
        assert!(matches!(e, QrVeilError::InvalidOption(_)) && e.to_string().contains("green-orange"), "{e}");
        let e = err_of(qr.style_text("hi".into(), with(&|o| o.corners_square = "dot".into()), None, None));
        assert!(matches!(e, QrVeilError::InvalidOption(_)) && e.to_string().contains("square rings"), "{e}");
        let typo = r#"{"qrveilStyle": 1, "dotOptions": {}}"#;
        let e = err_of(qr.style_text("hi".into(), with(&|o| o.style_document = Some(typo.into())), None, None));
        assert!(matches!(e, QrVeilError::InvalidOption(_)) && e.to_string().contains("dotOptions"), "{e}");
        let e = err_of(qr.style_document("sparkles".into()));
        assert!(matches!(e, QrVeilError::UnknownStyle(_)), "{e}");
        let e = err_of(qr.style(Vec::new(), None, None, None));
        assert!(matches!(e, QrVeilError::InvalidPayload(_)), "{e}");
        let e = err_of(qr.style(vec![b'x'; 3000], with(&|o| o.version = Some(1)), None, None));
        assert!(matches!(e, QrVeilError::InvalidPayload(_)), "{e}");
        let cancel = CancelToken::new();
        cancel.cancel();
        let e = err_of(qr.style_text("hi".into(), None, None, Some(cancel)));
        assert!(matches!(e, QrVeilError::Cancelled(_)), "{e}");
        assert!(!dir.path().join("keys").exists(), "keys were generated for a call that could not succeed");
    }

    #[test]
    fn key_bytes_that_are_not_keys_say_so_without_echoing_them() {
        let dir = tempfile::tempdir().expect("tempdir");
        let config = Config {
            transport: TransportConfig::Local { folder: dir.path().display().to_string() },
            keys: KeyStorage::Bytes { client_key: b"SECRET-CLIENT".to_vec(), server_key: Some(vec![7; 64]) },
        };
        let qr = QrVeil::new(config).expect("config");
        let e = err_of(qr.create_or_load_keys(None));
        let msg = e.to_string();
        assert!(matches!(e, QrVeilError::Keys(_)) && msg.contains("generate_keys"), "{msg}");
        assert!(!msg.contains("SECRET"), "{msg}");
    }

    #[test]
    fn a_service_that_does_not_know_the_style_is_an_unknown_style_error() {
        let e: QrVeilError =
            SdkError::Job { kind: qrveil_protocol::FailureKind::UnknownStyle, reason: "unknown style \"x\"".into() }
                .into();
        assert!(matches!(e, QrVeilError::UnknownStyle(_)), "{e}");
        let e: QrVeilError =
            SdkError::Job { kind: qrveil_protocol::FailureKind::MissingKey, reason: "r".into() }.into();
        assert!(matches!(e, QrVeilError::JobFailed(_)), "{e}");
    }
}
