//! The in-process tier in front of Redis, for the catalogue and the stores (the answers read most
//! and written least; reports stay in Redis only, since every sale makes them stale).
//!
//! Coherence across instances: every instance subscribes to one Redis channel of the namespace.
//! A write removes the stale keys from Redis, then publishes them; each subscribed instance drops
//! them from memory and acknowledges on a list of that message, and the write answers only once
//! every receiver has acknowledged (or after [`ACK_WAIT`]). An instance answers from memory only
//! while its subscription is up: when it drops, the memory tier is emptied and bypassed until
//! the instance has subscribed again, so a message it could not receive never leaves a stale
//! answer behind. A value read before an invalidation is never stored after it (generation
//! check), and entries live at most [`MAX_TTL`] whatever happens.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use axum::body::Bytes;
use bb8_redis::redis;
use futures::StreamExt;
use serde::{Deserialize, Serialize};

use super::Policy;

/// Longest life of an entry in memory, even without any invalidation.
pub const MAX_TTL: Duration = Duration::from_secs(60);
/// How long a write waits for the other instances to drop what it made stale.
pub const ACK_WAIT: Duration = Duration::from_millis(500);
/// Pause before subscribing again after the subscription dropped.
const RESUBSCRIBE_AFTER: Duration = Duration::from_secs(1);

/// What a write broadcasts: keys and key prefixes (inside the namespace) made stale.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub struct Invalidation {
    /// Unique per message: names the list where receivers acknowledge.
    pub id: String,
    pub keys: Vec<String>,
    pub prefixes: Vec<String>,
}

/// Memory entries of this instance, keyed like Redis (without the namespace).
pub struct Memory {
    entries: moka::sync::Cache<String, Bytes>,
    /// True while subscribed to invalidations: only then are entries served or stored.
    live: AtomicBool,
    /// Bumped by every invalidation applied here.
    generation: AtomicU64,
    pub hits: AtomicU64,
}

/// Taken before reading Redis or PostgreSQL: the value read may be stored in memory only if no
/// invalidation happened since.
#[derive(Clone, Copy, Debug)]
pub struct Ticket(u64);

impl Memory {
    /// A tier holding at most `megabytes` of answers (keys and bodies).
    pub fn new(megabytes: u64) -> Self {
        let entries = moka::sync::Cache::builder()
            .max_capacity(megabytes * 1024 * 1024)
            .weigher(|key: &String, value: &Bytes| {
                u32::try_from(key.len() + value.len()).unwrap_or(u32::MAX)
            })
            .time_to_live(MAX_TTL)
            .build();
        Memory {
            entries,
            live: AtomicBool::new(false),
            generation: AtomicU64::new(0),
            hits: AtomicU64::new(0),
        }
    }

    pub fn is_live(&self) -> bool {
        self.live.load(Ordering::Acquire)
    }

    pub fn ticket(&self) -> Ticket {
        Ticket(self.generation.load(Ordering::Acquire))
    }

    pub fn get(&self, policy: Policy, key: &str) -> Option<Bytes> {
        if !policy.in_memory() || !self.is_live() {
            return None;
        }
        let value = self.entries.get(key)?;
        self.hits.fetch_add(1, Ordering::Relaxed);
        Some(value)
    }

    /// Keeps `value` unless an invalidation happened since `ticket` or the tier is not live.
    pub fn put(&self, ticket: Ticket, policy: Policy, key: &str, value: Bytes) {
        if !policy.in_memory() || !self.is_live() {
            return;
        }
        self.entries.insert(key.to_owned(), value);
        // an invalidation that raced with the insert may have missed it: undo
        if self.generation.load(Ordering::Acquire) != ticket.0 {
            self.entries.invalidate(key);
        }
    }

    /// Drops the keys and every key under the prefixes.
    pub fn apply(&self, keys: &[String], prefixes: &[String]) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        for key in keys {
            self.entries.invalidate(key);
        }
        if !prefixes.is_empty() {
            for (key, _) in self.entries.iter() {
                if prefixes.iter().any(|p| key.starts_with(p.as_str())) {
                    self.entries.invalidate(key.as_str());
                }
            }
        }
    }

    pub fn clear(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.entries.invalidate_all();
    }

    /// Empties the tier, then serves it or not: messages were missed while it was off, and a
    /// value read before the clear is never kept after it (generation check in `put`).
    fn set_live(&self, live: bool) {
        self.clear();
        self.live.store(live, Ordering::Release);
    }

    pub fn entry_count(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.entry_count()
    }
}

/// The channel of a namespace's invalidations, and the list of one message's acknowledgements.
pub fn channel(namespace: &str) -> String {
    format!("{namespace}invalidations")
}

pub fn ack_list(namespace: &str, id: &str) -> String {
    format!("{namespace}invalidations:ack:{id}")
}

/// Subscribes `memory` to the namespace's invalidations until it is dropped, subscribing again
/// after every failure; acknowledges each message once applied.
pub fn spawn_listener(
    memory: &Arc<Memory>,
    client: redis::Client,
    pool: bb8_redis::bb8::Pool<bb8_redis::RedisConnectionManager>,
    namespace: String,
) {
    let Ok(runtime) = tokio::runtime::Handle::try_current() else {
        return;
    };
    let memory = Arc::downgrade(memory);
    runtime.spawn(async move {
        loop {
            if memory.strong_count() == 0 {
                return;
            }
            match listen(&memory, &client, &pool, &namespace).await {
                Ok(()) => tracing::warn!("cache invalidation channel closed: memory tier off"),
                Err(e) => tracing::warn!(error = %e, "cache invalidation channel unavailable: memory tier off"),
            }
            if let Some(m) = memory.upgrade() {
                m.set_live(false);
            }
            tokio::time::sleep(RESUBSCRIBE_AFTER).await;
        }
    });
}

async fn listen(
    memory: &Weak<Memory>,
    client: &redis::Client,
    pool: &bb8_redis::bb8::Pool<bb8_redis::RedisConnectionManager>,
    namespace: &str,
) -> redis::RedisResult<()> {
    let mut pubsub = client.get_async_pubsub().await?;
    pubsub.subscribe(channel(namespace)).await?;
    match memory.upgrade() {
        Some(m) => m.set_live(true),
        None => return Ok(()),
    }
    tracing::info!("subscribed to cache invalidations: memory tier on");
    let mut messages = pubsub.into_on_message();
    while let Some(message) = messages.next().await {
        let Some(memory) = memory.upgrade() else {
            return Ok(());
        };
        let payload: Vec<u8> = message.get_payload()?;
        let Ok(inv) = serde_json::from_slice::<Invalidation>(&payload) else {
            tracing::warn!("unreadable cache invalidation: memory tier emptied");
            memory.clear();
            continue;
        };
        memory.apply(&inv.keys, &inv.prefixes);
        drop(memory);
        let list = ack_list(namespace, &inv.id);
        let acked = async {
            let mut conn = pool.get().await.map_err(|e| e.to_string())?;
            redis::pipe()
                .rpush(&list, 1)
                .expire(&list, 30)
                .query_async::<()>(&mut *conn)
                .await
                .map_err(|e| e.to_string())
        };
        if let Err(e) = acked.await {
            tracing::warn!(error = %e, "could not acknowledge a cache invalidation");
        }
    }
    Ok(())
}
