//! Register sessions: a register is opened with a cash float by an employee and closed with the
//! counted cash; closing computes the Z report (sales, refunds, expected cash, difference).
//! At most one session is open per register (a partial unique index guarantees it).

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgConnection, PgExecutor, PgPool};

use super::get_register;
use crate::money::is_valid_amount;
use crate::{Actor, Error, Result};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct RegisterSession {
    pub id: i64,
    pub register_id: i64,
    pub store_id: i64,
    pub opened_by: i64,
    pub opened_by_name: String,
    pub opened_at: DateTime<Utc>,
    pub opening_float: Decimal,
    pub closed_by: Option<i64>,
    pub closed_at: Option<DateTime<Utc>>,
    pub counted_cash: Option<Decimal>,
    pub expected_cash: Option<Decimal>,
    pub cash_difference: Option<Decimal>,
}

impl RegisterSession {
    pub fn is_open(&self) -> bool {
        self.closed_at.is_none()
    }
}

const SESSION_SELECT: &str = "SELECT rs.id, rs.register_id, r.store_id, rs.opened_by,
        e.full_name AS opened_by_name, rs.opened_at, rs.opening_float, rs.closed_by, rs.closed_at,
        rs.counted_cash, rs.expected_cash, rs.cash_difference
     FROM register_sessions rs JOIN registers r ON r.id = rs.register_id
     JOIN employees e ON e.id = rs.opened_by";

pub async fn get_session(db: impl PgExecutor<'_>, id: i64) -> Result<RegisterSession> {
    sqlx::query_as(&format!("{SESSION_SELECT} WHERE rs.id = $1"))
        .bind(id)
        .fetch_optional(db)
        .await?
        .ok_or_else(|| Error::not_found("Session de caisse", id))
}

/// The open session of a register, if any.
pub async fn current_session(
    db: impl PgExecutor<'_>,
    register_id: i64,
) -> Result<Option<RegisterSession>> {
    Ok(sqlx::query_as(&format!(
        "{SESSION_SELECT} WHERE rs.register_id = $1 AND rs.closed_at IS NULL"
    ))
    .bind(register_id)
    .fetch_optional(db)
    .await?)
}

pub async fn open_session(
    db: &PgPool,
    actor: &Actor,
    register_id: i64,
    opening_float: Decimal,
) -> Result<RegisterSession> {
    let mut conn = db.acquire().await?;
    let session = open_session_at(&mut conn, actor, register_id, opening_float, Utc::now()).await?;
    crate::events::emit(
        "open",
        "register_session",
        session.id,
        actor,
        serde_json::json!({"register_id": register_id, "store_id": session.store_id, "opening_float": opening_float}),
    );
    Ok(session)
}

pub(crate) async fn open_session_at(
    conn: &mut PgConnection,
    actor: &Actor,
    register_id: i64,
    opening_float: Decimal,
    at: DateTime<Utc>,
) -> Result<RegisterSession> {
    // the register must exist and be one of the actor's store
    get_register(&mut *conn, actor, register_id).await?;
    let employee = actor
        .employee_id()
        .ok_or_else(|| Error::Forbidden("Seul un employé peut ouvrir une caisse.".into()))?;
    if !is_valid_amount(opening_float) {
        return Err(Error::invalid(
            "opening_float",
            "Le fonds de caisse doit être positif, au cent près.",
        ));
    }
    // The partial unique index turns a second open session into a Conflict, even under races.
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO register_sessions (register_id, opened_by, opened_at, opening_float)
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(register_id)
    .bind(employee)
    .bind(at)
    .bind(opening_float)
    .fetch_one(&mut *conn)
    .await?;
    get_session(&mut *conn, id).await
}

/// The figures of a session: what was sold and refunded, and the cash that should be in the
/// drawer (float + cash sales - cash refunds + top-ups - paid-outs).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct ZReport {
    pub session_id: i64,
    pub sales_count: i64,
    pub sales_total: Decimal,
    pub cash_sales_total: Decimal,
    pub card_sales_total: Decimal,
    pub tps_total: Decimal,
    pub tvq_total: Decimal,
    pub returns_count: i64,
    pub refunds_total: Decimal,
    pub cash_refunds_total: Decimal,
    /// Cash added to the drawer during the shift ([`super::CashMovementKind::TopUp`]).
    pub top_ups_total: Decimal,
    /// Cash taken out to pay something ([`super::CashMovementKind::PaidOut`]).
    pub paid_outs_total: Decimal,
    pub opening_float: Decimal,
    pub expected_cash: Decimal,
    pub counted_cash: Option<Decimal>,
    pub cash_difference: Option<Decimal>,
    /// The closing count by denomination, when the drawer was counted that way.
    #[sqlx(try_from = "Option<String>")]
    pub counted_denominations: CountedDenominations,
}

/// The stored count of a closed session (`None` when the cash was typed as one amount).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CountedDenominations(pub Option<super::CashCount>);

/// Read from the stored text (`sqlx(try_from)` uses the blanket `TryFrom` of this `From`).
impl From<Option<String>> for CountedDenominations {
    fn from(text: Option<String>) -> Self {
        CountedDenominations(text.as_deref().and_then(super::CashCount::from_json))
    }
}

