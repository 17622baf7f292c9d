//! The delivery worker of an instance: claims due deliveries (leased, so instances never attempt
//! the same one at once), POSTs each event signed to its subscription's URL, and records the
//! outcome, which decides the retry, the dead letter and the disabling (`domain::webhooks`).

use std::sync::Arc;
use std::time::Instant;

use axum::http::{StatusCode, header};
use axum_prometheus::metrics::{counter, histogram};
use chrono::Utc;
use domain::db::PgPool;
use domain::webhooks::{Claimed, DeliveryStatus, Outcome};
use tokio::task::JoinSet;

use super::config::WebhookSettings;
use super::signing::{ID_HEADER, SIGNATURE_HEADER, TIMESTAMP_HEADER, signature};
use crate::dto::events::Event;

/// Bytes of a receiver's answer read (and ignored) so its connection serves the next delivery;
/// a longer answer is dropped with its connection.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// One instance's worker; cheap to clone.
#[derive(Clone)]
pub struct Worker {
    inner: Arc<Inner>,
}

struct Inner {
    pool: PgPool,
    http: reqwest::Client,
    /// The lease owner: the instance and its process.
    owner: String,
    settings: WebhookSettings,
}

impl Worker {
    /// A worker whose leases are `owner`'s (unique among the running workers).
    pub fn new(
        pool: PgPool,
        settings: WebhookSettings,
        owner: String,
    ) -> Result<Self, reqwest::Error> {
        let http = reqwest::Client::builder()
            .timeout(settings.timeout)
            // a redirect is not a 2xx: the subscription's URL is the one to fix
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("multimagasin-webhooks/", env!("CARGO_PKG_VERSION")))
            .build()?;
        Ok(Worker {
            inner: Arc::new(Inner {
                pool,
                http,
                owner,
                settings,
            }),
        })
    }

    pub fn owner(&self) -> &str {
        &self.inner.owner
    }

    /// Attempts every due delivery, `concurrency` at a time, claiming more as attempts finish,
    /// until none is due; returns how many attempts it made. Dropped (shutdown), it drops the
    /// attempts in flight: their leases expire and another run takes them again.
    pub async fn drain(&self) -> u64 {
        let concurrency = self.inner.settings.concurrency as usize;
        let mut running: JoinSet<()> = JoinSet::new();
        let mut attempts = 0;
        loop {
            // claims when there is room: at first, then each time an attempt finishes (which
            // made room, while time made more deliveries due)
            let free = concurrency.saturating_sub(running.len());
            if free > 0 {
                match self.claim(free).await {
                    Ok(batch) => {
                        for claimed in batch {
                            let inner = self.inner.clone();
                            running.spawn(async move { inner.deliver(claimed).await });
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %common::error::cause_chain(&e), "could not claim webhook deliveries");
                    }
                }
            }
            // none running: nothing was due (or the claim failed), until the next run
            let finished = running.join_next().await;
            let Some(finished) = finished else {
                return attempts;
            };
            attempts += 1;
            if let Err(e) = finished {
                tracing::error!(error = %e, "a webhook delivery task failed");
            }
        }
    }

    async fn claim(&self, limit: usize) -> domain::Result<Vec<Claimed>> {
        let inner = &self.inner;
        domain::webhooks::claim(
            &inner.pool,
            &inner.owner,
            u32::try_from(limit).unwrap_or(u32::MAX),
            inner.settings.lease,
        )
        .await
    }
}

impl Inner {
    /// One attempt and its record.
    async fn deliver(&self, claimed: Claimed) {
        let outcome = self.attempt(&claimed).await;
        histogram!("webhook_delivery_duration_seconds").record(outcome.duration.as_secs_f64());
        let result = if outcome.delivered {
            "delivered"
        } else {
            "failed"
        };
        counter!("webhook_deliveries_total", "outcome" => result).increment(1);
        tracing::debug!(
            delivery = claimed.delivery_id,
            subscription = claimed.subscription_id,
            event = claimed.event.id,
            status_code = outcome.status_code,
            error = outcome.error.as_deref(),
            "webhook attempt"
        );
        match domain::webhooks::record(&self.pool, &claimed, &outcome, &self.settings.policy).await
        {
            Ok(recorded) => {
                if recorded.status == Some(DeliveryStatus::Dead) {
                    counter!("webhook_dead_letters_total").increment(1);
                    tracing::warn!(
                        delivery = claimed.delivery_id,
                        subscription = claimed.subscription_id,
                        event = claimed.event.id,
                        attempts = claimed.attempts + 1,
                        "webhook delivery dead after its retry window"
                    );
                }
                if recorded.disabled {
                    counter!("webhook_subscriptions_disabled_total").increment(1);
                    tracing::warn!(
                        subscription = claimed.subscription_id,
                        "webhook subscription disabled: every delivery failed for too long"
                    );
                }
            }
            // the lease expires and the delivery is attempted again
            Err(e) => tracing::warn!(
                delivery = claimed.delivery_id,
                error = %common::error::cause_chain(&e),
                "could not record a webhook attempt"
            ),
        }
    }

    async fn attempt(&self, claimed: &Claimed) -> Outcome {
        let attempted_at = Utc::now();
        let started = Instant::now();
        let answer = self.post(claimed, attempted_at.timestamp()).await;
        let duration = started.elapsed();
        let (status_code, error) = match answer {
            Ok(status) => (Some(status), None),
            Err(error) => (None, Some(error)),
        };
        Outcome {
            attempted_at,
            duration,
            status_code: status_code.map(|s| s.as_u16()),
            error,
            delivered: status_code.is_some_and(|s| s.is_success()),
        }
    }

    /// POSTs the event as `GET /events` shows it, signed; the receiver's status, or why there
    /// is none.
    async fn post(&self, claimed: &Claimed, timestamp: i64) -> Result<StatusCode, String> {
        let body = serde_json::to_vec(&Event::from(claimed.event.clone()))
            .map_err(|e| format!("sérialisation de l'événement : {e}"))?;
        let signature = signature(claimed.secret.expose(), timestamp, &body);
        let mut response = self
            .http
            .post(&claimed.url)
            .header(header::CONTENT_TYPE, "application/json")
            .header(ID_HEADER, claimed.event.id)
            .header(TIMESTAMP_HEADER, timestamp)
            .header(SIGNATURE_HEADER, signature)
            .body(body)
            .send()
            .await
            .map_err(|e| self.describe(e))?;
        let status = response.status();
        let mut read = 0;
        while read <= MAX_ANSWER_BYTES {
            match response.chunk().await {
                Ok(Some(chunk)) => read += chunk.len(),
                Ok(None) | Err(_) => break,
            }
        }
        Ok(status)
    }

    /// An HTTP failure in the log's words, without the URL (shown apart, to admins only).
    fn describe(&self, error: reqwest::Error) -> String {
        let error = error.without_url();
        if error.is_timeout() {
            format!("pas de réponse en {} ms", self.settings.timeout.as_millis())
        } else if error.is_connect() {
            format!(
                "connexion impossible : {}",
                common::error::cause_chain(&error)
            )
        } else {
            common::error::cause_chain(&error)
        }
    }
}

/// A unique lease owner for a worker of `instance` in this process.
pub fn owner_id(instance: &str) -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static WORKERS: AtomicU32 = AtomicU32::new(0);
    format!(
        "{instance}/{}/{}",
        std::process::id(),
        WORKERS.fetch_add(1, Ordering::Relaxed)
    )
}
