//! `POST /stores/{id}/sales` as one service. The handler reads a [`SaleRequest`] and makes one
//! call, [`SaleService::submit`]; the service records it in its store's lane and answers a
//! [`SaleReply`], which becomes the HTTP response outside any transaction.
//!
//! Concurrent sales of a store are recorded together: a lane records whatever queued while its
//! previous batch was written, in one transaction (`batch.rs`): the idempotency claims, one
//! sale statement for the carts (`domain::sales::record_sales_in`), the stored answers and one
//! commit. Alone, a request makes a batch of one and waits for nothing; under load, the fixed
//! cost of a sale (round trips, statements, triggers, commit) is shared by the batch.
//!
//! A request alone and a request in a batch take the same code path (`batch::record`), so each
//! gets the answer it would get alone: the domain gives each cart its own outcome, a key claimed
//! twice in a batch is claimed again after the batch's commit, and a batch that fails is
//! retried one request per transaction.

mod answer;
mod batch;
mod lane;

use std::sync::Arc;

use axum::http::{HeaderMap, Method, header};
use domain::idempotency::{KeyClaim, KeyRef, SavedResponse};
use domain::sales::NewSale;
use tokio::sync::{mpsc, oneshot};

use crate::auth::Caller;
use crate::cache::Cache;
use crate::dto::sales::SaleInput;
use crate::error::{ApiError, FieldProblem};
use crate::extract::parse_json;
use crate::idempotency::{IdempotencyKey, RequestHash};

/// Lanes of an instance: a store always uses the same one, and each writes one batch at a time.
const LANES: usize = 8;
/// Most carts in one batch.
const MAX_BATCH: usize = 32;
/// Requests a lane holds while it writes; a request finding its lane full waits for room.
const LANE_CAPACITY: usize = 4 * MAX_BATCH;

/// One sale request, read and ready to be recorded.
pub struct SaleRequest {
    /// The caller's namespace of keys (`Caller::key`) and who sells.
    client: String,
    actor: domain::Actor,
    store_id: i64,
    key: IdempotencyKey,
    hash: RequestHash,
    /// The cart, or what the contract finds wrong with it: answered once the key is checked
    /// (a retry of a key already answered gets that answer, whatever its body).
    cart: Result<NewSale, Vec<FieldProblem>>,
}

impl SaleRequest {
    /// Reads a request in the order its problems are answered: the key (400 or 422), the media
    /// type (415), the JSON (400); a body that does not fit the contract is kept as its
    /// problems.
    pub fn read(
        caller: &Caller,
        store_id: i64,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Self, ApiError> {
        let key = IdempotencyKey::from_headers(headers)?;
        let is_json = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let value: serde_json::Value =
            serde_json::from_slice(body).map_err(|e| ApiError::BadRequest {
                code: "malformed_json",
                detail: format!("JSON invalide : {e}"),
            })?;
        let path = format!("/api/v1/stores/{store_id}/sales");
        let hash = RequestHash::of(&Method::POST, &path, &value);
        let client = caller.key();
        let cart = match parse_json::<SaleInput>(body) {
            Ok(input) => input.into_sale(store_id, key.client_sale_id(&client)),
            Err(ApiError::Validation(problems)) => Err(problems),
            Err(other) => return Err(other),
        };
        Ok(SaleRequest {
            client,
            actor: caller.actor(),
            store_id,
            key,
            hash,
            cart,
        })
    }

    /// The key this request claims.
    fn claim(&self) -> KeyClaim<'_> {
        KeyClaim {
            key: KeyRef {
                client: &self.client,
                key: self.key.as_str(),
            },
            request_hash: self.hash.as_str(),
        }
    }
}

/// What a sale request gets, one variant per situation.
#[derive(Debug)]
pub enum SaleReply {
    /// Recorded now, with the answer stored under the key: the sale (201), or the refusal for
    /// lack of stock (409), which is as final.
    Answered(SavedResponse),
    /// The key was answered before, for the same request: that answer.
    Replayed(SavedResponse),
    /// The key was used before for another request (409).
    KeyReused,
    /// Refused and not stored (bad input, unknown store or product, no right): the same
    /// request gets the same answer again, and the key stays free.
    Refused(ApiError),
    /// PostgreSQL failed: nothing was recorded (500, or 503 while it is unavailable).
    Failed(domain::Error),
}

/// What recording needs of the state (not the state itself, which holds the lanes).
#[derive(Clone)]
struct Writer {
    pool: domain::db::PgPool,
    rules: domain::Rules,
    cache: Cache,
}

/// The sale service of an instance: its lanes, started with it. The lanes end once every
/// clone of the service (held by the state) has been dropped, at shutdown.
#[derive(Clone)]
pub struct SaleService {
    /// `None` when the service was built outside an async runtime: each request is then
    /// recorded on its own, on the same path.
    lanes: Option<Arc<[mpsc::Sender<lane::Queued>]>>,
    writer: Writer,
}

impl SaleService {
    /// Starts the lanes on the current runtime.
    pub fn start(pool: domain::db::PgPool, rules: domain::Rules, cache: Cache) -> Self {
        let writer = Writer { pool, rules, cache };
        let lanes = match tokio::runtime::Handle::try_current() {
            Ok(runtime) => Some(
                (0..LANES)
                    .map(|_| lane::spawn(&runtime, writer.clone()).0)
                    .collect(),
            ),
            Err(_) => {
                tracing::warn!("no async runtime: sales are recorded one at a time");
                None
            }
        };
        SaleService { lanes, writer }
    }

    /// Records a sale request in its store's lane and waits for its reply.
    pub async fn submit(&self, request: SaleRequest) -> SaleReply {
        let Some(lanes) = &self.lanes else {
            return batch::record_one(&self.writer, request).await;
        };
        let lane = &lanes[request.store_id.unsigned_abs() as usize % LANES];
        let (reply, answer) = oneshot::channel();
        if let Err(mpsc::error::SendError(queued)) =
            lane.send(lane::Queued { request, reply }).await
        {
            // the lane has ended (the runtime is shutting down): the request goes alone
            return batch::record_one(&self.writer, queued.request).await;
        }
        answer.await.unwrap_or_else(|_| {
            // the batch panicked before answering: its transaction rolled back, or committed
            // and a retry with the key replays the answer
            SaleReply::Failed(domain::Error::Internal(
                "le lot de ventes s'est interrompu".into(),
            ))
        })
    }
}
