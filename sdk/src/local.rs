//! The local mode (the `local` feature): the style function runs in this process and a folder
//! stands in for the bucket, with the cloud's storage layout; and the FHE round trip that the
//! tests and the lab measure. Mobile builds leave the feature off, so they never compile the
//! function's evaluator.

use crate::crypto::{decrypt_linear, decrypt_outputs, encrypt_features, encrypt_grid, JobKey};
use crate::error::Internal;
use crate::transport::{Delivery, StoreTransport, Ticket, Transport, WaitPolicy};
use crate::{Cancel, Keys, SdkError};
use qrveil_function::fhe::{self, EvalError};
use qrveil_function::linear;
use qrveil_function::{Function, ServerKeys};
use qrveil_protocol::presign::UploadSizes;
use qrveil_protocol::store::FolderStore;
use qrveil_protocol::{
    EncryptedGrid, EncryptedOutputs, FailureKind, JobStatus, KeyId, LinearInput, LinearOutputs, ServerKeyBundle,
};
use qrveil_style::{LinearPlan, ModuleGrid, Plan, ServerProgram};
use std::time::Instant;

/// A folder standing in for the bucket, with the function in this process: a
/// [`StoreTransport`] whose submit also runs the job, as the S3 event does in the cloud.
pub struct LocalTransport {
    bucket: StoreTransport<FolderStore>,
    function: Function,
}

impl LocalTransport {
    pub fn new(store: FolderStore) -> Self {
        Self { bucket: StoreTransport::new(store, WaitPolicy::default()), function: Function::default() }
    }
}

impl Transport for LocalTransport {
    fn begin(&self, key: Option<&KeyId>, sizes: &UploadSizes, cancel: &Cancel) -> Result<Ticket, SdkError> {
        self.bucket.begin(key, sizes, cancel)
    }

    fn upload_server_key(&self, ticket: &Ticket, bytes: &[u8], cancel: &Cancel) -> Result<(), SdkError> {
        self.bucket.upload_server_key(ticket, bytes, cancel)
    }

    fn submit(&self, ticket: &Ticket, manifest: &[u8], input: &[u8], cancel: &Cancel) -> Result<(), SdkError> {
        self.bucket.submit(ticket, manifest, input, cancel)?;
        match self.function.run_job(self.bucket.store(), &ticket.job) {
            JobStatus::Failed { kind: FailureKind::Storage, reason, .. } => Err(SdkError::Transport(reason)),
            _ => Ok(()),
        }
    }

    fn wait(&self, ticket: &Ticket, cancel: &Cancel) -> Result<Delivery, SdkError> {
        // The status is already there: the first look finds it.
        self.bucket.wait(ticket, cancel)
    }
}

/// The function's expanded keys for `keys` (making the server key if it does not exist), read
/// back through the wire format as the function reads them (seconds: run it once and keep it).
pub fn expand_server_keys(keys: &Keys) -> Result<ServerKeys, SdkError> {
    let bundle = ServerKeyBundle::from_bytes(&keys.server_key()?.bytes).map_err(SdkError::KeyBytes)?;
    Ok(ServerKeys::expand(&bundle))
}

/// Where one round trip spent its time, in seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, serde::Serialize)]
pub struct RoundTripTimings {
    /// Encrypting and writing the input container.
    pub encrypt: f64,
    /// Reading the container and expanding it into ciphertexts.
    pub expand: f64,
    pub evaluate: f64,
    /// Packing or switching the outputs and writing their container.
    pub pack: f64,
    /// Reading the container and decrypting.
    pub decrypt: f64,
}

/// One encrypted evaluation and what it moved.
pub struct RoundTrip {
    /// The decrypted outputs, as the client reads them.
    pub outputs: Vec<u8>,
    pub bytes_up: usize,
    pub bytes_down: usize,
    pub seconds: RoundTripTimings,
}

