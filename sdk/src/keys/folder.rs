//! The key folder on disk: where keys live, how they are read back and saved. Every sequence
//! here runs under the folder's lock, and writes are atomic and owner-only from the first byte
//! (`disk.rs`).

use super::disk::{self, write_key_file, FolderLock};
use super::{make_server_key, KeyPair, Keys, ServerKey};
use crate::SdkError;
use qrveil_protocol::presign::ClientId;
use qrveil_protocol::ServerKeyBundle;
use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::PoisonError;
use zeroize::Zeroizing;

pub(super) const CLIENT_FILE: &str = "client-key";
pub(super) const SERVER_FILE: &str = "server-key";
pub(super) const CLIENT_ID_FILE: &str = "client-id";

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

pub(super) fn key_error(dir: &Path, detail: impl Into<String>) -> SdkError {
    SdkError::Keys { path: dir.display().to_string(), detail: detail.into() }
}

/// Load the keys in `dir` (the server key only if it was made); a damaged or foreign client key
/// is an error, never silently replaced. A server key is used only if the folder's record binds
/// it to this client key; one that is not (left from another client key, copied from another
/// folder, written by an older version that kept no record) is removed: it is derived data,
/// made again from the client key when a style next needs it.
pub fn load(dir: &Path) -> Result<Keys, SdkError> {
    if !dir.is_dir() {
        return Err(key_error(dir, format!("cannot read {CLIENT_FILE}: no such folder")));
    }
    let _lock = FolderLock::acquire(dir)?;
    load_locked(dir)
}

