//! What a leaked app token can cost: token buckets per client id and per source address, a
//! global daily job budget, and a daily server-key upload allowance per client, kept in one
//! DynamoDB table (conditional updates, so racing invocations never overspend; a TTL attribute
//! removes old rows). Over a limit the endpoint answers 429 with `Retry-After`.

use aws_sdk_dynamodb::types::AttributeValue;
use aws_sdk_dynamodb::Client;
use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

/// A token bucket: `burst` requests at once, then `per_minute`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    pub burst: u64,
    pub per_minute: u64,
}

/// The operator's limits (Terraform variables; `env.rs` names their settings).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    pub per_client: Rate,
    pub per_address: Rate,
    /// Jobs per UTC day, all clients together: the ceiling on what a leaked token costs.
    pub daily_jobs: u64,
    /// Server-key uploads (43 MB each) per client id and UTC day.
    pub daily_key_uploads: u64,
}

/// Whether a request may go on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Admission {
    Admitted,
    /// Over a limit: which one, and in how many seconds asking again can succeed.
    Refused {
        reason: &'static str,
        retry_after: u64,
    },
}

/// The table could not be read or written: the endpoint refuses rather than spend unmetered.
#[derive(Debug, thiserror::Error)]
#[error("the limits table {table} cannot be used: {detail}")]
pub struct LimitError {
    table: String,
    detail: String,
}

/// Tokens are stored in thousandths, so a partly refilled bucket is a whole number.
const MILLI: u64 = 1000;
/// Attempts at a conditional update before a contended bucket counts as empty (fail closed).
const ATTEMPTS: usize = 4;
const DAY: u64 = 86_400;

/// What a bucket holds at `now_ms` (thousandths of a token), from `stored` at `at_ms`.
pub fn refill(rate: Rate, stored: u64, at_ms: u64, now_ms: u64) -> u64 {
    // elapsed ms × per_minute / 60 000 ms × 1000 thousandths = elapsed × per_minute / 60.
    let added = now_ms.saturating_sub(at_ms).saturating_mul(rate.per_minute) / 60;
    stored.saturating_add(added).min(rate.burst.saturating_mul(MILLI))
}

/// Whole seconds until a bucket holding `held` thousandths has one token again (at least 1).
pub fn seconds_until_one(rate: Rate, held: u64) -> u64 {
    let missing = MILLI.saturating_sub(held);
    // missing thousandths at per_minute × 1000 / 60 s per second.
    (missing * 60).div_ceil(rate.per_minute.max(1) * MILLI).max(1)
}

/// Seconds until the next UTC day, when the daily counts start again.
pub fn seconds_until_tomorrow(now_s: u64) -> u64 {
    DAY - now_s % DAY
}

