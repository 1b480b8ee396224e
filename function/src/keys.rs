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

/// Expanded keys by key id, least recently used out first once over the byte bound.
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
}
