//! The functions' logs: Lambda's log level and format controls, read as the runtime reads them,
//! but the level applies to qrveil's own targets only; every other crate stays at info. At debug
//! and trace the runtime logs each raw event, headers included (the presign endpoint's
//! `Authorization: Bearer` token), and the AWS SDK what it signs and receives (the token's
//! secret); a log group kept a year must never hold either.

use tracing_subscriber::filter::{EnvFilter, LevelFilter};

/// The targets a chosen level applies to: this crate, its binaries, and the code they run.
const OURS: [&str; 4] = ["qrveil_cloud", "qrveil_function", "qrveil_presign", "qrveil_protocol"];

/// The filter for a level name (`AWS_LAMBDA_LOG_LEVEL`, else `RUST_LOG`; a bad or missing one
/// is info): info for everything, the level for [`OURS`]. Only a level is read: a directive
/// naming another crate's target cannot lift it.
pub fn filter(level: Option<&str>) -> EnvFilter {
    let level = level.and_then(|l| l.trim().parse::<LevelFilter>().ok()).unwrap_or(LevelFilter::INFO);
    OURS.iter().fold(EnvFilter::default().add_directive(LevelFilter::INFO.into()), |filter, target| {
        match format!("{target}={level}").parse() {
            Ok(directive) => filter.add_directive(directive),
            Err(_) => filter,
        }
    })
}

/// Install the subscriber: stdout (CloudWatch), JSON when `AWS_LAMBDA_LOG_FORMAT` asks.
pub fn init() {
    let level = std::env::var("AWS_LAMBDA_LOG_LEVEL").or_else(|_| std::env::var("RUST_LOG")).ok();
    let logs = tracing_subscriber::fmt().with_target(false).without_time().with_env_filter(filter(level.as_deref()));
    if std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|f| f.eq_ignore_ascii_case("json")) {
        logs.json().init();
    } else {
        logs.init();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_chosen_level_reaches_only_qrveils_own_targets() {
        let trace = filter(Some("TRACE")).to_string();
        for target in OURS {
            assert!(trace.contains(&format!("{target}=trace")), "{trace}");
        }
        // Nothing else below info, the Lambda runtime and the AWS SDK included.
        assert!(!trace.replace(",", " ").split(' ').any(|d| d == "trace" || d == "debug"), "{trace}");
        for level in [Some("lambda_runtime=trace"), Some("nonsense"), None] {
            assert_eq!(filter(level).max_level_hint(), Some(LevelFilter::INFO), "{level:?}");
        }
    }
}
