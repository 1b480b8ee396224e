//! Object storage behind the storage layout of [`crate::job`]: the trait both sides move
//! objects through, and the folder implementation that stands in for the bucket in local
//! mode (the S3 one lives with the cloud adapters).

use std::fs;
use std::io::{ErrorKind, Read, Write};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("object {key} is {size} bytes, over the {limit}-byte limit for it")]
    TooLarge { key: String, size: u64, limit: u64 },
    #[error("storage {op} failed for {key}: {detail}")]
    Io { op: &'static str, key: String, detail: String },
    #[error("refusing object key {key:?}: keys are relative paths of [a-z0-9-/] segments")]
    BadKey { key: String },
}

/// A bucket-like store of whole objects.
pub trait Store: Send + Sync {
    /// The object's bytes, `None` if it does not exist, an error if it is over `limit`.
    fn get(&self, key: &str, limit: u64) -> Result<Option<Vec<u8>>, StoreError>;
    /// Write the whole object; readers never see a partial write.
    fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StoreError>;
    /// Write the whole object only if none exists under `key` (atomically, as S3's
    /// `If-None-Match: *`); `false` if one already did, which is left untouched.
    fn put_new(&self, key: &str, bytes: &[u8]) -> Result<bool, StoreError>;
    fn exists(&self, key: &str) -> Result<bool, StoreError>;
}

/// A folder whose files are the objects (`<root>/jobs/<id>/input`, ...).
#[derive(Clone, Debug)]
pub struct FolderStore {
    root: PathBuf,
}

impl FolderStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        Self { root: root.into() }
    }

    fn path(&self, key: &str) -> Result<PathBuf, StoreError> {
        let ok = !key.is_empty()
            && key.split('/').all(|seg| {
                !seg.is_empty()
                    && seg != "."
                    && seg != ".."
                    && seg.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            });
        if ok {
            Ok(self.root.join(key))
        } else {
            Err(StoreError::BadKey { key: key.to_string() })
        }
    }
}

impl FolderStore {
    /// Write `bytes` to a fresh temporary file in the object's folder: (object path, temp path).
    fn write_beside(&self, key: &str, bytes: &[u8]) -> Result<(PathBuf, PathBuf), StoreError> {
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let path = self.path(key)?;
        let dir = path.parent().ok_or_else(|| StoreError::BadKey { key: key.to_string() })?;
        fs::create_dir_all(dir).map_err(|e| io("write", key, e))?;
        let tmp = dir.join(format!(
            ".{}.{}-{}.tmp",
            path.file_name().and_then(|n| n.to_str()).unwrap_or("object"),
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        ));
        let mut f = fs::File::create(&tmp).map_err(|e| io("write", key, e))?;
        if let Err(e) = f.write_all(bytes).and_then(|_| f.sync_all()) {
            let _ = fs::remove_file(&tmp);
            return Err(io("write", key, e));
        }
        Ok((path, tmp))
    }
}

fn io(op: &'static str, key: &str, e: impl std::fmt::Display) -> StoreError {
    StoreError::Io { op, key: key.to_string(), detail: e.to_string() }
}

impl Store for FolderStore {
    fn get(&self, key: &str, limit: u64) -> Result<Option<Vec<u8>>, StoreError> {
        let path = self.path(key)?;
        let file = match fs::File::open(&path) {
            Ok(f) => f,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(io("read", key, e)),
        };
        let size = file.metadata().map_err(|e| io("read", key, e))?.len();
        if size > limit {
            return Err(StoreError::TooLarge { key: key.to_string(), size, limit });
        }
        let mut bytes = Vec::with_capacity(size as usize);
        // Bound the read too: the file may grow between stat and read.
        file.take(limit + 1).read_to_end(&mut bytes).map_err(|e| io("read", key, e))?;
        if bytes.len() as u64 > limit {
            return Err(StoreError::TooLarge { key: key.to_string(), size: bytes.len() as u64, limit });
        }
        Ok(Some(bytes))
    }

    fn put(&self, key: &str, bytes: &[u8]) -> Result<(), StoreError> {
        // Write beside the target, then rename: a reader sees the old object or the new one.
        let (path, tmp) = self.write_beside(key, bytes)?;
        fs::rename(&tmp, &path).map_err(|e| {
            let _ = fs::remove_file(&tmp);
            io("write", key, e)
        })
    }

    fn put_new(&self, key: &str, bytes: &[u8]) -> Result<bool, StoreError> {
        // A hard link fails if the target exists, and never replaces it.
        let (path, tmp) = self.write_beside(key, bytes)?;
        let linked = fs::hard_link(&tmp, &path);
        let _ = fs::remove_file(&tmp);
        match linked {
            Ok(()) => Ok(true),
            Err(e) if e.kind() == ErrorKind::AlreadyExists => Ok(false),
            Err(e) => Err(io("write", key, e)),
        }
    }

    fn exists(&self, key: &str) -> Result<bool, StoreError> {
        let path = self.path(key)?;
        match fs::metadata(path) {
            Ok(_) => Ok(true),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(io("stat", key, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objects_round_trip_and_missing_is_none() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = FolderStore::new(dir.path());
        assert_eq!(store.get("jobs/a/input", 10).expect("get"), None);
        store.put("jobs/a/input", b"hello").expect("put");
        assert!(store.exists("jobs/a/input").expect("exists"));
        assert_eq!(store.get("jobs/a/input", 10).expect("get"), Some(b"hello".to_vec()));
    }

    #[test]
    fn put_new_never_replaces_an_object() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = FolderStore::new(dir.path());
        assert!(store.put_new("jobs/a/status", b"first").expect("put_new"));
        assert!(!store.put_new("jobs/a/status", b"second").expect("put_new"));
        assert_eq!(store.get("jobs/a/status", 10).expect("get"), Some(b"first".to_vec()));
        // No temporary files are left behind.
        let names: Vec<_> =
            fs::read_dir(dir.path().join("jobs/a")).expect("dir").map(|e| e.expect("entry").file_name()).collect();
        assert_eq!(names, ["status"]);
    }

    #[test]
    fn oversized_objects_are_refused_unread() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = FolderStore::new(dir.path());
        store.put("jobs/a/input", &[0; 100]).expect("put");
        assert!(matches!(store.get("jobs/a/input", 99), Err(StoreError::TooLarge { size: 100, limit: 99, .. })));
    }

    #[test]
    fn keys_cannot_escape_the_root() {
        let store = FolderStore::new("/nonexistent");
        for key in ["../etc/passwd", "/abs", "jobs//x", "jobs/./x", "Jobs/x", ""] {
            assert!(matches!(store.get(key, 1), Err(StoreError::BadKey { .. })), "{key}");
        }
    }
}
