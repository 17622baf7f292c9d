//! Points and store credit. A balance lives on the customer's row under a CHECK (>= 0) and
//! every change is one statement, a conditional UPDATE (`balance + delta >= 0`) and its movement
//! row, in the caller's transaction: two tills spending the same points at once cannot both succeed,
//! and a balance always equals the sum of its movements.
//!
//! A sale and a return call the `*_in` building blocks inside their own transaction; managers
//! adjust balances by hand through `adjust`.

use rust_decimal::Decimal;
use sqlx::{PgConnection, Postgres};

use super::get_customer;
use crate::money::is_valid_amount;
use crate::{Actor, Error, Result};

/// Why points moved (the `reason` of `loyalty_movements`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PointsReason {
    /// Earned by a sale.
    Earned,
    /// Paid a sale as a tender.
    Redeemed,
    /// Taken back when the sale that earned them is returned.
    Reversed,
    /// Given back when a sale they paid is returned.
    Refunded,
    /// Corrected by hand.
    Adjusted,
}

impl PointsReason {
    pub fn as_str(self) -> &'static str {
        match self {
            PointsReason::Earned => "earned",
            PointsReason::Redeemed => "redeemed",
            PointsReason::Reversed => "reversed",
            PointsReason::Refunded => "refunded",
            PointsReason::Adjusted => "adjusted",
        }
    }
}

/// Why store credit moved (the `reason` of `store_credit_movements`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CreditReason {
    /// A return refunded in store credit.
    Refund,
    /// Paid a sale as a tender.
    Spent,
    /// Given back when a sale it paid is returned.
    Refunded,
    /// Corrected by hand.
    Adjusted,
}

impl CreditReason {
    pub fn as_str(self) -> &'static str {
        match self {
            CreditReason::Refund => "refund",
            CreditReason::Spent => "spent",
            CreditReason::Refunded => "refunded",
            CreditReason::Adjusted => "adjusted",
        }
    }
}

/// What a movement is attached to, besides its customer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Source {
    pub sale_id: Option<i64>,
    pub return_id: Option<i64>,
}

fn insufficient_points(available: i64) -> Error {
    Error::Conflict(format!(
        "Solde de points insuffisant : {available} points disponibles."
    ))
}

fn insufficient_credit(available: Decimal) -> Error {
    Error::Conflict(format!(
        "Crédit en magasin insuffisant : {} $ disponibles.",
        available.round_dp(2).to_string().replace('.', ",")
    ))
}

/// One statement for a balance `$col` of the customer and its journal `$journal`: adds `$2`
/// unless the balance would go below zero, writes the movement in the same statement, and
/// returns the new balance; no row is a missing customer or too small a balance.
macro_rules! move_sql {
    ($col:literal, $journal:literal) => {
        concat!(
            "WITH moved AS (
                 UPDATE customers SET ", $col, " = ", $col, " + $2, updated_at = now()
                 WHERE id = $1 AND ", $col, " + $2 >= 0 RETURNING ", $col, "),
             journal AS (
                 INSERT INTO ", $journal, "
                     (customer_id, delta, reason, sale_id, return_id, employee_id, api_client_id,
                      note)
                 SELECT $1, $2, $3, $4, $5, $6, $7, $8 FROM moved)
             SELECT ", $col, " FROM moved"
        )
    };
}

/// Runs a [`move_sql!`] statement: `None` when nothing moved.
#[allow(clippy::too_many_arguments)]
async fn move_balance<T>(
    conn: &mut PgConnection,
    sql: &'static str,
    customer_id: i64,
    delta: T,
    reason: &'static str,
    source: Source,
    actor: &Actor,
    note: &str,
) -> Result<Option<T>>
where
    T: for<'r> sqlx::Decode<'r, Postgres>
        + for<'q> sqlx::Encode<'q, Postgres>
        + sqlx::Type<Postgres>
        + Send
        + Unpin,
{
    Ok(sqlx::query_scalar(sql)
        .bind(customer_id)
        .bind(delta)
        .bind(reason)
        .bind(source.sale_id)
        .bind(source.return_id)
        .bind(actor.employee_id())
        .bind(actor.api_client_id())
        .bind(note)
        .fetch_optional(&mut *conn)
        .await?)
}

/// Adds `delta` points (negative to take some) unless the balance would go below zero, and
/// records the movement; the new balance. Nothing moved is a missing customer or too few
/// points, told apart by reading the balance.
pub async fn move_points_in(
    conn: &mut PgConnection,
    customer_id: i64,
    delta: i64,
    reason: PointsReason,
    source: Source,
    actor: &Actor,
    note: &str,
) -> Result<i64> {
    if delta == 0 {
        return Err(Error::invalid(
            "points",
            "Le nombre de points ne peut pas être nul.",
        ));
    }
    let sql = move_sql!("points", "loyalty_movements");
    let moved = move_balance(
        conn,
        sql,
        customer_id,
        delta,
        reason.as_str(),
        source,
        actor,
        note,
    );
    match moved.await? {
        Some(balance) => Ok(balance),
        None => Err(insufficient_points(
            get_customer(&mut *conn, customer_id).await?.points,
        )),
    }
}

