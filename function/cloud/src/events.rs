//! What the job handler is invoked with: an S3 `ObjectCreated` notification for
//! `jobs/<id>/input`, or a direct invocation `{"job_id": "...", "bucket": "..."}` (bucket
//! optional when `QRVEIL_BUCKET` is set). Only the fields used are read, so notifications
//! relayed by other services (SQS, EventBridge pipes, emulators) parse too.

use qrveil_protocol::job::paths;
use qrveil_protocol::{DocumentError, JobId};
use serde::Deserialize;
use serde_json::Value;

/// One job to run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JobRef {
    pub bucket: String,
    pub job: JobId,
}

/// The jobs an event names, and the object keys it named that are not job inputs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Parsed {
    pub jobs: Vec<JobRef>,
    pub ignored_keys: Vec<String>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EventError {
    #[error("unrecognised event: expected an S3 notification with Records, or {{\"job_id\": \"...\"}}")]
    Unrecognised,
    #[error("S3 record {index} is malformed: {detail}")]
    BadRecord { index: usize, detail: String },
    #[error("direct invocation: {0}")]
    BadJobId(DocumentError),
    #[error("direct invocation names no bucket and {} is not set", crate::env::BUCKET)]
    NoBucket,
}

#[derive(Deserialize)]
struct Notification {
    #[serde(rename = "Records")]
    records: Vec<Value>,
}

#[derive(Deserialize)]
struct Record {
    s3: Entity,
}

#[derive(Deserialize)]
struct Entity {
    bucket: Named,
    object: Key,
}

#[derive(Deserialize)]
struct Named {
    name: String,
}

#[derive(Deserialize)]
struct Key {
    key: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Direct {
    job_id: String,
    bucket: Option<String>,
}

/// Object keys in S3 notifications are URL-encoded (`+` for space, `%XX` for other bytes).
fn url_decode(s: &str) -> Option<String> {
    let mut out = Vec::with_capacity(s.len());
    let mut bytes = s.bytes();
    while let Some(b) = bytes.next() {
        match b {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = [bytes.next()?, bytes.next()?];
                out.push(u8::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()?);
            }
            b => out.push(b),
        }
    }
    String::from_utf8(out).ok()
}

pub fn parse(event: &Value, default_bucket: Option<&str>) -> Result<Parsed, EventError> {
    if let Ok(n) = Notification::deserialize(event) {
        let mut parsed = Parsed::default();
        for (index, record) in n.records.into_iter().enumerate() {
            let r = Record::deserialize(record).map_err(|e| EventError::BadRecord { index, detail: e.to_string() })?;
            let key = url_decode(&r.s3.object.key).ok_or_else(|| EventError::BadRecord {
                index,
                detail: "object key is not valid URL encoding".into(),
            })?;
            match paths::job_of_input(&key) {
                Some(job) => parsed.jobs.push(JobRef { bucket: r.s3.bucket.name, job }),
                None => parsed.ignored_keys.push(key),
            }
        }
        return Ok(parsed);
    }
    let direct = Direct::deserialize(event).map_err(|_| EventError::Unrecognised)?;
    let job = JobId::try_from(direct.job_id).map_err(EventError::BadJobId)?;
    let bucket = direct.bucket.or(default_bucket.map(str::to_string)).ok_or(EventError::NoBucket)?;
    Ok(Parsed { jobs: vec![JobRef { bucket, job }], ignored_keys: vec![] })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The shape S3 documents for event notifications (trimmed to what S3 always sends).
    fn notification(keys: &[&str]) -> Value {
        let records: Vec<Value> = keys
            .iter()
            .map(|k| {
                json!({"eventVersion": "2.1", "eventSource": "aws:s3", "eventName": "ObjectCreated:Put",
                       "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": "b", "arn": "arn:aws:s3:::b"},
                              "object": {"key": k, "size": 10, "eTag": "x"}}})
            })
            .collect();
        json!({ "Records": records })
    }

    #[test]
    fn s3_notifications_name_their_jobs_and_other_keys_are_reported() {
        let parsed = parse(&notification(&["jobs/abc-1/input", "jobs%2Fdef%2Finput", "jobs/abc-1/output"]), None)
            .expect("parse");
        let ids: Vec<&str> = parsed.jobs.iter().map(|j| j.job.as_str()).collect();
        assert_eq!(ids, ["abc-1", "def"]);
        assert!(parsed.jobs.iter().all(|j| j.bucket == "b"));
        assert_eq!(parsed.ignored_keys, ["jobs/abc-1/output"]);
    }

    #[test]
    fn direct_invocations_need_a_valid_id_and_a_bucket() {
        let parsed = parse(&json!({"job_id": "abc"}), Some("b")).expect("parse");
        assert_eq!(parsed.jobs, [JobRef { bucket: "b".into(), job: JobId::try_from("abc".to_string()).expect("id") }]);
        assert_eq!(parse(&json!({"job_id": "abc", "bucket": "c"}), Some("b")).expect("parse").jobs[0].bucket, "c");
        assert_eq!(parse(&json!({"job_id": "abc"}), None), Err(EventError::NoBucket));
        assert!(matches!(parse(&json!({"job_id": "../x"}), Some("b")), Err(EventError::BadJobId(_))));
        assert_eq!(parse(&json!({"hello": 1}), Some("b")), Err(EventError::Unrecognised));
        assert!(matches!(
            parse(&json!({"Records": [{"s3": {}}]}), Some("b")),
            Err(EventError::BadRecord { index: 0, .. })
        ));
        assert!(matches!(parse(&notification(&["jobs/%zz/input"]), None), Err(EventError::BadRecord { .. })));
    }
}
