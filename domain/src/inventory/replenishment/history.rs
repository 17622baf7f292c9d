//! The history of one request: its steps with who did them, and the stock it moved.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgPool};

use super::{ReplenishmentRequest, RequestStatus, get_request};
use crate::{Actor, Result};

/// One step of a request's life: the status it reached, when, by whom, and what was said
/// (the requester's note, the refusal reason).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestStep {
    pub status: RequestStatus,
    pub at: DateTime<Utc>,
    pub employee_id: Option<i64>,
    pub employee_name: Option<String>,
    pub note: Option<String>,
}

/// A stock movement caused by a request (warehouse out on approval, store in on delivery).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct RequestMovement {
    pub id: i64,
    pub location: String,
    pub store_id: Option<i64>,
    pub delta: i32,
    pub reason: String,
    pub employee_id: Option<i64>,
    pub employee_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestHistory {
    pub request: ReplenishmentRequest,
    /// In the order they happened, the request itself first.
    pub steps: Vec<RequestStep>,
    /// From the movement journal, oldest first.
    pub movements: Vec<RequestMovement>,
}

/// The history of one request, for head office and the requesting store's staff.
pub async fn request_history(db: &PgPool, actor: &Actor, id: i64) -> Result<RequestHistory> {
    let request = get_request(db, id).await?;
    actor.ensure_visible(request.store_id, "Demande de réapprovisionnement", id)?;
    let r = &request;
    let mut steps: Vec<RequestStep> = [
        (
            RequestStatus::EnAttente,
            Some(r.requested_at),
            r.requested_by,
            Some(r.note.clone()),
        ),
        (RequestStatus::Validee, r.approved_at, r.approved_by, None),
        (RequestStatus::Livree, r.delivered_at, r.delivered_by, None),
        (
            RequestStatus::Refusee,
            r.refused_at,
            r.refused_by,
            r.refusal_reason.clone(),
        ),
        (RequestStatus::Annulee, r.cancelled_at, r.cancelled_by, None),
    ]
    .into_iter()
    .filter_map(|(status, at, employee_id, note)| {
        Some(RequestStep {
            status,
            at: at?,
            employee_id,
            employee_name: None,
            note: note.filter(|n| !n.trim().is_empty()),
        })
    })
    .collect();
    steps.sort_by_key(|s| s.at);
    let ids: Vec<i64> = steps.iter().filter_map(|s| s.employee_id).collect();
    let names: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, full_name FROM employees WHERE id = ANY($1)")
            .bind(&ids)
            .fetch_all(db)
            .await?;
    for step in &mut steps {
        step.employee_name = step
            .employee_id
            .and_then(|id| names.iter().find(|(n, _)| *n == id))
            .map(|(_, name)| name.clone());
    }
    let movements = sqlx::query_as(
        "SELECT m.id, m.location, m.store_id, m.delta, m.reason, m.employee_id,
                e.full_name AS employee_name, m.created_at
         FROM stock_movements m LEFT JOIN employees e ON e.id = m.employee_id
         WHERE m.request_id = $1 ORDER BY m.created_at, m.id",
    )
    .bind(id)
    .fetch_all(db)
    .await?;
    Ok(RequestHistory {
        request,
        steps,
        movements,
    })
}
