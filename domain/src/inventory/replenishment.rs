//! Replenishment requests: a store asks, the warehouse approves (reserving its stock) and
//! delivers (adding it to the store), or refuses; the store may cancel before approval.
//! Each transition is one conditional `UPDATE ... WHERE status = <from>`, so a repeated or
//! concurrent transition happens once and moves stock once.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgConnection, PgPool, Postgres, QueryBuilder};

use super::{Location, MovementReason, StockChange, change_stock};
use crate::{Actor, Error, FieldError, Page, PageRequest, Result};

/// Largest quantity of one request: a delivery adds it to a store's stock, which must still fit
/// its column (and a request this large is a typing mistake).
pub const MAX_REQUEST_QUANTITY: i32 = 100_000;

/// The message of a quantity out of `1..=MAX_REQUEST_QUANTITY`.
fn quantity_problem(quantity: i32) -> Option<&'static str> {
    if quantity < 1 {
        Some("La quantité doit être d'au moins 1.")
    } else if quantity > MAX_REQUEST_QUANTITY {
        Some("La quantité demandée est de 100 000 au plus.")
    } else {
        None
    }
}

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

/// A store manager (or head office) asks the warehouse for a product.
pub async fn create_request(
    db: &PgPool,
    actor: &Actor,
    store_id: i64,
    product_id: i64,
    quantity: i32,
    note: &str,
) -> Result<ReplenishmentRequest> {
    let mut conn = db.acquire().await?;
    let request = create_request_at(
        &mut conn,
        actor,
        store_id,
        product_id,
        quantity,
        note,
        Utc::now(),
    )
    .await?;
    crate::events::emit(
        "create",
        "replenishment_request",
        request.id,
        actor,
        serde_json::json!({"store_id": store_id, "product_id": product_id, "quantity": quantity}),
    );
    Ok(request)
}

/// One product of a request for several products.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestLine {
    pub product_id: i64,
    pub quantity: i32,
}

/// The field a problem with one line is reported on: `quantity.<product id>` (or
/// `product.<product id>`), so a form with one input per product can show it next to the input.
pub fn line_field(kind: &str, product_id: i64) -> String {
    format!("{kind}.{product_id}")
}

/// A store manager (or head office) asks the warehouse for several products at once: one
/// request per product, all created in one transaction or none (a wrong line refuses the whole
/// batch, so the manager fixes it and sends again without duplicates). Requests come back in
/// the order of `lines`.
pub async fn create_requests(
    db: &PgPool,
    actor: &Actor,
    store_id: i64,
    lines: &[RequestLine],
    note: &str,
) -> Result<Vec<ReplenishmentRequest>> {
    actor.ensure_manager_of(store_id)?;
    let mut errors = Vec::new();
    if lines.is_empty() {
        errors.push(FieldError::new(
            "lines",
            "Indiquez une quantité pour au moins un produit.",
        ));
    }
    for (i, line) in lines.iter().enumerate() {
        if let Some(problem) = quantity_problem(line.quantity) {
            errors.push(FieldError::new(
                line_field("quantity", line.product_id),
                problem,
            ));
        }
        if lines[..i].iter().any(|l| l.product_id == line.product_id) {
            errors.push(FieldError::new(
                line_field("product", line.product_id),
                "Ce produit figure deux fois dans la demande.",
            ));
        }
    }
    if !errors.is_empty() {
        return Err(Error::Validation(errors));
    }
    let at = Utc::now();
    let mut tx = db.begin().await?;
    let mut requests = Vec::with_capacity(lines.len());
    for line in lines {
        requests.push(
            create_request_at(
                &mut tx,
                actor,
                store_id,
                line.product_id,
                line.quantity,
                note,
                at,
            )
            .await?,
        );
    }
    tx.commit().await?;
    for request in &requests {
        crate::events::emit(
            "create",
            "replenishment_request",
            request.id,
            actor,
            serde_json::json!({"store_id": store_id, "product_id": request.product_id,
                "quantity": request.quantity}),
        );
    }
    Ok(requests)
}

pub(crate) async fn create_request_at(
    conn: &mut PgConnection,
    actor: &Actor,
    store_id: i64,
    product_id: i64,
    quantity: i32,
    note: &str,
    at: DateTime<Utc>,
) -> Result<ReplenishmentRequest> {
    actor.ensure_manager_of(store_id)?;
    if let Some(problem) = quantity_problem(quantity) {
        return Err(Error::invalid("quantity", problem));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO replenishment_requests (store_id, product_id, quantity, note, requested_by,
                                             requested_at)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(store_id)
    .bind(product_id)
    .bind(quantity)
    .bind(note.trim())
    .bind(actor.employee_id())
    .bind(at)
    .fetch_one(&mut *conn)
    .await?;
    get_request(&mut *conn, id).await
}

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
