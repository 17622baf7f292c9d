//! The shared tier: one Redis for every instance, each key inside the namespace. Redis is an
//! accelerator, never a dependency: an operation slower than the timeout, or Redis being down,
//! gives nothing (the API answers from PostgreSQL), and after a failure Redis is left alone for
//! a second, then tried again, so the API reconnects by itself. Sweeps walk the namespace with
//! SCAN, never KEYS. Reports are stored under a generation that every change making them stale
//! moves on, so one INCR invalidates them all.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bb8_redis::RedisConnectionManager;
use bb8_redis::bb8::{Pool, PooledConnection};
use bb8_redis::redis::{self, AsyncCommands};

use super::{Cache, Policy};

pub(super) type RedisPool = Pool<RedisConnectionManager>;

/// How long Redis is left alone after a failure.
const BACKOFF: Duration = Duration::from_secs(1);

/// The counter that every change making reports stale increments (inside the namespace).
const REPORT_GENERATION: &str = "reports-generation";
/// Reads the generation and the report under it, atomically.
const READ_REPORT: &str = "local g = redis.call('GET', KEYS[1]) or '0'
return {g, redis.call('GET', ARGV[1] .. g .. ':' .. ARGV[2])}";

/// A Redis connection pool bounded by a timeout, with its namespace.
pub(super) struct Redis {
    pool: Option<RedisPool>,
    /// For the subscription of the memory tier (not pooled).
    client: Option<redis::Client>,
    namespace: String,
    timeout: Duration,
    /// Redis is skipped until this instant after a failure (milliseconds since `epoch`).
    skip_until_ms: AtomicU64,
    epoch: Instant,
}

/// What a sweep does with each page of keys.
#[derive(Clone, Copy)]
pub(super) enum Sweep {
    /// Counts them (for statistics: a failure is not Redis being down).
    Count,
    /// Deletes them (UNLINK).
    Unlink,
}

