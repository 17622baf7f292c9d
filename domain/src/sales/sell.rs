//! The write of sales: one statement ([`SELL`]) records a group of priced carts, their lines,
//! stock decrements and journal rows, and returns what the receipts need.
//!
//! It locks the carts' stock rows in (store, product) order, so two statements never deadlock,
//! and rechecks each row's quantity on its latest version. A cart is written when every one of
//! its rows holds what it and the carts before it in the group take: a conservative test (an
//! earlier cart may itself be refused), so the accepted carts never take more than the stock
//! holds. The statement locks the rows of every cart, written or not, until the commit: a
//! refused cart that lacks stock now lacks it for the whole transaction, and is refused naming
//! the product; the others fit now and are written alone. A busy store's sales queue on its stock rows, so
//! they are held for one statement and the commit only; a group of carts shares both.

use std::borrow::Borrow;
use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use sqlx::PgConnection;

use super::price::Priced;
use super::{Sale, SaleLine};
use crate::{Error, Result};

/// `$1`..`$14`: the carts (index, client sale id, store, register, session, employee, API
/// client, amounts, payment); `$15`..`$21`: their lines (cart index, line number, product,
/// quantity, price, tax flag, amount), each product once per cart; `$22`: the time of sale.
/// Only the carts that fit are inserted, and only once per client sale id (an earlier or
/// concurrent one wins: that cart gets no sale id). The aggregate triggers of `sales` and
/// `sale_lines` run once at the end of the statement, for the whole group.
const SELL: &str = "
    WITH cart AS (
        SELECT * FROM unnest($1::INT[], $2::TEXT[], $3::BIGINT[], $4::BIGINT[], $5::BIGINT[],
                             $6::BIGINT[], $7::BIGINT[], $8::NUMERIC[], $9::NUMERIC[],
                             $10::NUMERIC[], $11::NUMERIC[], $12::TEXT[], $13::NUMERIC[],
                             $14::NUMERIC[])
            AS c(idx, client_sale_id, store_id, register_id, session_id, employee_id,
                 api_client_id, subtotal, tps, tvq, total, payment_method, amount_tendered,
                 change_given)),
    line AS (
        SELECT l.*, c.store_id
        FROM unnest($15::INT[], $16::INT[], $17::BIGINT[], $18::INT[], $19::NUMERIC[],
                    $20::BOOL[], $21::NUMERIC[])
            AS l(idx, line_no, product_id, quantity, unit_price, taxable, line_total)
        JOIN cart c USING (idx)),
    locked AS MATERIALIZED (
        SELECT s.store_id, s.product_id, s.quantity FROM store_stock s
        WHERE (s.store_id, s.product_id) IN (SELECT store_id, product_id FROM line)
        ORDER BY s.store_id, s.product_id
        FOR UPDATE OF s),
    fits AS (
        SELECT d.idx, bool_and(COALESCE(k.quantity >= d.cumulative, FALSE)) AS ok
        FROM (SELECT idx, store_id, product_id,
                     sum(quantity) OVER (PARTITION BY store_id, product_id ORDER BY idx)
                         AS cumulative
              FROM line) d
        LEFT JOIN locked k USING (store_id, product_id)
        GROUP BY d.idx),
    sale AS (
        INSERT INTO sales (client_sale_id, store_id, register_id, session_id, employee_id,
            api_client_id, sold_at, subtotal, tps, tvq, total, payment_method, amount_tendered,
            change_given)
        SELECT c.client_sale_id, c.store_id, c.register_id, c.session_id, c.employee_id,
               c.api_client_id, $22, c.subtotal, c.tps, c.tvq, c.total, c.payment_method,
               c.amount_tendered, c.change_given
        FROM cart c JOIN fits f USING (idx)
        WHERE f.ok
        ORDER BY c.idx
        ON CONFLICT (client_sale_id) DO NOTHING
        RETURNING id, client_sale_id),
    sold AS (
        SELECT c.idx, s.id, c.store_id, c.employee_id, c.api_client_id
        FROM sale s JOIN cart c USING (client_sale_id)),
    lines AS (
        INSERT INTO sale_lines (sale_id, line_no, product_id, quantity, unit_price, taxable,
                                line_total)
        SELECT sold.id, l.line_no, l.product_id, l.quantity, l.unit_price, l.taxable,
               l.line_total
        FROM sold JOIN line l USING (idx)
        ORDER BY sold.id, l.line_no
        RETURNING id, sale_id, line_no),
    taken AS (
        SELECT l.store_id, l.product_id, sum(l.quantity) AS quantity
        FROM sold JOIN line l USING (idx)
        GROUP BY l.store_id, l.product_id),
    moved AS (
        UPDATE store_stock s SET quantity = s.quantity - t.quantity, updated_at = $22
        FROM taken t
        WHERE s.store_id = t.store_id AND s.product_id = t.product_id),
    journal AS (
        INSERT INTO stock_movements (location, store_id, product_id, delta, reason, sale_id,
                                     employee_id, api_client_id, created_at)
        SELECT 'store', sold.store_id, l.product_id, -l.quantity, 'sale', sold.id,
               sold.employee_id, sold.api_client_id, $22
        FROM sold JOIN line l USING (idx))
    SELECT c.idx, COALESCE(f.ok, FALSE) AS enough, sold.id AS sale_id,
           ARRAY(SELECT n.id FROM lines n WHERE n.sale_id = sold.id ORDER BY n.line_no)
               AS line_ids,
           e.full_name AS employee_name, st.name AS store_name, st.address AS store_address
    FROM cart c
    LEFT JOIN fits f USING (idx)
    LEFT JOIN sold USING (idx)
    LEFT JOIN employees e ON e.id = c.employee_id
    LEFT JOIN stores st ON st.id = c.store_id
    ORDER BY c.idx";

