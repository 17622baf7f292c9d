//! Reçu: a recorded sale as printed on 80 mm paper (store, register, cashier, lines, taxes,
//! payment, sale number, date in the store's time zone), with its returns if any. As the tax
//! rules ask, it carries the GST/QST registration numbers and marks each taxable line (`T`).

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
    Ok(ReceiptView {
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
                                            </td>
                                            <td class="num">{l.quantity}</td>
                                            <td class="num">{l.total}{tax_marker(l.taxable)}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <dl class="totals">
                                <div><dt>"Sous-total"</dt><dd>{r.subtotal.clone()}</dd></div>
                                <div><dt>"TPS"</dt><dd>{r.tps.clone()}</dd></div>
                                <div><dt>"TVQ"</dt><dd>{r.tvq.clone()}</dd></div>
                                <div class="grand"><dt>"Total"</dt><dd data-total="total">{r.total.clone()}</dd></div>
                                <div><dt>"Paiement"</dt><dd>{r.payment.clone()}</dd></div>
                                {r.tendered.clone().map(|t| view! { <div><dt>"Reçu"</dt><dd>{t}</dd></div> })}
                                {r.change.clone().map(|c| view! { <div><dt>"Monnaie rendue"</dt><dd data-total="change">{c}</dd></div> })}
                            </dl>
                            <TaxLegend />
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
                            <crate::components::PrintButton label="Imprimer le reçu" />
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
