//! Reçu de retour: a recorded return as printed (store and its tax numbers, lines with their
//! tax marker, refund and how it was paid back).

use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

use crate::components::Failure;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::format::count;
use crate::pages::receipt::{TaxLegend, TaxNumbers, TaxNumbersLines, tax_marker};
use crate::pages::till::route_id;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReturnReceipt {
    pub id: i64,
    pub sale_id: i64,
    pub store_id: i64,
    pub store_name: String,
    pub date: String,
    pub employee: String,
    pub reason: String,
    /// `(name, quantity, unit price, taxable)`, written for people.
    pub lines: Vec<(String, String, String, bool)>,
    pub subtotal: String,
    pub tps: String,
    pub tvq: String,
    pub refund: String,
    pub method: String,
    /// Where the money went: `(tender, amount)`, written for people.
    pub refunds: Vec<(String, String)>,
    pub tax_numbers: TaxNumbers,
}

#[server(endpoint = "return_receipt")]
pub async fn load_return_receipt(return_id: i64) -> Result<ReturnReceipt, AppError> {
    use crate::format::money;
    use crate::server::{failure, pool, require_session};
    let session = require_session().await?;
    let pool = pool()?;
    let ret = domain::sales::get_return(&pool, &session.employee.actor(), return_id)
        .await
        .map_err(failure)?;
    let store = domain::stores::get_store(&pool, ret.store_id)
        .await
        .map_err(failure)?;
    Ok(ReturnReceipt {
        id: ret.id,
        sale_id: ret.sale_id,
        store_id: ret.store_id,
        date: crate::format::date_time(&ret.returned_at.with_timezone(&store.tz())),
        store_name: store.name.clone(),
        employee: ret.employee_name.unwrap_or_default(),
        reason: ret.reason,
        lines: ret
            .lines
            .into_iter()
            .map(|l| {
                (
                    l.product_name,
                    count(l.quantity),
                    money(l.unit_price),
                    l.taxable,
                )
            })
            .collect(),
        subtotal: money(ret.subtotal),
        tps: money(ret.tps),
        tvq: money(ret.tvq),
        refund: money(ret.refund_amount),
        method: ret.refund_method.label().to_owned(),
        refunds: super::refund_rows(ret.refunds.iter().map(|r| (r.mode, r.points, r.amount))),
        tax_numbers: TaxNumbers {
            gst: store.gst_number,
            qst: store.qst_number,
        },
    })
}

#[component]
pub fn ReturnReceiptPage() -> impl IntoView {
    let return_id = route_id("id");
    let receipt = Resource::new(return_id, load_return_receipt);
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match receipt.await {
                    Ok(r) => view! {
                        <Title text=format!("Retour n° {}", r.id) />
                        <article class="ticket" aria-label="Reçu de retour">
                            <h1>{r.store_name.clone()}</h1>
                            <TaxNumbersLines numbers=r.tax_numbers.clone() />
                            <p>"Retour n° " <strong data-return-id=r.id>{r.id}</strong> " sur la vente n° " {r.sale_id}</p>
                            <p>{r.date.clone()} {(!r.employee.is_empty()).then(|| format!(" — {}", r.employee))}</p>
                            <p>"Raison : " {r.reason.clone()}</p>
                            <table class="ticket-lines">
                                <thead><tr><th>"Article"</th><th class="num">"Qté"</th><th class="num">"Prix"</th></tr></thead>
                                <tbody>
                                    {r.lines.iter().cloned().map(|(name, q, price, taxable)| view! {
                                        <tr><td>{name}</td><td class="num">{q}</td><td class="num">{price}{tax_marker(taxable)}</td></tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                            <dl class="totals">
                                <div><dt>"Sous-total"</dt><dd>{r.subtotal.clone()}</dd></div>
                                <div><dt>"TPS"</dt><dd>{r.tps.clone()}</dd></div>
                                <div><dt>"TVQ"</dt><dd>{r.tvq.clone()}</dd></div>
                                <div class="grand"><dt>"Remboursé"</dt><dd data-total="refund">{r.refund.clone()}</dd></div>
                                {r.refunds.is_empty().then(|| view! {
                                    <div><dt>"Mode"</dt><dd>{r.method.clone()}</dd></div>
                                })}
                                {r.refunds.iter().cloned().map(|(label, amount)| { let key = label.clone(); view! {
                                    <div class="tender" data-refund=key><dt>{label}</dt><dd>{amount}</dd></div> }
                                }).collect_view()}
                            </dl>
                            <TaxLegend />
                        </article>
                        <p class="no-print actions">
                            <crate::components::PrintButton label="Imprimer" />
                            <a href=format!("/magasins/{}/retours", r.store_id)>"Autre retour"</a>
                        </p>
                    }.into_any(),
                    Err(e) => view! { <Failure error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}
