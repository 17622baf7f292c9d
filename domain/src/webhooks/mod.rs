//! Webhooks (SPEC section 9): the subscriptions, the deliveries of each event to each of them and
//! the log of every attempt. The deliveries are made by the sequencer (`outbox::sequence`), in
//! the statement that puts their event in the feed; a worker of the API binary claims the due
//! ones ([`claim`]), POSTs them, and records how it went ([`record`]): retried with back-off for
//! the retry window, then dead (the dead-letter list, [`replay`]), and a subscription failing
//! every delivery for long enough is disabled. Nothing here knows of HTTP: an attempt's outcome
//! is a status code or an error text.

mod backoff;
mod claim;
mod log;
mod outcome;
mod subscriptions;

pub use backoff::{backoff, next_delay};
pub use claim::{Claimed, Lease, claim};
pub use log::{
    Attempt, DEFAULT_LOG_LIMIT, Delivery, DeliveryLog, DeliveryLogRequest, MAX_LOG_LIMIT,
    deliveries, replay,
};
pub use outcome::{Outcome, Recorded, record};
pub use subscriptions::{
    NewSubscription, SubscriptionChanges, create_subscription, delete_subscription,
    generate_secret, get_subscription, list_subscriptions, update_subscription,
};

use std::time::Duration;

use chrono::{DateTime, Utc};

/// A subscription as it is shown: never its secret.
#[derive(Clone, Debug, PartialEq, sqlx::FromRow)]
pub struct Subscription {
    pub id: i64,
    pub url: String,
    /// The event types it receives; empty: all of them.
    pub types: Vec<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    /// The first failed attempt since the last delivered one; `None` while deliveries succeed.
    pub failing_since: Option<DateTime<Utc>>,
    /// When and why it stopped receiving events (failing for too long, or through the API).
    pub disabled_at: Option<DateTime<Utc>>,
    pub disabled_reason: Option<String>,
}

/// The key a subscription's deliveries are signed with. Its `Debug` hides it, so a secret never
/// reaches a log through a `{:?}`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(secret: String) -> Self {
        Secret(secret)
    }

    /// The secret itself, to sign with or to show once to its creator.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

/// Where a delivery stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeliveryStatus {
    /// Not yet delivered: due at `next_attempt_at`, or being attempted.
    Pending,
    /// The receiver answered 2xx.
    Delivered,
    /// Every attempt failed for the whole retry window: in the dead-letter list.
    Dead,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 3] = [
        DeliveryStatus::Pending,
        DeliveryStatus::Delivered,
        DeliveryStatus::Dead,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Dead => "dead",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.as_str() == text)
    }
}

/// How failed deliveries are retried, and when a subscription is given up on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// A delivery is retried this long after its first attempt, then it is dead (24 h).
    pub retry_window: Duration,
    /// A subscription whose every attempt failed for this long is disabled (24 h).
    pub disable_after: Duration,
    /// The first retry waits about this long; each next one twice as long ...
    pub backoff_base: Duration,
    /// ... up to this.
    pub backoff_cap: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            retry_window: Duration::from_secs(24 * 3600),
            disable_after: Duration::from_secs(24 * 3600),
            backoff_base: Duration::from_secs(5),
            backoff_cap: Duration::from_secs(3600),
        }
    }
}

/// Milliseconds as PostgreSQL's `BIGINT` (the statements multiply `interval '1 millisecond'`).
fn millis(duration: Duration) -> i64 {
    i64::try_from(duration.as_millis()).unwrap_or(i64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_never_shows_in_debug() {
        let secret = Secret::new("s3cr3t-s3cr3t-s3cr3t".into());
        assert_eq!(format!("{secret:?}"), "Secret(***)");
        assert_eq!(secret.expose(), "s3cr3t-s3cr3t-s3cr3t");
    }

    #[test]
    fn statuses_round_trip() {
        for status in DeliveryStatus::ALL {
            assert_eq!(DeliveryStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(DeliveryStatus::parse("lost"), None);
    }
}
