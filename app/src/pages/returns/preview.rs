//! « Aperçu du remboursement »: the return chosen on the sale (lines, quantities, reason, the
//! register that pays back) is shown with its refund before anything is recorded, computed by
//! the domain's own return computation (`domain::sales::preview_return`, which writes
//! nothing). The choices travel in the address (`lignes=<line>x<qty>.…`, `raison`, `caisse`),
//! so the step works without JavaScript: one post to see it, one to confirm it with the same
//! choices as hidden fields.

use std::collections::HashMap;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use super::RecordReturn;
#[cfg(feature = "ssr")]
use super::{codes, refusal_code, typed_lines};
use crate::components::Failure;
use crate::error::AppError;
use crate::pages::receipt::{TaxLegend, tax_marker};

/// The address parameter carrying the chosen lines.
pub const LINES: &str = "lignes";

/// `12x1.13x2`: `(sale line, quantity)` pairs, as the address carries them.
#[cfg(feature = "ssr")]
pub fn encode_lines(lines: &[(i64, i32)]) -> String {
    lines
        .iter()
        .map(|(line, q)| format!("{line}x{q}"))
        .collect::<Vec<_>>()
        .join(".")
}

/// Reads `encode_lines`; pieces that do not parse are left out.
#[cfg(feature = "ssr")]
pub fn decode_lines(text: &str) -> Vec<(i64, i32)> {
    text.split('.')
        .filter_map(|piece| {
            let (line, q) = piece.split_once('x')?;
            Some((line.trim().parse().ok()?, q.trim().parse().ok()?))
        })
        .take(500)
        .collect()
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PreviewLine {
    pub name: String,
    pub quantity: String,
    pub unit_price: String,
    pub amount: String,
    pub taxable: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PreviewView {
    pub store_id: i64,
    pub sale_id: i64,
    pub lines: Vec<PreviewLine>,
    pub subtotal: String,
    pub tps: String,
    pub tvq: String,
    pub total: String,
    pub method: String,
    /// Where the refund is paid out: a register's name, or none.
    pub register: String,
    pub reason: String,
    /// Where the refund goes: `(tender, amount)`, written for people.
    pub tenders: Vec<(String, String)>,
    /// The choices, sent again as they are to confirm.
    pub chosen: Vec<(i64, i32)>,
    pub caisse: String,
    /// `oui` when the customer takes store credit.
    pub credit: String,
}

/// Checks the return as it would be recorded, then shows its preview (or comes back to the
/// sale with why not, as the confirmation would).
#[server(endpoint = "return_preview")]
pub async fn ask_return_preview(
    csrf: String,
    store_id: i64,
    sale_id: i64,
    #[server(default)] quantites: HashMap<String, String>,
    #[server(default)] raison: String,
    #[server(default)] caisse: String,
    #[server(default)] credit: String,
) -> Result<(), AppError> {
    use crate::links::with_query;
    use crate::server::{failure, pool, require_csrf};
    let session = require_csrf(&csrf).await?;
    let page = format!("/magasins/{store_id}/retours");
    let sale = sale_id.to_string();
    let back = |code: &str| {
        crate::flash::Flash::error(code)
            .with(codes::REASON, raison.trim())
            .redirect(&with_query(&page, &[("vente", &sale)]))
    };
    let Ok(lines) = typed_lines(&quantites) else {
        back(codes::QUANTITY);
        return Ok(());
    };
    let new = domain::sales::NewReturn {
        sale_id,
        lines: lines.clone(),
        reason: raison.clone(),
        register_id: caisse.trim().parse::<i64>().ok(),
        to_store_credit: credit == codes::CREDIT,
    };
    match domain::sales::preview_return(&pool()?, &session.employee.actor(), &new).await {
        Ok(_) => {
            let chosen: Vec<(i64, i32)> =
                lines.iter().map(|l| (l.sale_line_id, l.quantity)).collect();
            leptos_axum::redirect(&with_query(
                &page,
                &[
                    ("vente", &sale),
                    (LINES, &encode_lines(&chosen)),
                    ("raison", raison.trim()),
                    ("caisse", caisse.trim()),
                    ("credit", credit.trim()),
                ],
            ));
        }
        Err(domain::Error::Validation(fields)) => back(refusal_code(&fields)),
        Err(e) if e.is_client_error() => back(codes::REFUSED),
        Err(e) => return Err(failure(e)),
    }
    Ok(())
}

/// The preview of the return chosen in the address.
#[server(endpoint = "return_preview_view")]
pub async fn load_return_preview(
    store_id: i64,
    sale_id: i64,
    lignes: String,
    raison: String,
    caisse: String,
    credit: String,
) -> Result<PreviewView, AppError> {
    use crate::format::{count, money};
    use crate::server::{failure, pool, require_session};
    let session = require_session().await?;
    let pool = pool()?;
    let actor = session.employee.actor();
    let chosen = decode_lines(&lignes);
    let register_id = caisse.trim().parse::<i64>().ok();
    let new = domain::sales::NewReturn {
        sale_id,
        lines: chosen
            .iter()
            .map(|&(sale_line_id, quantity)| domain::sales::ReturnLineInput {
                sale_line_id,
                quantity,
            })
            .collect(),
        reason: raison.clone(),
        register_id,
        to_store_credit: credit == super::codes::CREDIT,
    };
    let preview = domain::sales::preview_return(&pool, &actor, &new)
        .await
        .map_err(failure)?;
    if preview.store_id != store_id {
        return Err(failure(domain::Error::not_found("Vente", sale_id)));
    }
    let register = match register_id {
        Some(id) => {
            domain::stores::get_register(&pool, &actor, id)
                .await
                .map_err(failure)?
                .name
        }
        None => "Aucune (remboursement hors caisse)".to_owned(),
    };
    Ok(PreviewView {
        store_id,
        sale_id,
        lines: preview
            .lines
            .into_iter()
            .map(|l| PreviewLine {
                name: l.product_name,
                quantity: count(l.quantity),
                unit_price: money(l.unit_price),
                amount: money(l.amount),
                taxable: l.taxable,
            })
            .collect(),
        subtotal: money(preview.refund.subtotal),
        tps: money(preview.refund.tps),
        tvq: money(preview.refund.tvq),
        total: money(preview.refund.total),
        method: preview.refund_method.label().to_owned(),
        register,
        reason: raison.trim().to_owned(),
        tenders: super::refund_rows(preview.tenders.iter().map(|t| (t.mode, t.points, t.amount))),
        chosen,
        caisse: caisse.trim().to_owned(),
        credit: credit.trim().to_owned(),
    })
}

/// The preview step of the returns page, then « Confirmer le retour ».
#[component]
pub fn PreviewStep(store_id: i64, sale_id: i64, csrf: String) -> impl IntoView {
    let query = use_query_map();
    let preview = Resource::new(
        move || {
            let q = query.read();
            (
                q.get(LINES).unwrap_or_default(),
                q.get("raison").unwrap_or_default(),
                q.get("caisse").unwrap_or_default(),
                q.get("credit").unwrap_or_default(),
            )
        },
        move |(lignes, raison, caisse, credit)| {
            load_return_preview(store_id, sale_id, lignes, raison, caisse, credit)
        },
    );
    let confirm = ServerAction::<RecordReturn>::new();
    view! {
        <Transition fallback=|| ()>
            {move || {
                let csrf = csrf.clone();
                Suspend::new(async move {
                    match preview.await {
                        Ok(p) => view! {
                            <section class="refund-preview" aria-labelledby="preview-title">
                                <h2 id="preview-title">"Aperçu du remboursement"</h2>
                                <table class="list">
                                    <thead><tr><th>"Article"</th><th class="num">"Qté"</th><th class="num">"Prix"</th><th class="num">"Montant"</th></tr></thead>
                                    <tbody>
                                        {p.lines.iter().cloned().map(|l| view! {
                                            <tr>
                                                <td>{l.name}</td>
                                                <td class="num">{l.quantity}</td>
                                                <td class="num">{l.unit_price}</td>
                                                <td class="num">{l.amount}{tax_marker(l.taxable)}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <dl class="totals">
                                    <div><dt>"Sous-total"</dt><dd data-preview="subtotal">{p.subtotal.clone()}</dd></div>
                                    <div><dt>"TPS"</dt><dd data-preview="tps">{p.tps.clone()}</dd></div>
                                    <div><dt>"TVQ"</dt><dd data-preview="tvq">{p.tvq.clone()}</dd></div>
                                    <div class="grand"><dt>"À rembourser"</dt><dd data-preview="total">{p.total.clone()}</dd></div>
                                    // each tender the refund goes back to, or the one mode
                                    {p.tenders.is_empty().then(|| view! {
                                        <div><dt>"Mode"</dt><dd data-preview="method">{p.method.clone()}</dd></div>
                                    })}
                                    {p.tenders.iter().cloned().map(|(label, amount)| { let key = label.clone(); view! {
                                        <div class="tender" data-refund=key><dt>{label}</dt><dd>{amount}</dd></div> }
                                    }).collect_view()}
                                    <div><dt>"Caisse"</dt><dd>{p.register.clone()}</dd></div>
                                    <div><dt>"Raison"</dt><dd>{p.reason.clone()}</dd></div>
                                </dl>
                                <TaxLegend />
                                <ActionForm action=confirm attr:class="return-form">
                                    <input type="hidden" name="csrf" value=csrf />
                                    <input type="hidden" name="store_id" value=p.store_id />
                                    <input type="hidden" name="sale_id" value=p.sale_id />
                                    {p.chosen.iter().map(|(line, q)| view! {
                                        <input type="hidden" name=format!("quantites[{line}]") value=*q />
                                    }).collect_view()}
                                    <input type="hidden" name="raison" value=p.reason.clone() />
                                    <input type="hidden" name="caisse" value=p.caisse.clone() />
                                    <input type="hidden" name="credit" value=p.credit.clone() />
                                    <button type="submit" class="primary">"Confirmer le retour"</button>
                                </ActionForm>
                                <p><a href=format!("/magasins/{}/retours?vente={}", p.store_id, p.sale_id)>"Modifier le retour"</a></p>
                            </section>
                        }.into_any(),
                        Err(e) => view! { <Failure error=e /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}
