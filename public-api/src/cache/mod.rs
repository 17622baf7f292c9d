//! The cache: cache-aside around domain reads, in two tiers, for every instance of the API.
//! This module only reads ([`Cache::get`]), stores ([`Cache::put`]) and invalidates
//! ([`Cache::invalidate`], [`Cache::clear_namespace`]); each mechanism has its file:
//! `policy` (what is cached, for how long, what a change makes stale), `redis` (the shared
//! tier: timeout, backoff, SCAN sweeps, report generations), `memory` (this instance's tier),
//! `coherence` (keeping the memory tiers of all instances right), `stats` (what is counted) and
//! `clients` (the API clients each instance remembers, in memory only).
//!
//! Keys that could not be invalidated while Redis was unreachable are cleared when it comes
//! back, so no stale price survives an outage.

mod clients;
mod coherence;
mod counter;
mod memory;
mod policy;
mod redis;
mod stats;

pub use policy::{Change, DEFAULT_NAMESPACE, Policy, namespace};
pub use stats::CacheStats;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Bytes;
use bb8_redis::RedisConnectionManager;
use bb8_redis::bb8::PooledConnection;
use bb8_redis::redis::{AsyncCommands, RedisResult};

use memory::Memory;
pub use memory::Ticket;
use redis::{Redis, Sweep};
use stats::{Counters, Found, Tier};

struct Inner {
    redis: Redis,
    /// The memory tier, when Redis is configured and `LOCAL_CACHE_MB` is not 0.
    memory: Option<Arc<Memory>>,
    counters: Counters,
    /// An invalidation failed: clear the namespace when Redis answers again.
    dirty: AtomicBool,
    broadcasts_sent: AtomicU64,
}

#[derive(Clone)]
pub struct Cache(Arc<Inner>);

/// The answer of [`Cache::get`], and what [`Cache::put`] needs to store a fresh one safely.
pub struct Lookup {
    pub value: Option<Bytes>,
    ticket: Option<Ticket>,
    /// The report generation the miss was read under.
    generation: Option<u64>,
}

impl Cache {
    /// A cache on `url` (empty: disabled) with a memory tier of `memory_mb` (0: none). Never
    /// fails: Redis may come up later.
    pub fn new(
        url: &str,
        namespace: &str,
        pool_size: u32,
        timeout: Duration,
        memory_mb: u64,
    ) -> Self {
        let redis = Redis::new(url, namespace, pool_size, timeout);
        let memory = match (redis.pool(), redis.client()) {
            (Some(pool), Some(client)) if memory_mb > 0 => {
                let memory = Arc::new(Memory::new(memory_mb));
                coherence::spawn_listener(&memory, client, pool.clone(), namespace.to_owned());
                Some(memory)
            }
            _ => None,
        };
        Cache(Arc::new(Inner {
            redis,
            memory,
            counters: Counters::default(),
            dirty: AtomicBool::new(false),
            broadcasts_sent: AtomicU64::new(0),
        }))
    }

    pub fn disabled() -> Self {
        Self::new("", DEFAULT_NAMESPACE, 1, Duration::from_millis(50), 0)
    }

    pub fn is_enabled(&self) -> bool {
        self.0.redis.is_enabled()
    }

    fn redis(&self) -> &Redis {
        &self.0.redis
    }

