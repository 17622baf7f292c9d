//! Concurrent sales recorded together. `POST /stores/{id}/sales` hands its checked cart to the
//! lane of its store; a lane records whatever has queued while its previous batch was being
//! written, in one transaction: the idempotency claims, one sale statement for the carts
//! (`domain::sales::record_sales_in`), the stored answers and one commit. Alone, a request
//! makes a batch of one and waits for nothing; under load, the fixed cost of a sale (round
//! trips, statements, triggers, commit) is shared by the batch.
//!
//! Each request keeps the answer it would get alone: the domain gives each cart its own outcome
//! and refusal, a key already claimed (a retry, or the same key twice in a batch) and a batch
//! that fails are answered by the request's own path ([`Reply::Alone`]), from the stored answer
//! or in a transaction of its own.

use std::collections::HashSet;
use std::sync::{Arc, OnceLock};

use axum::http::StatusCode;
use domain::idempotency::{self, SavedResponse};
use domain::sales::NewSale;
use tokio::sync::{mpsc, oneshot};

use super::sales::{counted, render};
use crate::ApiState;
use crate::auth::Caller;
use crate::cache::{Cache, Change};
use crate::error::ApiError;

/// Lanes of an instance: a store always uses the same one, and each writes one batch at a time.
const LANES: usize = 8;
/// Most carts in one batch.
const MAX_BATCH: usize = 32;

/// One sale request, checked and ready to be recorded.
pub(crate) struct Job {
    pub caller: Caller,
    pub store_id: i64,
    /// The `Idempotency-Key` and the hash of the request.
    pub key: String,
    pub hash: String,
    pub new: NewSale,
}

/// What a lane answers.
pub(crate) enum Reply {
    /// The final answer (201, or 409 for lack of stock), stored with the key.
    Answer(StatusCode, Vec<u8>),
    /// A refusal that is not stored (the same request gets it again).
    Refused(ApiError),
    /// The request must be answered on its own path.
    Alone,
}

#[derive(Clone, Default)]
pub(crate) struct SaleBatches(Arc<[OnceLock<mpsc::UnboundedSender<Queued>>; LANES]>);

struct Queued {
    job: Job,
    reply: oneshot::Sender<Reply>,
}

/// What a lane needs of the state (not the state itself, which holds the lanes).
#[derive(Clone)]
struct Writer {
    pool: domain::db::PgPool,
    taxes: domain::TaxRates,
    cache: Cache,
}

impl SaleBatches {
    /// Queues the job in its store's lane and waits for the answer.
    pub(crate) async fn submit(&self, state: &ApiState, job: Job) -> Reply {
        let lane = &self.0[job.store_id.unsigned_abs() as usize % LANES];
        let sender = lane.get_or_init(|| {
            let (sender, receiver) = mpsc::unbounded_channel();
            let writer = Writer {
                pool: state.pool.clone(),
                taxes: state.taxes,
                cache: state.cache.clone(),
            };
            tokio::spawn(run_lane(receiver, writer));
            sender
        });
        let (reply, answer) = oneshot::channel();
        if sender.send(Queued { job, reply }).is_err() {
            return Reply::Alone;
        }
        // a batch that panicked dropped its senders: the request goes its own way
        answer.await.unwrap_or(Reply::Alone)
    }
}

async fn run_lane(mut receiver: mpsc::UnboundedReceiver<Queued>, writer: Writer) {
    while let Some(first) = receiver.recv().await {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match receiver.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        // in its own task, so that a panic loses this batch's answers, not the lane
        if let Err(e) = tokio::spawn(record(writer.clone(), batch)).await {
            tracing::error!(error = %e, "a batch of sales panicked; its requests go alone");
        }
    }
}

/// Records a batch and answers each of its requests.
async fn record(writer: Writer, batch: Vec<Queued>) {
    // one request per key in a batch: a repeat waits for the first and replays its answer
    let mut keys = HashSet::new();
    let (batch, repeats): (Vec<_>, Vec<_>) = batch
        .into_iter()
        .partition(|q| keys.insert((q.job.caller.key(), q.job.key.clone())));
    let jobs: Vec<&Job> = batch.iter().map(|q| &q.job).collect();
    axum_prometheus::metrics::histogram!("sales_batch_size").record(jobs.len() as f64);
    let replies = match write(&writer, &jobs).await {
        Ok(replies) => replies,
        Err(e) => {
            tracing::warn!(error = %e, sales = jobs.len(), "a batch of sales failed; each goes alone");
            jobs.iter().map(|_| Reply::Alone).collect()
        }
    };
    for (queued, reply) in batch.into_iter().zip(replies) {
        // the caller may have gone (client disconnected): its sale stands, its retry replays
        let _ = queued.reply.send(reply);
    }
    for queued in repeats {
        let _ = queued.reply.send(Reply::Alone);
    }
}

/// The batch's transaction; one reply per job. An error rolls everything back.
async fn write(writer: &Writer, jobs: &[&Job]) -> domain::Result<Vec<Reply>> {
    let clients: Vec<String> = jobs.iter().map(|j| j.caller.key()).collect();
    let claims: Vec<(&str, &str, &str)> = jobs
        .iter()
        .zip(&clients)
        .map(|(j, c)| (c.as_str(), j.key.as_str(), j.hash.as_str()))
        .collect();
    let mut tx = domain::db::begin_hot_path(&writer.pool).await?;
    let claimed = idempotency::claim_in(&mut tx, &claims).await?;
    let mine: Vec<usize> = (0..jobs.len()).filter(|&i| claimed[i]).collect();
    let actors: Vec<domain::Actor> = jobs.iter().map(|j| j.caller.actor()).collect();
    let carts: Vec<(&domain::Actor, &NewSale)> =
        mine.iter().map(|&i| (&actors[i], &jobs[i].new)).collect();
    let outcomes = domain::sales::record_sales_in(&mut tx, &writer.taxes, &carts).await?;

    let mut replies: Vec<Reply> = jobs.iter().map(|_| Reply::Alone).collect();
    let mut stored = Vec::new();
    let mut released = Vec::new();
    for (&i, outcome) in mine.iter().zip(outcomes) {
        match render(outcome).await {
            Ok((status, body)) => stored.push((i, SavedResponse { status, body })),
            Err(refused) => {
                released.push((claims[i].0, claims[i].1));
                replies[i] = Reply::Refused(refused);
            }
        }
    }
    let answers: Vec<(&str, &str, &str, &SavedResponse)> = stored
        .iter()
        .map(|(i, saved)| (claims[*i].0, claims[*i].1, claims[*i].2, saved))
        .collect();
    idempotency::complete_in(&mut tx, &answers).await?;
    idempotency::release_in(&mut tx, &released).await?;
    tx.commit().await?;

    let mut any_recorded = false;
    for (i, saved) in stored {
        let status = StatusCode::from_u16(saved.status).unwrap_or(StatusCode::OK);
        any_recorded |= counted(status, jobs[i].store_id);
        replies[i] = Reply::Answer(status, saved.body);
    }
    if any_recorded {
        writer.cache.invalidate(Change::Sales).await;
    }
    Ok(replies)
}