/// What [`SELL`] says of one cart.
#[derive(sqlx::FromRow)]
struct Row {
    idx: i32,
    /// Every stock row of the cart held enough (with the carts before it in the group).
    enough: bool,
    /// `None` with `enough`: the client sale id was recorded already.
    sale_id: Option<i64>,
    line_ids: Vec<i64>,
    employee_name: Option<String>,
    /// `None`: no such store (nothing was written; its stock rows do not exist either).
    store_name: Option<String>,
    store_address: Option<String>,
}

/// How many times a cart is tried alone while no product lacks stock (restocked between its
/// statement and the check).
const ATTEMPTS: usize = 3;

/// Writes the carts (keyed by the caller's index): `Some(sale)` when written, `None` when its
/// client sale id was recorded already, or the refusal. The outer error is the database's.
pub(super) async fn sell(
    conn: &mut PgConnection,
    carts: Vec<(usize, Priced<'_, '_>)>,
    at: DateTime<Utc>,
) -> Result<BTreeMap<usize, Result<Option<Sale>>>> {
    let mut done = BTreeMap::new();
    // a client sale id twice in one group would be written once: the repeat goes alone, after
    let mut seen = HashSet::new();
    let (group, mut alone): (Vec<_>, Vec<_>) = carts
        .into_iter()
        .partition(|(_, cart)| seen.insert(cart.client_sale_id));
    if !group.is_empty() {
        let rows = run(conn, &group, at).await?;
        let mut refused = Vec::new();
        for ((i, cart), row) in group.into_iter().zip(rows) {
            if row.enough || row.store_name.is_none() {
                done.insert(i, finish(&cart, row, at));
            } else {
                refused.push((i, cart));
            }
        }
        // The statement locked every stock row of the group until the commit, so what lacks
        // stock now lacks it for this transaction; the others fit now, alone.
        let mut short = shortages(conn, &refused).await?;
        for (i, cart) in refused {
            match short.remove(&i) {
                Some(refusal) => {
                    done.insert(i, Err(refusal));
                }
                None => alone.push((i, cart)),
            }
        }
    }
    for (i, cart) in alone {
        let result = sell_alone(conn, &cart, at).await?;
        done.insert(i, result);
    }
    Ok(done)
}

