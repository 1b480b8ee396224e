//! Keys: generation, the key id, replacement after an integrity event, and a versioned on-disk
//! key directory.
//!
//! A linear-tier job needs no key from here: it is encrypted under a key of its own
//! ([`crate::crypto::JobKey`]). The client key kept here serves the PBS tier: a few
//! milliseconds to make; the server key bundle (compressed server key + compressed packing key,
//! ~43 MB) is derived from it when a style first needs the PBS tier, then kept beside it,
//! uploaded once, and named by its SHA-256 (the key id).
//!
//! When a job's results differ from the style's program, the pair is burned
//! ([`Keys::replace`]): a new client key is made and saved, the old server key is forgotten, and
//! the next job uses the new pair. A lying server then learns at most one bit per key.
//!
//! Secret bytes the SDK holds are zeroed when dropped: the client key's coefficients
//! ([`KeyPair`]), its serialized form, and the files' bytes as read. Files are created
//! owner-only (0600, in a 0700 folder) before any secret byte is written.
//!
//! A key folder may be shared (an app and its extension, two key stores in one process): every
//! read and change of it runs under its lock, writes go through temp files of unique names,
//! and a server key is loaded only beside the client key its record (`pair`) binds it to.
//!
//! The folder also keeps the install's client id ([`Keys::client_id`]): random, made on first
//! need, sent to the presign endpoint for its rate limits. It is not a key.

mod disk;
mod folder;
#[cfg(test)]
mod races;

pub use folder::{client_id, data_home, default_key_dir, exists, load, load_or_generate, save};

use crate::error::Internal;
use crate::SdkError;
use qrveil_protocol::params::{COMPRESSION_PARAMS, PBS_PARAMS};
use qrveil_protocol::presign::ClientId;
use qrveil_protocol::{ClientKeyBundle, KeyId, ServerKeyBundle, WireError};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use tfhe::core_crypto::prelude::{GlweSecretKey, LweSecretKey};
use tfhe::shortint::client_key::atomic_pattern::{AtomicPatternClientKey, StandardAtomicPatternClientKey};
use tfhe::shortint::{ClientKey, CompressedServerKey};
use zeroize::{Zeroize, Zeroizing};

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

/// One client key and the server key made from it, once made. The client key's secret
/// coefficients are zeroed when the last holder drops it.
pub struct KeyPair {
    client: ClientKeyBundle,
    server: OnceLock<Arc<ServerKey>>,
}

impl KeyPair {
    fn new(client: ClientKeyBundle, server: Option<ServerKey>) -> Self {
        let cell = OnceLock::new();
        if let Some(server) = server {
            let _ = cell.set(Arc::new(server));
        }
        Self { client, server: cell }
    }

    fn generate() -> Self {
        let client_key = ClientKey::new(PBS_PARAMS);
        let compression_key = client_key.new_compression_private_key(COMPRESSION_PARAMS);
        Self::new(ClientKeyBundle { client_key, compression_key }, None)
    }

    /// The secret client key: it encrypts PBS-tier inputs and decrypts their packed results.
    pub fn client(&self) -> &ClientKeyBundle {
        &self.client
    }

    /// The server key, if it has been made.
    pub fn existing_server_key(&self) -> Option<Arc<ServerKey>> {
        self.server.get().cloned()
    }

    fn client_key_bytes(&self) -> Result<Zeroizing<Vec<u8>>, SdkError> {
        Ok(Zeroizing::new(self.client.to_bytes().map_err(Internal::from)?))
    }
}

impl Drop for KeyPair {
    fn drop(&mut self) {
        zeroize_client_key(&mut self.client);
    }
}

/// Zero a client key bundle's secret coefficients. tfhe-rs clears nothing itself and gives no
/// mutable access to a client key's own keys, so they are swapped for an all-zero key of the
/// same shape, taken apart and cleared.
fn zeroize_client_key(bundle: &mut ClientKeyBundle) {
    bundle.compression_key.post_packing_ks_key.as_mut().zeroize();
    let AtomicPatternClientKey::Standard(current) = &bundle.client_key.atomic_pattern else {
        return; // Not the pinned parameters' pattern: nothing here makes such keys.
    };
    let (params, wopbs) = (current.parameters, current.wopbs_parameters);
    let zero = StandardAtomicPatternClientKey::from_raw_parts(
        GlweSecretKey::new_empty_key(0, params.glwe_dimension(), params.polynomial_size()),
        LweSecretKey::new_empty_key(0, params.lwe_dimension()),
        params,
        wopbs,
    );
    let taken = std::mem::replace(&mut bundle.client_key.atomic_pattern, AtomicPatternClientKey::Standard(zero));
    if let AtomicPatternClientKey::Standard(taken) = taken {
        let (mut glwe, mut lwe, _, _) = taken.into_raw_parts();
        glwe.as_mut().zeroize();
        lwe.as_mut().zeroize();
    }
}

