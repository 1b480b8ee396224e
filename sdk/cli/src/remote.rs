//! Where a job goes: the in-process function on a folder standing in for the bucket, or the
//! cloud deployment (through the presign endpoint, or straight to the bucket).

use crate::{usage, CliError};
use clap::Args;
use qrveil_cloud::s3::S3Store;
use qrveil_protocol::FolderStore;
use qrveil_sdk::keys::{self, data_home};
use qrveil_sdk::{LocalTransport, PresignConfig, PresignedTransport, StoreTransport, Transport, WaitPolicy};
use std::path::{Path, PathBuf};
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
/// Through the presign endpoint it sends the install's client id, kept in `key_dir` (made
/// there, with the folder, on first need) once the settings are checked. The AWS client's runtime (direct bucket access only) is kept in `runtime`: it must outlive
/// the transport.
pub fn transport(
    args: &RemoteArgs,
    store_dir: Option<PathBuf>,
    key_dir: &Path,
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
        let config = PresignConfig { endpoint: endpoint.clone(), token, wait, client_id: None };
        // Checked before the key folder is touched: a wrong setting leaves nothing behind.
        PresignedTransport::new(config.clone())?;
        let client_id = Some(keys::client_id(key_dir)?);
        let transport = PresignedTransport::new(PresignConfig { client_id, ..config })?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use qrveil_protocol::presign::{PresignRequest, UploadSizes};
    use qrveil_sdk::Cancel;

    fn presign(url: &str) -> RemoteArgs {
        RemoteArgs {
            remote: true,
            presign_url: Some(url.into()),
            token: Some("t".into()),
            bucket: None,
            endpoint: None,
            region: None,
            timeout: 600,
        }
    }

    #[test]
    fn the_presign_endpoint_is_sent_the_key_folders_client_id() {
        let home = tempfile::tempdir().expect("tempdir");
        let key_dir = home.path().join("keys");
        // A wrong setting fails before the key folder is made.
        let refused = transport(&presign("http://example.com/"), None, &key_dir, &mut None);
        assert!(refused.is_err() && !key_dir.exists());
        let server = tiny_http::Server::http("127.0.0.1:0").expect("listen");
        let port = server.server_addr().to_ip().expect("ip").port();
        let args = presign(&format!("http://127.0.0.1:{port}/"));
        let mut bodies = Vec::new();
        for _ in 0..2 {
            // A new transport each time, as each run of the command makes one.
            let (remote, _) = transport(&args, None, &key_dir, &mut None).expect("transport");
            let endpoint = std::thread::scope(|s| {
                let answer = s.spawn(|| {
                    let mut request = server.recv().expect("a request");
                    let mut body = Vec::new();
                    std::io::Read::read_to_end(request.as_reader(), &mut body).expect("body");
                    let refusal = tiny_http::Response::from_string(r#"{"error":"refused"}"#).with_status_code(403);
                    request.respond(refusal).expect("answer");
                    body
                });
                let sizes = UploadSizes { manifest: 1, input: 1, server_key: None };
                assert!(remote.begin(None, &sizes, &Cancel::new()).is_err(), "the endpoint refuses every job");
                answer.join().expect("endpoint")
            });
            bodies.push(endpoint);
        }
        let kept = std::fs::read_to_string(key_dir.join("client-id")).expect("the folder's client id");
        for body in bodies {
            let id = PresignRequest::from_body(&body).expect("a request").client_id.expect("no client id sent");
            assert_eq!(id.as_str(), kept);
        }
    }
}
