//! Where a job goes: the in-process function on a folder standing in for the bucket, or the
//! cloud deployment (through the presign endpoint, or straight to the bucket).

use crate::{usage, CliError};
use clap::Args;
use qrveil_cloud::s3::S3Store;
use qrveil_protocol::FolderStore;
use qrveil_sdk::keys::data_home;
use qrveil_sdk::{LocalTransport, PresignConfig, PresignedTransport, StoreTransport, Transport, WaitPolicy};
use std::path::PathBuf;
use std::time::Duration;

/// The cloud deployment instead of the in-process function: through the presign endpoint
/// (as apps do, no AWS credentials) or straight to the bucket with your AWS credentials.
#[derive(Args)]
#[command(next_help_heading = "Remote (the cloud deployment)")]
pub struct RemoteArgs {
    /// Send the job to the deployed function instead of running it here.
    #[arg(long)]
    pub remote: bool,
    /// Presign endpoint: the Function URL Terraform prints as `presign_url`.
    #[arg(long, requires = "remote", conflicts_with = "bucket")]
    pub presign_url: Option<String>,
    /// Bearer token for the presign endpoint; prefer the variable, since command lines are visible to other users.
    /// (The variable alone does not ask for the remote mode: it may stay exported.)
    #[arg(long, env = "QRVEIL_TOKEN", hide_env_values = true)]
    pub token: Option<String>,
    /// Bucket to use directly with your AWS credentials (server-side callers).
    #[arg(long, requires = "remote")]
    bucket: Option<String>,
    /// S3 endpoint URL, for S3-compatible servers [default: AWS's, from your AWS config].
    #[arg(long, requires = "bucket")]
    endpoint: Option<String>,
    /// AWS region [default: from your AWS config].
    #[arg(long, requires = "bucket")]
    region: Option<String>,
    /// Seconds to wait for a remote job's result.
    #[arg(long, default_value_t = 600, value_name = "SECONDS")]
    timeout: u64,
}

/// The transport the arguments ask for, and where it puts the server key (for messages).
/// The AWS client's runtime (direct bucket access only) is kept in `runtime`: it must outlive
/// the transport.
pub fn transport(
    args: &RemoteArgs,
    store_dir: Option<PathBuf>,
    runtime: &mut Option<tokio::runtime::Runtime>,
) -> Result<(Box<dyn Transport>, String), CliError> {
    let wait = WaitPolicy { timeout: Duration::from_secs(args.timeout), ..WaitPolicy::default() };
    if !args.remote {
        let dir = store_dir.unwrap_or_else(|| data_home().join("local-bucket"));
        return Ok((Box::new(LocalTransport::new(FolderStore::new(&dir))), "the local bucket".into()));
    }
    if let Some(endpoint) = &args.presign_url {
        let token = args.token.clone().ok_or_else(|| {
            usage("token", "--presign-url needs the endpoint's bearer token: set QRVEIL_TOKEN (or --token)")
        })?;
        let transport = PresignedTransport::new(PresignConfig { endpoint: endpoint.clone(), token, wait, client_id: None })?;
        return Ok((Box::new(transport), "the bucket".into()));
    }
    let Some(bucket) = &args.bucket else {
        return Err(usage(
            "--remote",
            "say how to reach the deployment: --presign-url (with QRVEIL_TOKEN) or --bucket (with AWS credentials)",
        ));
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .map_err(CliError::Runtime)?;
    let client = rt.block_on(qrveil_cloud::s3::client(args.endpoint.as_deref(), args.region.as_deref()));
    let store = S3Store::new(client, bucket, rt.handle().clone());
    *runtime = Some(rt);
    Ok((Box::new(StoreTransport::new(store, wait)), format!("s3://{bucket}")))
}
