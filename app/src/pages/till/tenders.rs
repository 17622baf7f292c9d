//! Paying with several tenders and selling gift cards. The tenders keyed so far and the gift
//! cards sold are pieces of the cart's address: each « Ajouter » comes back with what remains
//! due, and « Encaisser » appears once they cover it (cash may go over: the change is shown).
//! When a cashier's discount goes over the limit, every payment form carries the manager's
//! login and password ([`Approval`]), checked with the sale itself.

use leptos::prelude::*;

use super::actions::TillCheckout;
use super::extras::Mode;
use super::more::More;
use crate::error::AppError;

/// Adds a tender (`mode`, `montant`, the gift card's `code`), or removes the tender at
/// `retirer` (its position).
#[server(endpoint = "till_tender")]
pub async fn till_tender(
    register_id: i64,
    panier: String,
    #[server(default)] mode: String,
    #[server(default)] montant: String,
    #[server(default)] code: String,
    #[server(default)] retirer: String,
) -> Result<(), AppError> {
    use super::actions::{till_url, typed_amount};
    use super::codes;
    use super::extras::{MAX_TENDERS, Paid, clean_reference};
    use crate::flash::Flash;
    crate::server::require_session().await?;
    let mut cart = super::cart::Cart::parse(&panier);
    if let Ok(at) = retirer.trim().parse::<usize>() {
        if at < cart.extras.tenders.len() {
            cart.extras.tenders.remove(at);
        }
        leptos_axum::redirect(&till_url(register_id, &cart, &[]));
        return Ok(());
    }
    let refused = |why: &str| {
        Flash::error(codes::TENDER)
            .with(codes::REASON, why)
            .redirect(&till_url(register_id, &cart, &[]));
    };
    let Some(mode) = Mode::parse(mode.trim()) else {
        refused("Choisissez un mode de paiement.");
        return Ok(());
    };
    let Some(amount) = typed_amount(&montant).filter(|a| !a.is_zero()) else {
        refused("Montant du paiement invalide : un montant positif, au cent près (ex. 20,00).");
        return Ok(());
    };
    let reference = match mode {
        Mode::GiftCard => match clean_reference(&code) {
            Some(code) => Some(code),
            None => {
                refused("Tapez ou scannez le code de la carte-cadeau.");
                return Ok(());
            }
        },
        _ => None,
    };
    if matches!(mode, Mode::Credit | Mode::Points) && cart.extras.customer.is_none() {
        refused("Le crédit et les points se paient avec un client associé à la vente.");
        return Ok(());
    }
    if cart.extras.tenders.len() >= MAX_TENDERS {
        refused("Dix paiements au plus par vente.");
        return Ok(());
    }
    cart.extras.tenders.push(Paid {
        mode,
        amount,
        reference,
    });
    leptos_axum::redirect(&till_url(register_id, &cart, &[]));
    Ok(())
}

/// Adds a gift card of `montant` to the cart (sold, not taxed; its code is printed on the
/// receipt), or removes the one at `retirer`.
#[server(endpoint = "till_gift_card")]
pub async fn till_gift_card(
    register_id: i64,
    panier: String,
    #[server(default)] montant: String,
    #[server(default)] retirer: String,
) -> Result<(), AppError> {
    use super::actions::{till_url, typed_amount};
    use super::codes;
    use super::extras::MAX_GIFT_CARDS;
    use crate::flash::Flash;
    crate::server::require_session().await?;
    let mut cart = super::cart::Cart::parse(&panier);
    if let Ok(at) = retirer.trim().parse::<usize>() {
        if at < cart.extras.gift_cards.len() {
            cart.extras.gift_cards.remove(at);
        }
    } else {
        let max = domain::sales::MAX_GIFT_CARD_AMOUNT;
        match typed_amount(&montant).filter(|a| !a.is_zero() && *a <= max) {
            Some(_) if cart.extras.gift_cards.len() >= MAX_GIFT_CARDS => {
                Flash::error(codes::GIFT_CARD)
                    .with(codes::REASON, "Dix cartes-cadeaux au plus par vente.")
                    .redirect(&till_url(register_id, &cart, &[]));
                return Ok(());
            }
            Some(amount) => cart.extras.gift_cards.push(amount),
            None => {
                Flash::error(codes::GIFT_CARD)
                    .with(
                        codes::REASON,
                        format!(
                            "Montant de la carte-cadeau invalide : de 0,01 $ à {}, au cent près.",
                            crate::format::money(max)
                        ),
                    )
                    .redirect(&till_url(register_id, &cart, &[]));
                return Ok(());
            }
        }
    }
    leptos_axum::redirect(&till_url(register_id, &cart, &[]));
    Ok(())
}

/// The manager's login and password, inside a payment form, when the discount needs them.
#[component]
pub fn Approval(id: &'static str) -> impl IntoView {
    view! {
        <fieldset class="approval">
            <legend>"Accord d'un gérant (remise au-delà de la limite du caissier)"</legend>
            <label for=format!("gerant-{id}")>"Identifiant du gérant"</label>
            <input id=format!("gerant-{id}") name="gerant" autocomplete="off" autocapitalize="none" />
            <label for=format!("mdp-{id}")>"Mot de passe"</label>
            <input id=format!("mdp-{id}") name="mot_de_passe" type="password" autocomplete="off" />
        </fieldset>
    }
}