/// [`load`], with the folder's lock held.
fn load_locked(dir: &Path) -> Result<Keys, SdkError> {
    let client = fs::read(dir.join(CLIENT_FILE))
        .map(Zeroizing::new)
        .map_err(|e| key_error(dir, format!("cannot read {CLIENT_FILE}: {e}")))?;
    let server = match fs::read(dir.join(SERVER_FILE)) {
        Ok(bytes) => Some(ServerKey::of(bytes)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(key_error(dir, format!("cannot read {SERVER_FILE}: {e}"))),
    };
    let unbound = server.as_ref().is_some_and(|server| !disk::is_bound(dir, &client, server));
    let server = server.filter(|_| !unbound);
    let pair = Keys::parse_with(&client, server).map_err(|e| {
        key_error(
            dir,
            format!("{e}. Move the folder away to create new keys (jobs made with the old ones cannot be read again)"),
        )
    })?;
    if unbound {
        // Best effort: it is not used either way, and a folder that cannot be changed still loads.
        disk::remove_server_key(dir).ok();
    }
    Ok(Keys::new(pair, Some(dir.to_path_buf())))
}

/// Save keys into `dir` (created if needed): the client key, and the server key if made.
/// Keys made later (a server key, a replacement) are saved there too.
pub fn save(dir: &Path, keys: &Keys) -> Result<(), SdkError> {
    disk::private_dir(dir)?;
    let _lock = FolderLock::acquire(dir)?;
    save_locked(dir, keys)
}

/// [`save`], with the folder's lock held. The client key first: until the server key's record
/// is written, a server key left in the folder is bound to no client key here, so it is never
/// loaded with this one.
fn save_locked(dir: &Path, keys: &Keys) -> Result<(), SdkError> {
    disk::remove_stale_temp_files(dir);
    let pair = keys.current();
    let client = pair.client_key_bytes()?;
    write_key_file(dir, CLIENT_FILE, &client)?;
    if let Some(server) = pair.existing_server_key() {
        disk::write_server_key(dir, &client, &server)?;
    }
    *keys.shared.dir.write().unwrap_or_else(PoisonError::into_inner) = Some(dir.to_path_buf());
    Ok(())
}

/// Load the keys in `dir`, or generate and save a client key if there is none. The flag says
/// whether it was generated now. The folder is locked from the look to the save, so two
/// callers (two key stores, an app and its extension) on one new folder end with one key.
pub fn load_or_generate(dir: &Path) -> Result<(Keys, bool), SdkError> {
    if !dir.is_dir() {
        disk::private_dir(dir)?;
    }
    let _lock = FolderLock::acquire(dir)?;
    if exists(dir) {
        return Ok((load_locked(dir)?, false));
    }
    let keys = Keys::generate();
    save_locked(dir, &keys)?;
    Ok((keys, true))
}

/// `pair`'s server key for a job, while `pair` is the key folder's current pair: the one
/// saved in the folder if the folder's client key is `pair`'s and its record binds it (another
/// key store or process on the folder made it meanwhile), else one made now and saved with its
/// record. If the folder's client key is another one now (another process replaced it), the
/// key is made for `pair` alone and the folder is left as it is. The folder stays locked while
/// the key is made (seconds), so two makers on one folder make one key.
pub(super) fn server_key_in(dir: &Path, pair: &KeyPair) -> Result<ServerKey, SdkError> {
    let lock = FolderLock::acquire(dir)?;
    let client = pair.client_key_bytes()?;
    let on_disk = fs::read(dir.join(CLIENT_FILE)).map(Zeroizing::new);
    if !on_disk.is_ok_and(|bytes| *bytes == *client) {
        drop(lock);
        return make_server_key(pair);
    }
    if let Ok(bytes) = fs::read(dir.join(SERVER_FILE)) {
        let saved = ServerKey::of(bytes);
        if disk::is_bound(dir, &client, &saved) && ServerKeyBundle::from_bytes(&saved.bytes).is_ok() {
            return Ok(saved);
        }
    }
    let server = make_server_key(pair)?;
    disk::write_server_key(dir, &client, &server)?;
    Ok(server)
}

/// This install's client id, kept in `dir` (created if needed) beside the keys: the one in its
/// `client-id` file, or a new random one saved there on first need. The endpoint meters
/// presign requests by it; it names no person, payload or key, so it is no secret (no zeroing),
/// but it is never logged. Two key stores or processes on one new folder end with one id: the
/// folder is locked from the look to the save.
pub fn client_id(dir: &Path) -> Result<ClientId, SdkError> {
    if !dir.is_dir() {
        disk::private_dir(dir)?;
    }
    let _lock = FolderLock::acquire(dir)?;
    let mut bytes = Vec::new();
    // An id is 32 bytes (an editor may add a newline): read no more than a few more.
    match fs::File::open(dir.join(CLIENT_ID_FILE)).and_then(|file| file.take(64).read_to_end(&mut bytes)) {
        Ok(_) => {
            let text = String::from_utf8(bytes).unwrap_or_default();
            if let Ok(id) = ClientId::try_from(text.trim_ascii_end().to_string()) {
                return Ok(id);
            }
            // Damaged (not 32 lowercase hex): replaced by a fresh id, not an error. It is no
            // secret and nothing depends on its old value: the endpoint meters a new install,
            // as after the folder is deleted.
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(key_error(dir, format!("cannot read {CLIENT_ID_FILE}: {e}"))),
    }
    let id = ClientId::random();
    disk::remove_stale_temp_files(dir);
    write_key_file(dir, CLIENT_ID_FILE, id.as_str().as_bytes())?;
    Ok(id)
}

/// Save `fresh`, the pair replacing a burned one, into `dir`: its client key, and no server
/// key (the burned pair's is removed with its record).
pub(super) fn replace_in(dir: &Path, fresh: &KeyPair) -> Result<(), SdkError> {
    let _lock = FolderLock::acquire(dir)?;
    disk::remove_stale_temp_files(dir);
    write_key_file(dir, CLIENT_FILE, &fresh.client_key_bytes()?)?;
    disk::remove_server_key(dir)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).expect("stat").permissions().mode() & 0o777
    }

    #[test]
    fn key_files_are_owner_only_from_their_first_byte_in_an_owner_only_folder() {
        let home = tempfile::tempdir().expect("tempdir");
        // A folder that exists already, open to everyone, as a careless umask leaves it.
        let dir = home.path().join("keys");
        fs::create_dir(&dir).expect("mkdir");
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o777)).expect("chmod");
        save(&dir, &Keys::generate()).expect("save");
        assert_eq!(mode(&dir), 0o700, "the key folder");
        assert_eq!(mode(&dir.join(CLIENT_FILE)), 0o600, "the client key");
        // The file is created private, not restricted after its bytes are in: an empty one,
        // made the way key files are, is already 0600.
        let file = disk::temp_file(&dir, CLIENT_FILE).expect("create");
        assert_eq!(file.as_file().metadata().expect("stat").permissions().mode() & 0o777, 0o600);
        drop(file);
        // The lock file is owner-only too.
        assert_eq!(mode(&dir.join(disk::LOCK_FILE)), 0o600, "the lock file");
        // Only the key file and the lock: no temp file left behind.
        let mut names: Vec<String> =
            fs::read_dir(&dir).expect("ls").map(|e| e.expect("entry").file_name().to_string_lossy().into()).collect();
        names.sort();
        assert_eq!(names, [".lock", "client-key"]);
        // A new folder's missing parents are created owner-only too.
        let nested = home.path().join("a/b/keys");
        save(&nested, &Keys::generate()).expect("save");
        assert_eq!((mode(&home.path().join("a")), mode(&nested)), (0o700, 0o700));
    }
}

