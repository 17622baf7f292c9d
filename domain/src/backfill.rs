//! Writing a past history: the operations of the tills, the stores and the warehouse at a given
//! instant instead of now, for data sets that tell a story over weeks (the `demo` crate). Each
//! one applies the same rules and SQL as its live twin, on the caller's connection (the caller
//! commits); only the clock differs, and nothing is logged as a business event.
//!
//! Live callers (the web UI, the API) use the undated functions of `stores`, `sales` and
//! `inventory`; nothing here is meant for a request path.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::PgConnection;

use crate::inventory::{
    self, Location, MovementReason, ReplenishmentRequest, StockChange, Transition,
};
use crate::sales::{self, NewReturn, NewSale, Return, SaleOutcome};
use crate::stores::{self, RegisterSession, ZReport};
use crate::{Actor, Result, Rules};

/// Opens a register at `at`, as [`stores::open_session`] does now.
pub async fn open_session(
    conn: &mut PgConnection,
    actor: &Actor,
    register_id: i64,
    opening_float: Decimal,
    at: DateTime<Utc>,
) -> Result<RegisterSession> {
    stores::open_session_at(conn, actor, register_id, opening_float, at).await
}

/// Closes a register session at `at` with the counted cash, as [`stores::close_session`] does.
pub async fn close_session(
    conn: &mut PgConnection,
    actor: &Actor,
    session_id: i64,
    counted_cash: Decimal,
    at: DateTime<Utc>,
) -> Result<ZReport> {
    stores::close_session_at(conn, actor, session_id, counted_cash, at).await
}

/// Records a sale made at `at`, as [`sales::record_sale_in`] does now.
pub async fn record_sale(
    conn: &mut PgConnection,
    actor: &Actor,
    rules: &Rules,
    new: &NewSale,
    at: DateTime<Utc>,
) -> Result<SaleOutcome> {
    sales::record_sale_at(conn, actor, rules, new, at).await
}

/// Takes a return at `at`, as [`sales::create_return`] does now.
pub async fn create_return(
    conn: &mut PgConnection,
    actor: &Actor,
    new: &NewReturn,
    at: DateTime<Utc>,
) -> Result<Return> {
    sales::create_return_at(conn, actor, new, at).await
}

/// A store asks the warehouse for a product at `at`, as [`inventory::create_request`] does.
pub async fn create_request(
    conn: &mut PgConnection,
    actor: &Actor,
    store_id: i64,
    product_id: i64,
    quantity: i32,
    note: &str,
    at: DateTime<Utc>,
) -> Result<ReplenishmentRequest> {
    inventory::create_request_at(conn, actor, store_id, product_id, quantity, note, at).await
}

/// Applies one transition to a request at `at`, as [`inventory::transition`] does now.
pub async fn transition(
    conn: &mut PgConnection,
    actor: &Actor,
    request_id: i64,
    transition: Transition,
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> Result<ReplenishmentRequest> {
    inventory::transition_at(conn, actor, request_id, transition, reason, at).await
}

/// Sets a stock row to a counted quantity at `at` (a supplier's receipt, an inventory count),
/// journaling the difference, with the permission rule of [`inventory::adjust_stock`].
pub async fn count_stock(
    conn: &mut PgConnection,
    actor: &Actor,
    location: Location,
    product_id: i64,
    counted: i32,
    note: &str,
    at: DateTime<Utc>,
) -> Result<i32> {
    inventory::ensure_may_correct(actor, location)?;
    inventory::set_quantity(conn, location, product_id, counted, actor, note, at).await
}

/// The opening stock of a row at `at`: its alert threshold, then `quantity` journaled as the
/// platform's initial movement ("Stock initial"). Returns the new quantity.
pub async fn initial_stock(
    conn: &mut PgConnection,
    location: Location,
    product_id: i64,
    quantity: i32,
    alert_threshold: i32,
    at: DateTime<Utc>,
) -> Result<i32> {
    inventory::write_threshold(&mut *conn, location, product_id, alert_threshold).await?;
    inventory::change_stock(
        conn,
        &StockChange {
            location,
            product_id,
            delta: quantity,
            reason: MovementReason::Initial,
            actor: &Actor::System,
            note: "Stock initial",
            at,
        },
    )
    .await
}
