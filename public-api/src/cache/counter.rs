//! Counters in the shared tier, for limits that must hold across every instance (the
//! authentication failures of a client address). Same timeout and back-off as the cache: when
//! Redis does not answer in time the count is unknown (`None`) and the caller falls back to
//! its own instance's count.

use std::time::Duration;

use bb8_redis::redis;

use super::Cache;

/// Adds one to a counter and starts its lifetime on the first increment, atomically: a counter
/// can never be left without an expiry.
const INCREMENT: &str = "local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n";

/// Where the counters live inside the namespace (`/cache/clear` resets them too).
const PREFIX: &str = "counters:";

impl Cache {
    /// Adds one to the counter `name` (created with a lifetime of `ttl`) and returns its new
    /// value; `None` when Redis is disabled or did not answer.
    pub async fn increment(&self, name: &str, ttl: Duration) -> Option<u64> {
        if !self.is_enabled() {
            return None;
        }
        let key = self.redis().full(&format!("{PREFIX}{name}"));
        let ttl_ms = ttl.as_millis().max(1) as u64;
        self.run("incr", |mut c| async move {
            redis::cmd("EVAL")
                .arg(INCREMENT)
                .arg(1)
                .arg(key)
                .arg(ttl_ms)
                .query_async::<u64>(&mut *c)
                .await
        })
        .await
    }
}
