//! Returns: some or all of a sale's lines, never more than sold minus already returned (a
//! `CHECK` on `sale_lines.returned_quantity` guarantees it under concurrency too). The stock of
//! the sale's store goes back up, and the refund is the returned goods' share of what was paid,
//! taxes included, so returning everything refunds exactly the total. The refund is worked out
//! by [`plan_return`], which `preview_return` shares to show it before it is confirmed.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{Acquire, FromRow, PgConnection, PgPool};

use super::PaymentMethod;
use crate::error::Validator;
use crate::inventory::{Location, MovementReason, StockChange, change_stock};
use crate::money::{Totals, returned_share};
use crate::{Actor, Error, Result};

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

async fn attach_lines(conn: &mut PgConnection, returns: &mut [Return]) -> Result<()> {
    let ids: Vec<i64> = returns.iter().map(|r| r.id).collect();
    let rows: Vec<ReturnLineRow> = sqlx::query_as(&format!(
        "{RETURN_LINES_SELECT} WHERE rl.return_id = ANY($1) ORDER BY l.line_no"
    ))
    .bind(&ids)
    .fetch_all(&mut *conn)
    .await?;
    for row in rows {
        if let Some(r) = returns.iter_mut().find(|r| r.id == row.return_id) {
            r.lines.push(row.line);
        }
    }
    Ok(())
}

pub(crate) async fn load_returns_of_sale(
    conn: &mut PgConnection,
    sale_id: i64,
) -> Result<Vec<Return>> {
    let mut returns: Vec<Return> = sqlx::query_as(&format!(
        "{RETURN_SELECT} WHERE rt.sale_id = $1 ORDER BY rt.returned_at, rt.id"
    ))
    .bind(sale_id)
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
}

/// A return checked and priced, not yet written: the sale (locked until the transaction
/// ends), its lines, what is asked back per sale line, and the refund.
pub(super) struct ReturnPlan {
    pub(super) sale: LockedSale,
    pub(super) lines: Vec<LineState>,
    pub(super) asked: BTreeMap<i64, i32>,
    pub(super) refund: Totals,
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
        "SELECT store_id, subtotal, tps, tvq, total, payment_method FROM sales WHERE id = $1 FOR UPDATE",
    )
    .bind(new.sale_id)
    .fetch_optional(&mut *conn)
    .await?
    .ok_or_else(|| Error::not_found("Vente", new.sale_id))?;
    actor.ensure_visible(sale.store_id, "Vente", new.sale_id)?;

    let lines: Vec<LineState> = sqlx::query_as(
        "SELECT l.id, l.line_no, l.product_id, p.code AS product_code, p.name AS product_name,
                l.quantity, l.returned_quantity, l.unit_price, l.taxable
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

    let value = |returned: &dyn Fn(&LineState) -> i32| {
        let mut all = Decimal::ZERO;
        let mut taxable = Decimal::ZERO;
        for l in &lines {
            let amount = l.unit_price * Decimal::from(returned(l));
            all += amount;
            if l.taxable {
                taxable += amount;
            }
        }
        (all, taxable)
    };
    let sale_totals = Totals {
        subtotal: sale.subtotal,
        tps: sale.tps,
        tvq: sale.tvq,
        total: sale.total,
    };
    let taxable_base = value(&|l| l.quantity).1;
    let (before, before_taxable) = value(&|l| l.returned_quantity);
    let (after, after_taxable) =
        value(&|l| l.returned_quantity + asked.get(&l.id).copied().unwrap_or(0));
    let share_before = returned_share(&sale_totals, taxable_base, before, before_taxable);
    let share_after = returned_share(&sale_totals, taxable_base, after, after_taxable);
    let refund = Totals {
        subtotal: share_after.subtotal - share_before.subtotal,
        tps: share_after.tps - share_before.tps,
        tvq: share_after.tvq - share_before.tvq,
        total: share_after.total - share_before.total,
    };
    Ok(ReturnPlan {
        sale,
        lines,
        asked,
        refund,
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
    } = plan_return(&mut tx, actor, new).await?;

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
    .bind(&sale.payment_method)
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
             SELECT $1, $2, $3, $3 * unit_price FROM sale_lines WHERE id = $2",
        )
        .bind(return_id)
        .bind(line_id)
        .bind(quantity)
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
    let ret = load_return(&mut tx, return_id).await?;
    tx.commit().await?;
    Ok(ret)
}
