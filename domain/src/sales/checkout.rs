//! Recording a sale: the whole cart or nothing. Quantities of the same product are summed,
//! prices and tax flags come from the database, and the client's sale id makes a retried
//! submission return the first sale: only to the one who recorded it (same channel, store and
//! employee or API client); anyone else reusing the id gets a conflict.
//!
//! The cart is checked (`cart.rs`), located and priced (`price.rs`), then written by one
//! statement (`sell.rs`), for one cart or several at once; this module runs those steps for a
//! group of carts and turns what the statement wrote into outcomes, each cart its own.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{PgConnection, PgPool};

use super::cart::{Channel, NewSale, merge_cart};
use super::ids::SALE_ID_TAKEN;
use super::lookup::lookup;
use super::price::{locate, price};
use super::{PriceBook, Sale, load_sale, sale_customer, sell};
use crate::inventory::Location;
use crate::{Actor, Error, Result};
use pricing::Rules;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaleOutcome {
    pub sale: Sale,
    /// True when this client sale id had already been recorded: `sale` is the first one.
    pub replayed: bool,
}

/// Records a sale, or returns the sale already recorded under the same client id.
pub async fn record_sale(
    db: &PgPool,
    actor: &Actor,
    rules: &Rules,
    new: &NewSale,
) -> Result<SaleOutcome> {
    let mut tx = crate::db::begin_hot_path(db).await?;
    let outcome = record_sale_at(&mut tx, actor, rules, new, Utc::now()).await;
    if outcome.is_ok() {
        tx.commit().await?;
    }
    log_outcome(actor, new, &outcome);
    outcome
}

/// The business events of a sale attempt: the sale and its stock movements, or the refusal.
fn log_outcome(actor: &Actor, new: &NewSale, outcome: &Result<SaleOutcome>) {
    match outcome {
        Ok(SaleOutcome {
            replayed: false,
            sale,
        }) => {
            let lines: Vec<_> = sale
                .lines
                .iter()
                .map(|l| serde_json::json!({"product_id": l.product_id, "quantity": l.quantity, "unit_price": l.unit_price}))
                .collect();
            crate::events::emit(
                "sale",
                "sale",
                sale.id,
                actor,
                serde_json::json!({"store_id": sale.store_id, "register_id": sale.register_id, "total": sale.total,
                    "payment_method": sale.payment_method.as_str(), "lines": lines}),
            );
            for l in &sale.lines {
                crate::events::movement(
                    actor,
                    Location::Store(sale.store_id),
                    l.product_id,
                    -l.quantity,
                    "sale",
                );
            }
        }
        Ok(SaleOutcome { replayed: true, .. }) => {}
        Err(Error::InsufficientStock {
            product_id,
            product_code,
            requested,
            available,
            ..
        }) => {
            crate::events::emit(
                "sale_refused",
                "sale",
                0,
                actor,
                serde_json::json!({"client_sale_id": new.client_sale_id, "product_id": product_id,
                    "product_code": product_code, "requested": requested, "available": available}),
            );
        }
        Err(_) => {}
    }
}

/// Records a sale inside the caller's transaction: the sale commits or rolls back with it. A
/// refusal (lack of stock, bad input) writes nothing, so the caller may still commit its own
/// work; any other error leaves the transaction to be rolled back.
pub async fn record_sale_in(
    conn: &mut PgConnection,
    actor: &Actor,
    rules: &Rules,
    new: &NewSale,
) -> Result<SaleOutcome> {
    let outcome = record_sale_at(conn, actor, rules, new, Utc::now()).await;
    log_outcome(actor, new, &outcome);
    outcome
}

/// Records several sales inside the caller's transaction, each as [`record_sale_in`] would,
/// with one write statement for all the carts whose stock allows it (the others are tried one
/// by one). Each cart gets its own outcome, and a refused cart writes nothing; the outer error
/// (the database failed) means the transaction must be rolled back, carts and all.
pub async fn record_sales_in(
    conn: &mut PgConnection,
    rules: &Rules,
    carts: &[(&Actor, &NewSale)],
) -> Result<Vec<Result<SaleOutcome>>> {
    let outcomes = record_sales_at(conn, rules, carts, Utc::now()).await?;
    for ((actor, new), outcome) in carts.iter().zip(&outcomes) {
        log_outcome(actor, new, outcome);
    }
    Ok(outcomes)
}

/// Records a sale on a connection inside a transaction (the caller commits). A client sale id
/// already recorded returns that sale, even where the sale would now be refused (register
/// closed, stock gone): the refusal is checked against an earlier recording first.
pub(crate) async fn record_sale_at(
    conn: &mut PgConnection,
    actor: &Actor,
    rules: &Rules,
    new: &NewSale,
    at: DateTime<Utc>,
) -> Result<SaleOutcome> {
    record_sales_at(conn, rules, &[(actor, new)], at)
        .await?
        .pop()
        .unwrap_or_else(|| Err(Error::Internal("vente sans résultat".into())))
}

