//! The presign endpoint Lambda, behind a Function URL: `POST {"key_id": "..."}` with
//! `Authorization: Bearer <token>` answers with a job id and presigned URLs. The token is read
//! once per execution environment from Secrets Manager (`QRVEIL_TOKEN_SECRET_ID`).

use lambda_http::{service_fn, Body, Error, Request, Response};
use qrveil_cloud::presign::{token_from_secret, Presigner};
use qrveil_cloud::{env, s3};
use std::sync::Arc;
use std::time::Duration;

#[tokio::main]
async fn main() -> Result<(), Error> {
    qrveil_cloud::logging::init();
    let bucket = env::required(env::BUCKET, "the bucket's name")?;
    let secret_id = env::required(env::TOKEN_SECRET_ID, "the Secrets Manager secret holding the token")?;
    let ttl = env::number(env::URL_TTL_SECONDS, env::DEFAULT_URL_TTL_SECONDS)?;
    let shared = aws_config::load_from_env().await;
    let token = token_from_secret(&aws_sdk_secretsmanager::Client::new(&shared), &secret_id).await?;
    // Server keys are taken only where the job function reads them; unset means linear only.
    let serves_pbs = env::number(env::PBS_TIER, 0)? != 0;
    let presigner = Presigner::new(s3::client_from_env().await, bucket, &token, Duration::from_secs(ttl));
    let presigner = Arc::new(presigner.serving_pbs(serves_pbs));
    drop(token);
    lambda_http::run(service_fn(|request: Request| {
        let presigner = presigner.clone();
        async move {
            let authorization = request.headers().get("authorization").and_then(|v| v.to_str().ok());
            let reply = presigner.handle(request.method().as_str(), authorization, request.body().as_ref()).await;
            Response::builder()
                .status(reply.status)
                .header("content-type", "application/json")
                .body(Body::from(reply.body))
                .map_err(Error::from)
        }
    }))
    .await
}
