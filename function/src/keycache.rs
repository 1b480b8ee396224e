//! Expanded server keys kept across warm invocations, bounded in bytes (least recently used
//! out first). Expanding a key costs seconds; a warm function should pay it once per key id.

use crate::fhe::ServerKeys;
use qrveil_protocol::KeyId;
use std::sync::{Arc, Mutex};

pub struct KeyCache {
    max_bytes: usize,
    // Most recently used last. A handful of entries: a Vec is the simplest correct LRU.
    entries: Mutex<Vec<(KeyId, Arc<ServerKeys>, usize)>>,
}

impl KeyCache {
    pub fn new(max_bytes: usize) -> Self {
        Self { max_bytes, entries: Mutex::new(Vec::new()) }
    }

    pub fn get(&self, id: &KeyId) -> Option<Arc<ServerKeys>> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let pos = entries.iter().position(|(k, _, _)| k == id)?;
        let entry = entries.remove(pos);
        let keys = entry.1.clone();
        entries.push(entry);
        Some(keys)
    }

    /// Insert, evicting the least recently used entries until the total fits. A key larger
    /// than the whole bound is returned but not kept.
    pub fn insert(&self, id: KeyId, keys: Arc<ServerKeys>) -> Arc<ServerKeys> {
        let bytes = keys.approx_bytes();
        if bytes > self.max_bytes {
            return keys;
        }
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.retain(|(k, _, _)| *k != id);
        while entries.iter().map(|e| e.2).sum::<usize>() + bytes > self.max_bytes {
            entries.remove(0);
        }
        entries.push((id, keys.clone(), bytes));
        keys
    }

    pub fn len(&self) -> usize {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