#[cfg(test)]
mod client_id_tests {
    use super::*;

    fn on_disk(dir: &Path) -> String {
        fs::read_to_string(dir.join(CLIENT_ID_FILE)).expect("read the client id")
    }

    #[test]
    fn a_folder_makes_its_client_id_once_and_every_keys_on_it_shares_it() {
        let home = tempfile::tempdir().expect("tempdir");
        let dir = home.path().join("keys");
        let (keys, _) = load_or_generate(&dir).expect("keys");
        assert!(!dir.join(CLIENT_ID_FILE).exists(), "made before it was needed");
        let id = keys.client_id().expect("id");
        assert_eq!(on_disk(&dir), id.as_str());
        assert_eq!(keys.client_id().expect("again"), id);
        assert_eq!(load(&dir).expect("a second Keys").client_id().expect("its id"), id);
        assert_eq!(client_id(&dir).expect("the folder's"), id);
        // Another folder (another install) has another id.
        let other = home.path().join("other");
        assert_ne!(load_or_generate(&other).expect("keys").0.client_id().expect("id"), id);
        // Callers on one new folder at once end with one id.
        let fresh = home.path().join("fresh");
        let ids: Vec<ClientId> = std::thread::scope(|s| {
            let calls: Vec<_> = (0..4).map(|_| s.spawn(|| client_id(&fresh).expect("id"))).collect();
            calls.into_iter().map(|c| c.join().expect("thread")).collect()
        });
        assert!(ids.iter().all(|i| *i == ids[0]), "two ids for one folder");
    }

    #[test]
    fn keys_with_no_folder_have_an_id_of_their_own_until_saved() {
        let keys = Keys::generate();
        let id = keys.client_id().expect("id");
        assert_eq!(keys.clone().client_id().expect("a clone's"), id);
        assert_ne!(Keys::generate().client_id().expect("another's"), id);
        let dir = tempfile::tempdir().expect("tempdir");
        save(dir.path(), &keys).expect("save");
        let saved = keys.client_id().expect("id");
        assert_eq!(on_disk(dir.path()), saved.as_str(), "saved keys use their folder's id");
    }

    #[test]
    fn a_damaged_client_id_is_replaced_with_a_fresh_one() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = client_id(dir.path()).expect("id");
        let path = dir.path().join(CLIENT_ID_FILE);
        // An editor's newline is no damage.
        fs::write(&path, format!("{}\n", first.as_str())).expect("write");
        assert_eq!(client_id(dir.path()).expect("id"), first);
        let upper = first.as_str().to_ascii_uppercase();
        let damaged: [&[u8]; 6] = [b"", b"not an id", upper.as_bytes(), &[b'a'; 33], &[b'a'; 31], &[0xff; 32]];
        for bytes in damaged {
            fs::write(&path, bytes).expect("damage");
            let id = client_id(dir.path()).expect("a damaged id is no error");
            assert_eq!(on_disk(dir.path()), id.as_str(), "not replaced on disk");
            assert_eq!(client_id(dir.path()).expect("again"), id, "not kept");
        }
    }

    #[cfg(unix)]
    #[test]
    fn the_client_id_file_is_owner_only_in_an_owner_only_folder() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &Path| fs::metadata(path).expect("stat").permissions().mode() & 0o777;
        let home = tempfile::tempdir().expect("tempdir");
        let dir = home.path().join("new/keys");
        client_id(&dir).expect("id");
        assert_eq!((mode(&dir), mode(&dir.join(CLIENT_ID_FILE))), (0o700, 0o600));
        // Replaced through a temp file too: still owner-only, and nothing left behind.
        fs::write(dir.join(CLIENT_ID_FILE), "damaged").expect("damage");
        fs::set_permissions(dir.join(CLIENT_ID_FILE), fs::Permissions::from_mode(0o644)).expect("chmod");
        client_id(&dir).expect("id");
        assert_eq!(mode(&dir.join(CLIENT_ID_FILE)), 0o600);
        let mut names: Vec<String> =
            fs::read_dir(&dir).expect("ls").map(|e| e.expect("entry").file_name().to_string_lossy().into()).collect();
        names.sort();
        assert_eq!(names, [".lock", "client-id"]);
    }
}
