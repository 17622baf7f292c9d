//! How many reports each caller may have computed at once on this instance
//! (`REPORT_CONCURRENCY`): a report holds a database connection for its whole snapshot, so a
//! few callers asking for many reports at once would otherwise hold the pool and make everyone
//! else wait for a connection. A caller over its share gets 429 with `Retry-After` at once;
//! cached answers need no share.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::auth::Caller;
use crate::error::ApiError;

/// What a caller over its share is told to wait, in seconds: reports take well under a second.
pub const RETRY_AFTER_SECS: u64 = 1;

/// The shares of every caller seen; cheap to clone.
#[derive(Clone)]
pub struct ReportGate {
    per_caller: usize,
    /// One semaphore per caller (`Caller::key`): callers are authenticated clients, so the map
    /// is as large as the list of API clients.
    shares: Arc<Mutex<HashMap<String, Arc<Semaphore>>>>,
}

impl ReportGate {
    /// `per_caller` reports at once for each caller; 0 means no bound.
    pub fn new(per_caller: u32) -> Self {
        ReportGate {
            per_caller: per_caller as usize,
            shares: Arc::default(),
        }
    }

    /// A permit to compute one report for `caller`, held until it is dropped; a 429 when the
    /// caller already computes as many as allowed.
    pub fn enter(&self, caller: &Caller) -> Result<Option<OwnedSemaphorePermit>, ApiError> {
        if self.per_caller == 0 {
            return Ok(None);
        }
        let semaphore = {
            let Ok(mut shares) = self.shares.lock() else {
                return Ok(None);
            };
            shares
                .entry(caller.key())
                .or_insert_with(|| Arc::new(Semaphore::new(self.per_caller)))
                .clone()
        };
        semaphore
            .try_acquire_owned()
            .map(Some)
            .map_err(|_| ApiError::RateLimited {
                retry_after_secs: RETRY_AFTER_SECS,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(id: i64) -> Caller {
        Caller {
            client_id: Some(id),
            name: format!("client-{id}"),
            scopes: vec![],
            stores: None,
        }
    }

    #[test]
    fn each_caller_has_its_own_share() {
        let gate = ReportGate::new(2);
        let first = gate.enter(&caller(1)).unwrap();
        let second = gate.enter(&caller(1)).unwrap();
        assert!(matches!(
            gate.enter(&caller(1)),
            Err(ApiError::RateLimited { .. })
        ));
        assert!(gate.enter(&caller(2)).is_ok(), "another caller is not held");
        drop(first);
        assert!(
            gate.enter(&caller(1)).is_ok(),
            "a finished report frees its permit"
        );
        drop(second);
        assert!(ReportGate::new(0).enter(&caller(1)).unwrap().is_none());
    }
}
