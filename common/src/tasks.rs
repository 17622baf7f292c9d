//! The background work of a binary, in plain sight: each `serve()` spawns its periodic tasks
//! here (metrics upkeep, purges of expired rows) and waits for them after the server stopped.
//! Every task stops when the shutdown token is cancelled, even in the middle of a run.

use std::future::Future;
use std::time::Duration;

use tokio::task::JoinSet;
use tokio::time::{Instant, MissedTickBehavior};
use tokio_util::sync::CancellationToken;

/// Periodic tasks sharing one shutdown token.
pub struct Tasks {
    shutdown: CancellationToken,
    running: JoinSet<()>,
}

impl Tasks {
    pub fn new(shutdown: CancellationToken) -> Self {
        Tasks {
            shutdown,
            running: JoinSet::new(),
        }
    }

    /// Runs `job` every `period`, the first time one period after start (instances started
    /// together do not all hit the database at boot), until shutdown. A run that outlasts the
    /// period delays the next one instead of piling up.
    pub fn every<F, Fut>(&mut self, name: &'static str, period: Duration, mut job: F)
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = ()> + Send,
    {
        let shutdown = self.shutdown.clone();
        self.running.spawn(async move {
            let mut ticks = tokio::time::interval_at(Instant::now() + period, period);
            ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
            tracing::debug!(
                task = name,
                every_secs = period.as_secs_f64(),
                "task started"
            );
            loop {
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = ticks.tick() => {}
                }
                tokio::select! {
                    _ = shutdown.cancelled() => break,
                    _ = job() => {}
                }
            }
            tracing::debug!(task = name, "task stopped");
        });
    }

    /// Folds the metrics' histogram samples into their buckets every `period`
    /// ([`crate::metrics::upkeep`]).
    pub fn metrics_upkeep(&mut self, period: Duration) {
        let handle = crate::metrics::install();
        self.every("metrics-upkeep", period, move || {
            crate::metrics::upkeep(&handle);
            std::future::ready(())
        });
    }

    /// Deletes expired rows every `period` with `purge` (a `domain` function returning how many
    /// rows it deleted), logging what it did under the name `what`.
    pub fn purge<F, Fut, E>(&mut self, what: &'static str, period: Duration, mut purge: F)
    where
        F: FnMut() -> Fut + Send + 'static,
        Fut: Future<Output = Result<u64, E>> + Send,
        E: std::error::Error + 'static,
    {
        self.every(what, period, move || {
            let run = purge();
            async move { log_purge(what, run.await) }
        });
    }

    /// Cancels the token (the server may have stopped on an error rather than a signal) and
    /// waits until every task has stopped, at most `grace`; tasks still running are aborted.
    pub async fn stopped(mut self, grace: Duration) {
        self.shutdown.cancel();
        let all = async { while self.running.join_next().await.is_some() {} };
        if tokio::time::timeout(grace, all).await.is_err() {
            tracing::warn!("background tasks still running after shutdown: aborted");
            self.running.abort_all();
        }
    }
}

/// Logs the outcome of a purge of expired rows: their count when there were some, the cause
/// chain of a failure (the next run tries again).
fn log_purge<E>(what: &'static str, outcome: Result<u64, E>)
where
    E: std::error::Error + 'static,
{
    match outcome {
        Ok(0) => {}
        Ok(rows) => tracing::info!(rows, "purged expired {what}"),
        Err(e) => {
            tracing::warn!(error = %crate::error::cause_chain(&e), "could not purge expired {what}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn counting(tasks: &mut Tasks, period: Duration) -> Arc<AtomicU32> {
        let runs = Arc::new(AtomicU32::new(0));
        let counted = runs.clone();
        tasks.every("count", period, move || {
            counted.fetch_add(1, Ordering::SeqCst);
            std::future::ready(())
        });
        runs
    }

    #[tokio::test]
    async fn a_task_runs_every_period_until_shutdown() {
        let shutdown = CancellationToken::new();
        let mut tasks = Tasks::new(shutdown.clone());
        let slow = counting(&mut tasks, Duration::from_secs(3600));
        let fast = counting(&mut tasks, Duration::from_millis(20));
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(slow.load(Ordering::SeqCst), 0, "not at start");
        assert!(fast.load(Ordering::SeqCst) >= 3, "again and again");
        shutdown.cancel();
        tasks.stopped(Duration::from_secs(5)).await;
        let after = fast.load(Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(fast.load(Ordering::SeqCst), after, "none after shutdown");
    }

    #[tokio::test]
    async fn shutdown_interrupts_a_run_in_progress() {
        let shutdown = CancellationToken::new();
        let mut tasks = Tasks::new(shutdown.clone());
        let stuck = Arc::new(AtomicU32::new(0));
        let started_runs = stuck.clone();
        tasks.every("stuck", Duration::from_millis(10), move || {
            started_runs.fetch_add(1, Ordering::SeqCst);
            std::future::pending::<()>()
        });
        while stuck.load(Ordering::SeqCst) == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        shutdown.cancel();
        let started = Instant::now();
        tasks.stopped(Duration::from_secs(30)).await;
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "stopped at once"
        );
    }
}
