//! Moving a request through its state machine: approve, refuse, deliver, cancel; who may, and
//! the stock each transition moves.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};

use super::{ReplenishmentRequest, RequestStatus, get_request};
use crate::inventory::{Location, MovementReason, StockChange, change_stock};
use crate::{Actor, Error, Result};

/// The transitions of the state machine.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Transition {
    Approve,
    Refuse,
    Deliver,
    Cancel,
}

impl Transition {
    pub const ALL: [Transition; 4] = [
        Transition::Approve,
        Transition::Refuse,
        Transition::Deliver,
        Transition::Cancel,
    ];

    /// The only status this transition starts from.
    pub fn source_status(self) -> RequestStatus {
        match self {
            Transition::Approve | Transition::Refuse | Transition::Cancel => {
                RequestStatus::EnAttente
            }
            Transition::Deliver => RequestStatus::Validee,
        }
    }

    pub fn target_status(self) -> RequestStatus {
        match self {
            Transition::Approve => RequestStatus::Validee,
            Transition::Refuse => RequestStatus::Refusee,
            Transition::Deliver => RequestStatus::Livree,
            Transition::Cancel => RequestStatus::Annulee,
        }
    }

    /// `(by, at)` columns the transition fills.
    fn columns(self) -> (&'static str, &'static str) {
        match self {
            Transition::Approve => ("approved_by", "approved_at"),
            Transition::Refuse => ("refused_by", "refused_at"),
            Transition::Deliver => ("delivered_by", "delivered_at"),
            Transition::Cancel => ("cancelled_by", "cancelled_at"),
        }
    }

    fn verb_en(self) -> &'static str {
        match self {
            Transition::Approve => "approve",
            Transition::Refuse => "refuse",
            Transition::Deliver => "deliver",
            Transition::Cancel => "cancel",
        }
    }

    fn verb(self) -> &'static str {
        match self {
            Transition::Approve => "valider",
            Transition::Refuse => "refuser",
            Transition::Deliver => "livrer",
            Transition::Cancel => "annuler",
        }
    }

    /// Who may apply it to a request of this store: approve, refuse and deliver are the
    /// warehouse's (head office); cancel is the requesting store's manager's or head office's.
    pub fn authorize(self, actor: &Actor, store_id: i64) -> Result<()> {
        match self {
            Transition::Cancel => actor.ensure_manager_of(store_id),
            _ => actor.ensure_head_office(),
        }
    }
}

impl RequestStatus {
    /// The transitions that may start from this status (whoever applies them).
    pub fn transitions(self) -> Vec<Transition> {
        Transition::ALL
            .into_iter()
            .filter(|t| t.source_status() == self)
            .collect()
    }
}

/// Applies one transition. Approve, refuse and deliver are the warehouse's (head office);
/// cancel is the requesting store's (its manager) or head office's.
pub async fn transition(
    db: &PgPool,
    actor: &Actor,
    request_id: i64,
    transition: Transition,
    reason: Option<&str>,
) -> Result<ReplenishmentRequest> {
    let mut tx = db.begin().await?;
    let request = transition_at(&mut tx, actor, request_id, transition, reason, Utc::now()).await?;
    tx.commit().await?;
    crate::events::emit(
        transition.verb_en(),
        "replenishment_request",
        request_id,
        actor,
        serde_json::json!({"status": request.status().as_str(), "store_id": request.store_id,
            "product_id": request.product_id, "quantity": request.quantity, "reason": reason}),
    );
    match transition {
        Transition::Approve => crate::events::movement(
            actor,
            Location::Warehouse,
            request.product_id,
            -request.quantity,
            "replenishment_out",
        ),
        Transition::Deliver => crate::events::movement(
            actor,
            Location::Store(request.store_id),
            request.product_id,
            request.quantity,
            "replenishment_in",
        ),
        Transition::Refuse | Transition::Cancel => {}
    }
    Ok(request)
}

pub(crate) async fn transition_at(
    conn: &mut PgConnection,
    actor: &Actor,
    request_id: i64,
    transition: Transition,
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> Result<ReplenishmentRequest> {
    let current = get_request(&mut *conn, request_id).await?;
    actor.ensure_visible(
        current.store_id,
        "Demande de réapprovisionnement",
        request_id,
    )?;
    transition.authorize(actor, current.store_id)?;
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if transition == Transition::Refuse && reason.is_none() {
        return Err(Error::invalid("reason", "Indiquez la raison du refus."));
    }
    let (by_col, at_col) = transition.columns();
    // The conditional update is the lock: of two concurrent approvals, one updates a row and
    // the other finds the status already changed.
    let moved: Option<(i64, i64, i32)> = sqlx::query_as(&format!(
        "UPDATE replenishment_requests SET status = $2, {by_col} = $3, {at_col} = $4,
             refusal_reason = COALESCE($5, refusal_reason)
         WHERE id = $1 AND status = $6
         RETURNING store_id, product_id, quantity"
    ))
    .bind(request_id)
    .bind(transition.target_status().as_str())
    .bind(actor.employee_id())
    .bind(at)
    .bind(if transition == Transition::Refuse {
        reason
    } else {
        None
    })
    .bind(transition.source_status().as_str())
    .fetch_optional(&mut *conn)
    .await?;
    let Some((store_id, product_id, quantity)) = moved else {
        let now = get_request(&mut *conn, request_id).await?;
        return Err(Error::Conflict(format!(
            "Impossible de {} cette demande : elle est « {} ».",
            transition.verb(),
            now.status().label()
        )));
    };
    let stock_change = match transition {
        Transition::Approve => Some((
            Location::Warehouse,
            -quantity,
            MovementReason::ReplenishmentOut(request_id),
        )),
        Transition::Deliver => Some((
            Location::Store(store_id),
            quantity,
            MovementReason::ReplenishmentIn(request_id),
        )),
        Transition::Refuse | Transition::Cancel => None,
    };
    if let Some((location, delta, reason)) = stock_change {
        let note = format!("Demande n° {request_id}");
        change_stock(
            conn,
            &StockChange {
                location,
                product_id,
                delta,
                reason,
                actor,
                note: &note,
                at,
            },
        )
        .await?;
    }
    get_request(&mut *conn, request_id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_status_offers_the_transitions_that_start_from_it() {
        use Transition::*;
        assert_eq!(
            RequestStatus::EnAttente.transitions(),
            vec![Approve, Refuse, Cancel]
        );
        assert_eq!(RequestStatus::Validee.transitions(), vec![Deliver]);
        for done in [
            RequestStatus::Livree,
            RequestStatus::Refusee,
            RequestStatus::Annulee,
        ] {
            assert!(done.transitions().is_empty(), "{done:?}");
        }
    }

    #[test]
    fn the_warehouse_approves_and_the_store_cancels() {
        let manager = Actor::Employee {
            id: 1,
            role: crate::Role::Gerant,
            store_id: Some(2),
        };
        assert!(Transition::Cancel.authorize(&manager, 2).is_ok());
        assert!(Transition::Cancel.authorize(&manager, 3).is_err());
        assert!(Transition::Approve.authorize(&manager, 2).is_err());
        assert!(Transition::Deliver.authorize(&Actor::System, 2).is_ok());
    }
}
