//! Reçu: a recorded sale as printed on 80 mm paper (store, register, cashier, lines, taxes,
//! payment, sale number, date in the store's time zone), with its returns if any. As the tax
//! rules ask, it carries the GST/QST registration numbers and marks each taxable line (`T`).
//! A store sale adds what the customer was given and paid with: original prices and the
//! promotions' names, each discount, the savings, every tender, the points earned and the
//! balance, and the codes of the gift cards sold.

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::components::Failure;
use crate::error::AppError;
use crate::pages::till::route_id;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReceiptLine {
    pub name: String,
    pub code: String,
    /// Written for people (`1 200`).
    pub quantity: String,
    pub unit_price: String,
    pub total: String,
    /// `None` when nothing came back.
    pub returned: Option<String>,
    /// GST and QST apply: the line's amount is marked `T`.
    pub taxable: bool,
    /// The line before its promotion, when one applied.
    pub original: Option<String>,
    /// `Promotion name : −1,50 $`.
    pub promotion: Option<String>,
    pub line_discount: Option<String>,
    /// The line's share of the cart discount.
    pub cart_discount: Option<String>,
}

/// What a store sale adds to the receipt (SPEC section 6).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ReceiptExtras {
    pub savings: Option<String>,
    pub cart_discount: Option<String>,
    /// `(label, amount)` of every tender (`Carte-cadeau 1234…`, `Points (250)`).
    pub tenders: Vec<(String, String)>,
    /// `(code, amount)` of the gift cards sold.
    pub gift_cards: Vec<(String, String)>,
    /// The total plus the gift cards, when some were sold.
    pub due: Option<String>,
    /// `Nom — carte 2000000000015`.
    pub customer: Option<String>,
    pub points_earned: Option<String>,
    /// `1 250 points · crédit 10,00 $`, the customer's balances now.
    pub balance: Option<String>,
}

/// The registration numbers printed on a receipt (empty when not entered yet).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TaxNumbers {
    pub gst: String,
    pub qst: String,
}

/// The receipt's tax registration lines: only the numbers head office entered.
#[component]
pub fn TaxNumbersLines(numbers: TaxNumbers) -> impl IntoView {
    view! {
        {(!numbers.gst.is_empty()).then(|| view! { <p class="center" data-tax="tps">"TPS : " {numbers.gst.clone()}</p> })}
        {(!numbers.qst.is_empty()).then(|| view! { <p class="center" data-tax="tvq">"TVQ : " {numbers.qst.clone()}</p> })}
    }
}

/// The marker after a taxable line's amount, explained by [`TaxLegend`].
pub fn tax_marker(taxable: bool) -> &'static str {
    if taxable { " T" } else { "" }
}