/// One cart alone, where the statement's test is exact.
async fn sell_alone(
    conn: &mut PgConnection,
    cart: &Priced<'_, '_>,
    at: DateTime<Utc>,
) -> Result<Result<Option<Sale>>> {
    let cart = [(0, cart)];
    for _ in 0..ATTEMPTS {
        let row = run(conn, &cart, at)
            .await?
            .pop()
            .ok_or_else(|| Error::Internal("vente sans résultat".into()))?;
        if row.enough || row.store_name.is_none() {
            return Ok(finish(cart[0].1, row, at));
        }
        if let Some(refusal) = shortages(conn, &cart).await?.remove(&0) {
            return Ok(Err(refusal));
        }
    }
    Ok(Err(Error::Conflict(
        "Le stock change trop vite pour enregistrer la vente ; réessayez.".into(),
    )))
}

/// Why each refused cart cannot be taken from its store's stock now, in one read: the first
/// product (in id order) without a stock row or without enough. Carts that lack nothing now
/// are not in the map.
async fn shortages<'a, 'p, C: Borrow<Priced<'a, 'p>>>(
    conn: &mut PgConnection,
    carts: &[(usize, C)],
) -> Result<BTreeMap<usize, Error>> {
    if carts.is_empty() {
        return Ok(BTreeMap::new());
    }
    let wanted = || {
        carts.iter().flat_map(|(i, c)| {
            let c = c.borrow();
            c.wanted
                .iter()
                .map(move |(p, q)| (*i as i32, c.store_id, *p, *q))
        })
    };
    let short: Vec<(i32, i64, i32, Option<i32>)> = sqlx::query_as(
        "SELECT DISTINCT ON (w.idx) w.idx, w.product_id, w.quantity, s.quantity
         FROM unnest($1::INT[], $2::BIGINT[], $3::BIGINT[], $4::INT[])
              AS w(idx, store_id, product_id, quantity)
         LEFT JOIN store_stock s ON s.store_id = w.store_id AND s.product_id = w.product_id
         WHERE s.quantity IS NULL OR s.quantity < w.quantity
         ORDER BY w.idx, w.product_id",
    )
    .bind(wanted().map(|w| w.0).collect::<Vec<_>>())
    .bind(wanted().map(|w| w.1).collect::<Vec<_>>())
    .bind(wanted().map(|w| w.2).collect::<Vec<_>>())
    .bind(wanted().map(|w| w.3).collect::<Vec<_>>())
    .fetch_all(&mut *conn)
    .await?;
    let mut refusals = BTreeMap::new();
    for (idx, product_id, requested, available) in short {
        let Some((i, cart)) = carts.iter().find(|(i, _)| *i as i32 == idx) else {
            continue;
        };
        let product = cart.borrow().lines.iter().find(|l| l.0.id == product_id);
        let refusal = match (available, product) {
            (Some(available), Some((product, _, _))) => Error::InsufficientStock {
                product_id,
                product_code: product.code.clone(),
                product_name: product.name.clone(),
                requested: i64::from(requested),
                available: i64::from(available),
            },
            _ => Error::not_found("Stock du produit", product_id),
        };
        refusals.insert(*i, refusal);
    }
    Ok(refusals)
}

