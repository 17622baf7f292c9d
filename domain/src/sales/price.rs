//! Where a checked cart is sold and what it costs: the store (and for a till, its open
//! session), the catalogue's prices and tax flags, the totals and the payment. Nothing is
//! written here; `sell.rs` writes what this module priced.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use sqlx::PgConnection;

use super::PaymentMethod;
use super::cart::{Channel, NewSale, Payment};
use crate::money::{TaxRates, Totals};
use crate::stores::Register;
use crate::{Actor, Error, Result};

/// A checked cart and where it is sold.
pub(super) struct Located<'a> {
    actor: &'a Actor,
    new: &'a NewSale,
    /// Each product once, with its summed quantity.
    pub(super) lines: Vec<(i64, i32)>,
    store_id: i64,
    register: Option<Register>,
    session_id: Option<i64>,
}

/// Finds the store (and for a till, its open session) of a cart. The outer error is the
/// database's; the inner one refuses this cart only.
pub(super) async fn locate<'a>(
    conn: &mut PgConnection,
    actor: &'a Actor,
    new: &'a NewSale,
    lines: Vec<(i64, i32)>,
) -> Result<Located<'a>> {
    let (store_id, register, session_id) = match new.channel {
        Channel::Till { register_id } => {
            let register = crate::stores::get_register(&mut *conn, register_id).await?;
            actor.ensure_visible(register.store_id, "Caisse", register_id)?;
            // FOR SHARE: a concurrent closing waits for this sale, and this sale waits for it.
            let session: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM register_sessions
                 WHERE register_id = $1 AND closed_at IS NULL FOR SHARE",
            )
            .bind(register_id)
            .fetch_optional(&mut *conn)
            .await?;
            let session = session.ok_or_else(|| {
                Error::Conflict(format!(
                    "La caisse « {} » n'est pas ouverte.",
                    register.name
                ))
            })?;
            (register.store_id, Some(register), Some(session))
        }
        // the store is read by the sale statement
        Channel::External { store_id } => {
            actor.ensure_store(store_id)?;
            (store_id, None, None)
        }
    };
    Ok(Located {
        actor,
        new,
        lines,
        store_id,
        register,
        session_id,
    })
}

#[derive(sqlx::FromRow)]
pub(super) struct PricedProduct {
    pub(super) id: i64,
    pub(super) code: String,
    pub(super) name: String,
    pub(super) price: Decimal,
    pub(super) taxable: bool,
    active: bool,
}

/// A cart ready to be written: its lines priced from the catalogue, its totals and payment.
pub(super) struct Priced<'a, 'p> {
    pub(super) actor: &'a Actor,
    pub(super) client_sale_id: &'a str,
    /// Each product once, with the summed quantity (what the stock must hold).
    pub(super) wanted: Vec<(i64, i32)>,
    pub(super) store_id: i64,
    pub(super) register: Option<Register>,
    pub(super) session_id: Option<i64>,
    pub(super) lines: Vec<(&'p PricedProduct, i32, Decimal)>,
    pub(super) totals: Totals,
    pub(super) method: PaymentMethod,
    pub(super) tendered: Option<Decimal>,
    pub(super) change: Option<Decimal>,
}

pub(super) fn price<'a, 'p>(
    cart: Located<'a>,
    by_id: &BTreeMap<i64, &'p PricedProduct>,
    taxes: &TaxRates,
) -> Result<Priced<'a, 'p>> {
    let mut lines = Vec::with_capacity(cart.lines.len());
    for (i, (product_id, quantity)) in cart.lines.iter().enumerate() {
        let product = *by_id
            .get(product_id)
            .ok_or_else(|| Error::not_found("Produit", product_id))?;
        if !product.active {
            return Err(Error::invalid(
                format!("lines[{i}].product_id"),
                format!("Le produit « {} » n'est plus vendu.", product.name),
            ));
        }
        lines.push((product, *quantity, product.price * Decimal::from(*quantity)));
    }
    let totals = taxes.totals(lines.iter().map(|(p, _, amount)| (*amount, p.taxable)));
    let (method, tendered, change) = match cart.new.payment {
        Payment::Card => (PaymentMethod::Carte, None, None),
        Payment::Cash { tendered } => {
            let tendered = tendered.unwrap_or(totals.total);
            if tendered < totals.total {
                return Err(Error::invalid(
                    "amount_tendered",
                    format!(
                        "Montant reçu insuffisant : le total est de {} $.",
                        totals.total
                    ),
                ));
            }
            (
                PaymentMethod::Especes,
                Some(tendered),
                Some(tendered - totals.total),
            )
        }
    };
    Ok(Priced {
        actor: cart.actor,
        client_sale_id: cart.new.client_sale_id.trim(),
        wanted: cart.lines,
        store_id: cart.store_id,
        register: cart.register,
        session_id: cart.session_id,
        lines,
        totals,
        method,
        tendered,
        change,
    })
}
