//! Where a return's money goes: back to the tenders the sale was paid with, each its share of
//! what it has left ([`pricing::split_refund`], to the cent, never more than it paid), or all of
//! it to the customer's store credit when they prefer; points paid come back as points. Then
//! the balances move: the gift card, the points, the credit, and the points the returned goods
//! had earned are taken back.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgConnection};

use super::PaymentMethod;
use super::price::pricing_error;
use crate::customers::{self, CreditReason};
use crate::{Actor, Error, Result, gift_cards};

/// One tender of a refund.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RefundTender {
    pub mode: PaymentMethod,
    pub amount: Decimal,
    pub gift_card_id: Option<i64>,
    pub points: Option<i64>,
    /// The sale's tender it comes back from, when it goes to store credit instead.
    pub from_mode: Option<PaymentMethod>,
}

#[derive(FromRow)]
struct Left {
    mode: String,
    gift_card_id: Option<i64>,
    amount: Decimal,
    points: i64,
}

/// How `amount` goes back for a return of `sale_id`, before anything is written.
pub(super) async fn refund_tenders(
    conn: &mut PgConnection,
    sale_id: i64,
    amount: Decimal,
    to_store_credit: bool,
) -> Result<Vec<RefundTender>> {
    if amount.is_zero() {
        return Ok(Vec::new());
    }
    // what each tender paid, minus what earlier returns gave back from it
    let left: Vec<Left> = sqlx::query_as(
        "WITH paid AS (
             SELECT mode, gift_card_id, sum(amount) AS amount,
                    COALESCE(sum(points), 0) AS points, min(seq) AS seq
             FROM sale_payments WHERE sale_id = $1 GROUP BY mode, gift_card_id),
         back AS (
             SELECT COALESCE(rr.from_mode, rr.mode) AS mode, rr.gift_card_id,
                    sum(rr.amount) AS amount, COALESCE(sum(rr.points), 0) AS points
             FROM returns rt JOIN return_refunds rr ON rr.return_id = rt.id
             WHERE rt.sale_id = $1
             GROUP BY COALESCE(rr.from_mode, rr.mode), rr.gift_card_id)
         SELECT p.mode, p.gift_card_id, p.amount - COALESCE(b.amount, 0) AS amount,
                (p.points - COALESCE(b.points, 0))::BIGINT AS points
         FROM paid p LEFT JOIN back b
           ON b.mode = p.mode AND b.gift_card_id IS NOT DISTINCT FROM p.gift_card_id
         ORDER BY p.seq",
    )
    .bind(sale_id)
    .fetch_all(&mut *conn)
    .await?;
    let remaining: Vec<Decimal> = left.iter().map(|l| l.amount.max(Decimal::ZERO)).collect();
    let shares = pricing::split_refund(amount, &remaining).map_err(pricing_error)?;
    let mut tenders = Vec::new();
    for ((l, share), rest) in left.iter().zip(shares).zip(&remaining) {
        if share.is_zero() {
            continue;
        }
        let mode = PaymentMethod::parse(&l.mode)
            .ok_or_else(|| Error::Internal(format!("mode de paiement {}", l.mode)))?;
        // points come back in proportion; the last refund gives back what is left
        let points = (mode == PaymentMethod::Points).then(|| {
            if share == *rest {
                l.points
            } else {
                (Decimal::from(l.points) * share / rest)
                    .floor()
                    .try_into()
                    .unwrap_or(0)
            }
        });
        tenders.push(if to_store_credit {
            RefundTender {
                mode: PaymentMethod::Credit,
                amount: share,
                gift_card_id: None,
                points: None,
                from_mode: Some(mode),
            }
        } else {
            RefundTender {
                mode,
                amount: share,
                gift_card_id: l.gift_card_id,
                points: points.filter(|p| *p > 0),
                from_mode: None,
            }
        });
    }
    Ok(tenders)
}

/// Writes the refund's tenders and moves the balances they go back to.
pub(super) async fn pay_back(
    conn: &mut PgConnection,
    actor: &Actor,
    return_id: i64,
    customer_id: Option<i64>,
    tenders: &[RefundTender],
) -> Result<()> {
    for t in tenders {
        sqlx::query(
            "INSERT INTO return_refunds (return_id, mode, amount, gift_card_id, points, from_mode)
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(return_id)
        .bind(t.mode.as_str())
        .bind(t.amount)
        .bind(t.gift_card_id)
        .bind(t.points)
        .bind(t.from_mode.map(PaymentMethod::as_str))
        .execute(&mut *conn)
        .await?;
        match (t.mode, t.gift_card_id, customer_id) {
            (PaymentMethod::CarteCadeau, Some(card), _) => {
                gift_cards::refund_in(conn, card, t.amount, return_id, actor).await?;
            }
            (PaymentMethod::Points, _, Some(customer)) => {
                if let Some(points) = t.points {
                    customers::refund_points_in(conn, customer, points, return_id, actor).await?;
                }
            }
            (PaymentMethod::Credit, _, Some(customer)) => {
                let reason = if t.from_mode.is_some() {
                    CreditReason::Refund
                } else {
                    CreditReason::Refunded
                };
                customers::credit_in(conn, customer, t.amount, return_id, reason, actor).await?;
            }
            _ => {}
        }
    }
    Ok(())
}
