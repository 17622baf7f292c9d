//! What the cache counts: this instance's hits and misses (per policy and tier in the metrics),
//! the hit ratio, Redis operations that failed, and the statistics `/cache/stats` shows.

use std::sync::atomic::{AtomicU64, Ordering};

use bb8_redis::redis;
use serde::Serialize;

use super::redis::{Sweep, operation};
use super::{Cache, Policy};

#[derive(Clone, Debug, Serialize, utoipa::ToSchema)]
pub struct CacheStats {
    /// False when no Redis is configured or it does not answer.
    pub enabled: bool,
    pub connected: bool,
    /// Since this instance started.
    pub hits: u64,
    /// Of the hits, those answered from this instance's memory.
    pub memory_hits: u64,
    /// Answers in this instance's memory.
    pub memory_entries: u64,
    pub misses: u64,
    #[schema(example = 0.93)]
    pub hit_ratio: f64,
    /// Keys of this API's namespace (all instances).
    pub keys: u64,
    #[schema(example = 1048576)]
    pub memory_used_bytes: u64,
    #[schema(example = "1.00M")]
    pub memory_used_human: String,
}

/// Hits and misses since this instance started.
#[derive(Default)]
pub(super) struct Counters {
    hits: AtomicU64,
    misses: AtomicU64,
}

/// Whether a lookup found its answer.
#[derive(Clone, Copy)]
pub(super) enum Found {
    Hit,
    Miss,
}

/// The tier that answered (or missed).
#[derive(Clone, Copy)]
pub(super) enum Tier {
    Memory,
    Redis,
}

impl Counters {
    pub(super) fn count(&self, policy: Policy, found: Found, tier: Tier) {
        let (counter, result) = match found {
            Found::Hit => (&self.hits, "hit"),
            Found::Miss => (&self.misses, "miss"),
        };
        let tier = match tier {
            Tier::Memory => "memory",
            Tier::Redis => "redis",
        };
        counter.fetch_add(1, Ordering::Relaxed);
        operation(result);
        axum_prometheus::metrics::counter!("cache_requests_total", "policy" => policy.label(), "result" => result, "tier" => tier)
            .increment(1);
        axum_prometheus::metrics::gauge!("cache_hit_ratio").set(self.ratio());
    }

    fn ratio(&self) -> f64 {
        let (hits, misses) = (
            self.hits.load(Ordering::Relaxed),
            self.misses.load(Ordering::Relaxed),
        );
        if hits + misses == 0 {
            0.0
        } else {
            hits as f64 / (hits + misses) as f64
        }
    }
}

impl Cache {
    pub async fn stats(&self) -> CacheStats {
        let counters = &self.0.counters;
        let info: Option<String> = self
            .run("info", |mut c| async move {
                redis::cmd("INFO").arg("memory").query_async(&mut *c).await
            })
            .await;
        let connected = info.is_some();
        let field = |name: &str| {
            info.as_deref().and_then(|i| {
                i.lines().find_map(|l| {
                    l.strip_prefix(name)
                        .and_then(|v| v.strip_prefix(':'))
                        .map(|v| v.trim().to_owned())
                })
            })
        };
        let keys = if connected {
            self.redis().sweep("", Sweep::Count).await.unwrap_or(0)
        } else {
            0
        };
        let memory = self.0.memory.as_ref();
        CacheStats {
            enabled: self.is_enabled(),
            connected,
            hits: counters.hits.load(Ordering::Relaxed),
            memory_hits: memory.map_or(0, |m| m.hits.load(Ordering::Relaxed)),
            memory_entries: memory.map_or(0, |m| m.entry_count()),
            misses: counters.misses.load(Ordering::Relaxed),
            hit_ratio: counters.ratio(),
            keys,
            memory_used_bytes: field("used_memory")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            memory_used_human: field("used_memory_human").unwrap_or_default(),
        }
    }
}