/// The Z report of a session, open (running figures) or closed (final figures).
pub async fn z_report(db: impl PgExecutor<'_>, session_id: i64) -> Result<ZReport> {
    sqlx::query_as(
        "WITH s AS (
             SELECT count(*) AS sales_count,
                    COALESCE(sum(total), 0) AS sales_total,
                    -- what each tender brought in (cash net of the change; gift cards sold
                    -- with a sale are paid too, outside its total)
                    COALESCE((SELECT sum(p.amount) FROM sales sa
                              JOIN sale_payments p ON p.sale_id = sa.id
                              WHERE sa.session_id = $1 AND p.mode = 'especes'), 0) AS cash_sales,
                    COALESCE((SELECT sum(p.amount) FROM sales sa
                              JOIN sale_payments p ON p.sale_id = sa.id
                              WHERE sa.session_id = $1 AND p.mode = 'carte'), 0) AS card_sales,
                    COALESCE(sum(tps), 0) AS tps_total,
                    COALESCE(sum(tvq), 0) AS tvq_total
             FROM sales WHERE session_id = $1),
         r AS (
             SELECT count(*) AS returns_count,
                    COALESCE(sum(refund_amount), 0) AS refunds_total,
                    COALESCE((SELECT sum(rr.amount) FROM returns rt
                              JOIN return_refunds rr ON rr.return_id = rt.id
                              WHERE rt.session_id = $1 AND rr.mode = 'especes'), 0)
                        AS cash_refunds
             FROM returns WHERE session_id = $1),
         m AS (
             SELECT COALESCE(sum(amount) FILTER (WHERE kind = 'top_up'), 0) AS top_ups,
                    COALESCE(sum(amount) FILTER (WHERE kind = 'paid_out'), 0) AS paid_outs
             FROM cash_movements WHERE session_id = $1)
         SELECT rs.id AS session_id, s.sales_count, s.sales_total, s.cash_sales AS cash_sales_total,
                s.card_sales AS card_sales_total, s.tps_total, s.tvq_total, r.returns_count,
                r.refunds_total, r.cash_refunds AS cash_refunds_total,
                m.top_ups AS top_ups_total, m.paid_outs AS paid_outs_total, rs.opening_float,
                COALESCE(rs.expected_cash,
                         rs.opening_float + s.cash_sales - r.cash_refunds + m.top_ups - m.paid_outs)
                    AS expected_cash,
                rs.counted_cash, rs.cash_difference,
                rs.counted_denominations::TEXT AS counted_denominations
         FROM register_sessions rs, s, r, m WHERE rs.id = $1",
    )
    .bind(session_id)
    .fetch_optional(db)
    .await?
    .ok_or_else(|| Error::not_found("Session de caisse", session_id))
}

/// A session with its Z report, for someone allowed to read it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SessionReport {
    pub session: RegisterSession,
    pub z: ZReport,
}

/// The Z report of a session for `actor`: the employee who opened it, a manager of its store or
/// head office. Another store's session is "not found", as a missing one is; another employee
/// of the store is refused.
pub async fn z_report_for(db: &PgPool, actor: &Actor, session_id: i64) -> Result<SessionReport> {
    let session = get_session(db, session_id).await?;
    actor.ensure_visible(session.store_id, "Session de caisse", session_id)?;
    if actor.employee_id() != Some(session.opened_by) {
        actor.ensure_manager_of(session.store_id).map_err(|_| {
            Error::Forbidden(
                "Ce rapport Z est réservé à l'employé qui a ouvert la caisse, au gérant du \
                 magasin et au siège."
                    .into(),
            )
        })?;
    }
    let z = z_report(db, session_id).await?;
    Ok(SessionReport { session, z })
}

/// Closes a session with the counted cash and returns its final Z report. The employee who
/// opened it or a manager of the store may close it.
pub async fn close_session(
    db: &PgPool,
    actor: &Actor,
    session_id: i64,
    counted_cash: Decimal,
) -> Result<ZReport> {
    let mut tx = db.begin().await?;
    let report = close_session_at(&mut tx, actor, session_id, counted_cash, Utc::now()).await?;
    tx.commit().await?;
    crate::events::emit(
        "close",
        "register_session",
        session_id,
        actor,
        serde_json::json!({"sales_count": report.sales_count, "expected_cash": report.expected_cash,
            "counted_cash": report.counted_cash, "cash_difference": report.cash_difference}),
    );
    Ok(report)
}

/// Closes a session with the drawer counted by denomination: the counted cash is the count's
/// total, and the count is kept for the Z report.
pub async fn close_session_counted(
    db: &PgPool,
    actor: &Actor,
    session_id: i64,
    count: &super::CashCount,
) -> Result<ZReport> {
    let mut tx = db.begin().await?;
    let report = close_session_with(
        &mut tx,
        actor,
        session_id,
        count.total(),
        Some(count),
        Utc::now(),
    )
    .await?;
    tx.commit().await?;
    crate::events::emit(
        "close",
        "register_session",
        session_id,
        actor,
        serde_json::json!({"sales_count": report.sales_count, "expected_cash": report.expected_cash,
            "counted_cash": report.counted_cash, "cash_difference": report.cash_difference}),
    );
    Ok(report)
}

