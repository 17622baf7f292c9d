//! The cash of a shift besides sales and refunds: paid-outs (cash taken from the drawer to pay a
//! delivery, with a reason) and float top-ups, recorded while the session is open; the closing
//! count by denomination; and who sold what on the session (the Z report's per-cashier lines).
//! The expected cash at closing counts the movements (see [`super::z_report`]).

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgExecutor, PgPool};

use super::get_session;
use crate::money::is_valid_amount;
use crate::{Actor, Error, Result};

/// Cash leaving or entering the drawer outside a sale or a refund.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CashMovementKind {
    /// Taken out to pay something (a delivery, a small purchase).
    PaidOut,
    /// Added to the float (change brought from the safe).
    TopUp,
}

impl CashMovementKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CashMovementKind::PaidOut => "paid_out",
            CashMovementKind::TopUp => "top_up",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "paid_out" => Some(CashMovementKind::PaidOut),
            "top_up" => Some(CashMovementKind::TopUp),
            _ => None,
        }
    }

    /// As the till and the Z report name it.
    pub fn label(self) -> &'static str {
        match self {
            CashMovementKind::PaidOut => "Sortie de caisse",
            CashMovementKind::TopUp => "Apport au fonds",
        }
    }
}

impl TryFrom<String> for CashMovementKind {
    type Error = String;
    fn try_from(text: String) -> std::result::Result<Self, String> {
        Self::parse(&text).ok_or(text)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct CashMovement {
    pub id: i64,
    pub session_id: i64,
    #[sqlx(try_from = "String")]
    pub kind: CashMovementKind,
    pub amount: Decimal,
    pub reason: String,
    pub employee_id: i64,
    pub employee_name: String,
    pub created_at: DateTime<Utc>,
}

const MOVEMENT_SELECT: &str = "SELECT m.id, m.session_id, m.kind, m.amount, m.reason,
        m.employee_id, e.full_name AS employee_name, m.created_at
     FROM cash_movements m JOIN employees e ON e.id = m.employee_id";

/// The longest reason a movement keeps (the table's CHECK says the same).
pub const MAX_REASON_CHARS: usize = 200;

/// Records a paid-out or a top-up on an open session: by the employee who opened it or a
/// manager of its store (the people who answer for the drawer), an amount to the cent above
/// zero, and a reason of 1 to 200 characters. A closed session is a conflict: its figures are
/// final.
pub async fn record_cash_movement(
    db: &PgPool,
    actor: &Actor,
    session_id: i64,
    kind: CashMovementKind,
    amount: Decimal,
    reason: &str,
) -> Result<CashMovement> {
    let reason = reason.trim();
    let mut v = crate::error::Validator::default();
    v.check(
        is_valid_amount(amount) && amount > Decimal::ZERO,
        "amount",
        "Le montant doit être positif, au cent près.",
    );
    v.check(
        !reason.is_empty() && reason.chars().count() <= MAX_REASON_CHARS,
        "reason",
        "Indiquez la raison (200 caractères au plus).",
    );
    let session = get_session(db, session_id).await?;
    if actor.employee_id() != Some(session.opened_by) {
        actor.ensure_visible(session.store_id, "Session de caisse", session_id)?;
        actor.ensure_manager_of(session.store_id)?;
    }
    let employee = actor.employee_id().ok_or_else(|| {
        Error::Forbidden("Seul un employé peut sortir ou apporter des espèces.".into())
    })?;
    v.finish()?;
    let mut tx = db.begin().await?;
    // the same lock as closing: a movement is in the Z report or refused, never lost
    let open: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM register_sessions WHERE id = $1 AND closed_at IS NULL FOR UPDATE",
    )
    .bind(session_id)
    .fetch_optional(&mut *tx)
    .await?;
    if open.is_none() {
        return Err(Error::Conflict(
            "Cette session de caisse est déjà fermée.".into(),
        ));
    }
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO cash_movements (session_id, kind, amount, reason, employee_id)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(session_id)
    .bind(kind.as_str())
    .bind(amount)
    .bind(reason)
    .bind(employee)
    .fetch_one(&mut *tx)
    .await?;
    let movement: CashMovement = sqlx::query_as(&format!("{MOVEMENT_SELECT} WHERE m.id = $1"))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    tx.commit().await?;
    crate::events::emit(
        kind.as_str(),
        "register_session",
        session_id,
        actor,
        serde_json::json!({"store_id": session.store_id, "amount": amount, "reason": reason}),
    );
    Ok(movement)
}

/// The paid-outs and top-ups of a session, oldest first.
pub async fn cash_movements(db: impl PgExecutor<'_>, session_id: i64) -> Result<Vec<CashMovement>> {
    Ok(sqlx::query_as(&format!(
        "{MOVEMENT_SELECT} WHERE m.session_id = $1 ORDER BY m.created_at, m.id"
    ))
    .bind(session_id)
    .fetch_all(db)
    .await?)
}

/// The notes and coins counted at closing, largest first, as keys of the stored count.
pub const DENOMINATIONS: [&str; 10] = [
    "100", "50", "20", "10", "5", "2", "1", "0.25", "0.10", "0.05",
];

/// Most pieces of one denomination in a drawer (a typo guard: 100 000 coins is not a count).
pub const MAX_PIECES: i64 = 99_999;

/// The drawer counted by denomination (`{"100": 2, "0.25": 12}`), stored with the session as
/// JSON; its total is the counted cash.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct CashCount(BTreeMap<String, i64>);

impl CashCount {
    /// A count from `(denomination, pieces)`; an unknown denomination or a count below zero or
    /// above [`MAX_PIECES`] is refused. Zero counts are left out.
    pub fn new<'a>(pieces: impl IntoIterator<Item = (&'a str, i64)>) -> Result<CashCount> {
        let mut count = BTreeMap::new();
        for (denomination, n) in pieces {
            let Some(known) = DENOMINATIONS.iter().find(|d| **d == denomination) else {
                return Err(Error::invalid("denominations", "Coupure inconnue."));
            };
            if !(0..=MAX_PIECES).contains(&n) {
                return Err(Error::invalid(
                    "denominations",
                    "Le nombre de pièces ou de billets doit être un entier entre 0 et 99 999.",
                ));
            }
            if n > 0 {
                *count.entry((*known).to_owned()).or_insert(0) += n;
            }
        }
        Ok(CashCount(count))
    }

    /// Pieces of one denomination (0 when none were counted).
    pub fn pieces(&self, denomination: &str) -> i64 {
        self.0.get(denomination).copied().unwrap_or(0)
    }

    /// What the counted pieces are worth.
    pub fn total(&self) -> Decimal {
        self.0
            .iter()
            .map(|(d, n)| d.parse::<Decimal>().unwrap_or_default() * Decimal::from(*n))
            .sum()
    }

    /// The stored form (`register_sessions.counted_denominations`).
    pub fn to_json(&self) -> String {
        serde_json::to_string(&self.0).unwrap_or_else(|_| "{}".into())
    }

    /// Reads the stored form; anything unreadable is no count.
    pub fn from_json(text: &str) -> Option<CashCount> {
        serde_json::from_str(text).ok()
    }
}

/// What one employee sold on a session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct CashierSales {
    pub employee_id: i64,
    pub employee_name: String,
    pub sales_count: i64,
    /// Taxes included.
    pub sales_total: Decimal,
}

/// Sales per employee who sold on the session, biggest total first.
pub async fn sales_by_cashier(
    db: impl PgExecutor<'_>,
    session_id: i64,
) -> Result<Vec<CashierSales>> {
    Ok(sqlx::query_as(
        "SELECT e.id AS employee_id, e.full_name AS employee_name, count(*) AS sales_count,
                sum(s.total) AS sales_total
         FROM sales s JOIN employees e ON e.id = s.employee_id
         WHERE s.session_id = $1
         GROUP BY e.id, e.full_name
         ORDER BY sum(s.total) DESC, e.full_name, e.id",
    )
    .bind(session_id)
    .fetch_all(db)
    .await?)
}
