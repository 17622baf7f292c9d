//! Coherence of the memory tiers across instances. Every instance subscribes to one Redis
//! channel of the namespace. A write removes the stale keys from Redis, then publishes them;
//! each subscribed instance drops them from memory and acknowledges on a list of that message,
//! and the write answers only once every receiver has acknowledged (or after [`ACK_WAIT`]). An
//! instance answers from memory only while its subscription is up: when it drops, the memory
//! tier is emptied and bypassed until the instance has subscribed again, so a message it could
//! not receive never leaves a stale answer behind.

use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use bb8_redis::redis::{self, AsyncCommands};
use futures::StreamExt;
use serde::{Deserialize, Serialize};

use super::Cache;
use super::memory::Memory;
use super::redis::RedisPool;

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

impl Cache {
    /// Drops keys and prefixes from this instance's memory, then from every other instance's,
    /// waiting (at most [`ACK_WAIT`]) until each subscribed instance has done it.
    pub(super) async fn broadcast(&self, keys: Vec<String>, prefixes: Vec<String>) {
        // an instance without a memory tier (or a tool such as `tokens revoke`) still tells the
        // others, which may have one
        if let Some(memory) = self.0.memory.as_ref() {
            memory.apply(&keys, &prefixes);
        }
        let n = self.0.broadcasts_sent.fetch_add(1, Ordering::Relaxed);
        let id = format!("{}-{}-{n}", std::process::id(), self.redis().now_ms());
        let list = ack_list(self.redis().namespace(), &id);
        let Ok(message) = serde_json::to_vec(&Invalidation { id, keys, prefixes }) else {
            return;
        };
        let channel = channel(self.redis().namespace());
        let Some(receivers) = self
            .run("publish", |mut c| async move {
                c.publish::<_, _, u64>(channel, message).await
            })
            .await
        else {
            // the other instances cannot hear it, and they have lost their subscription too
            return;
        };
        let Some(pool) = self.redis().pool().cloned() else {
            return;
        };
        let deadline = Instant::now() + ACK_WAIT;
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
    pool: RedisPool,
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
    pool: &RedisPool,
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