/// A client's keys, shared by every clone: the pair the next job uses, replaced after an
/// integrity event ([`Keys::replace`]), and the folder they are saved in, if any.
#[derive(Clone)]
pub struct Keys {
    shared: Arc<Shared>,
}

struct Shared {
    pair: RwLock<Arc<KeyPair>>,
    /// One server-key generation or replacement at a time, so two calls never make (and save)
    /// two different keys.
    changing: Mutex<()>,
    /// The key folder later keys are saved into, if the keys came from one.
    dir: RwLock<Option<PathBuf>>,
    /// The client id of keys with no folder, made on first need ([`Keys::client_id`]).
    client_id: OnceLock<ClientId>,
}

// Deliberately no Debug with contents: keys must not end up in logs.
impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let id = self.existing_server_key().map(|s| s.id.short().to_string());
        f.debug_struct("Keys").field("server_key_id", &id).finish_non_exhaustive()
    }
}

fn read_lock<T>(lock: &RwLock<T>) -> std::sync::RwLockReadGuard<'_, T> {
    // A writer that panicked left a whole value behind: every write below is one assignment.
    lock.read().unwrap_or_else(PoisonError::into_inner)
}

impl Keys {
    fn new(pair: KeyPair, dir: Option<PathBuf>) -> Self {
        let shared = Shared {
            pair: RwLock::new(Arc::new(pair)),
            changing: Mutex::default(),
            dir: RwLock::new(dir),
            client_id: OnceLock::new(),
        };
        Self { shared: Arc::new(shared) }
    }

    /// Generate a fresh client key (milliseconds; no server key yet).
    pub fn generate() -> Self {
        Self::new(KeyPair::generate(), None)
    }

    /// Rebuild from bytes an app kept itself (e.g. the client key in the Keychain/Keystore).
    pub fn from_bytes(client_key: &[u8], server_key: Option<&[u8]>) -> Result<Self, SdkError> {
        Self::parse(client_key, server_key).map(|pair| Self::new(pair, None)).map_err(SdkError::KeyBytes)
    }

    /// The keys read back through their versioned containers, checked against the parameter set.
    fn parse(client_key: &[u8], server_key: Option<&[u8]>) -> Result<KeyPair, WireError> {
        Self::parse_with(client_key, server_key.map(|bytes| ServerKey::of(bytes.to_vec())))
    }

    /// [`Keys::parse`], with the server key's id already computed.
    fn parse_with(client_key: &[u8], server: Option<ServerKey>) -> Result<KeyPair, WireError> {
        let client = ClientKeyBundle::from_bytes(client_key)?;
        if let Some(server) = &server {
            ServerKeyBundle::from_bytes(&server.bytes)?;
        }
        Ok(KeyPair::new(client, server))
    }

    /// The pair the next job uses. A job keeps the pair it started with to its end.
    pub fn current(&self) -> Arc<KeyPair> {
        read_lock(&self.shared.pair).clone()
    }

    /// The current client key, serialized (secret: zeroed when dropped).
    pub fn client_key_bytes(&self) -> Result<Zeroizing<Vec<u8>>, SdkError> {
        self.current().client_key_bytes()
    }

    /// The current server key, if it has been made.
    pub fn existing_server_key(&self) -> Option<Arc<ServerKey>> {
        self.current().existing_server_key()
    }

    /// The current pair's server key, made now if it does not exist yet (a few seconds).
    pub fn server_key(&self) -> Result<Arc<ServerKey>, SdkError> {
        self.server_key_of(&self.current())
    }

    /// `pair`'s server key, made from its client key now if it does not exist yet (a few
    /// seconds). While `pair` is the current one and the keys came from a folder, the key is
    /// the folder's (made there by another key store or process on it) or saved there.
    pub fn server_key_of(&self, pair: &Arc<KeyPair>) -> Result<Arc<ServerKey>, SdkError> {
        if let Some(server) = pair.existing_server_key() {
            return Ok(server);
        }
        let _one_at_a_time = self.shared.changing.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(server) = pair.existing_server_key() {
            return Ok(server);
        }
        let dir = read_lock(&self.shared.dir).clone().filter(|_| Arc::ptr_eq(pair, &self.current()));
        let server = match dir {
            Some(dir) => folder::server_key_in(&dir, pair)?,
            None => make_server_key(pair)?,
        };
        Ok(pair.server.get_or_init(|| Arc::new(server)).clone())
    }

