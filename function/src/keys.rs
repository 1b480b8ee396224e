//! Expanded server keys, and the cache that keeps them across warm invocations, bounded in
//! bytes (least recently used out first). Expanding a key costs seconds; a warm function
//! should pay it once per key id.

use crate::packing::FourierPackingKey;
use qrveil_protocol::params::PBS_PARAMS;
use qrveil_protocol::{KeyId, ServerKeyBundle};
use std::sync::{Arc, Mutex};
use tfhe::shortint::list_compression::CompressionKey;
use tfhe::shortint::ServerKey;

/// Expanded evaluation keys, ready to use; built once per key id and cached.
pub struct ServerKeys {
    pub server_key: ServerKey,
    pub compression_key: CompressionKey,
    /// The packing key's rows in the Fourier domain, for [`crate::packing`].
    pub packing_key: FourierPackingKey,
}

impl ServerKeys {
    /// Decompress the seeded keys (the slow part of a cold start).
    pub fn expand(bundle: &ServerKeyBundle) -> Self {
        let (server_key, (compression_key, packing_key)) = rayon::join(
            || bundle.server_key.decompress(),
            || {
                let ck = bundle.compression_key.decompress();
                let fourier = FourierPackingKey::new(&ck.packing_key_switching_key);
                (ck, fourier)
            },
        );
        Self { server_key, compression_key, packing_key }
    }

    /// Approximate memory held, for the cache bound.
    pub fn approx_bytes(&self) -> usize {
        let ks = self.compression_key.packing_key_switching_key.as_ref().len() * 8 + self.packing_key.approx_bytes();
        // Fourier bootstrapping key: n · (k+1)² · levels · N/2 complex f64 (16 B) + KSK.
        let p = PBS_PARAMS;
        let k1 = p.glwe_dimension.to_glwe_size().0;
        let bsk = p.lwe_dimension.0 * k1 * k1 * p.pbs_level.0 * p.polynomial_size.0 / 2 * 16;
        let ksk = p.glwe_dimension.0 * p.polynomial_size.0 * p.ks_level.0 * p.lwe_dimension.to_lwe_size().0 * 8;
        ks + bsk + ksk
    }
}

/// Expanded keys by key id, least recently used out first once over the byte bound. Generic
/// over what it holds so that its eviction can be tested without making keys.
pub struct KeyCache<K = ServerKeys> {
    max_bytes: usize,
    // Most recently used last. A handful of entries: a Vec is the simplest correct LRU.
    entries: Mutex<Vec<(KeyId, Arc<K>, usize)>>,
}

impl<K> KeyCache<K> {
    pub fn new(max_bytes: usize) -> Self {
        Self { max_bytes, entries: Mutex::new(Vec::new()) }
    }

    pub fn get(&self, id: &KeyId) -> Option<Arc<K>> {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let pos = entries.iter().position(|(k, _, _)| k == id)?;
        let entry = entries.remove(pos);
        let keys = entry.1.clone();
        entries.push(entry);
        Some(keys)
    }

    /// Insert `keys`, which hold `bytes`, evicting the least recently used entries until the
    /// total fits. Keys larger than the whole bound are returned but not kept.
    pub fn insert_sized(&self, id: KeyId, keys: Arc<K>, bytes: usize) -> Arc<K> {
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

    /// Bytes held, as the bound counts them.
    pub fn bytes(&self) -> usize {
        self.entries.lock().unwrap_or_else(|p| p.into_inner()).iter().map(|e| e.2).sum()
    }
}

impl KeyCache<ServerKeys> {
    /// Insert expanded keys, sized by [`ServerKeys::approx_bytes`].
    pub fn insert(&self, id: KeyId, keys: Arc<ServerKeys>) -> Arc<ServerKeys> {
        let bytes = keys.approx_bytes();
        self.insert_sized(id, keys, bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(name: &str) -> KeyId {
        KeyId::of_server_key_bytes(name.as_bytes())
    }

    fn held(cache: &KeyCache<&'static str>, names: &[&str]) -> Vec<bool> {
        names.iter().map(|n| cache.get(&id(n)).is_some()).collect()
    }

    #[test]
    fn least_recently_used_goes_first() {
        let cache = KeyCache::new(100);
        cache.insert_sized(id("a"), Arc::new("a"), 40);
        cache.insert_sized(id("b"), Arc::new("b"), 40);
        assert_eq!(cache.get(&id("a")).as_deref(), Some(&"a"), "a is now the most recent");
        cache.insert_sized(id("c"), Arc::new("c"), 40);
        assert_eq!(cache.bytes(), 80);
        assert!(cache.get(&id("b")).is_none(), "b was the least recently used");
        assert!(cache.get(&id("a")).is_some() && cache.get(&id("c")).is_some());
    }

    #[test]
    fn a_big_entry_evicts_as_many_as_it_needs() {
        let cache = KeyCache::new(100);
        for (name, bytes) in [("a", 30), ("b", 30), ("c", 30)] {
            cache.insert_sized(id(name), Arc::new(name), bytes);
        }
        cache.insert_sized(id("d"), Arc::new("d"), 70);
        assert_eq!(held(&cache, &["a", "b", "c", "d"]), [false, false, true, true]);
        assert_eq!(cache.bytes(), 100, "exactly at the bound is allowed");
    }

    #[test]
    fn keys_over_the_whole_bound_are_used_but_not_kept() {
        let cache = KeyCache::new(100);
        cache.insert_sized(id("a"), Arc::new("a"), 60);
        let huge = cache.insert_sized(id("huge"), Arc::new("huge"), 101);
        assert_eq!(*huge, "huge");
        assert_eq!(held(&cache, &["a", "huge"]), [true, false], "nothing was evicted for it");
    }

    #[test]
    fn reinserting_a_key_replaces_it_without_counting_it_twice() {
        let cache = KeyCache::new(100);
        cache.insert_sized(id("a"), Arc::new("old"), 60);
        cache.insert_sized(id("a"), Arc::new("new"), 60);
        assert_eq!(cache.bytes(), 60);
        assert_eq!(cache.get(&id("a")).as_deref(), Some(&"new"));
    }

    #[test]
    fn a_zero_bound_keeps_nothing() {
        let cache = KeyCache::new(0);
        cache.insert_sized(id("a"), Arc::new("a"), 1);
        assert_eq!(cache.bytes(), 0);
        assert!(cache.get(&id("a")).is_none());
    }
}