/// Gift cards sold in this cart, with their removal, and the form adding one.
#[component]
pub fn GiftCards(more: More, register_id: i64, cart: String) -> impl IntoView {
    let add = ServerAction::<TillGiftCard>::new();
    let cart_list = cart.clone();
    view! {
        <section class="till-gift-cards" aria-label="Cartes-cadeaux vendues">
            <ul class="cart">
                {more.gift_cards.into_iter().map(|(i, amount)| {
                    let cart = cart_list.clone();
                    let remove = ServerAction::<TillGiftCard>::new();
                    view! {
                        <li class="line gift-card-line">
                            <span class="name">"Carte-cadeau (non taxable)"</span>
                            <span class="line-total">{amount}</span>
                            <ActionForm action=remove attr:class="remove">
                                <input type="hidden" name="register_id" value=register_id />
                                <input type="hidden" name="panier" value=cart.clone() />
                                <input type="hidden" name="retirer" value=i />
                                <button type="submit" class="link-danger">"Retirer"</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <ActionForm action=add attr:class="inline gift-card-form">
                <input type="hidden" name="register_id" value=register_id />
                <input type="hidden" name="panier" value=cart.clone() />
                <label for="carte-cadeau">"Vendre une carte-cadeau ($)"</label>
                <input id="carte-cadeau" name="montant" inputmode="decimal" autocomplete="off" size="7" />
                <button type="submit">"Ajouter"</button>
            </ActionForm>
        </section>
    }
}

/// The tenders keyed, what remains due (or the change), the form adding one, and
/// « Encaisser » once they cover the due.
#[component]
pub fn Tenders(
    more: More,
    csrf: String,
    register_id: i64,
    cart: String,
    sale_id: String,
) -> impl IntoView {
    let add = ServerAction::<TillTender>::new();
    let pay = ServerAction::<TillCheckout>::new();
    let has_customer = more.customer.is_some();
    let (cart_list, cart_pay) = (cart.clone(), cart.clone());
    // what remains due, offered as the next tender's amount (`12,34`)
    let offered = more
        .remaining
        .clone()
        .map(|r| r.replace(['$', '\u{a0}', ' '], ""))
        .unwrap_or_default();
    view! {
        <section class="tenders" aria-label="Paiements multiples">
            <h3>"Paiements multiples"</h3>
            <ul class="tender-list">
                {more.tenders.iter().cloned().map(|t| {
                    let cart = cart_list.clone();
                    let remove = ServerAction::<TillTender>::new();
                    view! {
                        <li data-tender=t.index>
                            <span>{t.label}</span> " " <strong>{t.amount}</strong>
                            <ActionForm action=remove attr:class="inline">
                                <input type="hidden" name="register_id" value=register_id />
                                <input type="hidden" name="panier" value=cart.clone() />
                                <input type="hidden" name="retirer" value=t.index />
                                <button type="submit" class="link-danger">"Retirer"</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
            <p class="remaining" data-total="remaining">
                {match (&more.remaining, &more.change) {
                    (Some(r), _) => format!("Reste à payer : {r} (sur {})", more.due),
                    (None, Some(c)) => format!("Monnaie à rendre : {c}"),
                    (None, None) => format!("À payer : {}", more.due),
                }}
            </p>
            <ActionForm action=add attr:class="form tender-form">
                <input type="hidden" name="register_id" value=register_id />
                <input type="hidden" name="panier" value=cart.clone() />
                <label for="tender-mode">"Mode"</label>
                <select id="tender-mode" name="mode">
                    {Mode::ALL.into_iter()
                        .filter(|m| has_customer || !matches!(m, Mode::Credit | Mode::Points))
                        .map(|m| view! { <option value=m.as_str()>{m.label()}</option> })
                        .collect_view()}
                </select>
                <label for="tender-amount">"Montant ($)"</label>
                // the property too: once hydrated the page updates this field in place, and
                // its attribute alone would leave the amount typed for the last tender in it
                <input id="tender-amount" name="montant" inputmode="decimal" autocomplete="off"
                    value=offered.clone() prop:value=offered />
                <label for="tender-code">"Code de la carte-cadeau (si carte-cadeau)"</label>
                <input id="tender-code" name="code" autocomplete="off" />
                <button type="submit">"Ajouter le paiement"</button>
            </ActionForm>
            {more.covered.then(|| view! {
                <ActionForm action=pay attr:class="pay-tenders">
                    <input type="hidden" name="csrf" value=csrf />
                    <input type="hidden" name="register_id" value=register_id />
                    <input type="hidden" name="panier" value=cart_pay />
                    <input type="hidden" name="vente" value=sale_id />
                    <input type="hidden" name="mode" value="paiements" />
                    {more.needs_approval.then(|| view! { <Approval id="paiements" /> })}
                    <button type="submit" class="primary">{format!("Encaisser {}", more.due)}</button>
                </ActionForm>
            })}
        </section>
    }
}
