//! Where the object's jobs go: the in-process function over a folder, or the presign endpoint.
//! The endpoint's transport is made for the first job, once the keys are loaded: it sends the
//! install's client id, kept beside them (`Keys::client_id`: the key folder's, or with `Bytes`
//! keys one made for this object, in memory), so the constructor touches no folder.

use crate::{invalid, QrVeilError, TransportConfig};
use qrveil_sdk::{Keys, PresignConfig, PresignedTransport, Transport, WaitPolicy};
use std::sync::OnceLock;
use std::time::Duration;

pub(crate) enum Route {
    Ready(Box<dyn Transport + Send + Sync>),
    Presigned(Box<Presigned>),
}

/// The endpoint's settings, and its transport once made.
pub(crate) struct Presigned {
    config: PresignConfig,
    transport: OnceLock<PresignedTransport>,
}

impl Route {
    /// Checks the settings (URL, token, timeout, folder) without touching keys or the network.
    pub(crate) fn new(config: TransportConfig) -> Result<Self, QrVeilError> {
        match config {
            TransportConfig::Local { folder } => Ok(Route::Ready(local_transport(folder)?)),
            TransportConfig::Remote { presign_url, token, timeout_seconds } => {
                if timeout_seconds == 0 {
                    return Err(invalid("timeout", "give the seconds to wait for a result (600 suits every version)"));
                }
                let wait = WaitPolicy { timeout: Duration::from_secs(timeout_seconds), ..WaitPolicy::default() };
                let config = PresignConfig { endpoint: presign_url, token, wait, client_id: None };
                // Checked now; made with the client id when the first job has the keys.
                PresignedTransport::new(config.clone())?;
                Ok(Route::Presigned(Box::new(Presigned { config, transport: OnceLock::new() })))
            }
        }
    }

    /// The transport for jobs with `keys`, made on first use for the presign endpoint. Two first
    /// jobs at once may both make one, with the same id; one is kept.
    pub(crate) fn transport(&self, keys: &Keys) -> Result<&(dyn Transport + Send + Sync), QrVeilError> {
        let Presigned { config, transport } = match self {
            Route::Ready(transport) => return Ok(transport.as_ref()),
            Route::Presigned(presigned) => presigned.as_ref(),
        };
        if let Some(made) = transport.get() {
            return Ok(made);
        }
        let made = PresignedTransport::new(PresignConfig { client_id: Some(keys.client_id()?), ..config.clone() })?;
        Ok(transport.get_or_init(|| made))
    }
}

/// The in-process function over a folder (the `local` feature, on for desktop builds).
#[cfg(feature = "local")]
fn local_transport(folder: String) -> Result<Box<dyn Transport + Send + Sync>, QrVeilError> {
    if folder.trim().is_empty() {
        return Err(invalid("local folder", "give the folder that stands in for the bucket"));
    }
    let store = qrveil_protocol::FolderStore::new(std::path::PathBuf::from(folder));
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
