//! The in-process tier in front of Redis, for the catalogue and the stores (the answers read most
//! and written least; reports stay in Redis only, since every sale makes them stale). It is
//! kept coherent with the other instances by `coherence.rs`: it serves and stores answers only
//! while subscribed to their invalidations. A value read before an invalidation is never stored
//! after it (generation check), and entries live at most [`MAX_TTL`] whatever happens.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use axum::body::Bytes;

use super::Policy;

/// Longest life of an entry in memory, even without any invalidation.
pub const MAX_TTL: Duration = Duration::from_secs(60);

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

    /// An entry outside the answers' policies (the API clients), while the tier is live.
    pub fn get_raw(&self, key: &str) -> Option<Bytes> {
        if !self.is_live() {
            return None;
        }
        self.entries.get(key)
    }

    /// Keeps `value` unless an invalidation happened since `ticket` or the tier is not live.
    pub fn put(&self, ticket: Ticket, policy: Policy, key: &str, value: Bytes) {
        if policy.in_memory() {
            self.put_raw(ticket, key, value);
        }
    }

    /// As [`Memory::put`], for an entry outside the answers' policies.
    pub fn put_raw(&self, ticket: Ticket, key: &str, value: Bytes) {
        if !self.is_live() {
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
    pub(super) fn set_live(&self, live: bool) {
        self.clear();
        self.live.store(live, Ordering::Release);
    }

    pub fn entry_count(&self) -> u64 {
        self.entries.run_pending_tasks();
        self.entries.entry_count()
    }
}