/// Runs [`SELL`] on a group of carts; one row per cart, in the group's order.
async fn run<'a, 'p, C: Borrow<Priced<'a, 'p>>>(
    conn: &mut PgConnection,
    group: &[(usize, C)],
    at: DateTime<Utc>,
) -> Result<Vec<Row>> {
    let carts = || group.iter().map(|(_, c)| c.borrow());
    let idx: Vec<i32> = (0..group.len() as i32).collect();
    let lines = || {
        carts()
            .zip(&idx)
            .flat_map(|(c, i)| c.lines.iter().zip(1..).map(move |(l, no)| (*i, no, l)))
    };
    let rows: Vec<Row> = sqlx::query_as(SELL)
        .bind(&idx)
        .bind(carts().map(|c| c.client_sale_id).collect::<Vec<_>>())
        .bind(carts().map(|c| c.store_id).collect::<Vec<_>>())
        .bind(
            carts()
                .map(|c| c.register.as_ref().map(|r| r.id))
                .collect::<Vec<_>>(),
        )
        .bind(carts().map(|c| c.session_id).collect::<Vec<_>>())
        .bind(carts().map(|c| c.actor.employee_id()).collect::<Vec<_>>())
        .bind(carts().map(|c| c.actor.api_client_id()).collect::<Vec<_>>())
        .bind(carts().map(|c| c.totals.subtotal).collect::<Vec<_>>())
        .bind(carts().map(|c| c.totals.tps).collect::<Vec<_>>())
        .bind(carts().map(|c| c.totals.tvq).collect::<Vec<_>>())
        .bind(carts().map(|c| c.totals.total).collect::<Vec<_>>())
        .bind(carts().map(|c| c.method.as_str()).collect::<Vec<_>>())
        .bind(carts().map(|c| c.tendered).collect::<Vec<_>>())
        .bind(carts().map(|c| c.change).collect::<Vec<_>>())
        .bind(lines().map(|(i, _, _)| i).collect::<Vec<_>>())
        .bind(lines().map(|(_, no, _)| no).collect::<Vec<i32>>())
        .bind(lines().map(|(_, _, l)| l.0.id).collect::<Vec<_>>())
        .bind(lines().map(|(_, _, l)| l.1).collect::<Vec<_>>())
        .bind(lines().map(|(_, _, l)| l.0.price).collect::<Vec<_>>())
        .bind(lines().map(|(_, _, l)| l.0.taxable).collect::<Vec<_>>())
        .bind(lines().map(|(_, _, l)| l.2).collect::<Vec<Decimal>>())
        .bind(at)
        .fetch_all(&mut *conn)
        .await?;
    if rows.len() != group.len() || rows.iter().zip(&idx).any(|(r, i)| r.idx != *i) {
        return Err(Error::Internal("ventes : réponse inattendue".into()));
    }
    Ok(rows)
}

/// The receipt of a written cart, built from what the statement returned (no read-back).
fn finish(cart: &Priced<'_, '_>, row: Row, at: DateTime<Utc>) -> Result<Option<Sale>> {
    let (Some(store_name), Some(store_address)) = (row.store_name, row.store_address) else {
        return Err(Error::not_found("Magasin", cart.store_id));
    };
    let Some(sale_id) = row.sale_id else {
        return Ok(None);
    };
    let lines = cart
        .lines
        .iter()
        .zip(&row.line_ids)
        .zip(1..)
        .map(|(((product, quantity, amount), id), line_no)| SaleLine {
            id: *id,
            line_no,
            product_id: product.id,
            product_code: product.code.clone(),
            product_name: product.name.clone(),
            quantity: *quantity,
            unit_price: product.price,
            taxable: product.taxable,
            line_total: *amount,
            returned_quantity: 0,
        })
        .collect();
    Ok(Some(Sale {
        id: sale_id,
        client_sale_id: cart.client_sale_id.to_owned(),
        store_id: cart.store_id,
        store_name,
        store_address,
        register_id: cart.register.as_ref().map(|r| r.id),
        register_name: cart.register.as_ref().map(|r| r.name.clone()),
        session_id: cart.session_id,
        employee_id: cart.actor.employee_id(),
        employee_name: row.employee_name,
        api_client_id: cart.actor.api_client_id(),
        sold_at: at,
        subtotal: cart.totals.subtotal,
        tps: cart.totals.tps,
        tvq: cart.totals.tvq,
        total: cart.totals.total,
        payment_method: cart.method,
        amount_tendered: cart.tendered,
        change_given: cart.change,
        lines,
        returns: Vec::new(),
    }))
}