    /// This install's client id, which the presign endpoint meters requests by: the key
    /// folder's ([`client_id`]: read from it, or made and saved there on first need), so every
    /// `Keys` on one folder, in this process or another, has the same one. Keys with no folder
    /// (from bytes, or generated and not saved) have one of their own, random, shared by their
    /// clones and kept in memory only. Not a key and not secret, but never logged.
    pub fn client_id(&self) -> Result<ClientId, SdkError> {
        match read_lock(&self.shared.dir).clone() {
            Some(dir) => folder::client_id(&dir),
            None => Ok(self.shared.client_id.get_or_init(ClientId::random).clone()),
        }
    }

    /// Burn `pair` after an integrity event: the next job uses a new client key (and a new
    /// server key, made when a style needs one), saved in place of the old ones. Nothing of the
    /// old pair is used again; a pair another call already replaced is left as it is.
    pub fn replace(&self, pair: &Arc<KeyPair>) -> Result<(), SdkError> {
        let _one_at_a_time = self.shared.changing.lock().unwrap_or_else(PoisonError::into_inner);
        if !Arc::ptr_eq(pair, &self.current()) {
            return Ok(());
        }
        let fresh = Arc::new(KeyPair::generate());
        // In memory first: even if the folder cannot be written, this process never uses the
        // burned pair again.
        *self.shared.pair.write().unwrap_or_else(PoisonError::into_inner) = fresh.clone();
        // The folder out of its lock first: `save` takes that lock while it holds the folder's.
        let dir = read_lock(&self.shared.dir).clone();
        if let Some(dir) = dir {
            // The new client key first: a crash between the two steps leaves a server key bound
            // to the burned client key, which no load uses with the new one.
            folder::replace_in(&dir, &fresh)?;
        }
        Ok(())
    }
}

/// Make `pair`'s server key bundle from its client key (a few seconds).
fn make_server_key(pair: &KeyPair) -> Result<ServerKey, SdkError> {
    let (server_key, packing_key) = rayon::join(
        || CompressedServerKey::new(&pair.client.client_key),
        || pair.client.client_key.atomic_pattern.new_compressed_compression_key(&pair.client.compression_key),
    );
    let bundle = ServerKeyBundle { server_key, compression_key: packing_key };
    Ok(ServerKey::of(bundle.to_bytes().map_err(Internal::from)?))
}

#[cfg(test)]
mod tests {
    use super::folder::{CLIENT_FILE, SERVER_FILE};
    use super::*;
    use std::fs;

    #[test]
    fn a_replaced_pair_is_saved_and_never_comes_back() {
        let dir = tempfile::tempdir().expect("tempdir");
        let (keys, _) = load_or_generate(dir.path()).expect("keys");
        let burned = keys.current();
        let before = fs::read(dir.path().join(CLIENT_FILE)).expect("read");
        fs::write(dir.path().join(SERVER_FILE), b"stands for the old server key").expect("write");
        keys.replace(&burned).expect("replace");
        let after = fs::read(dir.path().join(CLIENT_FILE)).expect("read");
        assert_ne!(before, after, "the client key file was not replaced");
        assert!(!dir.path().join(SERVER_FILE).exists(), "the burned pair's server key is still there");
        assert!(!Arc::ptr_eq(&burned, &keys.current()));
        assert_eq!(*keys.client_key_bytes().expect("bytes"), after);
        // Replacing the burned pair again (a second call that saw the same event) changes nothing.
        let current = keys.current();
        keys.replace(&burned).expect("replace");
        assert!(Arc::ptr_eq(&current, &keys.current()));
        // And a clone shares the replacement.
        assert!(Arc::ptr_eq(&keys.clone().current(), &current));
    }

    #[test]
    fn zeroizing_a_client_key_clears_every_secret_coefficient() {
        let mut bundle = KeyPair::generate().client.clone();
        let (lwe, _) = bundle.client_key.encryption_key_and_noise();
        assert!(lwe.as_ref().iter().any(|&c| c != 0));
        zeroize_client_key(&mut bundle);
        let (lwe, _) = bundle.client_key.encryption_key_and_noise();
        assert!(lwe.as_ref().iter().all(|&c| c == 0), "the big key");
        assert!(bundle.compression_key.post_packing_ks_key.as_ref().iter().all(|&c| c == 0), "the packing key");
        // The parameters stay those of the pinned set: the zeroed bundle is still well formed.
        assert_eq!(bundle.client_key.parameters(), PBS_PARAMS.into());
    }
}
