//! The write of sales: one statement ([`SELL`]) records a group of priced carts, their lines,
//! stock decrements and journal rows, and returns what the receipts need.
//!
//! It locks the carts' stock rows in (store, product) order, then the customers who earn points
//! in id order, so two statements never deadlock, and rechecks each row's quantity on its latest
//! version. A cart is written when every one of
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
use sqlx::{Acquire, PgConnection};

use super::price::{PaidTender, Priced};
use super::{PaymentMethod, Sale, SaleLine, SalePayment};
use crate::{Error, Result};
use pricing::PricedLine;

/// `$1`..`$21`, `$42`: the carts (index, client sale id, store, register, session, employee,
/// API client, amounts, main payment, cash handed over and change, customer, discounts,
/// approver, points earned, gift cards sold; whether the points are added later); `$22`..`$33`: their lines (cart index, line number,
/// product, quantity, prices, tax flag, amount, promotion and discounts), each product once per
/// cart; `$34`..`$40`: their tenders; `$41`: the time of sale. Only the carts that fit are
/// inserted, and only once per client sale id (an earlier or concurrent one wins: that cart
/// gets no sale id). The aggregate triggers of `sales` and `sale_lines` run once at the end of
/// the statement, for the whole group. The points a customer earns are added here too (summed
/// per customer, so a group's two sales of one customer add both), except for a cart that
/// spends a balance: `balances.rs` spends first, where it may refuse the sale, then adds them.
const SELL: &str = "
    WITH cart AS (
        SELECT * FROM unnest($1::INT[], $2::TEXT[], $3::BIGINT[], $4::BIGINT[], $5::BIGINT[],
                             $6::BIGINT[], $7::BIGINT[], $8::NUMERIC[], $9::NUMERIC[],
                             $10::NUMERIC[], $11::NUMERIC[], $12::TEXT[], $13::NUMERIC[],
                             $14::NUMERIC[], $15::BIGINT[], $16::NUMERIC[], $17::NUMERIC[],
                             $18::NUMERIC[], $19::BIGINT[], $20::BIGINT[], $21::NUMERIC[],
                             $42::BOOL[])
            AS c(idx, client_sale_id, store_id, register_id, session_id, employee_id,
                 api_client_id, subtotal, tps, tvq, total, payment_method, amount_tendered,
                 change_given, customer_id, promotion_savings, manual_discounts, cart_discount,
                 discount_approved_by, points_earned, gift_cards_sold, earns_later)),
    line AS (
        SELECT l.*, c.store_id
        FROM unnest($22::INT[], $23::INT[], $24::BIGINT[], $25::INT[], $26::NUMERIC[],
                    $27::BOOL[], $28::NUMERIC[], $29::NUMERIC[], $30::BIGINT[], $31::NUMERIC[],
                    $32::NUMERIC[], $33::NUMERIC[])
            AS l(idx, line_no, product_id, quantity, unit_price, taxable, line_total,
                 original_price, promotion_id, promotion_saving, line_discount, cart_discount)
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
            change_given, customer_id, promotion_savings, manual_discounts, cart_discount,
            discount_approved_by, points_earned, gift_cards_sold)
        SELECT c.client_sale_id, c.store_id, c.register_id, c.session_id, c.employee_id,
               c.api_client_id, $41, c.subtotal, c.tps, c.tvq, c.total, c.payment_method,
               c.amount_tendered, c.change_given, c.customer_id, c.promotion_savings,
               c.manual_discounts, c.cart_discount, c.discount_approved_by, c.points_earned,
               c.gift_cards_sold
        -- a cart of gift cards only has no line, so no row in `fits`: nothing to take
        FROM cart c LEFT JOIN fits f USING (idx)
        WHERE COALESCE(f.ok, TRUE)
          AND EXISTS (SELECT 1 FROM stores st WHERE st.id = c.store_id)
        ORDER BY c.idx
        ON CONFLICT (client_sale_id) DO NOTHING
        RETURNING id, client_sale_id),
    sold AS (
        SELECT c.idx, s.id, c.store_id, c.employee_id, c.api_client_id, c.customer_id,
               CASE WHEN c.earns_later THEN 0 ELSE c.points_earned END AS points_earned
        FROM sale s JOIN cart c USING (client_sale_id)),
    lines AS (
        INSERT INTO sale_lines (sale_id, line_no, product_id, quantity, unit_price, taxable,
                                line_total, original_price, promotion_id, promotion_saving,
                                line_discount, cart_discount)
        SELECT sold.id, l.line_no, l.product_id, l.quantity, l.unit_price, l.taxable,
               l.line_total, l.original_price, l.promotion_id, l.promotion_saving,
               l.line_discount, l.cart_discount
        FROM sold JOIN line l USING (idx)
        ORDER BY sold.id, l.line_no
        RETURNING id, sale_id, line_no),
    pay AS (
        SELECT * FROM unnest($34::INT[], $35::INT[], $36::TEXT[], $37::NUMERIC[], $38::TEXT[],
                             $39::BIGINT[], $40::BIGINT[])
            AS p(idx, seq, mode, amount, reference, gift_card_id, points)),
    payments AS (
        INSERT INTO sale_payments (sale_id, seq, mode, amount, reference, gift_card_id, points)
        SELECT sold.id, p.seq, p.mode, p.amount, p.reference, p.gift_card_id, p.points
        FROM sold JOIN pay p USING (idx)
        ORDER BY sold.id, p.seq),
    -- the customers who earn, locked in id order as the stock rows are: two groups never wait
    -- on each other's customers in opposite orders
    patron AS MATERIALIZED (
        SELECT cu.id FROM customers cu
        WHERE cu.id IN (SELECT customer_id FROM sold WHERE points_earned > 0)
        ORDER BY cu.id
        FOR UPDATE OF cu),
    earned AS (
        UPDATE customers cu SET points = cu.points + e.points
        FROM (SELECT customer_id, sum(points_earned) AS points FROM sold
              WHERE points_earned > 0 GROUP BY customer_id) e
        JOIN patron p ON p.id = e.customer_id
        WHERE cu.id = e.customer_id),
    loyalty AS (
        INSERT INTO loyalty_movements (customer_id, delta, reason, sale_id, employee_id,
                                       api_client_id, created_at)
        SELECT customer_id, points_earned, 'earned', id, employee_id, api_client_id, $41
        FROM sold WHERE points_earned > 0),
    taken AS (
        SELECT l.store_id, l.product_id, sum(l.quantity) AS quantity
        FROM sold JOIN line l USING (idx)
        GROUP BY l.store_id, l.product_id),
    moved AS (
        UPDATE store_stock s SET quantity = s.quantity - t.quantity, updated_at = $41
        FROM taken t
        WHERE s.store_id = t.store_id AND s.product_id = t.product_id),
    journal AS (
        INSERT INTO stock_movements (location, store_id, product_id, delta, reason, sale_id,
                                     employee_id, api_client_id, created_at)
        SELECT 'store', sold.store_id, l.product_id, -l.quantity, 'sale', sold.id,
               sold.employee_id, sold.api_client_id, $41
        FROM sold JOIN line l USING (idx))
    SELECT c.idx, COALESCE(f.ok, TRUE) AS enough, sold.id AS sale_id,
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
    // a client sale id twice in one group would be written once: the repeat goes alone, after;
    // so does a cart that spends a balance, which may still refuse it after its statement
    let mut seen = HashSet::new();
    let (group, mut alone): (Vec<_>, Vec<_>) = carts
        .into_iter()
        .partition(|(_, cart)| !cart.moves_balances() && seen.insert(cart.client_sale_id));
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
        let result = if cart.moves_balances() {
            sell_with_balances(conn, &cart, at).await?
        } else {
            sell_alone(conn, &cart, at).await?
        };
        done.insert(i, result);
    }
    Ok(done)
}