pub(crate) async fn close_session_at(
    conn: &mut PgConnection,
    actor: &Actor,
    session_id: i64,
    counted_cash: Decimal,
    at: DateTime<Utc>,
) -> Result<ZReport> {
    close_session_with(conn, actor, session_id, counted_cash, None, at).await
}

async fn close_session_with(
    conn: &mut PgConnection,
    actor: &Actor,
    session_id: i64,
    counted_cash: Decimal,
    count: Option<&super::CashCount>,
    at: DateTime<Utc>,
) -> Result<ZReport> {
    let session = get_session(&mut *conn, session_id).await?;
    if actor.employee_id() != Some(session.opened_by) {
        actor.ensure_visible(session.store_id, "Session de caisse", session_id)?;
        actor.ensure_manager_of(session.store_id)?;
    }
    let employee = actor
        .employee_id()
        .ok_or_else(|| Error::Forbidden("Seul un employé peut fermer une caisse.".into()))?;
    if !is_valid_amount(counted_cash) {
        return Err(Error::invalid(
            "counted_cash",
            "Le montant compté doit être positif, au cent près.",
        ));
    }
    // Lock the session so no sale slips in between computing and recording the figures.
    let open: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM register_sessions WHERE id = $1 AND closed_at IS NULL FOR UPDATE",
    )
    .bind(session_id)
    .fetch_optional(&mut *conn)
    .await?;
    if open.is_none() {
        return Err(Error::Conflict(
            "Cette session de caisse est déjà fermée.".into(),
        ));
    }
    let running = z_report(&mut *conn, session_id).await?;
    sqlx::query(
        "UPDATE register_sessions SET closed_by = $2, closed_at = $3, counted_cash = $4,
             expected_cash = $5, cash_difference = $4 - $5, counted_denominations = $6::JSONB
         WHERE id = $1",
    )
    .bind(session_id)
    .bind(employee)
    .bind(at.max(session.opened_at))
    .bind(counted_cash)
    .bind(running.expected_cash)
    .bind(count.map(super::CashCount::to_json))
    .execute(&mut *conn)
    .await?;
    // carts parked on this session cannot be resumed any more: they go with it
    sqlx::query("DELETE FROM parked_carts WHERE session_id = $1")
        .bind(session_id)
        .execute(&mut *conn)
        .await?;
    z_report(&mut *conn, session_id).await
}

/// One register as the store page shows it: open by whom since when, and today's sales.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct RegisterStatus {
    pub register_id: i64,
    pub number: i32,
    pub name: String,
    pub session_id: Option<i64>,
    pub opened_by_name: Option<String>,
    pub opened_at: Option<DateTime<Utc>>,
    /// Sales of today (store time zone), taxes included.
    pub today_sales: i64,
    pub today_total: Decimal,
}

/// The registers of a store with their status; any employee of the store may see them. Today's
/// figures come from the daily aggregates (a few rows per register), not from the day's sales.
pub async fn register_statuses(
    db: &PgPool,
    actor: &Actor,
    store_id: i64,
) -> Result<Vec<RegisterStatus>> {
    actor.ensure_store(store_id)?;
    super::get_store(db, store_id).await?;
    Ok(sqlx::query_as(
        "SELECT r.id AS register_id, r.number, r.name, rs.id AS session_id,
                e.full_name AS opened_by_name, rs.opened_at,
                COALESCE(t.sales, 0) AS today_sales, COALESCE(t.total, 0) AS today_total
         FROM registers r
         JOIN stores st ON st.id = r.store_id
         LEFT JOIN register_sessions rs ON rs.register_id = r.id AND rs.closed_at IS NULL
         LEFT JOIN employees e ON e.id = rs.opened_by
         LEFT JOIN LATERAL (
             SELECT sum(d.sales)::BIGINT AS sales, sum(d.total) AS total FROM daily_sales d
             WHERE d.store_id = st.id AND d.register_id = r.id
               AND d.day = (now() AT TIME ZONE st.time_zone)::DATE) t ON TRUE
         WHERE r.store_id = $1
         ORDER BY r.number",
    )
    .bind(store_id)
    .fetch_all(db)
    .await?)
}

/// The register whose session the employee opened and has not closed (the first opened, if a
/// manager holds several): the dashboard's « Reprendre ma caisse ». `None` for anyone else.
pub async fn own_open_register(db: &PgPool, actor: &Actor) -> Result<Option<super::Register>> {
    let Some(employee) = actor.employee_id() else {
        return Ok(None);
    };
    Ok(sqlx::query_as(
        "SELECT r.id, r.store_id, r.number, r.name
         FROM register_sessions rs JOIN registers r ON r.id = rs.register_id
         WHERE rs.opened_by = $1 AND rs.closed_at IS NULL
         ORDER BY rs.opened_at, rs.id LIMIT 1",
    )
    .bind(employee)
    .fetch_optional(db)
    .await?)
}