fn millis(now: SystemTime) -> u64 {
    now.duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

fn number(item: &HashMap<String, AttributeValue>, name: &str) -> Option<u64> {
    item.get(name).and_then(|v| v.as_n().ok()).and_then(|n| n.parse().ok())
}

fn n(value: u64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

pub struct Limiter {
    db: Client,
    table: String,
    limits: Limits,
}

impl Limiter {
    pub fn new(db: Client, table: impl Into<String>, limits: Limits) -> Self {
        Self { db, table: table.into(), limits }
    }

    fn error(&self, e: impl std::error::Error + 'static) -> LimitError {
        let detail = aws_sdk_dynamodb::error::DisplayErrorContext(e).to_string();
        LimitError { table: self.table.clone(), detail }
    }

    /// One new job for `client` (its id, or its address when it sent none) from `address`.
    pub async fn admit_job(&self, client: &str, address: &str, now: SystemTime) -> Result<Admission, LimitError> {
        let day = millis(now) / 1000 / DAY;
        let budget = format!("jobs#{day}");
        // Once the day's budget is spent, every request is refused for half a read unit,
        // before the buckets' reads and writes.
        let got = self.db.get_item().table_name(&self.table).key("pk", AttributeValue::S(budget.clone()));
        let used = got.send().await.map_err(|e| self.error(e))?.item.and_then(|i| number(&i, "used"));
        if used.is_some_and(|used| used >= self.limits.daily_jobs) {
            let retry_after = seconds_until_tomorrow(millis(now) / 1000);
            return Ok(Admission::Refused { reason: "the deployment's daily job budget", retry_after });
        }
        // The address first: ids cost a flooder nothing to make up, addresses do, so a flood
        // from one address is refused after a single read.
        let buckets = [
            (format!("address#{address}"), self.limits.per_address, "this address's request rate"),
            (format!("client#{client}"), self.limits.per_client, "this client's request rate"),
        ];
        for (row, rate, reason) in buckets {
            if let Some(retry_after) = self.take_token(&row, rate, now).await? {
                return Ok(Admission::Refused { reason, retry_after });
            }
        }
        self.count(&budget, self.limits.daily_jobs, now, "the deployment's daily job budget").await
    }

    /// One server-key upload for `client` today.
    pub async fn admit_key_upload(&self, client: &str, now: SystemTime) -> Result<Admission, LimitError> {
        let day = millis(now) / 1000 / DAY;
        let row = format!("keys#{client}#{day}");
        self.count(&row, self.limits.daily_key_uploads, now, "this client's daily server-key uploads").await
    }

    /// Take one token from bucket `row`; `Some(seconds)` to wait when it has none.
    async fn take_token(&self, row: &str, rate: Rate, now: SystemTime) -> Result<Option<u64>, LimitError> {
        let now_ms = millis(now);
        for _ in 0..ATTEMPTS {
            let got = self.db.get_item().table_name(&self.table).key("pk", AttributeValue::S(row.into()));
            let item = got.consistent_read(true).send().await.map_err(|e| self.error(e))?.item;
            let seen = item.as_ref().and_then(|i| Some((number(i, "tokens")?, number(i, "at")?)));
            let (stored, at) = seen.unwrap_or((rate.burst.saturating_mul(MILLI), now_ms));
            let held = refill(rate, stored, at, now_ms);
            if held < MILLI {
                return Ok(Some(seconds_until_one(rate, held)));
            }
            // Kept until the bucket would be full again anyway, and a day beyond.
            let expires = now_ms / 1000 + rate.burst.saturating_mul(60) / rate.per_minute.max(1) + DAY;
            let update = self
                .db
                .update_item()
                .table_name(&self.table)
                .key("pk", AttributeValue::S(row.into()))
                .update_expression("SET tokens = :tokens, #at = :now, expires = :expires")
                .expression_attribute_names("#at", "at")
                .expression_attribute_values(":tokens", n(held - MILLI))
                .expression_attribute_values(":now", n(now_ms))
                .expression_attribute_values(":expires", n(expires));
            // Written only over the state just read: a racing invocation's take is never lost.
            let update = match seen {
                Some((_, at)) => update.condition_expression("#at = :seen").expression_attribute_values(":seen", n(at)),
                None => update.condition_expression("attribute_not_exists(pk)"),
            };
            match update.send().await {
                Ok(_) => return Ok(None),
                Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => continue,
                Err(e) => return Err(self.error(e)),
            }
        }
        // Contended past every attempt: a flood, so this request waits like one over its rate.
        Ok(Some(seconds_until_one(rate, 0)))
    }

    /// Count one against `row`'s daily `max`, atomically; refused once `max` are counted.
    async fn count(&self, row: &str, max: u64, now: SystemTime, reason: &'static str) -> Result<Admission, LimitError> {
        let now_s = millis(now) / 1000;
        let update = self
            .db
            .update_item()
            .table_name(&self.table)
            .key("pk", AttributeValue::S(row.into()))
            .update_expression("ADD used :one SET expires = :expires")
            .condition_expression("attribute_not_exists(used) OR used < :max")
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":max", n(max))
            .expression_attribute_values(":expires", n(now_s + 2 * DAY));
        match update.send().await {
            Ok(_) => Ok(Admission::Admitted),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_conditional_check_failed_exception()) => {
                Ok(Admission::Refused { reason, retry_after: seconds_until_tomorrow(now_s) })
            }
            Err(e) => Err(self.error(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RATE: Rate = Rate { burst: 10, per_minute: 30 };

    #[test]
    fn a_bucket_refills_at_its_rate_up_to_its_burst() {
        // 30 a minute is one every 2 s: 2 000 thousandths after 4 s.
        assert_eq!(refill(RATE, 0, 1_000, 5_000), 2_000);
        assert_eq!(refill(RATE, 9_500, 0, 60_000), 10_000, "never past the burst");
        assert_eq!(refill(RATE, 3_000, 5_000, 1_000), 3_000, "a clock going back adds nothing");
        assert_eq!(refill(RATE, 0, 0, u64::MAX), 10_000);
    }

    #[test]
    fn the_wait_is_until_one_whole_token() {
        assert_eq!(seconds_until_one(RATE, 0), 2);
        assert_eq!(seconds_until_one(RATE, 999), 1, "never less than a second");
        assert_eq!(seconds_until_one(Rate { burst: 1, per_minute: 1 }, 0), 60);
        assert_eq!(seconds_until_one(Rate { burst: 1, per_minute: 0 }, 0), 60, "a zero rate does not divide by zero");
    }

    #[test]
    fn daily_counts_start_again_at_midnight_utc() {
        assert_eq!(seconds_until_tomorrow(0), DAY);
        assert_eq!(seconds_until_tomorrow(DAY - 1), 1);
        assert_eq!(seconds_until_tomorrow(20_000 * DAY + 3_600), DAY - 3_600);
    }
}
