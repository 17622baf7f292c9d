//! The shared Redis cache: cache-aside around domain reads, one key namespace for every
//! instance, TTLs and invalidation in one table of policies. Redis is an accelerator, never a
//! dependency: an answer slower than the timeout, or Redis being down, counts as a miss and the
//! API answers from PostgreSQL; after a failure Redis is left alone for a second, then tried
//! again, so the API reconnects by itself. Keys that could not be invalidated while Redis was
//! unreachable are cleared when it comes back, so no stale price survives an outage.
//!
//! In front of Redis, each instance keeps the catalogue and store answers in memory
//! ([`memory`]), kept coherent across instances by a Redis channel.

pub mod memory;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use bb8_redis::RedisConnectionManager;
use bb8_redis::bb8::Pool;
use bb8_redis::redis::{self, AsyncCommands};
use serde::Serialize;

use memory::{Invalidation, Memory, Ticket};

/// Every key of this API starts with the namespace (`CACHE_NAMESPACE`, default this one);
/// `/cache/clear` removes exactly those keys.
pub const DEFAULT_NAMESPACE: &str = "multimagasin:api:v1:";

/// What can be cached, with its time to live (SPEC section 3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Policy {
    ProductList,
    Product,
    StoreList,
    Store,
    Categories,
    Report,
}

impl Policy {
    pub const ALL: [Policy; 6] = [
        Policy::ProductList,
        Policy::Product,
        Policy::StoreList,
        Policy::Store,
        Policy::Categories,
        Policy::Report,
    ];

    pub fn ttl(self) -> Duration {
        Duration::from_secs(match self {
            Policy::ProductList => 5 * 60,
            Policy::Product => 10 * 60,
            Policy::StoreList | Policy::Store | Policy::Categories => 30 * 60,
            Policy::Report => 2 * 60,
        })
    }

    fn prefix(self) -> &'static str {
        match self {
            Policy::ProductList => "products:list:",
            Policy::Product => "products:item:",
            Policy::StoreList => "stores:list:",
            Policy::Store => "stores:item:",
            Policy::Categories => "categories:",
            Policy::Report => "reports:",
        }
    }

    /// The key of an entry inside the namespace: policy, then the caller's part (an id, a
    /// code, a normalised query string).
    pub fn key(self, part: &str) -> String {
        format!("{}{part}", self.prefix())
    }

    /// Kept in the memory tier too: everything but reports (every sale makes them stale).
    pub fn in_memory(self) -> bool {
        self != Policy::Report
    }

    pub fn label(self) -> &'static str {
        match self {
            Policy::ProductList => "product_list",
            Policy::Product => "product",
            Policy::StoreList => "store_list",
            Policy::Store => "store",
            Policy::Categories => "categories",
            Policy::Report => "report",
        }
    }
}

/// A change that makes cached answers stale.
#[derive(Clone, Debug)]
pub enum Change<'a> {
    /// A product was created, changed or deleted; `codes` are its old and new codes.
    Product {
        id: i64,
        codes: &'a [&'a str],
    },
    Store {
        id: i64,
    },
    /// Stock or sales moved (a sale, a return): reports change, the catalogue does not.
    Sales,
}

impl Change<'_> {
    /// `(exact keys, key prefixes)` made stale by the change.
    pub fn stale(&self) -> (Vec<String>, Vec<String>) {
        match self {
            Change::Product { id, codes } => {
                let mut keys = vec![Policy::Product.key(&id.to_string())];
                keys.extend(
                    codes
                        .iter()
                        .map(|c| Policy::Product.key(&format!("code:{c}"))),
                );
                (
                    keys,
                    vec![Policy::ProductList.key(""), Policy::Report.key("")],
                )
            }
            Change::Store { id } => (
                vec![Policy::Store.key(&id.to_string())],
                vec![Policy::StoreList.key(""), Policy::Report.key("")],
            ),
            Change::Sales => (Vec::new(), vec![Policy::Report.key("")]),
        }
    }

    /// True when the change makes stale something the memory tier may hold.
    fn touches_memory(&self) -> bool {
        !matches!(self, Change::Sales)
    }
}

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

