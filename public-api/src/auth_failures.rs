//! Authentication failures, limited per client address before any database lookup: a client
//! that sent more than `AUTH_FAILURES_PER_MINUTE` wrong tokens in the current minute gets 429
//! with `Retry-After` until the minute ends, without its token being looked up.
//!
//! The failures of an address are counted in Redis (one fixed-window counter per address and
//! minute, shared by every instance), so the limit holds across instances: an instance that
//! has not yet seen the address over its budget lets one more failure through, learns the
//! count and then refuses it too (at most the budget plus one failure per instance a minute).
//! While Redis does not answer, each instance counts alone with an in-process GCRA limiter of
//! the same budget. Refusals need no I/O: an address over its budget is remembered in memory
//! until its window ends.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

use crate::cache::Cache;

/// The window of the shared counter.
const WINDOW: Duration = Duration::from_secs(60);
/// Addresses remembered as over their budget; beyond this, expired ones are dropped first.
const MAX_REMEMBERED: usize = 10_000;

/// The failure budget of client addresses; cheap to clone.
#[derive(Clone)]
pub struct AuthFailures(Arc<Inner>);

struct Inner {
    per_window: u64,
    cache: Cache,
    /// Addresses over their budget, and until when.
    blocked: Mutex<HashMap<IpAddr, Instant>>,
    /// This instance's count while Redis does not answer.
    local: DefaultKeyedRateLimiter<IpAddr>,
}

impl AuthFailures {
    /// A budget of `per_minute` failures per address and minute, or none for 0.
    pub fn new(per_minute: u32, cache: Cache) -> Option<Self> {
        let per = NonZeroU32::new(per_minute)?;
        Some(AuthFailures(Arc::new(Inner {
            per_window: u64::from(per.get()),
            cache,
            blocked: Mutex::default(),
            local: RateLimiter::keyed(Quota::per_minute(per)),
        })))
    }

    /// Seconds to wait when `address` has used its budget; checked before the token is looked
    /// up, without I/O.
    pub fn check(&self, address: IpAddr) -> Result<(), u64> {
        let Ok(mut blocked) = self.0.blocked.lock() else {
            return Ok(());
        };
        let now = Instant::now();
        match blocked.get(&address) {
            Some(until) if *until > now => Err(seconds(*until - now)),
            Some(_) => {
                blocked.remove(&address);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Counts a failure of `address`; the seconds to wait when it has now gone over its budget.
    pub async fn failed(&self, address: IpAddr) -> Option<u64> {
        let since_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default();
        let window = since_epoch.as_secs() / WINDOW.as_secs();
        let left = WINDOW.saturating_sub(Duration::from_secs(
            since_epoch.as_secs() % WINDOW.as_secs(),
        ));
        let shared = self
            .0
            .cache
            .increment(&format!("auth-failures:{address}:{window}"), WINDOW * 2)
            .await;
        let wait = match shared {
            Some(count) if count > self.0.per_window => Some(left),
            Some(_) => None,
            None => self
                .0
                .local
                .check_key(&address)
                .err()
                .map(|not_until| not_until.wait_time_from(DefaultClock::default().now())),
        }?;
        self.block(address, wait);
        Some(seconds(wait))
    }

    fn block(&self, address: IpAddr, wait: Duration) {
        let Ok(mut blocked) = self.0.blocked.lock() else {
            return;
        };
        let now = Instant::now();
        if blocked.len() >= MAX_REMEMBERED {
            blocked.retain(|_, until| *until > now);
        }
        if blocked.len() < MAX_REMEMBERED {
            blocked.insert(address, now + wait);
        }
    }
}

/// Whole seconds for `Retry-After`, at least one.
fn seconds(wait: Duration) -> u64 {
    (wait.as_secs() + u64::from(wait.subsec_nanos() > 0)).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[tokio::test]
    async fn without_redis_each_instance_counts_alone() {
        let limit = AuthFailures::new(3, Cache::disabled()).unwrap();
        let (a, b) = (ip("203.0.113.1"), ip("203.0.113.2"));
        for _ in 0..3 {
            assert!(limit.check(a).is_ok());
            assert_eq!(limit.failed(a).await, None);
        }
        let wait = limit.failed(a).await.expect("the fourth failure is over");
        assert!((1..=60).contains(&wait), "{wait}");
        assert!(limit.check(a).is_err(), "refused before any lookup");
        assert!(limit.check(b).is_ok(), "another address keeps its budget");
        assert!(AuthFailures::new(0, Cache::disabled()).is_none());
    }

    #[test]
    fn waits_round_up_to_whole_seconds() {
        assert_eq!(seconds(Duration::from_millis(1)), 1);
        assert_eq!(seconds(Duration::from_millis(1500)), 2);
        assert_eq!(seconds(Duration::from_secs(60)), 60);
        assert_eq!(seconds(Duration::ZERO), 1);
    }
}
