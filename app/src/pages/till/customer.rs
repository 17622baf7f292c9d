//! The customer of the sale: attached by scanning their loyalty card in the product field (see
//! `actions::add_to_cart`), or found by phone, name or email (`?client_q=`, a plain GET form)
//! and attached with « Associer »; shown with their points and credit, « Retirer » detaches.
//! The customer is a piece of the cart's address (`c<id>`), so it survives every change.

use leptos::prelude::*;

use super::more::{More, TillCustomer};
use crate::error::AppError;

/// Attaches the customer `client_id` to the cart, or detaches it (`client_id` empty).
#[server(endpoint = "till_customer")]
pub async fn till_attach_customer(
    register_id: i64,
    panier: String,
    #[server(default)] client_id: String,
) -> Result<(), AppError> {
    use super::codes;
    use crate::flash::Flash;
    use crate::server::{failure, pool, require_session};
    require_session().await?;
    let mut cart = super::cart::Cart::parse(&panier);
    match client_id.trim().parse::<i64>() {
        Ok(id) => match domain::customers::get_customer(&pool()?, id).await {
            Ok(c) if !c.is_anonymized() => cart.extras.customer = Some(c.id),
            Ok(_) | Err(domain::Error::NotFound { .. }) => {
                Flash::error(codes::CUSTOMER)
                    .with(codes::REASON, "Ce client n'existe pas ou a été anonymisé.")
                    .redirect(&super::actions::till_url(register_id, &cart, &[]));
                return Ok(());
            }
            Err(e) => return Err(failure(e)),
        },
        Err(_) => cart.extras.customer = None,
    }
    leptos_axum::redirect(&super::actions::till_url(register_id, &cart, &[]));
    Ok(())
}

/// The attached customer with « Retirer », else the search; the matches with « Associer ».
#[component]
pub fn CustomerPanel(more: More, register_id: i64, cart: String, sale_id: String) -> impl IntoView {
    let customer = ServerAction::<TillAttachCustomer>::new();
    let attached = more.customer.clone();
    let cart_hits = cart.clone();
    view! {
        <section class="till-customer" aria-label="Client">
            {match attached {
                Some(c) => view! {
                    <div class="attached" data-customer-id=c.id>
                        <strong>{c.name.clone()}</strong>
                        <span class="code">{format!(" carte {}", c.card)}</span>
                        <span>{format!(" · {} points · crédit {}", c.points, c.credit)}</span>
                        <ActionForm action=customer attr:class="inline">
                            <input type="hidden" name="register_id" value=register_id />
                            <input type="hidden" name="panier" value=cart.clone() />
                            <input type="hidden" name="client_id" value="" />
                            <button type="submit" class="link-danger">"Retirer"</button>
                        </ActionForm>
                    </div>
                }.into_any(),
                None => view! {
                    <form class="client-search" method="get" action=format!("/caisses/{register_id}")>
                        <input type="hidden" name="panier" value=cart.clone() />
                        <input type="hidden" name="vente" value=sale_id />
                        <label for="client_q">"Client (téléphone, nom ou courriel ; ou scannez sa carte)"</label>
                        <div class="scan-row">
                            <input id="client_q" name="client_q" autocomplete="off" value=more.customer_query.clone() />
                            <button type="submit">"Chercher"</button>
                        </div>
                    </form>
                }.into_any(),
            }}
            {(!more.customer_query.is_empty() && more.customer_hits.is_empty()).then(|| view! {
                <p class="muted">"Aucun client ne correspond."</p>
            })}
            <ul class="client-hits">
                {more.customer_hits.into_iter().map(|c| view! {
                    <CustomerHit c register_id cart=cart_hits.clone() />
                }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn CustomerHit(c: TillCustomer, register_id: i64, cart: String) -> impl IntoView {
    let attach = ServerAction::<TillAttachCustomer>::new();
    view! {
        <li>
            <ActionForm action=attach attr:class="inline">
                <input type="hidden" name="register_id" value=register_id />
                <input type="hidden" name="panier" value=cart />
                <input type="hidden" name="client_id" value=c.id />
                <span>{c.name.clone()} <span class="code">{format!(" {} · {} points", c.card, c.points)}</span></span>
                <button type="submit">"Associer"</button>
            </ActionForm>
        </li>
    }
}
