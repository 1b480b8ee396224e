//! The presign endpoint Lambda, behind a Function URL: `POST {"key_id": "..."}` with
//! `Authorization: Bearer <token>` answers with a job id and presigned URLs. The token is read
//! once per execution environment from Secrets Manager (`QRVEIL_TOKEN_SECRET_ID`).

use lambda_http::request::RequestContext;
use lambda_http::{service_fn, Body, Error, Request, RequestExt, Response};
use qrveil_cloud::presign::limits::{Limiter, Limits, Rate};
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
    let presigner = presigner.serving_pbs(serves_pbs);
    let presigner = Arc::new(match limits_from_env()? {
        Some((table, limits)) => {
            presigner.limited_by(Limiter::new(aws_sdk_dynamodb::Client::new(&shared), table, limits))
        }
        None => {
            tracing::warn!("{} is not set: presign requests are not metered", env::LIMITS_TABLE);
            presigner
        }
    });
    drop(token);
    lambda_http::run(service_fn(|request: Request| {
        let presigner = presigner.clone();
        async move {
            let authorization = request.headers().get("authorization").and_then(|v| v.to_str().ok());
            let source = source_address(&request);
            let reply =
                presigner.handle(request.method().as_str(), authorization, &source, request.body().as_ref()).await;
            let mut response = Response::builder().status(reply.status).header("content-type", "application/json");
            if let Some(seconds) = reply.retry_after {
                response = response.header("retry-after", seconds.to_string());
            }
            response.body(Body::from(reply.body)).map_err(Error::from)
        }
    }))
    .await
}

/// The caller's address as the Function URL saw it (its request context), or `unknown`.
fn source_address(request: &Request) -> String {
    match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.http.source_ip.clone(),
        _ => None,
    }
    .unwrap_or_else(|| "unknown".to_string())
}

/// The limits table and the limits (defaults: Terraform's), if a table is named.
fn limits_from_env() -> Result<Option<(String, Limits)>, env::SettingError> {
    let Ok(table) = std::env::var(env::LIMITS_TABLE) else { return Ok(None) };
    let limits = Limits {
        per_client: Rate {
            burst: env::number(env::CLIENT_BURST, 10)?,
            per_minute: env::number(env::CLIENT_PER_MINUTE, 6)?,
        },
        per_address: Rate {
            burst: env::number(env::ADDRESS_BURST, 30)?,
            per_minute: env::number(env::ADDRESS_PER_MINUTE, 20)?,
        },
        daily_jobs: env::number(env::DAILY_JOBS, 10_000)?,
        daily_key_uploads: env::number(env::DAILY_KEY_UPLOADS, 3)?,
    };
    Ok(Some((table, limits)))
}
