//! What the till's forms do. Cart changes only rewrite the address (the cart is not stored);
//! opening and selling change the database and carry the session's CSRF token (closing, with
//! its count, is `cash.rs`'s). The components' modules import from here, never the reverse.

use leptos::prelude::*;

use super::TillItem;
#[cfg(feature = "ssr")]
use super::codes;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::flash::Flash;

/// Products matching what the cashier typed (the live search once the page is hydrated).
#[server(endpoint = "till_search")]
pub async fn search_till(register_id: i64, q: String) -> Result<Vec<TillItem>, AppError> {
    use crate::server::{failure, pool, require_session};
    if q.trim().is_empty() || register_id <= 0 {
        return Ok(Vec::new());
    }
    let session = require_session().await?;
    let pool = pool()?;
    let actor = session.employee.actor();
    let register = domain::stores::get_register(&pool, &actor, register_id)
        .await
        .map_err(failure)?;
    Ok(
        domain::sales::search_till_products(&pool, &actor, register.store_id, &q, 8)
            .await
            .map_err(failure)?
            .into_iter()
            .map(|p| TillItem::from_product(p, 1))
            .collect(),
    )
}

/// The till with this cart (and `extra` page state, such as a search).
#[cfg(feature = "ssr")]
pub(super) fn till_url(
    register_id: i64,
    cart: &super::cart::Cart,
    extra: &[(&str, &str)],
) -> String {
    let encoded = cart.encode();
    // a new sale id whenever the cart changes: a double submission of one cart is one sale
    let sale_id = if cart.is_empty() {
        String::new()
    } else {
        uuid::Uuid::new_v4().to_string()
    };
    let mut pairs = vec![("panier", encoded.as_str()), ("vente", sale_id.as_str())];
    pairs.extend_from_slice(extra);
    crate::links::with_query(&format!("/caisses/{register_id}"), &pairs)
}

/// An amount typed in a till form, within what the domain records (positive, to the cent, at
/// most `domain::money::MAX_AMOUNT`); `None` for anything else, refused before any write.
#[cfg(feature = "ssr")]
pub(super) fn typed_amount(text: &str) -> Option<rust_decimal::Decimal> {
    crate::format::parse_money(text).filter(|a| domain::money::is_valid_amount(*a))
}

/// The till with this cart, and why the last change was refused.
#[cfg(feature = "ssr")]
fn refused(register_id: i64, cart: &super::cart::Cart, flash: Flash) {
    flash.redirect(&till_url(register_id, cart, &[]));
}

/// Adds a product to the cart: by id (a search result), or by what was typed: an exact code
/// (a barcode scanner types the code and Enter), else the only product that matches; a
/// quantity typed before it (`3*CODE`, `3xCODE`) adds that many units. When
/// several match, the till lists them (`?q=`). The form of the page without JavaScript; once
/// hydrated, the page queues its scans and sends them one by one to [`till_scan`].
#[server(endpoint = "till_add")]
pub async fn till_add(
    register_id: i64,
    panier: String,
    #[server(default)] code: String,
    #[server(default)] product_id: String,
) -> Result<(), AppError> {
    let answer = add_to_cart(register_id, &panier, &code, &product_id).await?;
    leptos_axum::redirect(&answer.url);
    Ok(())
}

/// What adding a scan to a cart gives: the new cart, and the till's address that shows it
/// (with why the scan was refused, if it was).
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct ScanAnswer {
    /// The cart after the scan (`?panier=`), unchanged when the scan was refused.
    pub cart: String,
    pub url: String,
    /// No product was added: nothing matches the code, or several do (`?q=` lists them).
    pub refused: bool,
}

/// [`till_add`] for the hydrated page's scan queue: the same rule, answered with the new cart
/// instead of a redirect, so that the next scan applies to it.
#[server(endpoint = "till_scan")]
pub async fn till_scan(
    register_id: i64,
    panier: String,
    #[server(default)] code: String,
    #[server(default)] product_id: String,
) -> Result<ScanAnswer, AppError> {
    add_to_cart(register_id, &panier, &code, &product_id).await
}