    /// Runs one Redis operation within the timeout; `None` on any failure. The first to succeed
    /// after lost invalidations clears the namespace.
    async fn run<T, F, Fut>(&self, what: &str, op: F) -> Option<T>
    where
        F: FnOnce(PooledConnection<'static, RedisConnectionManager>) -> Fut,
        Fut: std::future::Future<Output = RedisResult<T>>,
    {
        let value = self.0.redis.run(what, op).await?;
        if self.0.dirty.swap(false, Ordering::Relaxed) {
            // back after an outage during which invalidations were lost
            if Box::pin(self.clear_namespace()).await.is_none() {
                self.0.dirty.store(true, Ordering::Relaxed);
            }
        }
        Some(value)
    }

    /// A cached answer, from memory else from Redis, counting the hit or the miss. On a miss,
    /// hand the lookup back to [`Cache::put`] with the answer read from PostgreSQL.
    pub async fn get(&self, policy: Policy, key: &str) -> Lookup {
        let memory = self.0.memory.as_ref();
        // taken before any read: what is read now may be kept only if nothing changed since
        let ticket = memory.map(|m| m.ticket());
        if let Some(value) = memory.and_then(|m| m.get(policy, key)) {
            self.0.counters.count(policy, Found::Hit, Tier::Memory);
            return Lookup {
                value: Some(value),
                ticket,
                generation: None,
            };
        }
        let (value, generation) = if policy == Policy::Report {
            self.get_report(key).await
        } else {
            let full = self.redis().full(key);
            let value = self
                .run("get", |mut c| async move {
                    c.get::<_, Option<Vec<u8>>>(full).await
                })
                .await
                .flatten();
            (value, None)
        };
        let value = value.map(Bytes::from);
        match (&value, memory, ticket) {
            (Some(value), Some(m), Some(ticket)) => {
                m.put(ticket, policy, key, value.clone());
                self.0.counters.count(policy, Found::Hit, Tier::Redis);
            }
            (Some(_), _, _) => self.0.counters.count(policy, Found::Hit, Tier::Redis),
            (None, _, _) => self.0.counters.count(policy, Found::Miss, Tier::Redis),
        }
        Lookup {
            value,
            ticket,
            generation,
        }
    }

    /// Stores an answer read from PostgreSQL after the missed `lookup` (Redis write bounded by
    /// the same timeout as a read: a slow Redis never holds the response for long).
    pub async fn put(&self, lookup: Lookup, policy: Policy, key: &str, value: Bytes) {
        if let (Some(m), Some(ticket)) = (self.0.memory.as_ref(), lookup.ticket) {
            m.put(ticket, policy, key, value.clone());
        }
        if !self.is_enabled() {
            return;
        }
        let key = match (policy, lookup.generation) {
            (Policy::Report, Some(generation)) => self.redis().report_key(key, generation),
            // the generation is unknown: storing could outlive an invalidation
            (Policy::Report, None) => return,
            _ => self.redis().full(key),
        };
        let ttl = policy.ttl().as_secs();
        self.run("set", |mut c| async move {
            c.set_ex::<_, _, ()>(key, value.to_vec(), ttl).await
        })
        .await;
    }

    /// Removes what `change` made stale; awaited before the write answers.
    pub async fn invalidate(&self, change: Change<'_>) {
        if !self.is_enabled() {
            return;
        }
        let (keys, prefixes) = change.stale();
        let full_keys: Vec<String> = keys.iter().map(|k| self.redis().full(k)).collect();
        let mut ok = true;
        if !full_keys.is_empty() {
            ok &= self
                .run(
                    "del",
                    |mut c| async move { c.del::<_, ()>(full_keys).await },
                )
                .await
                .is_some();
        }
        for prefix in &prefixes {
            ok &= if *prefix == Policy::Report.key("") {
                self.next_report_generation().await
            } else {
                self.redis().sweep(prefix, Sweep::Unlink).await.is_some()
            };
        }
        if !ok {
            self.0.dirty.store(true, Ordering::Relaxed);
        }
        if change.touches_memory() {
            self.broadcast(keys, prefixes).await;
        }
    }

    /// Removes every key of this API's namespace (and nothing else), and empties the memory
    /// tier of every instance; returns how many Redis keys.
    pub async fn clear_namespace(&self) -> Option<u64> {
        let removed = self.redis().sweep("", Sweep::Unlink).await;
        self.restart_report_generation().await;
        self.broadcast(Vec::new(), vec![String::new()]).await;
        removed
    }
}
