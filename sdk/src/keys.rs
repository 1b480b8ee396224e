//! Keys: generation, the key id, and a versioned on-disk key directory.
//!
//! One client key per install: a few milliseconds to make, and all the linear tier needs. The
//! server key bundle (compressed server key + compressed packing key, ~43 MB) is derived from
//! it only when a style needs the PBS tier, then kept beside it, uploaded once, and named by
//! its SHA-256 (the key id).

use crate::error::Internal;
use crate::SdkError;
use qrveil_protocol::params::{COMPRESSION_PARAMS, PBS_PARAMS};
use qrveil_protocol::{ClientKeyBundle, KeyId, ServerKeyBundle, WireError};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};
use tfhe::shortint::{ClientKey, CompressedServerKey};

/// The public server key bundle as it is uploaded, and its id.
#[derive(Clone)]
pub struct ServerKey {
    pub bytes: Vec<u8>,
    pub id: KeyId,
}

impl ServerKey {
    fn of(bytes: Vec<u8>) -> Self {
        Self { id: KeyId::of_server_key_bytes(&bytes), bytes }
    }
}

/// A client's keys. `client` is secret; the server key is made from it when first needed, once
/// for all clones (a second, different server key would mean a second upload and key id).
#[derive(Clone)]
pub struct Keys {
    pub client: ClientKeyBundle,
    server: Arc<OnceLock<ServerKey>>,
    /// One generation at a time, so two calls never make (and save) two different keys.
    generating: Arc<Mutex<()>>,
    /// The key folder a server key made later is saved into, if the keys came from one.
    dir: Option<PathBuf>,
}

// Deliberately no Debug with contents: keys must not end up in logs.
impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let id = self.server.get().map(|s| s.id.short().to_string());
        f.debug_struct("Keys").field("server_key_id", &id).finish_non_exhaustive()
    }
}

const CLIENT_FILE: &str = "client-key";
const SERVER_FILE: &str = "server-key";

impl Keys {
    fn new(client: ClientKeyBundle, server: Option<ServerKey>, dir: Option<PathBuf>) -> Self {
        let cell = OnceLock::new();
        if let Some(server) = server {
            let _ = cell.set(server);
        }
        Self { client, server: Arc::new(cell), generating: Arc::default(), dir }
    }

    /// Generate a fresh client key (milliseconds; no server key yet).
    pub fn generate() -> Self {
        let client_key = ClientKey::new(PBS_PARAMS);
        let compression_key = client_key.new_compression_private_key(COMPRESSION_PARAMS);
        Self::new(ClientKeyBundle { client_key, compression_key }, None, None)
    }

    /// Rebuild from bytes an app kept itself (e.g. the client key in the Keychain/Keystore).
    pub fn from_bytes(client_key: &[u8], server_key: Option<&[u8]>) -> Result<Self, SdkError> {
        Self::parse(client_key, server_key)
            .map(|(client, server)| Self::new(client, server, None))
            .map_err(SdkError::KeyBytes)
    }

    /// The keys read back through their versioned containers, checked against the parameter set.
    fn parse(client_key: &[u8], server_key: Option<&[u8]>) -> Result<(ClientKeyBundle, Option<ServerKey>), WireError> {
        let client = ClientKeyBundle::from_bytes(client_key)?;
        let server = match server_key {
            Some(bytes) => {
                ServerKeyBundle::from_bytes(bytes)?;
                Some(ServerKey::of(bytes.to_vec()))
            }
            None => None,
        };
        Ok((client, server))
    }

    pub fn client_key_bytes(&self) -> Result<Vec<u8>, SdkError> {
        Ok(self.client.to_bytes().map_err(Internal::from)?)
    }

    /// The server key, if it has been made.
    pub fn existing_server_key(&self) -> Option<&ServerKey> {
        self.server.get()
    }

    /// The server key, made from the client key now if it does not exist yet (a few seconds)
    /// and saved into the key folder the keys came from.
    pub fn server_key(&self) -> Result<&ServerKey, SdkError> {
        if let Some(server) = self.server.get() {
            return Ok(server);
        }
        let _one_at_a_time = self.generating.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(server) = self.server.get() {
            return Ok(server);
        }
        let (server_key, packing_key) = rayon::join(
            || CompressedServerKey::new(&self.client.client_key),
            || self.client.client_key.atomic_pattern.new_compressed_compression_key(&self.client.compression_key),
        );
        let bundle = ServerKeyBundle { server_key, compression_key: packing_key };
        let server = ServerKey::of(bundle.to_bytes().map_err(Internal::from)?);
        if let Some(dir) = &self.dir {
            write_key_file(dir, SERVER_FILE, &server.bytes, false)?;
        }
        Ok(self.server.get_or_init(|| server))
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

/// Whether a key directory already holds a client key.
pub fn exists(dir: &Path) -> bool {
    dir.join(CLIENT_FILE).exists()
}

fn key_error(dir: &Path, detail: impl Into<String>) -> SdkError {
    SdkError::Keys { path: dir.display().to_string(), detail: detail.into() }
}

/// Load the keys in `dir` (the server key only if it was made); a damaged or foreign file is
/// an error, never silently replaced.
pub fn load(dir: &Path) -> Result<Keys, SdkError> {
    let read = |name: &str| fs::read(dir.join(name)).map_err(|e| key_error(dir, format!("cannot read {name}: {e}")));
    let client = read(CLIENT_FILE)?;
    let server = if dir.join(SERVER_FILE).exists() { Some(read(SERVER_FILE)?) } else { None };
    let (client, server) = Keys::parse(&client, server.as_deref()).map_err(|e| {
        key_error(
            dir,
            format!("{e}. Move the folder away to create new keys (jobs made with the old ones cannot be read again)"),
        )
    })?;
    Ok(Keys::new(client, server, Some(dir.to_path_buf())))
}

/// Write one key file atomically; the client key is readable by its owner only.
fn write_key_file(dir: &Path, name: &str, bytes: &[u8], private: bool) -> Result<(), SdkError> {
    fs::create_dir_all(dir).map_err(|e| key_error(dir, format!("cannot create: {e}")))?;
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
}

/// Save keys into `dir` (created if needed): the client key, and the server key if made.
/// A server key made later is saved there too.
pub fn save(dir: &Path, keys: &mut Keys) -> Result<(), SdkError> {
    if let Some(server) = keys.existing_server_key() {
        write_key_file(dir, SERVER_FILE, &server.bytes, false)?;
    }
    write_key_file(dir, CLIENT_FILE, &keys.client_key_bytes()?, true)?;
    keys.dir = Some(dir.to_path_buf());
    Ok(())
}

/// Load the keys in `dir`, or generate and save a client key if there is none. The flag says
/// whether it was generated now.
pub fn load_or_generate(dir: &Path) -> Result<(Keys, bool), SdkError> {
    if exists(dir) {
        return Ok((load(dir)?, false));
    }
    let mut keys = Keys::generate();
    save(dir, &mut keys)?;
    Ok((keys, true))
}