#[cfg(feature = "ssr")]
async fn add_to_cart(
    register_id: i64,
    panier: &str,
    code: &str,
    product_id: &str,
) -> Result<ScanAnswer, AppError> {
    use crate::server::{failure, pool, require_session};
    let session = require_session().await?;
    let pool = pool()?;
    let actor = session.employee.actor();
    let register = domain::stores::get_register(&pool, &actor, register_id)
        .await
        .map_err(failure)?;
    let mut cart = super::cart::Cart::parse(panier);
    let added = |cart: &super::cart::Cart| ScanAnswer {
        cart: cart.encode(),
        url: till_url(register_id, cart, &[]),
        refused: false,
    };
    if let Ok(id) = product_id.trim().parse::<i64>() {
        cart.add(id, 1);
        return Ok(added(&cart));
    }
    let typed = code.trim();
    if typed.is_empty() {
        return Ok(added(&cart));
    }
    // a loyalty card (13 digits, as an EAN-13 product code): the customer first
    if let Some(customer) = by_card(&pool, typed).await? {
        cart.extras.customer = Some(customer);
        return Ok(added(&cart));
    }
    // `3*CODE`: a bad multiplier adds nothing, and the field gets back what was typed
    let Some((quantity, code)) = super::cart::parse_scan(typed) else {
        return Ok(ScanAnswer {
            cart: cart.encode(),
            url: Flash::error(codes::MULTIPLIER)
                .with(codes::CODE, typed)
                .link(&till_url(register_id, &cart, &[])),
            refused: true,
        });
    };
    let hits = domain::sales::search_till_products(&pool, &actor, register.store_id, code, 20)
        .await
        .map_err(failure)?;
    let chosen = match hits.as_slice() {
        [only] => Some(only),
        [first, ..] if first.code.eq_ignore_ascii_case(code) => Some(first),
        _ => None,
    };
    let url = match chosen {
        Some(product) => {
            cart.add(product.product_id, quantity);
            return Ok(added(&cart));
        }
        None if hits.is_empty() => Flash::error(codes::NOT_FOUND)
            .with(codes::CODE, code)
            .link(&till_url(register_id, &cart, &[])),
        None => till_url(register_id, &cart, &[("q", code)]),
    };
    Ok(ScanAnswer {
        cart: cart.encode(),
        url,
        refused: true,
    })
}

/// Sets a line's quantity (0 removes it).
#[server(endpoint = "till_set")]
pub async fn till_set(
    register_id: i64,
    panier: String,
    product_id: i64,
    quantite: String,
) -> Result<(), AppError> {
    crate::server::require_session().await?;
    let mut cart = super::cart::Cart::parse(&panier);
    match quantite.trim().parse::<i32>() {
        Ok(q) if q >= 0 => {
            cart.set(product_id, q);
            leptos_axum::redirect(&till_url(register_id, &cart, &[]));
        }
        _ => refused(register_id, &cart, Flash::error(codes::QUANTITY)),
    }
    Ok(())
}

