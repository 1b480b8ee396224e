//! One validated job on its tier: read its input (and, on the PBS tier, its server key),
//! evaluate, and serialise the output. The handler around it reads the manifest and writes the
//! output and the status.

use crate::fhe::{self, EvalError};
use crate::handler::JobError;
use crate::keys::{KeyCache, ServerKeys};
use crate::linear;
use qrveil_protocol::job::paths;
use qrveil_protocol::linear::FEATURES_LIMIT;
use qrveil_protocol::store::Store;
use qrveil_protocol::wire::{GRID_LIMIT, SERVER_KEY_LIMIT};
use qrveil_protocol::{
    EncryptedGrid, FailureKind, JobId, KeyId, LinearInput, Manifest, ServerKeyBundle, ServerTimings,
};
use qrveil_style::{cost, Encoding, LinearPlan, ServerProgram};
use std::sync::Arc;
use std::time::Instant;

/// An evaluated job, before its output and status are written.
pub struct Evaluated {
    pub output: Vec<u8>,
    pub outputs: u32,
    pub pbs: u64,
    pub key_cache_hit: bool,
    /// Everything but the total, which the handler measures.
    pub seconds: ServerTimings,
}

fn bad_input(e: impl ToString) -> JobError {
    JobError::new(FailureKind::BadInput, e.to_string())
}

fn internal(e: impl ToString) -> JobError {
    JobError::new(FailureKind::Internal, e.to_string())
}

fn input(store: &dyn Store, job: &JobId, limit: u64) -> Result<Vec<u8>, JobError> {
    store
        .get(&paths::input(job), limit)?
        .ok_or_else(|| JobError::new(FailureKind::MissingInput, format!("no input at {}", paths::input(job))))
}

/// The linear tier: no key; the encodings in, clear-weighted sums out.
pub fn linear(
    store: &dyn Store,
    job: &JobId,
    manifest: &Manifest,
    plans: &[LinearPlan],
) -> Result<Evaluated, JobError> {
    let encodings: Vec<Encoding> =
        manifest.encodings.iter().map(|e| e.parse()).collect::<Result<_, _>>().map_err(internal)?;
    let shapes = encodings.iter().map(|e| e.shape(manifest.modules)).collect();
    let t = Instant::now();
    let upload = LinearInput::from_bytes(&input(store, job, FEATURES_LIMIT)?, &shapes).map_err(bad_input)?;
    let features = linear::expand(&upload, &encodings);
    let expand = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let outputs = linear::evaluate(plans, &features).map_err(internal)?;
    let evaluate = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let output = outputs.to_bytes().map_err(internal)?;
    let pack = t.elapsed().as_secs_f64();
    let count = plans.iter().map(|p| p.cells(manifest.modules)).sum();
    Ok(Evaluated {
        output,
        outputs: count,
        pbs: 0,
        key_cache_hit: false,
        seconds: ServerTimings { key: 0.0, expand, evaluate, pack, total: 0.0 },
    })
}

/// The PBS tier: the server key (from the warm cache when it can), the encrypted grid in,
/// lookup tables by bootstrapping, packed results out.
pub fn pbs(
    store: &dyn Store,
    job: &JobId,
    manifest: &Manifest,
    style: &ServerProgram,
    cache: &KeyCache,
    key_id: &KeyId,
) -> Result<Evaluated, JobError> {
    // The input first: a missing or malformed one is refused in milliseconds, before the
    // server key is fetched, hashed and expanded (seconds and hundreds of MB).
    let t = Instant::now();
    let grid = EncryptedGrid::from_bytes(&input(store, job, GRID_LIMIT)?, manifest.modules).map_err(bad_input)?;
    let read = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let (keys, key_cache_hit) = server_keys(store, cache, key_id)?;
    let key = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let input = fhe::expand_input(&grid);
    drop(grid);
    let expand = read + t.elapsed().as_secs_f64();

    let t = Instant::now();
    let outputs = fhe::evaluate(&keys, style, manifest.modules, &input).map_err(|e| match e {
        EvalError::InputSize { .. } => bad_input(e),
        // The program was checked with the manifest (`handler::validate_manifest`), built-in or
        // carried: failing here is this function's fault, not the caller's.
        EvalError::Style(s) => internal(format!("a style program that passed its checks failed to run: {s}")),
    })?;
    let evaluate = t.elapsed().as_secs_f64();
    drop(input);

    let t = Instant::now();
    let packed = fhe::pack_outputs(&keys, &outputs);
    let output = packed.to_bytes().map_err(internal)?;
    let pack = t.elapsed().as_secs_f64();
    let pbs = cost(style, manifest.modules).map_err(internal)?.on_pbs_tier.pbs;
    Ok(Evaluated {
        output,
        outputs: packed.count,
        pbs,
        key_cache_hit,
        seconds: ServerTimings { key, expand, evaluate, pack, total: 0.0 },
    })
}

/// The expanded server key `id`, and whether it came from the warm cache.
fn server_keys(store: &dyn Store, cache: &KeyCache, id: &KeyId) -> Result<(Arc<ServerKeys>, bool), JobError> {
    if let Some(keys) = cache.get(id) {
        return Ok((keys, true));
    }
    let bytes = store.get(&paths::server_key(id), SERVER_KEY_LIMIT)?.ok_or_else(|| {
        JobError::new(
            FailureKind::MissingKey,
            format!("no server key at {}: upload it before submitting jobs", paths::server_key(id)),
        )
    })?;
    if KeyId::of_server_key_bytes(&bytes) != *id {
        return Err(JobError::new(
            FailureKind::BadKey,
            format!("the object at {} does not hash to its key id", paths::server_key(id)),
        ));
    }
    let bundle = ServerKeyBundle::from_bytes(&bytes).map_err(|e| JobError::new(FailureKind::BadKey, e.to_string()))?;
    drop(bytes);
    let keys = Arc::new(ServerKeys::expand(&bundle));
    Ok((cache.insert(id.clone(), keys), false))
}
