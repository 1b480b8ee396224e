//! How a key folder is changed safely when several writers share it (an app and its extension,
//! two key stores in one process): one lock over the folder, writes through unique temp files,
//! and the record that binds a server key to the client key it was made from.

use super::folder::{key_error, CLIENT_FILE, CLIENT_ID_FILE, SERVER_FILE};
use super::ServerKey;
use crate::SdkError;
use qrveil_protocol::KeyId;
use std::fs;
use std::io::{Read, Write};
use std::path::Path;

/// The file whose advisory lock every reader and writer of the folder holds.
pub(super) const LOCK_FILE: &str = ".lock";
/// The record binding the server key to its client key ([`binding`]).
pub(super) const PAIR_FILE: &str = "pair";
/// The files a writer replaces through temp files: the only names stale temps are looked for.
const WRITTEN: [&str; 4] = [CLIENT_FILE, SERVER_FILE, PAIR_FILE, CLIENT_ID_FILE];

/// An exclusive lock over a key folder, for a whole read or create-or-read sequence; released
/// when dropped. It is an OS lock on the open `.lock` file (`flock` on Unix, `LockFileEx` on
/// Windows): it sets apart processes, and also two handles in one process, so two key stores
/// on one folder in one app take turns too. A holder must not take it again (it would wait on
/// itself): the functions that take it call only the `*_locked` ones below it.
pub(super) struct FolderLock {
    _file: fs::File,
}

impl FolderLock {
    /// Wait for the folder's lock. The folder must exist; the lock file is made if missing and
    /// never removed (removing it would let two holders lock two different files).
    pub(super) fn acquire(dir: &Path) -> Result<Self, SdkError> {
        let mut options = fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file =
            options.open(dir.join(LOCK_FILE)).map_err(|e| key_error(dir, format!("cannot open {LOCK_FILE}: {e}")))?;
        file.lock().map_err(|e| key_error(dir, format!("cannot lock {LOCK_FILE}: {e}")))?;
        Ok(Self { _file: file })
    }
}

/// Create `dir` (and missing parents) owner-only, and make an existing one owner-only too.
pub(super) fn private_dir(dir: &Path) -> Result<(), SdkError> {
    #[cfg(unix)]
    let made = {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .and_then(|()| fs::set_permissions(dir, fs::Permissions::from_mode(0o700)))
    };
    #[cfg(not(unix))]
    let made = fs::create_dir_all(dir);
    made.map_err(|e| key_error(dir, format!("cannot create: {e}")))
}

/// A new temp file for `name` in `dir`, under a name no other writer has (random, created
/// exclusively: never an existing file, nor a link's target), readable by its owner only from
/// its first byte.
pub(super) fn temp_file(dir: &Path, name: &str) -> std::io::Result<tempfile::NamedTempFile> {
    let prefix = format!(".{name}.");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o600));
    builder.tempfile_in(dir)
}

/// Write one file of the folder atomically (the caller holds the folder's lock): a new
/// owner-only temp file, flushed to disk, then renamed over the old one. On failure the temp
/// file is removed.
pub(super) fn write_key_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), SdkError> {
    let written = temp_file(dir, name).and_then(|mut file| {
        file.write_all(bytes)?;
        file.as_file().sync_all()?;
        file.persist(dir.join(name)).map_err(|e| e.error)?;
        sync_dir(dir);
        Ok(())
    });
    written.map_err(|e| key_error(dir, format!("cannot write {name}: {e}")))
}

/// Flush the folder's entries, so a rename survives a power cut. Best effort: not every
/// platform can open a folder for this, and the renamed file itself is already on disk.
fn sync_dir(dir: &Path) {
    #[cfg(unix)]
    if let Ok(folder) = fs::File::open(dir) {
        folder.sync_all().ok();
    }
    #[cfg(not(unix))]
    let _ = dir;
}

/// Remove `name` from `dir` if it is there.
fn remove(dir: &Path, name: &str) -> Result<(), SdkError> {
    match fs::remove_file(dir.join(name)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(key_error(dir, format!("cannot remove {name}: {e}"))),
        _ => Ok(()),
    }
}

/// Remove the temp files writers that crashed left behind (the caller holds the folder's lock,
/// so no writer is at work): named after a file of the folder, starting with a dot and ending
/// in `.tmp`. Best effort; they never break a write, whose temp names are unique anyway.
pub(super) fn remove_stale_temp_files(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let stale = name.ends_with(".tmp") && WRITTEN.iter().any(|file| name.starts_with(&format!(".{file}.")));
        if stale && entry.file_type().is_ok_and(|t| !t.is_dir()) {
            fs::remove_file(entry.path()).ok();
        }
    }
}

/// The record that `server` was made from the client key serialized as `client`: the SHA-256
/// of the client key's bytes and the server key's id (itself the SHA-256 of its bytes). Both
/// are in it, so a record matches only the two files it was written for: a server key copied
/// or left from another client key, a client key replaced beside an old server key, or a
/// record from another folder never pass.
pub(super) fn binding(client: &[u8], server: &KeyId) -> String {
    // KeyId's hash is plain SHA-256 in hex: here of the client key's bytes.
    let client = KeyId::of_server_key_bytes(client);
    format!("qrveil key pair 1\nclient-key-sha256 {}\nserver-key-id {}\n", client.as_str(), server.as_str())
}

/// Whether the folder's record binds `server` to the client key serialized as `client`.
pub(super) fn is_bound(dir: &Path, client: &[u8], server: &ServerKey) -> bool {
    let expected = binding(client, &server.id);
    let Ok(file) = fs::File::open(dir.join(PAIR_FILE)) else { return false };
    // A record is a few hundred bytes: read no more than one can be, plus one to tell.
    let mut record = Vec::new();
    let read = file.take(expected.len() as u64 + 1).read_to_end(&mut record);
    read.is_ok() && record == expected.as_bytes()
}

/// Save `server` and its record beside the client key serialized as `client` (the caller holds
/// the folder's lock and has checked that the folder's client key is that one).
pub(super) fn write_server_key(dir: &Path, client: &[u8], server: &ServerKey) -> Result<(), SdkError> {
    remove_stale_temp_files(dir);
    write_key_file(dir, SERVER_FILE, &server.bytes)?;
    write_key_file(dir, PAIR_FILE, binding(client, &server.id).as_bytes())
}

/// Forget the folder's server key and its record (the caller holds the folder's lock).
pub(super) fn remove_server_key(dir: &Path) -> Result<(), SdkError> {
    remove(dir, SERVER_FILE)?;
    remove(dir, PAIR_FILE)
}
