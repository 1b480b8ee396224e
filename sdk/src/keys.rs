//! Keys: generation, the key id, and a versioned on-disk key directory.
//!
//! One client key per install. The server key bundle (compressed server key + compressed
//! packing key) is derived from it, uploaded once, and named by its SHA-256 (the key id).

use crate::error::Internal;
use crate::SdkError;
use qrveil_protocol::params::{COMPRESSION_PARAMS, PBS_PARAMS};
use qrveil_protocol::{ClientKeyBundle, KeyId, ServerKeyBundle, WireError};
use std::fs;
use std::path::{Path, PathBuf};
use tfhe::shortint::{ClientKey, CompressedServerKey};

/// A client's keys. `client` is secret; `server_key_bytes` is what gets uploaded.
#[derive(Clone)]
pub struct Keys {
    pub client: ClientKeyBundle,
    pub server_key_bytes: Vec<u8>,
    pub key_id: KeyId,
}

// Deliberately no Debug with contents: keys must not end up in logs.
impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keys").field("key_id", &self.key_id.short()).finish_non_exhaustive()
    }
}

const CLIENT_FILE: &str = "client-key";
const SERVER_FILE: &str = "server-key";

impl Keys {
    /// Generate a fresh client key and its server key bundle (a few seconds).
    pub fn generate() -> Result<Self, SdkError> {
        let client_key = ClientKey::new(PBS_PARAMS);
        let compression_key = client_key.new_compression_private_key(COMPRESSION_PARAMS);
        let (server_key, packing_key) = rayon::join(
            || CompressedServerKey::new(&client_key),
            || client_key.atomic_pattern.new_compressed_compression_key(&compression_key),
        );
        let bundle = ServerKeyBundle { server_key, compression_key: packing_key };
        let server_key_bytes = bundle.to_bytes().map_err(Internal::from)?;
        let key_id = KeyId::of_server_key_bytes(&server_key_bytes);
        Ok(Self { client: ClientKeyBundle { client_key, compression_key }, server_key_bytes, key_id })
    }

    /// Rebuild from bytes an app kept itself (e.g. in the Keychain/Keystore).
    pub fn from_bytes(client_key: &[u8], server_key: &[u8]) -> Result<Self, SdkError> {
        Self::parse(client_key, server_key).map_err(SdkError::KeyBytes)
    }

    /// Both keys read back through their versioned containers, checked against the
    /// parameter set.
    fn parse(client_key: &[u8], server_key: &[u8]) -> Result<Self, WireError> {
        let client = ClientKeyBundle::from_bytes(client_key)?;
        ServerKeyBundle::from_bytes(server_key)?;
        Ok(Self { client, key_id: KeyId::of_server_key_bytes(server_key), server_key_bytes: server_key.to_vec() })
    }

    pub fn client_key_bytes(&self) -> Result<Vec<u8>, SdkError> {
        Ok(self.client.to_bytes().map_err(Internal::from)?)
    }
}

/// Where the keys of this user live by default: `$QRVEIL_HOME/keys`, else
/// `$XDG_DATA_HOME/qrveil/keys`, else `~/.local/share/qrveil/keys`.
pub fn default_key_dir() -> PathBuf {
    data_home().join("keys")
}

/// The per-user qrveil data folder (keys, local bucket).
pub fn data_home() -> PathBuf {
    if let Some(home) = std::env::var_os("QRVEIL_HOME") {
        return PathBuf::from(home);
    }
    if let Some(xdg) = std::env::var_os("XDG_DATA_HOME") {
        return PathBuf::from(xdg).join("qrveil");
    }
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    home.join(".local/share/qrveil")
}

/// Whether a key directory already holds keys.
pub fn exists(dir: &Path) -> bool {
    dir.join(CLIENT_FILE).exists() && dir.join(SERVER_FILE).exists()
}

fn key_error(dir: &Path, detail: impl Into<String>) -> SdkError {
    SdkError::Keys { path: dir.display().to_string(), detail: detail.into() }
}

/// Load the keys in `dir`; a damaged or foreign file is an error, never silently replaced.
pub fn load(dir: &Path) -> Result<Keys, SdkError> {
    let read = |name: &str| fs::read(dir.join(name)).map_err(|e| key_error(dir, format!("cannot read {name}: {e}")));
    let (client, server) = (read(CLIENT_FILE)?, read(SERVER_FILE)?);
    Keys::parse(&client, &server).map_err(|e| {
        key_error(
            dir,
            format!("{e}. Move the folder away to create new keys (jobs made with the old ones cannot be read again)"),
        )
    })
}

/// Save keys into `dir` (created if needed); the client key file is readable by its owner only.
pub fn save(dir: &Path, keys: &Keys) -> Result<(), SdkError> {
    fs::create_dir_all(dir).map_err(|e| key_error(dir, format!("cannot create: {e}")))?;
    let write = |name: &str, bytes: &[u8], private: bool| -> Result<(), SdkError> {
        let tmp = dir.join(format!(".{name}.tmp"));
        fs::write(&tmp, bytes).map_err(|e| key_error(dir, format!("cannot write {name}: {e}")))?;
        #[cfg(unix)]
        if private {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&tmp, fs::Permissions::from_mode(0o600))
                .map_err(|e| key_error(dir, format!("cannot restrict {name}: {e}")))?;
        }
        #[cfg(not(unix))]
        let _ = private;
        fs::rename(&tmp, dir.join(name)).map_err(|e| key_error(dir, format!("cannot write {name}: {e}")))
    };
    write(SERVER_FILE, &keys.server_key_bytes, false)?;
    write(CLIENT_FILE, &keys.client_key_bytes()?, true)
}

/// Load the keys in `dir`, or generate and save them if there are none. The flag says
/// whether they were generated now.
pub fn load_or_generate(dir: &Path) -> Result<(Keys, bool), SdkError> {
    if exists(dir) {
        return Ok((load(dir)?, false));
    }
    let keys = Keys::generate()?;
    save(dir, &keys)?;
    Ok((keys, true))
}
