//! How jobs reach the style function. The local transport writes the same objects the cloud
//! path will, into a folder, and runs the function's handler in-process on them.

use crate::SdkError;
use qrveil_function::handler::Function;
use qrveil_function::store::{FolderStore, Store};
use qrveil_protocol::job::{paths, DOCUMENT_LIMIT};
use qrveil_protocol::wire::OUTPUTS_LIMIT;
use qrveil_protocol::{JobId, JobStatus, KeyId};

/// Moves keys, jobs and results between the client and the function.
pub trait Transport {
    fn has_server_key(&self, id: &KeyId) -> Result<bool, SdkError>;
    fn upload_server_key(&self, id: &KeyId, bytes: &[u8]) -> Result<(), SdkError>;
    /// Upload the job's manifest and input; the function starts on the input's arrival.
    fn submit(&self, job: &JobId, manifest: &[u8], input: &[u8]) -> Result<(), SdkError>;
    /// The job's final status and, when done, its output bytes.
    fn wait(&self, job: &JobId) -> Result<(JobStatus, Option<Vec<u8>>), SdkError>;
}

/// A folder standing in for the bucket, with the function in this process.
pub struct LocalTransport {
    store: FolderStore,
    function: Function,
}

impl LocalTransport {
    pub fn new(store: FolderStore) -> Self {
        Self { store, function: Function::default() }
    }

    pub fn store(&self) -> &FolderStore {
        &self.store
    }
}

impl Transport for LocalTransport {
    fn has_server_key(&self, id: &KeyId) -> Result<bool, SdkError> {
        Ok(self.store.exists(&paths::server_key(id))?)
    }

    fn upload_server_key(&self, id: &KeyId, bytes: &[u8]) -> Result<(), SdkError> {
        Ok(self.store.put(&paths::server_key(id), bytes)?)
    }

    fn submit(&self, job: &JobId, manifest: &[u8], input: &[u8]) -> Result<(), SdkError> {
        self.store.put(&paths::manifest(job), manifest)?;
        self.store.put(&paths::input(job), input)?;
        // What the S3 ObjectCreated event on jobs/*/input does in the cloud.
        self.function.run_job(&self.store, job);
        Ok(())
    }

    fn wait(&self, job: &JobId) -> Result<(JobStatus, Option<Vec<u8>>), SdkError> {
        let status = self
            .store
            .get(&paths::status(job), DOCUMENT_LIMIT)?
            .ok_or_else(|| SdkError::BadResult(format!("no status at {}", paths::status(job))))?;
        let status = JobStatus::from_json(&status).map_err(SdkError::BadResult)?;
        let output = match status {
            JobStatus::Done { .. } => self.store.get(&paths::output(job), OUTPUTS_LIMIT)?,
            JobStatus::Failed { .. } => None,
        };
        Ok((status, output))
    }
}