/// Records the sale. `vente` is the UUID the page was given for this cart: a double click or a
/// retry sends it again and gets the first sale back instead of a second one. The sale is
/// recorded under the till's own id built from it (`domain::sales::ClientSaleId::till`);
/// anything but a UUID is refused, nothing recorded, and the page gets a fresh id.
#[server(endpoint = "till_checkout")]
pub async fn till_checkout(
    csrf: String,
    register_id: i64,
    panier: String,
    vente: String,
    mode: String,
    #[server(default)] recu: String,
    #[server(flatten)]
    #[server(default)]
    accord: Credentials,
) -> Result<(), AppError> {
    let Credentials {
        gerant,
        mot_de_passe,
    } = accord;
    use crate::server::{failure, pool, require_csrf};
    use domain::sales::{CartLine, Channel, ClientSaleId, NewSale, Payment, SALE_ID_TAKEN};
    let session = require_csrf(&csrf).await?;
    let pool = pool()?;
    let actor = session.employee.actor();
    let cart = super::cart::Cart::parse(&panier);
    // the same cart and sale id, so that the cashier fixes the problem and tries again
    let till = crate::links::with_query(
        &format!("/caisses/{register_id}"),
        &[("panier", &panier), ("vente", &vente)],
    );
    let back = |code: &str| Flash::error(code).with(codes::TENDERED, &recu);
    if cart.is_empty() {
        back(codes::EMPTY).redirect(&till);
        return Ok(());
    }
    let payment = match mode.as_str() {
        "carte" => Payment::Card,
        "paiements" => Payment::Tenders(cart.extras.domain_tenders()),
        _ if recu.trim().is_empty() => Payment::Cash { tendered: None },
        _ => match typed_amount(&recu) {
            Some(amount) => Payment::Cash {
                tendered: Some(amount),
            },
            None => {
                back(codes::AMOUNT).redirect(&till);
                return Ok(());
            }
        },
    };
    // a bad id: the same cart under a fresh id, so that the next attempt can go through
    let Ok(client_sale_id) = ClientSaleId::till(&vente) else {
        back(codes::SALE_ID).redirect(&till_url(register_id, &cart, &[]));
        return Ok(());
    };
    let new = NewSale {
        client_sale_id: client_sale_id.into(),
        channel: Channel::Till { register_id },
        lines: cart
            .lines
            .iter()
            .map(|&(product_id, quantity)| CartLine {
                product_id,
                quantity,
            })
            .collect(),
        payment,
        options: cart.extras.options(None),
    };
    let mut new = new;
    if !gerant.trim().is_empty() {
        let store_id = domain::stores::get_register(&pool, &actor, register_id)
            .await
            .map_err(failure)?
            .store_id;
        match domain::staff::approve_discount(&pool, store_id, &gerant, &mot_de_passe).await {
            Ok(manager) => new.options.approved_by = Some(manager),
            Err(domain::Error::Forbidden(why)) => {
                back(codes::APPROVAL_REFUSED)
                    .with(codes::REASON, why)
                    .redirect(&till);
                return Ok(());
            }
            Err(e) => return Err(failure(e)),
        }
    }
    match domain::sales::record_sale(&pool, &actor, &crate::server::selling_rules(), &new).await {
        Ok(outcome) => {
            if !outcome.replayed {
                let store_label = outcome.sale.store_id.to_string();
                metrics::counter!("sales_recorded_total", "channel" => "web", "store_id" => store_label)
                    .increment(1);
            }
            leptos_axum::redirect(&format!("/ventes/{}", outcome.sale.id));
        }
        Err(domain::Error::InsufficientStock {
            product_id,
            available,
            ..
        }) => {
            // the refusal is the rare path: only there is the register read for its store
            let store_label = domain::stores::get_register(&pool, &actor, register_id)
                .await
                .map_or_else(|_| "unknown".to_owned(), |r| r.store_id.to_string());
            metrics::counter!("sales_refused_total", "channel" => "web", "store_id" => store_label)
                .increment(1);
            back(codes::SHORT)
                .with(codes::PRODUCT, product_id)
                .with(codes::LEFT, available)
                .redirect(&till);
        }
        Err(domain::Error::Validation(fields))
            if fields.iter().any(|f| f.field == "amount_tendered") =>
        {
            back(codes::AMOUNT).redirect(&till);
        }
        Err(domain::Error::Conflict(msg)) if msg == SALE_ID_TAKEN => {
            back(codes::SALE_ID_TAKEN).redirect(&till_url(register_id, &cart, &[]));
        }
        // a register closed meanwhile, or a balance too small (a gift card, points, store
        // credit: the domain's reason names what is left) or stock moving too fast
        Err(domain::Error::Conflict(why)) => {
            let open = domain::stores::current_session(&pool, register_id)
                .await
                .map_err(failure)?;
            match open {
                None => back(codes::CLOSED).redirect(&till),
                Some(_) => back(codes::REFUSED)
                    .with(codes::REASON, why)
                    .redirect(&till),
            }
        }
        // the only refusal of a sale at the till's own register: a discount above the limit
        Err(domain::Error::Forbidden(why)) if new.options.approved_by.is_none() => {
            back(codes::APPROVAL)
                .with(codes::REASON, why)
                .redirect(&till)
        }
        Err(e @ domain::Error::Validation(_)) => back(codes::REFUSED)
            .with(codes::REASON, e.to_string())
            .redirect(&till),
        Err(e) if e.is_client_error() => back(codes::REFUSED).redirect(&till),
        Err(e) => return Err(failure(e)),
    }
    Ok(())
}

/// Opens the register's session with the counted float.
#[server(endpoint = "till_open")]
pub async fn open_till(csrf: String, register_id: i64, fonds: String) -> Result<(), AppError> {
    use crate::server::{failure, pool, require_csrf};
    let session = require_csrf(&csrf).await?;
    let back = format!("/caisses/{register_id}");
    let Some(float) = typed_amount(&fonds) else {
        Flash::error(codes::FLOAT).redirect(&back);
        return Ok(());
    };
    match domain::stores::open_session(&pool()?, &session.employee.actor(), register_id, float)
        .await
    {
        Ok(_) => leptos_axum::redirect(&back),
        Err(domain::Error::Conflict(_)) => Flash::error(codes::ALREADY_OPEN).redirect(&back),
        Err(e) if e.is_client_error() => Flash::error(codes::REFUSED).redirect(&back),
        Err(e) => return Err(failure(e)),
    }
    Ok(())
}

/// The customer whose loyalty card this is, when the code has a card's shape (13 digits) and
/// a customer holds it; `None` otherwise (the code is then looked up as a product's).
#[cfg(feature = "ssr")]
pub(super) async fn by_card(
    pool: &crate::server::PgPool,
    code: &str,
) -> Result<Option<i64>, AppError> {
    if code.len() != 13 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Ok(None);
    }
    match domain::customers::find_by_card(pool, code).await {
        Ok(c) if !c.is_anonymized() => Ok(Some(c.id)),
        Ok(_) | Err(domain::Error::NotFound { .. }) => Ok(None),
        Err(e) => Err(crate::server::failure(e)),
    }
}

/// A manager's login and password approving a discount above the cashier's limit, as posted
/// by [`Approval`](super::tenders::Approval)'s fields (empty when the sale needs no approval).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Credentials {
    #[serde(default)]
    pub gerant: String,
    #[serde(default)]
    pub mot_de_passe: String,
}