/// The carts' outcomes, in their order; the outer error is the database's.
async fn record_sales_at(
    conn: &mut PgConnection,
    rules: &Rules,
    carts: &[(&Actor, &NewSale)],
    at: DateTime<Utc>,
) -> Result<Vec<Result<SaleOutcome>>> {
    // PostgreSQL keeps microseconds: the receipt shows what a later read of the sale shows.
    let at = at.trunc_subsecs(6);
    let mut checked = Vec::with_capacity(carts.len());
    for (actor, new) in carts {
        // bad input is refused as such, without looking for an earlier recording
        checked.push(match merge_cart(new) {
            Ok(lines) => Ok(locate(conn, actor, new, lines).await),
            Err(invalid) => Err(invalid),
        });
    }
    let wanted: Vec<_> = checked
        .iter()
        .filter_map(|c| match c {
            Ok(Ok(cart)) => Some(cart.wanted()),
            _ => None,
        })
        .collect();
    let found = lookup(conn, &wanted, at).await?;
    drop(wanted);

    let mut refusals = BTreeMap::new();
    let mut priced = Vec::new();
    for (i, cart) in checked.into_iter().enumerate() {
        match cart.map(|located| located.and_then(|cart| price(cart, &found, rules))) {
            Ok(Ok(cart)) => priced.push((i, cart)),
            Ok(Err(refusal)) if refusal.is_client_error() => {
                refusals.insert(i, (refusal, true));
            }
            Ok(Err(failure)) => return Err(failure),
            Err(invalid) => {
                refusals.insert(i, (invalid, false));
            }
        }
    }
    let mut sold = sell::sell(conn, priced, at).await?;
    let results: Vec<(Result<Option<Sale>>, bool)> = (0..carts.len())
        .map(|i| match (sold.remove(&i), refusals.remove(&i)) {
            (Some(result), _) => (result, true),
            (None, Some((refusal, look_for_earlier))) => (Err(refusal), look_for_earlier),
            (None, None) => (Err(Error::Internal("vente sans résultat".into())), false),
        })
        .collect();
    // A cart not written (its client sale id was taken, or refused) may have been recorded
    // earlier or concurrently: that sale is its answer. One read for all of them.
    let maybe_earlier: Vec<&str> = carts
        .iter()
        .zip(&results)
        .filter(|(_, (result, look))| match result {
            Ok(Some(_)) => false,
            Ok(None) => true,
            Err(refusal) => *look && refusal.is_client_error(),
        })
        .map(|((_, new), _)| new.client_sale_id.trim())
        .collect();
    let mut earlier = earlier_sales(conn, &maybe_earlier).await?;
    let mut outcomes = Vec::with_capacity(carts.len());
    for ((actor, new), (result, _)) in carts.iter().zip(results) {
        let replay = match &result {
            Ok(Some(_)) => None,
            _ => earlier.remove(new.client_sale_id.trim()),
        };
        outcomes.push(match (result, replay) {
            (Ok(Some(mut sale)), _) => {
                if let Some(customer) = sale.customer_id {
                    sale.customer = sale_customer(conn, customer).await?;
                }
                Ok(SaleOutcome {
                    sale,
                    replayed: false,
                })
            }
            (_, Some(id)) => {
                let sale = load_sale(conn, id).await?;
                if same_seller(conn, actor, new, &sale).await? {
                    actor.ensure_store(sale.store_id).map(|()| SaleOutcome {
                        sale,
                        replayed: true,
                    })
                } else {
                    Err(Error::Conflict(SALE_ID_TAKEN.into()))
                }
            }
            (Ok(None), None) => Err(Error::Internal("vente concurrente introuvable".into())),
            (Err(refusal), None) => Err(refusal),
        });
    }
    Ok(outcomes)
}

/// Whether an earlier sale under a cart's client sale id was recorded by the same channel (a
/// till, or an external channel), in the same store, by the same employee or API client: only
/// then is that sale the cart's answer.
async fn same_seller(
    conn: &mut PgConnection,
    actor: &Actor,
    new: &NewSale,
    sale: &Sale,
) -> Result<bool> {
    if sale.employee_id != actor.employee_id() || sale.api_client_id != actor.api_client_id() {
        return Ok(false);
    }
    match new.channel {
        Channel::External { store_id } => {
            Ok(sale.register_id.is_none() && sale.store_id == store_id)
        }
        Channel::Till { register_id } => {
            if sale.register_id == Some(register_id) {
                return Ok(true);
            }
            if sale.register_id.is_none() {
                return Ok(false);
            }
            // another register of the same store (the cashier moved to the next till)
            let store: Option<i64> =
                sqlx::query_scalar("SELECT store_id FROM registers WHERE id = $1")
                    .bind(register_id)
                    .fetch_optional(&mut *conn)
                    .await?;
            Ok(store == Some(sale.store_id))
        }
    }
}

/// The ids of the sales already recorded under these client sale ids.
async fn earlier_sales(
    conn: &mut PgConnection,
    client_sale_ids: &[&str],
) -> Result<HashMap<String, i64>> {
    if client_sale_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let found: Vec<(String, i64)> =
        sqlx::query_as("SELECT client_sale_id, id FROM sales WHERE client_sale_id = ANY($1)")
            .bind(client_sale_ids)
            .fetch_all(&mut *conn)
            .await?;
    Ok(found.into_iter().collect())
}

/// Prices a sale exactly as [`record_sale`] would record it, writing nothing: the receipt it
/// would print, with id 0. The balances a tender would spend are not checked (the sale checks
/// them under their row's lock). What rarely changes comes from the instance's price book.
pub async fn quote_sale(
    db: &PgPool,
    book: &PriceBook,
    actor: &Actor,
    rules: &Rules,
    new: &NewSale,
) -> Result<Sale> {
    let lines = merge_cart(new)?;
    let mut conn = db.acquire().await?;
    let located = locate(&mut conn, actor, new, lines).await?;
    let at = Utc::now().trunc_subsecs(6);
    let quoted = book.lookup(&mut conn, &located.wanted(), at).await?;
    let priced = price(located, &quoted.found, rules)?;
    let mut sale = sell::receipt(&priced, 0, &[], quoted.store, None, at);
    sale.client_sale_id = String::new();
    if sale.customer_id.is_some() {
        sale.customer = quoted.customer;
    }
    Ok(sale)
}