/// Adds `delta` dollars of store credit (negative to take some) unless the balance would go
/// below zero, and records the movement; the new balance.
pub async fn move_credit_in(
    conn: &mut PgConnection,
    customer_id: i64,
    delta: Decimal,
    reason: CreditReason,
    source: Source,
    actor: &Actor,
    note: &str,
) -> Result<Decimal> {
    if delta.is_zero() || !is_valid_amount(delta.abs()) {
        return Err(Error::invalid(
            "amount",
            "Le montant doit être non nul, au cent près.",
        ));
    }
    let sql = move_sql!("credit", "store_credit_movements");
    let moved = move_balance(
        conn,
        sql,
        customer_id,
        delta,
        reason.as_str(),
        source,
        actor,
        note,
    );
    match moved.await? {
        Some(balance) => Ok(balance),
        None => Err(insufficient_credit(
            get_customer(&mut *conn, customer_id).await?.credit,
        )),
    }
}

fn positive_points(points: i64) -> Result<()> {
    if points > 0 {
        Ok(())
    } else {
        Err(Error::invalid(
            "points",
            "Le nombre de points doit être positif.",
        ))
    }
}

fn positive_amount(amount: Decimal) -> Result<()> {
    if amount > Decimal::ZERO && is_valid_amount(amount) {
        Ok(())
    } else {
        Err(Error::invalid(
            "amount",
            "Le montant doit être positif, au cent près.",
        ))
    }
}

/// The sale pays with `points` of the customer's points; `Error::Conflict` naming the balance
/// when there are not enough. The new balance.
pub async fn spend_points_in(
    conn: &mut PgConnection,
    customer_id: i64,
    points: i64,
    sale_id: i64,
    actor: &Actor,
) -> Result<i64> {
    positive_points(points)?;
    let source = Source {
        sale_id: Some(sale_id),
        return_id: None,
    };
    move_points_in(
        conn,
        customer_id,
        -points,
        PointsReason::Redeemed,
        source,
        actor,
        "",
    )
    .await
}

/// The sale earns the customer `points`. The new balance.
pub async fn earn_points_in(
    conn: &mut PgConnection,
    customer_id: i64,
    points: i64,
    sale_id: i64,
    actor: &Actor,
) -> Result<i64> {
    positive_points(points)?;
    let source = Source {
        sale_id: Some(sale_id),
        return_id: None,
    };
    move_points_in(
        conn,
        customer_id,
        points,
        PointsReason::Earned,
        source,
        actor,
        "",
    )
    .await
}

/// A return takes back `points` the returned sale earned, but never more than the customer
/// still has (points already spent stay spent: the return is not refused for them). The points
/// actually taken back, which may be 0 (then no movement is written).
pub async fn reverse_points_in(
    conn: &mut PgConnection,
    customer_id: i64,
    points: i64,
    return_id: i64,
    actor: &Actor,
) -> Result<i64> {
    positive_points(points)?;
    let available: i64 =
        sqlx::query_scalar("SELECT points FROM customers WHERE id = $1 FOR UPDATE")
            .bind(customer_id)
            .fetch_optional(&mut *conn)
            .await?
            .ok_or_else(|| Error::not_found("Client", customer_id))?;
    let taken = points.min(available);
    if taken > 0 {
        let source = Source {
            sale_id: None,
            return_id: Some(return_id),
        };
        move_points_in(
            conn,
            customer_id,
            -taken,
            PointsReason::Reversed,
            source,
            actor,
            "",
        )
        .await?;
    }
    Ok(taken)
}

/// A return gives back `points` that paid the returned sale. The new balance.
pub async fn refund_points_in(
    conn: &mut PgConnection,
    customer_id: i64,
    points: i64,
    return_id: i64,
    actor: &Actor,
) -> Result<i64> {
    positive_points(points)?;
    let source = Source {
        sale_id: None,
        return_id: Some(return_id),
    };
    move_points_in(
        conn,
        customer_id,
        points,
        PointsReason::Refunded,
        source,
        actor,
        "",
    )
    .await
}

/// The sale pays `amount` with the customer's store credit; `Error::Conflict` naming the
/// balance when there is not enough. The new balance.
pub async fn spend_credit_in(
    conn: &mut PgConnection,
    customer_id: i64,
    amount: Decimal,
    sale_id: i64,
    actor: &Actor,
) -> Result<Decimal> {
    positive_amount(amount)?;
    let source = Source {
        sale_id: Some(sale_id),
        return_id: None,
    };
    move_credit_in(
        conn,
        customer_id,
        -amount,
        CreditReason::Spent,
        source,
        actor,
        "",
    )
    .await
}

/// A return refunded in store credit (`refund`), or the store credit that paid a returned sale
/// given back (`refunded`), as the return says. The new balance.
pub async fn credit_in(
    conn: &mut PgConnection,
    customer_id: i64,
    amount: Decimal,
    return_id: i64,
    reason: CreditReason,
    actor: &Actor,
) -> Result<Decimal> {
    positive_amount(amount)?;
    if !matches!(reason, CreditReason::Refund | CreditReason::Refunded) {
        return Err(Error::Internal(format!(
            "credit_in for a return cannot be {}",
            reason.as_str()
        )));
    }
    let source = Source {
        sale_id: None,
        return_id: Some(return_id),
    };
    move_credit_in(conn, customer_id, amount, reason, source, actor, "").await
}