#[component]
pub fn TaxLegend() -> impl IntoView {
    view! { <p class="tax-legend">"T : taxable TPS/TVQ"</p> }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReceiptView {
    pub id: i64,
    pub store_id: i64,
    pub store_name: String,
    pub store_address: String,
    pub register_id: Option<i64>,
    pub register_name: String,
    pub cashier: String,
    pub date: String,
    pub lines: Vec<ReceiptLine>,
    pub subtotal: String,
    pub tps: String,
    pub tvq: String,
    pub total: String,
    pub payment: String,
    pub tendered: Option<String>,
    pub change: Option<String>,
    pub tax_numbers: TaxNumbers,
    /// `(return id, amount refunded)`.
    pub returns: Vec<(i64, String)>,
    pub returnable: bool,
    pub extras: ReceiptExtras,
}

#[server(endpoint = "sale_receipt")]
pub async fn load_receipt(sale_id: i64) -> Result<ReceiptView, AppError> {
    use crate::format::{count, date_time, money};
    use crate::server::{failure, pool, require_session};
    let session = require_session().await?;
    let pool = pool()?;
    let sale = domain::sales::get_sale(&pool, &session.employee.actor(), sale_id)
        .await
        .map_err(failure)?;
    let store = domain::stores::get_store(&pool, sale.store_id)
        .await
        .map_err(failure)?;
    let tz = store.tz();
    let some = |d: rust_decimal::Decimal| (d > rust_decimal::Decimal::ZERO).then(|| money(d));
    let extras = ReceiptExtras {
        savings: some(sale.savings()),
        cart_discount: some(sale.cart_discount),
        tenders: sale
            .payments
            .iter()
            .map(|p| {
                let label = match (&p.reference, p.points) {
                    (_, Some(points)) => format!("{} ({})", p.mode.label(), count(points)),
                    (Some(r), _) => format!("{} {r}", p.mode.label()),
                    (None, None) => p.mode.label().to_owned(),
                };
                (label, money(p.amount))
            })
            .collect(),
        gift_cards: sale
            .gift_cards
            .iter()
            .map(|g| (g.code.clone(), money(g.amount)))
            .collect(),
        due: (!sale.gift_cards.is_empty()).then(|| money(sale.amount_due())),
        customer: sale.customer.as_ref().map(|c| {
            format!(
                "{} — carte {}",
                c.name.clone().unwrap_or_else(|| "Client".into()),
                c.loyalty_card
            )
        }),
        points_earned: (sale.points_earned > 0).then(|| count(sale.points_earned)),
        balance: sale
            .customer
            .as_ref()
            .map(|c| format!("{} points · crédit {}", count(c.points), money(c.credit))),
    };
    Ok(ReceiptView {
        extras,
        id: sale.id,
        store_id: sale.store_id,
        store_name: sale.store_name,
        store_address: sale.store_address,
        register_id: sale.register_id,
        register_name: sale
            .register_name
            .unwrap_or_else(|| "Vente en ligne".into()),
        cashier: sale.employee_name.unwrap_or_default(),
        date: date_time(&sale.sold_at.with_timezone(&tz)),
        returnable: sale.lines.iter().any(|l| l.returnable() > 0),
        lines: sale
            .lines
            .into_iter()
            .map(|l| ReceiptLine {
                name: l.product_name,
                code: l.product_code,
                quantity: count(l.quantity),
                unit_price: money(l.unit_price),
                total: money(l.line_total),
                returned: (l.returned_quantity > 0).then(|| count(l.returned_quantity)),
                taxable: l.taxable,
                original: (l.promotion_saving > rust_decimal::Decimal::ZERO)
                    .then(|| money(l.original_price * rust_decimal::Decimal::from(l.quantity))),
                promotion: l
                    .promotion_name
                    .clone()
                    .filter(|_| l.promotion_saving > rust_decimal::Decimal::ZERO)
                    .map(|n| format!("{n} : −{}", money(l.promotion_saving))),
                line_discount: some(l.line_discount).map(|d| format!("Remise : −{d}")),
                cart_discount: some(l.cart_discount).map(|d| format!("Remise panier : −{d}")),
            })
            .collect(),
        subtotal: money(sale.subtotal),
        tps: money(sale.tps),
        tvq: money(sale.tvq),
        total: money(sale.total),
        payment: sale.payment_method.label().to_owned(),
        tendered: sale.amount_tendered.map(money),
        change: sale.change_given.map(money),
        tax_numbers: TaxNumbers {
            gst: store.gst_number,
            qst: store.qst_number,
        },
        returns: sale
            .returns
            .into_iter()
            .map(|r| (r.id, money(r.refund_amount)))
            .collect(),
    })
}

#[component]
pub fn ReceiptPage() -> impl IntoView {
    let sale_id = route_id("id");
    let receipt = Resource::new(sale_id, load_receipt);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match receipt.await {
                    Ok(r) => view! {
                        <Title text=format!("Reçu n° {}", r.id) />
                        <article class="ticket" aria-label="Reçu">
                            <h1>{r.store_name.clone()}</h1>
                            <p class="center">{r.store_address.clone()}</p>
                            <TaxNumbersLines numbers=r.tax_numbers.clone() />
                            <p>"Vente n° " <strong data-sale-id=r.id>{r.id}</strong></p>
                            <p>{r.date.clone()}</p>
                            <p>{r.register_name.clone()}
                               {(!r.cashier.is_empty()).then(|| format!(" — caissier : {}", r.cashier))}</p>
                            <table class="ticket-lines">
                                <thead><tr><th>"Article"</th><th class="num">"Qté"</th><th class="num">"Montant"</th></tr></thead>
                                <tbody>
                                    {r.lines.iter().cloned().map(|l| view! {
                                        <tr>
                                            <td>{l.name}<br /><span class="code">{l.code} " · " {l.unit_price}</span>
                                                {l.returned.map(|n| view! { <br /><span class="code">{format!("retourné : {n}")}</span> })}
                                                {[l.promotion, l.line_discount, l.cart_discount].into_iter().flatten().map(|t| view! {
                                                    <br /><span class="code saving">{t}</span>
                                                }).collect_view()}
                                            </td>
                                            <td class="num">{l.quantity}</td>
                                            <td class="num">{l.original.map(|o| view! { <s data-original="">{o}</s><br /> })}
                                                {l.total}{tax_marker(l.taxable)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <ReceiptExtrasTop extras=r.extras.clone() />
                            <dl class="totals">
                                <div><dt>"Sous-total"</dt><dd>{r.subtotal.clone()}</dd></div>
                                <div><dt>"TPS"</dt><dd>{r.tps.clone()}</dd></div>
                                <div><dt>"TVQ"</dt><dd>{r.tvq.clone()}</dd></div>
                                <div class="grand"><dt>"Total"</dt><dd data-total="total">{r.total.clone()}</dd></div>
                                {r.extras.due.clone().map(|d| view! { <div class="grand"><dt>"Total payé"</dt><dd data-total="due">{d}</dd></div> })}
                                {if r.extras.tenders.len() > 1 {
                                    r.extras.tenders.iter().cloned().map(|(label, amount)| view! {
                                        <div data-tender=""><dt>{label}</dt><dd>{amount}</dd></div>
                                    }).collect_view().into_any()
                                } else {
                                    view! { <div><dt>"Paiement"</dt><dd>{r.payment.clone()}</dd></div> }.into_any()
                                }}
                                {r.tendered.clone().map(|t| view! { <div><dt>"Reçu"</dt><dd>{t}</dd></div> })}
                                {r.change.clone().map(|c| view! { <div><dt>"Monnaie rendue"</dt><dd data-total="change">{c}</dd></div> })}
                            </dl>
                            <TaxLegend />
                            <ReceiptExtrasBottom extras=r.extras.clone() />
                            {(!r.returns.is_empty()).then(|| view! {
                                <p>"Retours : "
                                    {r.returns.iter().map(|(id, amount)| view! {
                                        <a href=format!("/retours/{id}")>{format!("n° {id} ({amount})")}</a>" "
                                    }).collect_view()}
                                </p>
                            })}
                            <p class="center">"Merci de votre visite !"</p>
                        </article>
                        <p class="no-print actions">
                            <crate::components::PrintButton label="Réimprimer" />
                            {r.register_id.map(|rid| view! { <a class="button primary" href=format!("/caisses/{rid}")>"Nouvelle vente"</a> })}
                            {r.returnable.then(|| view! {
                                <a href=format!("/magasins/{}/retours?vente={}", r.store_id, r.id)>"Retourner des articles"</a>
                            })}
                        </p>
                    }.into_any(),
                    Err(e) => view! { <Failure error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Above the totals: the gift cards sold and the savings.
#[component]
fn ReceiptExtrasTop(extras: ReceiptExtras) -> impl IntoView {
    view! {
        {extras.gift_cards.iter().cloned().map(|(code, amount)| view! {
            <p class="gift-card-sold">"Carte-cadeau " <strong data-gift-card=code.clone()>{code.clone()}</strong>
                " : " {amount} " (non taxable)"</p>
        }).collect_view()}
        {extras.cart_discount.clone().map(|d| view! { <p>{format!("Remise sur le panier : −{d}")}</p> })}
        {extras.savings.clone().map(|s| view! { <p class="savings" data-total="savings"><strong>{format!("Vous avez économisé {s}")}</strong></p> })}
    }
}

/// Below the totals: the customer, the points earned and their balance now.
#[component]
fn ReceiptExtrasBottom(extras: ReceiptExtras) -> impl IntoView {
    view! {
        {extras.customer.clone().map(|c| view! { <p data-customer="">{format!("Client : {c}")}</p> })}
        {extras.points_earned.clone().map(|p| view! { <p data-points="">{format!("Points gagnés : {p}")}</p> })}
        {extras.balance.clone().map(|b| view! { <p>{format!("Solde : {b}")}</p> })}
    }
}
