//! Replenishment requests: a store asks, the warehouse approves (reserving its stock) and
//! delivers (adding it to the store), or refuses; the store may cancel before approval.
//! Each transition is one conditional `UPDATE ... WHERE status = <from>`, so a repeated or
//! concurrent transition happens once and moves stock once.
//!
//! This file holds the request and its reads; `create`, `transition` and `history` the verbs.

mod create;
mod history;
mod transition;

pub use create::*;
pub use history::*;
pub use transition::*;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgPool, Postgres, QueryBuilder};

use crate::{Actor, Error, Page, PageRequest, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RequestStatus {
    EnAttente,
    Validee,
    Livree,
    Refusee,
    Annulee,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 5] = [
        RequestStatus::EnAttente,
        RequestStatus::Validee,
        RequestStatus::Livree,
        RequestStatus::Refusee,
        RequestStatus::Annulee,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            RequestStatus::EnAttente => "en_attente",
            RequestStatus::Validee => "validee",
            RequestStatus::Livree => "livree",
            RequestStatus::Refusee => "refusee",
            RequestStatus::Annulee => "annulee",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// French label for people.
    pub fn label(self) -> &'static str {
        match self {
            RequestStatus::EnAttente => "En attente",
            RequestStatus::Validee => "Validée",
            RequestStatus::Livree => "Livrée",
            RequestStatus::Refusee => "Refusée",
            RequestStatus::Annulee => "Annulée",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct ReplenishmentRequest {
    pub id: i64,
    pub store_id: i64,
    pub store_name: String,
    pub product_id: i64,
    pub product_code: String,
    pub product_name: String,
    pub quantity: i32,
    #[sqlx(try_from = "String")]
    pub status: RequestStatusText,
    pub note: String,
    pub requested_by: Option<i64>,
    pub requested_at: DateTime<Utc>,
    pub approved_by: Option<i64>,
    pub approved_at: Option<DateTime<Utc>>,
    pub delivered_by: Option<i64>,
    pub delivered_at: Option<DateTime<Utc>>,
    pub refused_by: Option<i64>,
    pub refused_at: Option<DateTime<Utc>>,
    pub refusal_reason: Option<String>,
    pub cancelled_by: Option<i64>,
    pub cancelled_at: Option<DateTime<Utc>>,
}

/// The status as stored, decoded once from its text column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RequestStatusText(pub RequestStatus);

impl TryFrom<String> for RequestStatusText {
    type Error = String;
    fn try_from(s: String) -> std::result::Result<Self, String> {
        RequestStatus::parse(&s)
            .map(RequestStatusText)
            .ok_or_else(|| format!("unknown status {s}"))
    }
}

impl ReplenishmentRequest {
    pub fn status(&self) -> RequestStatus {
        self.status.0
    }
}

const REQUEST_SELECT: &str = "SELECT r.id, r.store_id, s.name AS store_name, r.product_id,
        p.code AS product_code, p.name AS product_name, r.quantity, r.status, r.note,
        r.requested_by, r.requested_at, r.approved_by, r.approved_at, r.delivered_by,
        r.delivered_at, r.refused_by, r.refused_at, r.refusal_reason, r.cancelled_by,
        r.cancelled_at
     FROM replenishment_requests r JOIN stores s ON s.id = r.store_id
     JOIN products p ON p.id = r.product_id";

pub async fn get_request(db: impl sqlx::PgExecutor<'_>, id: i64) -> Result<ReplenishmentRequest> {
    sqlx::query_as(&format!("{REQUEST_SELECT} WHERE r.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or_else(|| Error::not_found("Demande de réapprovisionnement", id))
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestFilter {
    pub status: Option<RequestStatus>,
    pub store_id: Option<i64>,
}

/// Requests, newest first. Store staff see their own store's only.
pub async fn list_requests(
    db: &PgPool,
    actor: &Actor,
    filter: &RequestFilter,
    page: PageRequest,
) -> Result<Page<ReplenishmentRequest>> {
    let store_id = match (actor.is_head_office(), filter.store_id) {
        (true, store) => store,
        (false, Some(store)) => {
            actor.ensure_store(store)?;
            Some(store)
        }
        (false, None) => match actor {
            Actor::Employee { store_id, .. } => *store_id,
            _ => None,
        },
    };
    let push_where = |qb: &mut QueryBuilder<'_, Postgres>| {
        qb.push(" WHERE TRUE");
        if let Some(status) = filter.status {
            qb.push(" AND r.status = ").push_bind(status.as_str());
        }
        if let Some(store) = store_id {
            qb.push(" AND r.store_id = ").push_bind(store);
        }
    };
    let mut count = QueryBuilder::new("SELECT count(*) FROM replenishment_requests r");
    push_where(&mut count);
    let total: i64 = count.build_query_scalar().fetch_one(db).await?;
    let mut qb = QueryBuilder::new(REQUEST_SELECT);
    push_where(&mut qb);
    qb.push(" ORDER BY r.requested_at DESC, r.id DESC LIMIT ")
        .push_bind(page.limit());
    qb.push(" OFFSET ").push_bind(page.offset());
    let items = qb.build_query_as().fetch_all(db).await?;
    Ok(Page::new(items, total, page))
}
