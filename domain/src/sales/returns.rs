//! Returns: some or all of a sale's lines, never more than sold minus already returned (a
//! `CHECK` on `sale_lines.returned_quantity` guarantees it under concurrency too). The stock of
//! the sale's store goes back up, and the refund is the returned goods' share of what was paid,
//! taxes included, so returning everything refunds exactly the total. The refund is worked out
//! by [`plan_return`], which `preview_return` shares to show it before it is confirmed.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{Acquire, FromRow, PgConnection, PgPool};

use super::PaymentMethod;
use super::price::pricing_error;
use super::refunds::{RefundTender, pay_back, refund_tenders};
use crate::error::Validator;
use crate::inventory::{Location, MovementReason, StockChange, change_stock};
use crate::money::Totals;
use crate::{Actor, Error, Result};
use pricing::SoldLine;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnLineInput {
    pub sale_line_id: i64,
    pub quantity: i32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewReturn {
    pub sale_id: i64,
    pub lines: Vec<ReturnLineInput>,
    pub reason: String,
    /// The till where the refund is paid out (its open session records the cash leaving).
    pub register_id: Option<i64>,
    /// The customer prefers store credit to the tenders the sale was paid with.
    #[serde(default)]
    pub to_store_credit: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct ReturnLine {
    pub sale_line_id: i64,
    pub product_id: i64,
    pub product_code: String,
    pub product_name: String,
    pub quantity: i32,
    pub unit_price: Decimal,
    /// GST and QST applied to the line (the return receipt marks it).
    pub taxable: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct Return {
    pub id: i64,
    pub sale_id: i64,
    pub store_id: i64,
    pub session_id: Option<i64>,
    pub employee_id: Option<i64>,
    pub employee_name: Option<String>,
    pub reason: String,
    pub subtotal: Decimal,
    pub tps: Decimal,
    pub tvq: Decimal,
    pub refund_amount: Decimal,
    #[sqlx(try_from = "String")]
    pub refund_method: PaymentMethod,
    pub returned_at: DateTime<Utc>,
    #[sqlx(skip)]
    pub lines: Vec<ReturnLine>,
    /// Where the money went: each tender (or store credit) and its amount.
    #[sqlx(skip)]
    pub refunds: Vec<ReturnRefund>,
}

/// One tender of a return's refund, as its receipt prints it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct ReturnRefund {
    #[sqlx(try_from = "String")]
    pub mode: PaymentMethod,
    pub amount: Decimal,
    pub points: Option<i64>,
}

#[derive(FromRow)]
struct ReturnRefundRow {
    return_id: i64,
    #[sqlx(flatten)]
    refund: ReturnRefund,
}

const RETURN_SELECT: &str = "SELECT rt.id, rt.sale_id, rt.store_id, rt.session_id, rt.employee_id,
        e.full_name AS employee_name, rt.reason, rt.subtotal, rt.tps, rt.tvq, rt.refund_amount,
        rt.refund_method, rt.returned_at
     FROM returns rt LEFT JOIN employees e ON e.id = rt.employee_id";

const RETURN_LINES_SELECT: &str = "SELECT rl.return_id, rl.sale_line_id, l.product_id,
        p.code AS product_code, p.name AS product_name, rl.quantity, l.unit_price, l.taxable
     FROM return_lines rl JOIN sale_lines l ON l.id = rl.sale_line_id
     JOIN products p ON p.id = l.product_id";

#[derive(FromRow)]
struct ReturnLineRow {
    return_id: i64,
    #[sqlx(flatten)]
    line: ReturnLine,
}

/// Completes returns with their lines and refunds: two queries whatever their number.
async fn attach_lines(conn: &mut PgConnection, returns: &mut [Return]) -> Result<()> {
    if returns.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = returns.iter().map(|r| r.id).collect();
    let index: HashMap<i64, usize> = ids.iter().enumerate().map(|(i, id)| (*id, i)).collect();
    let rows: Vec<ReturnLineRow> = sqlx::query_as(&format!(
        "{RETURN_LINES_SELECT} WHERE rl.return_id = ANY($1) ORDER BY rl.return_id, l.line_no"
    ))
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        if let Some(&i) = index.get(&row.return_id) {
            returns[i].lines.push(row.line);
        }
    }
    let refunds: Vec<ReturnRefundRow> = sqlx::query_as(
        "SELECT return_id, mode, amount, points FROM return_refunds
         WHERE return_id = ANY($1) ORDER BY return_id, id",
    )
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    for row in refunds {
        if let Some(&i) = index.get(&row.return_id) {
            returns[i].refunds.push(row.refund);
        }
    }
    Ok(())
}

/// The returns of these sales, whole, each sale's in the order they were taken: a constant
/// number of queries for a page of sales as for one.
pub(crate) async fn load_returns_of_sales(
    conn: &mut PgConnection,
    sale_ids: &[i64],
) -> Result<Vec<Return>> {
    let mut returns: Vec<Return> = sqlx::query_as(&format!(
        "{RETURN_SELECT} WHERE rt.sale_id = ANY($1) ORDER BY rt.sale_id, rt.returned_at, rt.id"
    ))
    .bind(sale_ids)
    .fetch_all(&mut *conn)
    .await?;
    attach_lines(conn, &mut returns).await?;
    Ok(returns)
}

async fn load_return(conn: &mut PgConnection, id: i64) -> Result<Return> {
    let ret: Return = sqlx::query_as(&format!("{RETURN_SELECT} WHERE rt.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| Error::not_found("Retour", id))?;
    let mut one = [ret];
    attach_lines(conn, &mut one).await?;
    let [ret] = one;
    Ok(ret)
}

/// A return with its lines (the return receipt).
pub async fn get_return(db: &PgPool, actor: &Actor, id: i64) -> Result<Return> {
    let mut conn = db.acquire().await?;
    let ret = load_return(&mut conn, id).await?;
    actor.ensure_visible(ret.store_id, "Retour", id)?;
    Ok(ret)
}

pub async fn create_return(db: &PgPool, actor: &Actor, new: &NewReturn) -> Result<Return> {
    let mut conn = db.acquire().await?;
    let ret = create_return_at(&mut conn, actor, new, Utc::now()).await?;
    crate::events::emit(
        "return",
        "return",
        ret.id,
        actor,
        serde_json::json!({"sale_id": ret.sale_id, "refund_amount": ret.refund_amount, "reason": ret.reason,
            "lines": ret.lines.iter().map(|l| serde_json::json!({"product_id": l.product_id, "quantity": l.quantity})).collect::<Vec<_>>()}),
    );
    for l in &ret.lines {
        crate::events::movement(
            actor,
            Location::Store(ret.store_id),
            l.product_id,
            l.quantity,
            "return",
        );
    }
    Ok(ret)
}

#[derive(FromRow)]
pub(super) struct LockedSale {
    pub(super) store_id: i64,
    subtotal: Decimal,
    tps: Decimal,
    tvq: Decimal,
    total: Decimal,
    pub(super) payment_method: String,
    customer_id: Option<i64>,
    points_earned: i64,
}

#[derive(FromRow)]
pub(super) struct LineState {
    pub(super) id: i64,
    line_no: i32,
    pub(super) product_id: i64,
    pub(super) product_code: String,
    pub(super) product_name: String,
    quantity: i32,
    returned_quantity: i32,
    pub(super) unit_price: Decimal,
    pub(super) taxable: bool,
    line_total: Decimal,
}

/// A return checked and priced, not yet written: the sale (locked until the transaction
/// ends), its lines, what is asked back per sale line, and the refund.
pub(super) struct ReturnPlan {
    pub(super) sale: LockedSale,
    pub(super) lines: Vec<LineState>,
    pub(super) asked: BTreeMap<i64, i32>,
    pub(super) refund: Totals,
    /// The net value (before tax) of each returned line's units: its share of the discounts.
    pub(super) amounts: BTreeMap<i64, Decimal>,
    /// Where the refund goes: the sale's tenders, or store credit.
    pub(super) tenders: Vec<RefundTender>,
    /// The points the returned goods had earned, taken back.
    pub(super) points_reversed: i64,
}

/// Checks a return (reason, lines, quantities still returnable, the actor's store) and works
/// out its refund: the returned goods' share of what was paid, minus what earlier returns of
/// the sale refunded. Locks the sale (`FOR UPDATE`) so that two returns of it are computed
/// one after the other.
pub(super) async fn plan_return(
    conn: &mut PgConnection,
    actor: &Actor,
    new: &NewReturn,
) -> Result<ReturnPlan> {
    let reason = new.reason.trim();
    let mut v = Validator::default();
    v.check(
        !reason.is_empty() && reason.chars().count() <= 500,
        "reason",
        "Indiquez la raison du retour.",
    );
    v.check(
        !new.lines.is_empty(),
        "lines",
        "Choisissez au moins un article à retourner.",
    );
    let mut asked: BTreeMap<i64, i32> = BTreeMap::new();
    for (i, line) in new.lines.iter().enumerate() {
        if line.quantity < 1 {
            v.check(
                false,
                &format!("lines[{i}].quantity"),
                "La quantité doit être d'au moins 1.",
            );
        } else {
            let q = asked.entry(line.sale_line_id).or_default();
            *q = q.saturating_add(line.quantity);
        }
    }
    v.finish()?;

    // One return of a sale at a time: the refund depends on what was returned before.
    let sale: LockedSale = sqlx::query_as(
        "SELECT store_id, subtotal, tps, tvq, total, payment_method, customer_id, points_earned
         FROM sales WHERE id = $1 FOR UPDATE",
    )
    .bind(new.sale_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| Error::not_found("Vente", new.sale_id))?;
    actor.ensure_visible(sale.store_id, "Vente", new.sale_id)?;

    let lines: Vec<LineState> = sqlx::query_as(
        "SELECT l.id, l.line_no, l.product_id, p.code AS product_code, p.name AS product_name,
                l.quantity, l.returned_quantity, l.unit_price, l.taxable, l.line_total
         FROM sale_lines l JOIN products p ON p.id = l.product_id
         WHERE l.sale_id = $1 ORDER BY l.line_no",
    )
    .bind(new.sale_id)
    .fetch_all(&mut *conn)
    .await?;
    let mut v = Validator::default();
    for (line_id, quantity) in &asked {
        match lines.iter().find(|l| l.id == *line_id) {
            None => {
                v.check(
                    false,
                    "lines",
                    &format!("La ligne {line_id} n'appartient pas à cette vente."),
                );
            }
            Some(l) => {
                let left = l.quantity - l.returned_quantity;
                v.check(
                    *quantity <= left,
                    &format!("lines[{}]", l.line_no),
                    &format!(
                        "Au plus {left} article(s) de cette ligne peuvent encore être retournés."
                    ),
                );
            }
        }
    }
    v.finish()?;

    if new.to_store_credit && sale.customer_id.is_none() {
        return Err(Error::invalid(
            "to_store_credit",
            "Le crédit en magasin demande une vente associée à un client.",
        ));
    }
    // the money order's refund: each returned unit's real share of what was paid, counted
    // cumulatively with the earlier returns so that returning everything refunds the total
    let sold: Vec<SoldLine> = lines
        .iter()
        .map(|l| SoldLine {
            quantity: l.quantity,
            total: l.line_total,
            taxable: l.taxable,
        })
        .collect();
    let already: Vec<i32> = lines.iter().map(|l| l.returned_quantity).collect();
    let now: Vec<i32> = lines
        .iter()
        .map(|l| asked.get(&l.id).copied().unwrap_or(0))
        .collect();
    let sale_totals = Totals {
        subtotal: sale.subtotal,
        tps: sale.tps,
        tvq: sale.tvq,
        total: sale.total,
    };
    let refund = pricing::refund(&sold, &sale_totals, &already, &now).map_err(pricing_error)?;
    let mut amounts = BTreeMap::new();
    let (mut before, mut after) = (Decimal::ZERO, Decimal::ZERO);
    for ((l, s), (a, n)) in lines.iter().zip(&sold).zip(already.iter().zip(&now)) {
        before += s.value(*a);
        after += s.value(a + n);
        if *n > 0 {
            amounts.insert(l.id, s.value(a + n) - s.value(*a));
        }
    }
    let points_reversed =
        pricing::points_reversed(sale.points_earned, sale.subtotal, before, after);
    let tenders = refund_tenders(conn, new.sale_id, refund.total, new.to_store_credit).await?;
    Ok(ReturnPlan {
        sale,
        lines,
        asked,
        refund,
        amounts,
        tenders,
        points_reversed,
    })
}

pub(crate) async fn create_return_at(
    conn: &mut PgConnection,
    actor: &Actor,
    new: &NewReturn,
    at: DateTime<Utc>,
) -> Result<Return> {
    let reason = new.reason.trim();
    let mut tx = conn.begin().await?;
    let ReturnPlan {
        sale,
        lines,
        asked,
        refund,
        amounts,
        tenders,
        points_reversed,
    } = plan_return(&mut tx, actor, new).await?;
    // the main refund tender, as the sale has its main payment
    let refund_method = tenders
        .iter()
        .max_by(|a, b| a.amount.cmp(&b.amount))
        .map_or(sale.payment_method.clone(), |t| t.mode.as_str().to_owned());

    let session_id = match new.register_id {
        None => None,
        Some(register_id) => {
            let register = crate::stores::find_register(&mut *tx, register_id).await?;
            if register.store_id != sale.store_id {
                return Err(Error::invalid(
                    "register_id",
                    "Cette caisse n'est pas dans le magasin de la vente.",
                ));
            }
            crate::stores::current_session(&mut *tx, register_id)
                .await?
                .map(|s| s.id)
        }
    };

    let return_id: i64 = sqlx::query_scalar(
        "INSERT INTO returns (sale_id, store_id, session_id, employee_id, api_client_id, reason,
             subtotal, tps, tvq, refund_amount, refund_method, returned_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(new.sale_id)
    .bind(sale.store_id)
    .bind(session_id)
    .bind(actor.employee_id())
    .bind(actor.api_client_id())
    .bind(reason)
    .bind(refund.subtotal)
    .bind(refund.tps)
    .bind(refund.tvq)
    .bind(refund.total)
    .bind(&refund_method)
    .bind(at)
    .fetch_one(&mut *tx)
    .await?;

    let mut by_product: Vec<(i64, i64, i32)> = asked
        .iter()
        .filter_map(|(line_id, q)| {
            lines
                .iter()
                .find(|l| l.id == *line_id)
                .map(|l| (l.product_id, *line_id, *q))
        })
        .collect();
    by_product.sort();
    for (product_id, line_id, quantity) in by_product {
        sqlx::query(
            "INSERT INTO return_lines (return_id, sale_line_id, quantity, amount)
             VALUES ($1, $2, $3, $4)",
        )
        .bind(return_id)
        .bind(line_id)
        .bind(quantity)
        .bind(amounts.get(&line_id).copied().unwrap_or_default())
        .execute(&mut *tx)
        .await?;
        // Backed by CHECK (returned_quantity <= quantity): never more than was sold.
        sqlx::query(
            "UPDATE sale_lines SET returned_quantity = returned_quantity + $2 WHERE id = $1",
        )
        .bind(line_id)
        .bind(quantity)
        .execute(&mut *tx)
        .await?;
        change_stock(
            &mut tx,
            &StockChange {
                location: Location::Store(sale.store_id),
                product_id,
                delta: quantity,
                reason: MovementReason::Return(return_id),
                actor,
                note: reason,
                at,
            },
        )
        .await?;
    }
    pay_back(&mut tx, actor, return_id, sale.customer_id, &tenders).await?;
    if let (Some(customer), true) = (sale.customer_id, points_reversed > 0) {
        // never more than the customer still has: points already spent stay spent
        crate::customers::reverse_points_in(&mut tx, customer, points_reversed, return_id, actor)
            .await?;
    }
    let ret = load_return(&mut tx, return_id).await?;
    tx.commit().await?;
    Ok(ret)
}