impl Redis {
    /// Redis at `url` (empty: none). Never fails: Redis may come up later.
    pub(super) fn new(url: &str, namespace: &str, pool_size: u32, timeout: Duration) -> Self {
        let url = url.trim();
        let pool = (!url.is_empty())
            .then(|| RedisConnectionManager::new(url).ok())
            .flatten()
            .map(|manager| {
                Pool::builder()
                    .max_size(pool_size.max(1))
                    .connection_timeout(timeout.max(Duration::from_millis(200)))
                    .retry_connection(false)
                    .build_unchecked(manager)
            });
        if pool.is_none() && !url.is_empty() {
            tracing::warn!(url, "invalid REDIS_URL: cache disabled");
        }
        let client = pool.as_ref().and_then(|_| redis::Client::open(url).ok());
        Redis {
            pool,
            client,
            namespace: namespace.to_owned(),
            timeout,
            skip_until_ms: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }

    pub(super) fn is_enabled(&self) -> bool {
        self.pool.is_some()
    }

    pub(super) fn pool(&self) -> Option<&RedisPool> {
        self.pool.as_ref()
    }

    pub(super) fn client(&self) -> Option<redis::Client> {
        self.client.clone()
    }

    pub(super) fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The Redis key of a key of the namespace.
    pub(super) fn full(&self, key: &str) -> String {
        format!("{}{key}", self.namespace)
    }

    pub(super) fn now_ms(&self) -> u64 {
        self.epoch.elapsed().as_millis() as u64
    }

    fn available(&self) -> bool {
        self.pool.is_some() && self.now_ms() >= self.skip_until_ms.load(Ordering::Relaxed)
    }

    fn failed(&self, what: &str, err: &str) {
        let until = self.now_ms() + BACKOFF.as_millis() as u64;
        let before = self.skip_until_ms.swap(until, Ordering::Relaxed);
        if before <= self.now_ms() {
            tracing::warn!(
                operation = what,
                error = err,
                "Redis unavailable: answering from PostgreSQL"
            );
        }
        operation("error");
    }

    /// Runs one Redis operation within the timeout; `None` on any failure. Callers go through
    /// [`Cache::run`], which also repairs lost invalidations.
    pub(super) async fn run<T, F, Fut>(&self, what: &str, op: F) -> Option<T>
    where
        F: FnOnce(PooledConnection<'static, RedisConnectionManager>) -> Fut,
        Fut: std::future::Future<Output = redis::RedisResult<T>>,
    {
        if !self.available() {
            return None;
        }
        let pool = self.pool.clone()?;
        let attempt = async move {
            let conn = pool.get_owned().await.map_err(|e| e.to_string())?;
            op(conn).await.map_err(|e| e.to_string())
        };
        match tokio::time::timeout(self.timeout, attempt).await {
            Ok(Ok(value)) => Some(value),
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

    /// Walks the keys of the namespace under `prefix` with SCAN, a page at a time, counting or
    /// deleting them; returns how many. A whole-namespace sweep may take longer than a single
    /// read, so it has more time. Never runs without a namespace: its pattern would match every
    /// key of the database.
    pub(super) async fn sweep(&self, prefix: &str, action: Sweep) -> Option<u64> {
        let pattern = format!("{}*", self.full(prefix));
        if pattern == "*" {
            tracing::error!("refusing to sweep Redis without a cache namespace");
            return None;
        }
        let pool = self.pool.clone()?;
        if !self.available() {
            return None;
        }
        let (page_size, limit) = match action {
            Sweep::Count => (1000, Duration::from_secs(2)),
            Sweep::Unlink => (500, Duration::from_secs(5)),
        };
        let walk = async move {
            let mut conn = pool.get_owned().await.map_err(|e| e.to_string())?;
            let (mut cursor, mut total) = (0u64, 0u64);
            loop {
                let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
                    .arg(cursor)
                    .arg("MATCH")
                    .arg(&pattern)
                    .arg("COUNT")
                    .arg(page_size)
                    .query_async(&mut *conn)
                    .await
                    .map_err(|e| e.to_string())?;
                total += match action {
                    Sweep::Count => keys.len() as u64,
                    Sweep::Unlink if keys.is_empty() => 0,
                    Sweep::Unlink => redis::cmd("UNLINK")
                        .arg(&keys)
                        .query_async::<u64>(&mut *conn)
                        .await
                        .map_err(|e| e.to_string())?,
                };
                if next == 0 {
                    return Ok::<u64, String>(total);
                }
                cursor = next;
            }
        };
        let outcome = tokio::time::timeout(limit, walk).await;
        match (action, outcome) {
            (_, Ok(Ok(n))) => Some(n),
            (Sweep::Count, _) => None,
            (Sweep::Unlink, Ok(Err(e))) => {
                self.failed("scan", &e);
                None
            }
            (Sweep::Unlink, Err(_)) => {
                self.failed("scan", "timeout");
                None
            }
        }
    }

    /// The Redis key of a report under a generation.
    pub(super) fn report_key(&self, key: &str, generation: u64) -> String {
        let part = key.strip_prefix(Policy::Report.prefix()).unwrap_or(key);
        self.full(&Policy::Report.key(&format!("{generation}:{part}")))
    }
}

impl Cache {
    /// A report and the generation it was read under, in one round trip. Entries of older
    /// generations are never read again and expire with their TTL.
    pub(super) async fn get_report(&self, key: &str) -> (Option<Vec<u8>>, Option<u64>) {
        let redis = self.redis();
        let generation_key = redis.full(REPORT_GENERATION);
        let prefix = redis.full(&Policy::Report.key(""));
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

    /// Makes every cached report stale; false when Redis did not answer.
    pub(super) async fn next_report_generation(&self) -> bool {
        let generation_key = self.redis().full(REPORT_GENERATION);
        self.run("incr", |mut c| async move {
            c.incr::<_, _, u64>(generation_key, 1).await
        })
        .await
        .is_some()
    }

    /// After the namespace was cleared (the generation went with it): restarts the generation
    /// above every earlier value, so a report stored under an old one is never read again.
    pub(super) async fn restart_report_generation(&self) {
        let generation_key = self.redis().full(REPORT_GENERATION);
        let restart = chrono::Utc::now().timestamp_micros();
        self.run("set", |mut c| async move {
            c.set::<_, _, ()>(generation_key, restart).await
        })
        .await;
    }

    /// True when Redis answers now (for `/health`).
    pub async fn ping(&self) -> bool {
        self.run("ping", |mut c| async move {
            redis::cmd("PING").query_async::<String>(&mut *c).await
        })
        .await
        .is_some()
    }
}

/// Counts a cache operation by result (`hit`, `miss`, `error`): the failures of
/// Redis counted here, the hits and misses by the statistics.
pub(super) fn operation(result: &'static str) {
    axum_prometheus::metrics::counter!("cache_operations_total", "result" => result).increment(1);
}
