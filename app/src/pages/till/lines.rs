//! The cart's lines as the till shows them: quantity (changed with the field), the line's
//! promotion (original amount struck through, its name and saving under the line), its manual
//! discount with its form, the total, and removal.

use leptos::prelude::*;

use super::TillItem;
use super::actions::TillSet;
use super::discounts::LineDiscount;
use crate::format::{count, de};

#[component]
pub fn CartLine(line: TillItem, register_id: i64, cart: String) -> impl IntoView {
    let set = ServerAction::<TillSet>::new();
    let remove = ServerAction::<TillSet>::new();
    let field = format!("qte-{}", line.product_id);
    let short = line.quantity > line.in_stock;
    let (label, remove_label) = (
        format!("Quantité {}", de(&line.name)),
        format!("Retirer {}", line.name),
    );
    let cart_remove = cart.clone();
    let cart_discount = cart.clone();
    view! {
        <li class="line" data-product-id=line.product_id data-quantity=line.quantity>
            <div class="what">
                <span class="name">{line.name.clone()}</span>
                <span class="code">{line.code.clone()}</span>
                <span class="unit">{line.unit_price.clone()} " l'unité"</span>
                <span class={if short { "stock out" } else { "stock" }}>
                    {format!("en stock : {}", count(line.in_stock))}
                </span>
                {line.promotion.clone().map(|p| view! { <span class="promotion" data-promotion="">{p}</span> })}
                {line.discount.clone().map(|(typed, amount)| view! {
                    <span class="line-discount" data-line-discount="">{format!("Remise {typed} : −{amount}")}</span>
                })}
            </div>
            <ActionForm action=set attr:class="qty">
                <input type="hidden" name="register_id" value=register_id />
                <input type="hidden" name="panier" value=cart />
                <input type="hidden" name="product_id" value=line.product_id />
                <label class="sr-only" for=field.clone()>{label}</label>
                <input id=field name="quantite" type="number" min="0" max="10000" inputmode="numeric"
                    value=line.quantity />
                <button type="submit">"OK"</button>
            </ActionForm>
            <span class="line-total">
                {line.original.clone().map(|o| view! { <s class="original" data-original="">{o}</s>" " })}
                {line.line_total.clone()}
            </span>
            <ActionForm action=remove attr:class="remove">
                <input type="hidden" name="register_id" value=register_id />
                <input type="hidden" name="panier" value=cart_remove />
                <input type="hidden" name="product_id" value=line.product_id />
                <input type="hidden" name="quantite" value="0" />
                <button type="submit" class="link-danger" aria-label=remove_label>"Retirer"</button>
            </ActionForm>
            <LineDiscount register_id cart=cart_discount product_id=line.product_id
                current=line.discount.clone().map(|(typed, _)| typed) />
        </li>
    }
}