struct Inner {
    pool: Option<Pool<RedisConnectionManager>>,
    namespace: String,
    timeout: Duration,
    hits: AtomicU64,
    misses: AtomicU64,
    /// Redis is skipped until this instant after a failure (milliseconds since `epoch`).
    skip_until_ms: AtomicU64,
    /// An invalidation failed: clear the namespace when Redis answers again.
    dirty: AtomicBool,
    epoch: Instant,
    /// The memory tier, when Redis is configured and `LOCAL_CACHE_MB` is not 0.
    memory: Option<Arc<Memory>>,
    invalidations_sent: AtomicU64,
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

/// The counter that every change making reports stale increments (inside the namespace).
const REPORT_GENERATION: &str = "reports-generation";
/// Reads the generation and the report under it, atomically.
const READ_REPORT: &str = "local g = redis.call('GET', KEYS[1]) or '0'
return {g, redis.call('GET', ARGV[1] .. g .. ':' .. ARGV[2])}";

/// How long Redis is left alone after a failure.
const BACKOFF: Duration = Duration::from_secs(1);

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
        let pool = (!url.trim().is_empty())
            .then(|| RedisConnectionManager::new(url.trim()).ok())
            .flatten()
            .map(|manager| {
                Pool::builder()
                    .max_size(pool_size.max(1))
                    .connection_timeout(timeout.max(Duration::from_millis(200)))
                    .retry_connection(false)
                    .build_unchecked(manager)
            });
        if pool.is_none() && !url.trim().is_empty() {
            tracing::warn!(url, "invalid REDIS_URL: cache disabled");
        }
        let client = pool
            .as_ref()
            .and_then(|_| redis::Client::open(url.trim()).ok());
        let memory = match (&pool, client) {
            (Some(pool), Some(client)) if memory_mb > 0 => {
                let memory = Arc::new(Memory::new(memory_mb));
                memory::spawn_listener(&memory, client, pool.clone(), namespace.to_owned());
                Some(memory)
            }
            _ => None,
        };
        Cache(Arc::new(Inner {
            memory,
            invalidations_sent: AtomicU64::new(0),
            pool,
            namespace: namespace.to_owned(),
            timeout,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            skip_until_ms: AtomicU64::new(0),
            dirty: AtomicBool::new(false),
            epoch: Instant::now(),
        }))
    }

    pub fn disabled() -> Self {
        Self::new("", DEFAULT_NAMESPACE, 1, Duration::from_millis(50), 0)
    }

    fn full(&self, key: &str) -> String {
        format!("{}{key}", self.0.namespace)
    }

    pub fn is_enabled(&self) -> bool {
        self.0.pool.is_some()
    }

    fn now_ms(&self) -> u64 {
        self.0.epoch.elapsed().as_millis() as u64
    }

    fn available(&self) -> bool {
        self.0.pool.is_some() && self.now_ms() >= self.0.skip_until_ms.load(Ordering::Relaxed)
    }

    fn failed(&self, what: &str, err: &str) {
        let until = self.now_ms() + BACKOFF.as_millis() as u64;
        let before = self.0.skip_until_ms.swap(until, Ordering::Relaxed);
        if before <= self.now_ms() {
            tracing::warn!(
                operation = what,
                error = err,
                "Redis unavailable: answering from PostgreSQL"
            );
        }
        metrics_counter("error");
    }

    /// Runs one Redis operation within the timeout; `None` on any failure.
    async fn run<T, F, Fut>(&self, what: &str, op: F) -> Option<T>
    where
        F: FnOnce(bb8_redis::bb8::PooledConnection<'static, RedisConnectionManager>) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        if !self.available() {
            return None;
        }
        let pool = self.0.pool.clone()?;
        let attempt = async move {
            let conn = pool.get_owned().await.map_err(|e| e.to_string())?;
            op(conn).await.map_err(|e| e.to_string())
        };
        match tokio::time::timeout(self.0.timeout, attempt).await {
            Ok(Ok(value)) => {
                if self.0.dirty.swap(false, Ordering::Relaxed) {
                    // back after an outage during which invalidations were lost
                    if Box::pin(self.clear_namespace()).await.is_none() {
                        self.0.dirty.store(true, Ordering::Relaxed);
                    }
                }
                Some(value)
            }
            Ok(Err(e)) => {
                self.failed(what, &e);
                None
            }
            Err(_) => {
                self.failed(what, "timeout");
                None
            }
        }
    }

    /// A cached answer, from memory else from Redis, counting the hit or the miss. On a miss,
    /// hand the lookup back to [`Cache::put`] with the answer read from PostgreSQL.
    pub async fn get(&self, policy: Policy, key: &str) -> Lookup {
        let memory = self.0.memory.as_ref();
        // taken before any read: what is read now may be kept only if nothing changed since
        let ticket = memory.map(|m| m.ticket());
        if let Some(value) = memory.and_then(|m| m.get(policy, key)) {
            self.count(policy, "hit", "memory");
            return Lookup {
                value: Some(value),
                ticket,
                generation: None,
            };
        }
        let (value, generation) = if policy == Policy::Report {
            self.get_report(key).await
        } else {
            let full = self.full(key);
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
                self.count(policy, "hit", "redis");
            }
            (Some(_), _, _) => self.count(policy, "hit", "redis"),
            (None, _, _) => self.count(policy, "miss", "redis"),
        }
        Lookup {
            value,
            ticket,
            generation,
        }
    }

    /// A report and the generation it was read under, in one round trip. Every change that
    /// makes reports stale moves the generation on (one INCR, whatever the number of cached
    /// reports); entries of older generations are never read again and expire with their TTL.
    async fn get_report(&self, key: &str) -> (Option<Vec<u8>>, Option<u64>) {
        let generation_key = self.full(REPORT_GENERATION);
        let prefix = self.full(&Policy::Report.key(""));
        let part = key
            .strip_prefix(Policy::Report.prefix())
            .unwrap_or(key)
            .to_owned();
        let read = self
            .run("get", |mut c| async move {
                redis::cmd("EVAL")
                    .arg(READ_REPORT)
                    .arg(1)
                    .arg(generation_key)
                    .arg(prefix)
                    .arg(part)
                    .query_async::<(String, Option<Vec<u8>>)>(&mut *c)
                    .await
            })
            .await;
        match read {
            Some((generation, value)) => (value, generation.parse().ok()),
            None => (None, None),
        }
    }

    /// The Redis key of a report under a generation.
    fn report_key(&self, key: &str, generation: u64) -> String {
        let part = key.strip_prefix(Policy::Report.prefix()).unwrap_or(key);
        self.full(&Policy::Report.key(&format!("{generation}:{part}")))
    }

    fn count(&self, policy: Policy, result: &'static str, tier: &'static str) {
        let counter = if result == "hit" {
            &self.0.hits
        } else {
            &self.0.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        metrics_counter(result);
        axum_prometheus::metrics::counter!("cache_requests_total", "policy" => policy.label(), "result" => result, "tier" => tier)
            .increment(1);
        self.publish_ratio();
    }

    /// Stores an answer read from PostgreSQL after the missed `lookup` (Redis write bounded by
    /// the same timeout as a read: a slow Redis never holds the response for long).
    pub async fn put(&self, lookup: Lookup, policy: Policy, key: &str, value: Bytes) {
        if let (Some(m), Some(ticket)) = (self.0.memory.as_ref(), lookup.ticket) {
            m.put(ticket, policy, key, value.clone());
        }
        if !self.available() {
            return;
        }
        let key = match (policy, lookup.generation) {
            (Policy::Report, Some(generation)) => self.report_key(key, generation),
            // the generation is unknown: storing could outlive an invalidation
            (Policy::Report, None) => return,
            _ => self.full(key),
        };
        let ttl = policy.ttl().as_secs();
        self.run("set", |mut c| async move {
            c.set_ex::<_, _, ()>(key, value.to_vec(), ttl).await
        })
        .await;
    }

    /// Removes what `change` made stale; awaited before the write answers.
    pub async fn invalidate(&self, change: Change<'_>) {
        if self.0.pool.is_none() {
            return;
        }
        let (keys, prefixes) = change.stale();
        let full_keys: Vec<String> = keys.iter().map(|k| self.full(k)).collect();
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
                let generation_key = self.full(REPORT_GENERATION);
                self.run("incr", |mut c| async move {
                    c.incr::<_, _, u64>(generation_key, 1).await
                })
                .await
                .is_some()
            } else {
                self.delete_matching(&format!("{}*", self.full(prefix)))
                    .await
                    .is_some()
            };
        }
        if !ok {
            self.0.dirty.store(true, Ordering::Relaxed);
        }
        if change.touches_memory() {
            self.broadcast(keys, prefixes).await;
        }
    }

    /// Drops keys and prefixes from this instance's memory, then from every other instance's,
    /// waiting (at most [`memory::ACK_WAIT`]) until each subscribed instance has done it.
    async fn broadcast(&self, keys: Vec<String>, prefixes: Vec<String>) {
        let Some(memory) = self.0.memory.as_ref() else {
            return;
        };
        memory.apply(&keys, &prefixes);
        let n = self.0.invalidations_sent.fetch_add(1, Ordering::Relaxed);
        let id = format!("{}-{}-{n}", std::process::id(), self.now_ms());
        let list = memory::ack_list(&self.0.namespace, &id);
        let Ok(message) = serde_json::to_vec(&Invalidation { id, keys, prefixes }) else {
            return;
        };
        let channel = memory::channel(&self.0.namespace);
        let Some(receivers) = self
            .run("publish", |mut c| async move {
                c.publish::<_, _, u64>(channel, message).await
            })
            .await
        else {
            // the other instances cannot hear it, and they have lost their subscription too
            return;
        };
        let Some(pool) = self.0.pool.clone() else {
            return;
        };
        let deadline = Instant::now() + memory::ACK_WAIT;
        let wait = async {
            let mut conn = pool.get().await.map_err(|e| e.to_string())?;
            let mut acked = 0u64;
            while acked < receivers {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                // short blocking pops: below the client's response timeout
                let popped: Option<(String, String)> = redis::cmd("BLPOP")
                    .arg(&list)
                    .arg(left.min(Duration::from_millis(100)).as_secs_f64())
                    .query_async(&mut *conn)
                    .await
                    .map_err(|e| e.to_string())?;
                acked += u64::from(popped.is_some());
            }
            let _: Result<(), _> = conn.del(&list).await;
            Ok::<u64, String>(acked)
        };
        match wait.await {
            Ok(acked) if acked >= receivers => {}
            outcome => {
                tracing::warn!(receivers, outcome = ?outcome, "cache invalidation not acknowledged by every instance in time");
                axum_prometheus::metrics::counter!("cache_invalidations_unacknowledged_total")
                    .increment(1);
            }
        }
    }

    /// Deletes the keys matching `pattern` with SCAN (never KEYS); returns how many.
    async fn delete_matching(&self, pattern: &str) -> Option<u64> {
        let pattern = pattern.to_owned();
        // a whole-namespace sweep may take longer than a single read: allow it more time
        let pool = self.0.pool.clone()?;
        if !self.available() {
            return None;
        }
        let sweep = async move {
            let mut conn = pool.get_owned().await.map_err(|e| e.to_string())?;
            let mut cursor: u64 = 0;
            let mut deleted = 0u64;
            loop {
                let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(&pattern)
                    .arg("COUNT")
                    .arg(500)
                    .query_async(&mut *conn)
                    .await
                    .map_err(|e| e.to_string())?;
                if !keys.is_empty() {
                    let n: u64 = redis::cmd("UNLINK")
                        .arg(&keys)
                        .query_async(&mut *conn)
                        .await
                        .map_err(|e| e.to_string())?;
                    deleted += n;
                }
                if next == 0 {
                    return Ok::<u64, String>(deleted);
                }
                cursor = next;
            }
        };
        match tokio::time::timeout(Duration::from_secs(5), sweep).await {
            Ok(Ok(n)) => Some(n),
            Ok(Err(e)) => {
                self.failed("scan", &e);
                None
            }
            Err(_) => {
                self.failed("scan", "timeout");
                None
            }
        }
    }

    /// Removes every key of this API's namespace (and nothing else), and empties the memory
    /// tier of every instance; returns how many Redis keys.
    pub async fn clear_namespace(&self) -> Option<u64> {
        let removed = self
            .delete_matching(&format!("{}*", self.0.namespace))
            .await;
        // the report generation went with the keys: restart it above every earlier value, so a
        // report stored under an old generation can never be read again
        let generation_key = self.full(REPORT_GENERATION);
        let restart = chrono::Utc::now().timestamp_micros();
        self.run("set", |mut c| async move {
            c.set::<_, _, ()>(generation_key, restart).await
        })
        .await;
        self.broadcast(Vec::new(), vec![String::new()]).await;
        removed
    }

    async fn count_keys(&self) -> Option<u64> {
        let pool = self.0.pool.clone()?;
        let pattern = format!("{}*", self.0.namespace);
        let count = async move {
            let mut conn = pool.get_owned().await.ok()?;
            let (mut cursor, mut total) = (0u64, 0u64);
            loop {
                let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(&pattern)
                    .arg("COUNT")
                    .arg(1000)
                    .query_async(&mut *conn)
                    .await
                    .ok()?;
                total += keys.len() as u64;
                if next == 0 {
                    return Some(total);
                }
                cursor = next;
            }
        };
        tokio::time::timeout(Duration::from_secs(2), count)
            .await
            .ok()
            .flatten()
    }

    pub async fn stats(&self) -> CacheStats {
        let (hits, misses) = (
            self.0.hits.load(Ordering::Relaxed),
            self.0.misses.load(Ordering::Relaxed),
        );
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
            self.count_keys().await.unwrap_or(0)
        } else {
            0
        };
        CacheStats {
            enabled: self.is_enabled(),
            connected,
            hits,
            memory_hits: self
                .0
                .memory
                .as_ref()
                .map_or(0, |m| m.hits.load(Ordering::Relaxed)),
            memory_entries: self.0.memory.as_ref().map_or(0, |m| m.entry_count()),
            misses,
            hit_ratio: ratio(hits, misses),
            keys,
            memory_used_bytes: field("used_memory")
                .and_then(|v| v.parse().ok())
                .unwrap_or(0),
            memory_used_human: field("used_memory_human").unwrap_or_default(),
        }
    }

    /// True when Redis answers now (for `/health`).
    pub async fn ping(&self) -> bool {
        self.run("ping", |mut c| async move {
            redis::cmd("PING").query_async::<String>(&mut *c).await
        })
        .await
        .is_some()
    }

    fn publish_ratio(&self) {
        let (hits, misses) = (
            self.0.hits.load(Ordering::Relaxed),
            self.0.misses.load(Ordering::Relaxed),
        );
        axum_prometheus::metrics::gauge!("cache_hit_ratio").set(ratio(hits, misses));
    }
}

fn ratio(hits: u64, misses: u64) -> f64 {
    if hits + misses == 0 {
        0.0
    } else {
        hits as f64 / (hits + misses) as f64
    }
}

fn metrics_counter(result: &'static str) {
    axum_prometheus::metrics::counter!("cache_operations_total", "result" => result).increment(1);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_price_change_invalidates_the_product_its_codes_lists_and_reports() {
        let (keys, prefixes) = Change::Product {
            id: 7,
            codes: &["ALI001"],
        }
        .stale();
        assert_eq!(
            keys,
            [Policy::Product.key("7"), Policy::Product.key("code:ALI001")]
        );
        assert_eq!(
            prefixes,
            [Policy::ProductList.key(""), Policy::Report.key("")]
        );
        assert!(
            prefixes.iter().all(|p| !p.is_empty()),
            "never a prefix matching everything"
        );
    }

    #[test]
    fn ttls_follow_the_contract() {
        assert_eq!(Policy::ProductList.ttl().as_secs(), 300);
        assert_eq!(Policy::Product.ttl().as_secs(), 600);
        assert_eq!(Policy::StoreList.ttl().as_secs(), 1800);
        assert_eq!(Policy::Report.ttl().as_secs(), 120);
    }
}
