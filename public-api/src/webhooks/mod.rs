//! Webhook delivery (SPEC section 9): every API instance runs a worker beside the server. The
//! deliveries, their leases, retries, dead letters and the disabling of failing subscriptions
//! are `domain::webhooks`'; here are the HTTP side (the signed POST), the settings and the task.

pub mod config;
pub mod signing;
pub mod worker;

pub use config::{WebhookArgs, WebhookSettings};
pub use worker::{Worker, owner_id};

use common::tasks::Tasks;
use domain::db::PgPool;

/// Starts the delivery worker of `instance` among `tasks`: every poll period it attempts what is
/// due until nothing is, and it stops with the other tasks. Returns it (`None` when
/// `WEBHOOK_CONCURRENCY` is 0: this instance delivers nothing, the others do).
pub fn spawn(
    tasks: &mut Tasks,
    pool: PgPool,
    settings: WebhookSettings,
    instance: &str,
) -> Result<Option<Worker>, reqwest::Error> {
    if settings.concurrency == 0 {
        tracing::info!("WEBHOOK_CONCURRENCY is 0: this instance delivers no webhook");
        return Ok(None);
    }
    let poll = settings.poll;
    let worker = Worker::new(pool, settings, owner_id(instance))?;
    let task = worker.clone();
    tasks.every("webhook deliveries", poll, move || {
        let worker = task.clone();
        async move {
            worker.drain().await;
        }
    });
    Ok(Some(worker))
}