/// The tier a round trip runs on: the linear one (for programs with a linear plan), or the PBS
/// one with the function's expanded keys (any program).
#[derive(Clone, Copy)]
pub enum OnTier<'a> {
    Linear,
    Pbs(&'a ServerKeys),
}

/// Encrypt `grid`, evaluate `program` on the ciphertexts on the tier asked for, and decrypt,
/// through the wire containers both ways as a job moves them, but without a store. The linear
/// tier encrypts under a fresh job key, as jobs do; the PBS tier under `keys`' client key.
pub fn round_trip(keys: &Keys, on: OnTier, program: &ServerProgram, grid: &ModuleGrid) -> Result<RoundTrip, SdkError> {
    match on {
        OnTier::Linear => match Plan::of(program).map_err(Internal::from)? {
            Plan::Linear(plans) => linear_round_trip(program, &plans, grid),
            Plan::Pbs => Err(Internal::Unexpected("the program has no linear plan; run it on the PBS tier").into()),
        },
        OnTier::Pbs(server) => pbs_round_trip(keys, server, program, grid),
    }
}

fn linear_round_trip(program: &ServerProgram, plans: &[LinearPlan], grid: &ModuleGrid) -> Result<RoundTrip, SdkError> {
    let side = grid.side();
    let encodings = Plan::Linear(plans.to_vec()).encodings();
    let t = Instant::now();
    let key = JobKey::fresh();
    let up = encrypt_features(&key, grid, program, &encodings)
        .map_err(Internal::from)?
        .to_bytes()
        .map_err(Internal::from)?;
    let encrypt = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let shapes = encodings.iter().map(|e| e.shape(side)).collect();
    let features = linear::expand(&LinearInput::from_bytes(&up, &shapes).map_err(Internal::from)?, &encodings);
    let expand = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let outputs = linear::evaluate(plans, &features).map_err(|_| Internal::Unexpected("an encoding went missing"))?;
    let evaluate = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let down = outputs.to_bytes().map_err(Internal::from)?;
    let pack = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let cells: Vec<u32> = plans.iter().map(|p| p.cells(side)).collect();
    let outputs = decrypt_linear(&key, &LinearOutputs::from_bytes(&down, &cells).map_err(Internal::from)?);
    let decrypt = t.elapsed().as_secs_f64();
    Ok(RoundTrip {
        outputs,
        bytes_up: up.len(),
        bytes_down: down.len(),
        seconds: RoundTripTimings { encrypt, expand, evaluate, pack, decrypt },
    })
}

fn pbs_round_trip(
    keys: &Keys,
    server: &ServerKeys,
    program: &ServerProgram,
    grid: &ModuleGrid,
) -> Result<RoundTrip, SdkError> {
    let side = grid.side();
    let pair = keys.current();
    let t = Instant::now();
    let up = encrypt_grid(pair.client(), grid).to_bytes().map_err(Internal::from)?;
    let encrypt = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let input = fhe::expand_input(&EncryptedGrid::from_bytes(&up, side).map_err(Internal::from)?);
    let expand = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let outputs = fhe::evaluate(server, program, side, &input).map_err(|e| match e {
        EvalError::Style(e) => Internal::Style(e),
        EvalError::InputSize { .. } => Internal::Unexpected("the grid and its ciphertexts differ in size"),
    })?;
    let evaluate = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let packed = fhe::pack_outputs(server, &outputs);
    let down = packed.to_bytes().map_err(Internal::from)?;
    let pack = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let received = EncryptedOutputs::from_bytes(&down, program.output_count(side) as u32).map_err(Internal::from)?;
    let outputs = decrypt_outputs(pair.client(), &received);
    let decrypt = t.elapsed().as_secs_f64();
    Ok(RoundTrip {
        outputs,
        bytes_up: up.len(),
        bytes_down: down.len(),
        seconds: RoundTripTimings { encrypt, expand, evaluate, pack, decrypt },
    })
}