/// A cart that spends points, credit or a gift card, or sells gift cards: written alone under
/// a savepoint, then its balances moved (`balances.rs`); a balance that lacks what the cart
/// takes refuses the sale and the savepoint undoes it, so nothing is written.
async fn sell_with_balances(
    conn: &mut PgConnection,
    cart: &Priced<'_, '_>,
    at: DateTime<Utc>,
) -> Result<Result<Option<Sale>>> {
    let mut savepoint = conn.begin().await?;
    let sold = sell_alone(&mut savepoint, cart, at).await?;
    let Ok(Some(mut sale)) = sold else {
        savepoint.commit().await?;
        return Ok(sold);
    };
    match super::balances::apply(&mut savepoint, cart, &mut sale).await {
        Ok(()) => {
            savepoint.commit().await?;
            Ok(Ok(Some(sale)))
        }
        Err(refusal) if refusal.is_client_error() => {
            savepoint.rollback().await?;
            Ok(Err(refusal))
        }
        Err(failure) => Err(failure),
    }
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
        let product = cart.borrow().products.iter().find(|p| p.id == product_id);
        let refusal = match (available, product) {
            (Some(available), Some(product)) => Error::InsufficientStock {
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
        carts().zip(&idx).flat_map(|(c, i)| {
            c.cart
                .lines
                .iter()
                .zip(1..)
                .map(move |(l, no): (&PricedLine, i32)| (*i, no, l))
        })
    };
    let pays = || {
        carts().zip(&idx).flat_map(|(c, i)| {
            c.tenders
                .iter()
                .zip(1..)
                .map(move |(t, seq): (&PaidTender, i32)| (*i, seq, t))
        })
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
        .bind(carts().map(|c| c.cart.totals.subtotal).collect::<Vec<_>>())
        .bind(carts().map(|c| c.cart.totals.tps).collect::<Vec<_>>())
        .bind(carts().map(|c| c.cart.totals.tvq).collect::<Vec<_>>())
        .bind(carts().map(|c| c.cart.totals.total).collect::<Vec<_>>())
        .bind(carts().map(|c| c.method.as_str()).collect::<Vec<_>>())
        .bind(carts().map(|c| c.tendered).collect::<Vec<_>>())
        .bind(carts().map(|c| c.change).collect::<Vec<_>>())
        .bind(carts().map(|c| c.customer_id).collect::<Vec<_>>())
        .bind(
            carts()
                .map(|c| c.cart.promotion_savings)
                .collect::<Vec<_>>(),
        )
        .bind(carts().map(|c| c.cart.manual_discounts).collect::<Vec<_>>())
        .bind(carts().map(cart_discount).collect::<Vec<_>>())
        .bind(carts().map(|c| c.approved_by).collect::<Vec<_>>())
        .bind(carts().map(|c| c.points_earned).collect::<Vec<_>>())
        .bind(carts().map(|c| c.gift_cards_sold).collect::<Vec<_>>())
        .bind(lines().map(|(i, _, _)| i).collect::<Vec<_>>())
        .bind(lines().map(|(_, no, _)| no).collect::<Vec<i32>>())
        .bind(lines().map(|(_, _, l)| l.product_id).collect::<Vec<_>>())
        .bind(lines().map(|(_, _, l)| l.quantity).collect::<Vec<_>>())
        .bind(lines().map(|(_, _, l)| l.unit_price).collect::<Vec<_>>())
        .bind(lines().map(|(_, _, l)| l.taxable).collect::<Vec<_>>())
        .bind(lines().map(|(_, _, l)| l.total).collect::<Vec<Decimal>>())
        .bind(
            lines()
                .map(|(_, _, l)| l.original_unit_price)
                .collect::<Vec<_>>(),
        )
        .bind(
            lines()
                .map(|(_, _, l)| l.promotion.as_ref().map(|p| p.0))
                .collect::<Vec<_>>(),
        )
        .bind(
            lines()
                .map(|(_, _, l)| l.promotion_saving)
                .collect::<Vec<_>>(),
        )
        .bind(lines().map(|(_, _, l)| l.line_discount).collect::<Vec<_>>())
        .bind(lines().map(|(_, _, l)| l.cart_discount).collect::<Vec<_>>())
        .bind(pays().map(|(i, _, _)| i).collect::<Vec<_>>())
        .bind(pays().map(|(_, seq, _)| seq).collect::<Vec<_>>())
        .bind(pays().map(|(_, _, t)| t.kind.as_str()).collect::<Vec<_>>())
        .bind(pays().map(|(_, _, t)| t.amount).collect::<Vec<_>>())
        .bind(
            pays()
                .map(|(_, _, t)| t.reference.as_deref())
                .collect::<Vec<_>>(),
        )
        .bind(pays().map(|(_, _, t)| t.gift_card_id).collect::<Vec<_>>())
        .bind(pays().map(|(_, _, t)| t.points).collect::<Vec<_>>())
        .bind(at)
        .bind(carts().map(|c| c.moves_balances()).collect::<Vec<_>>())
        .fetch_all(&mut *conn)
        .await?;
    if rows.len() != group.len() || rows.iter().zip(&idx).any(|(r, i)| r.idx != *i) {
        return Err(Error::Internal("ventes : réponse inattendue".into()));
    }
    Ok(rows)
}

/// The cart discount given, summed from the lines' shares.
fn cart_discount(cart: &Priced<'_, '_>) -> Decimal {
    cart.cart.lines.iter().map(|l| l.cart_discount).sum()
}

/// The receipt of a written cart, built from what the statement returned (no read-back).
fn finish(cart: &Priced<'_, '_>, row: Row, at: DateTime<Utc>) -> Result<Option<Sale>> {
    let (Some(store_name), Some(store_address)) = (row.store_name, row.store_address) else {
        return Err(Error::not_found("Magasin", cart.store_id));
    };
    let Some(sale_id) = row.sale_id else {
        return Ok(None);
    };
    Ok(Some(receipt(
        cart,
        sale_id,
        &row.line_ids,
        (store_name, store_address),
        row.employee_name,
        at,
    )))
}

/// The receipt of a priced cart: a written sale's, or a quote's (id 0, lines 0).
pub(super) fn receipt(
    cart: &Priced<'_, '_>,
    sale_id: i64,
    line_ids: &[i64],
    (store_name, store_address): (String, String),
    employee_name: Option<String>,
    at: DateTime<Utc>,
) -> Sale {
    let lines = cart
        .cart
        .lines
        .iter()
        .zip(&cart.products)
        .zip(line_ids.iter().copied().chain(std::iter::repeat(0)))
        .zip(1..)
        .map(|(((line, product), id), line_no)| SaleLine {
            id,
            line_no,
            product_id: product.id,
            product_code: product.code.clone(),
            product_name: product.name.clone(),
            quantity: line.quantity,
            unit_price: line.unit_price,
            taxable: line.taxable,
            line_total: line.total,
            returned_quantity: 0,
            original_price: line.original_unit_price,
            promotion_id: line.promotion.as_ref().map(|p| p.0),
            promotion_name: line.promotion.as_ref().map(|p| p.1.clone()),
            promotion_saving: line.promotion_saving,
            line_discount: line.line_discount,
            cart_discount: line.cart_discount,
        })
        .collect();
    let payments = cart
        .tenders
        .iter()
        .zip(1..)
        .map(|(t, seq)| SalePayment {
            seq,
            mode: PaymentMethod::from(t.kind),
            amount: t.amount,
            reference: t.reference.clone(),
            points: t.points,
        })
        .collect();
    Sale {
        id: sale_id,
        client_sale_id: cart.client_sale_id.to_owned(),
        store_id: cart.store_id,
        store_name,
        store_address,
        register_id: cart.register.as_ref().map(|r| r.id),
        register_name: cart.register.as_ref().map(|r| r.name.clone()),
        session_id: cart.session_id,
        employee_id: cart.actor.employee_id(),
        employee_name,
        api_client_id: cart.actor.api_client_id(),
        sold_at: at,
        subtotal: cart.cart.totals.subtotal,
        tps: cart.cart.totals.tps,
        tvq: cart.cart.totals.tvq,
        total: cart.cart.totals.total,
        payment_method: cart.method,
        amount_tendered: cart.tendered,
        change_given: cart.change,
        customer_id: cart.customer_id,
        promotion_savings: cart.cart.promotion_savings,
        manual_discounts: cart.cart.manual_discounts,
        cart_discount: cart_discount(cart),
        discount_approved_by: cart.approved_by,
        points_earned: cart.points_earned,
        gift_cards_sold: cart.gift_cards_sold,
        lines,
        returns: Vec::new(),
        payments,
        gift_cards: Vec::new(),
        customer: None,
    }
}
