//! The key folder on disk: where keys live, how they are read back, and how they are written
//! (owner-only from the first byte, atomically).

use super::Keys;
use crate::SdkError;
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::PoisonError;
use zeroize::Zeroizing;

pub(super) const CLIENT_FILE: &str = "client-key";
pub(super) const SERVER_FILE: &str = "server-key";

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

/// Load the keys in `dir` (the server key only if it was made); a damaged or foreign file is
/// an error, never silently replaced.
pub fn load(dir: &Path) -> Result<Keys, SdkError> {
    let read = |name: &str| {
        fs::read(dir.join(name)).map(Zeroizing::new).map_err(|e| key_error(dir, format!("cannot read {name}: {e}")))
    };
    let client = read(CLIENT_FILE)?;
    let server = if dir.join(SERVER_FILE).exists() { Some(read(SERVER_FILE)?) } else { None };
    let pair = Keys::parse(&client, server.as_deref().map(|s| s.as_slice())).map_err(|e| {
        key_error(
            dir,
            format!("{e}. Move the folder away to create new keys (jobs made with the old ones cannot be read again)"),
        )
    })?;
    Ok(Keys::new(pair, Some(dir.to_path_buf())))
}

/// Temp-file names unique within this process (the process id sets processes apart).
static TEMP_FILES: AtomicU64 = AtomicU64::new(0);

/// Write one key file atomically, readable by its owner only from its first byte: a new file
/// created with mode 0600 in a folder of mode 0700, then renamed over the old one.
pub(super) fn write_key_file(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), SdkError> {
    private_dir(dir).map_err(|e| key_error(dir, format!("cannot create: {e}")))?;
    let n = TEMP_FILES.fetch_add(1, Ordering::Relaxed);
    let tmp = dir.join(format!(".{name}.{}.{n}.tmp", std::process::id()));
    let written = private_file(&tmp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    let renamed = written.and_then(|()| fs::rename(&tmp, dir.join(name)));
    renamed.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        key_error(dir, format!("cannot write {name}: {e}"))
    })
}

/// Create `dir` (and missing parents) owner-only, and make an existing one owner-only too.
fn private_dir(dir: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)?;
        fs::set_permissions(dir, fs::Permissions::from_mode(0o700))
    }
    #[cfg(not(unix))]
    fs::create_dir_all(dir)
}

/// A new file (never an existing one, nor a link's target) that only its owner can read.
fn private_file(path: &Path) -> std::io::Result<fs::File> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

/// Save keys into `dir` (created if needed): the client key, and the server key if made.
/// Keys made later (a server key, a replacement) are saved there too.
pub fn save(dir: &Path, keys: &Keys) -> Result<(), SdkError> {
    let pair = keys.current();
    if let Some(server) = pair.existing_server_key() {
        write_key_file(dir, SERVER_FILE, &server.bytes)?;
    }
    write_key_file(dir, CLIENT_FILE, &pair.client_key_bytes()?)?;
    *keys.shared.dir.write().unwrap_or_else(PoisonError::into_inner) = Some(dir.to_path_buf());
    Ok(())
}

/// Load the keys in `dir`, or generate and save a client key if there is none. The flag says
/// whether it was generated now.
pub fn load_or_generate(dir: &Path) -> Result<(Keys, bool), SdkError> {
    if exists(dir) {
        return Ok((load(dir)?, false));
    }
    let keys = Keys::generate();
    save(dir, &keys)?;
    Ok((keys, true))
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
        let file = private_file(&dir.join("probe")).expect("create");
        assert_eq!(file.metadata().expect("stat").permissions().mode() & 0o777, 0o600);
        // Only the two key files and the probe: no temp file left behind.
        let mut names: Vec<String> =
            fs::read_dir(&dir).expect("ls").map(|e| e.expect("entry").file_name().to_string_lossy().into()).collect();
        names.sort();
        assert_eq!(names, ["client-key", "probe"]);
        // A new folder's missing parents are created owner-only too.
        let nested = home.path().join("a/b/keys");
        save(&nested, &Keys::generate()).expect("save");
        assert_eq!((mode(&home.path().join("a")), mode(&nested)), (0o700, 0o700));
    }
}
