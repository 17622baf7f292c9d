//! Manual discounts at the till: on a line or on the whole cart, in percent or dollars. Each is
//! a piece of the cart's address; adding one quotes the cart with it first, so a discount the
//! rules refuse (over 100 %, more than the line) is refused naming why and never kept. Above
//! the cashier's limit the sale itself asks a manager's approval (see `tenders`).

use leptos::prelude::*;

use crate::error::AppError;

/// Sets the discount of the line `product_id` (the cart's when empty); an empty `valeur`
/// removes it. `unite` is `%` or `$`.
#[server(endpoint = "till_discount")]
pub async fn till_discount(
    register_id: i64,
    panier: String,
    #[server(default)] product_id: String,
    #[server(default)] valeur: String,
    #[server(default)] unite: String,
) -> Result<(), AppError> {
    use super::actions::till_url;
    use super::codes;
    use super::extras::typed_off;
    use crate::flash::Flash;
    use crate::server::{failure, pool, require_session};
    let session = require_session().await?;
    let mut cart = super::cart::Cart::parse(&panier);
    let back = |cart: &super::cart::Cart, why: &str| {
        Flash::error(codes::DISCOUNT)
            .with(codes::REASON, why)
            .redirect(&till_url(register_id, cart, &[]));
    };
    let off = if valeur.trim().is_empty() {
        None
    } else {
        match typed_off(&valeur, &unite) {
            Some(o) => Some(o),
            None => {
                back(
                    &cart,
                    "Remise invalide : tapez un nombre positif, au cent près (ex. 10 ou 5,50).",
                );
                return Ok(());
            }
        }
    };
    let mut changed = cart.clone();
    match product_id.trim().parse::<i64>() {
        Ok(id) => changed.extras.set_line_discount(id, off),
        Err(_) => changed.extras.discount = off,
    }
    if off.is_some() {
        let pool = pool()?;
        let actor = session.employee.actor();
        let register = domain::stores::get_register(&pool, &actor, register_id)
            .await
            .map_err(failure)?;
        let lines: Vec<domain::sales::CartLine> = changed
            .lines
            .iter()
            .map(|&(product_id, quantity)| domain::sales::CartLine {
                product_id,
                quantity,
            })
            .collect();
        match domain::sales::quote_cart(
            &pool,
            &crate::server::price_book(),
            &actor,
            &crate::server::selling_rules(),
            register.store_id,
            &lines,
            &changed.extras.options(None),
        )
        .await
        {
            Ok(_) => {}
            Err(domain::Error::Validation(fields)) => {
                let why = fields
                    .iter()
                    .map(|f| f.message.clone())
                    .collect::<Vec<_>>()
                    .join(" ");
                back(&cart, &format!("Remise refusée : {why}"));
                return Ok(());
            }
            Err(e) => return Err(failure(e)),
        }
    }
    cart = changed;
    leptos_axum::redirect(&till_url(register_id, &cart, &[]));
    Ok(())
}

/// The value and unit fields of a discount form, and its button.
#[component]
fn Fields(id: String, label: String, current: Option<String>) -> impl IntoView {
    view! {
        <label for=id.clone() class="sr-only">{label}</label>
        <input id=id name="valeur" inputmode="decimal" autocomplete="off" size="5"
            placeholder=current.unwrap_or_default() />
        <select name="unite" aria-label="Unité de la remise">
            <option value="%">"%"</option>
            <option value="$">"$"</option>
        </select>
        <button type="submit">"Remise"</button>
    }
}

/// A line's discount form (an empty value removes the discount).
#[component]
pub fn LineDiscount(
    register_id: i64,
    cart: String,
    product_id: i64,
    current: Option<String>,
) -> impl IntoView {
    let action = ServerAction::<TillDiscount>::new();
    view! {
        <ActionForm action attr:class="discount">
            <input type="hidden" name="register_id" value=register_id />
            <input type="hidden" name="panier" value=cart />
            <input type="hidden" name="product_id" value=product_id />
            <Fields id=format!("remise-{product_id}") label="Remise sur la ligne".into() current />
        </ActionForm>
    }
}

/// The whole cart's discount form.
#[component]
pub fn CartDiscount(register_id: i64, cart: String, current: Option<String>) -> impl IntoView {
    let action = ServerAction::<TillDiscount>::new();
    view! {
        <ActionForm action attr:class="discount cart-discount">
            <input type="hidden" name="register_id" value=register_id />
            <input type="hidden" name="panier" value=cart />
            <span>"Remise sur le panier" {current.clone().map(|c| format!(" ({c})"))}</span>
            <Fields id="remise-panier".into() label="Remise sur le panier".into() current />
        </ActionForm>
    }
}
