//! Retours: find a sale by its number (or among the store's recent sales), choose the lines and
//! quantities still returnable, give the reason, see the refund (« Aperçu du remboursement »,
//! see [`preview`]), confirm, and print the return receipt. The store's stock goes back up (in
//! `domain`). A refused return comes back to the sale with its reason kept (a [`Flash`]).
//!
//! [`Flash`]: crate::flash::Flash

use std::collections::HashMap;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::auth::UserResource;
use crate::components::{Failure, Notice};
use crate::error::AppError;
use crate::flash::Flash;
#[cfg(feature = "ssr")]
use crate::format::count;
use crate::pages::till::route_id;

mod preview;
mod receipt;

pub use receipt::{ReturnReceipt, ReturnReceiptPage, load_return_receipt};

/// The flash of a refused return: `erreur=<code>` with `raison=<what was typed>`.
pub mod codes {
    pub const REASON: &str = "raison";
    pub const NO_REASON: &str = "raison";
    pub const NOTHING: &str = "aucun";
    pub const QUANTITY: &str = "quantite";
    pub const REFUSED: &str = "refus";
    /// The form's value of « Rembourser en crédit en magasin ».
    pub const CREDIT: &str = "oui";
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReturnableLine {
    pub line_id: i64,
    pub name: String,
    pub code: String,
    /// `12`: what was sold and what came back already, written for people.
    pub quantity: String,
    pub returned: String,
    /// The most that can still be returned (the field's `max`).
    pub returnable: i32,
    pub unit_price: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SaleToReturn {
    pub id: i64,
    pub date: String,
    pub total: String,
    pub payment: String,
    /// The sale's customer, who may take the refund as store credit.
    pub customer: Option<String>,
    pub lines: Vec<ReturnableLine>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RecentSale {
    pub id: i64,
    pub date: String,
    pub register: String,
    pub total: String,
    pub items: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ReturnsView {
    pub store_id: i64,
    pub store_name: String,
    pub sale: Option<SaleToReturn>,
    /// Why the sale asked for cannot be shown.
    pub not_found: Option<String>,
    pub recent: Vec<RecentSale>,
    /// Registers with an open session, where a cash refund leaves the drawer.
    pub open_registers: Vec<(i64, String)>,
}

#[server(endpoint = "returns_view")]
pub async fn load_returns(store_id: i64, vente: String) -> Result<ReturnsView, AppError> {
    use crate::format::money;
    use crate::server::{failure, pool, require_session};
    let session = require_session().await?;
    let pool = pool()?;
    let actor = session.employee.actor();
    actor.ensure_store(store_id).map_err(failure)?;
    let store = domain::stores::get_store(&pool, store_id)
        .await
        .map_err(failure)?;
    let tz = store.tz();
    let when = |at: chrono::DateTime<chrono::Utc>| crate::format::date_time(&at.with_timezone(&tz));
    let (mut sale, mut not_found) = (None, None);
    let wanted = vente.trim().trim_start_matches('#');
    if !wanted.is_empty() {
        match wanted.parse::<i64>() {
            Err(_) => not_found = Some(format!("« {wanted} » n'est pas un numéro de vente.")),
            Ok(id) => match domain::sales::get_sale(&pool, &actor, id).await {
                Ok(s) if s.store_id == store_id => {
                    sale = Some(SaleToReturn {
                        id: s.id,
                        date: when(s.sold_at),
                        total: money(s.total),
                        payment: s.payment_method.label().to_owned(),
                        customer: s.customer.as_ref().map(|c| {
                            c.name
                                .clone()
                                .unwrap_or_else(|| format!("client n° {}", c.id))
                        }),
                        lines: s
                            .lines
                            .iter()
                            .map(|l| ReturnableLine {
                                line_id: l.id,
                                name: l.product_name.clone(),
                                code: l.product_code.clone(),
                                quantity: count(l.quantity),
                                returned: count(l.returned_quantity),
                                returnable: l.returnable(),
                                unit_price: money(l.unit_price),
                            })
                            .collect(),
                    })
                }
                Ok(_) => {
                    not_found = Some(format!(
                        "La vente n° {id} a été faite dans un autre magasin."
                    ))
                }
                Err(e) if e.is_client_error() => {
                    not_found = Some(format!("Vente n° {id} introuvable dans ce magasin."))
                }
                Err(e) => return Err(failure(e)),
            },
        }
    }
    let recent = domain::sales::recent_sales(&pool, &actor, store_id, 10)
        .await
        .map_err(failure)?
        .into_iter()
        .map(|s| RecentSale {
            id: s.id,
            date: when(s.sold_at),
            register: s.register_name.unwrap_or_else(|| "En ligne".into()),
            total: money(s.total),
            items: count(s.items),
        })
        .collect();
    let open_registers = domain::stores::register_statuses(&pool, &actor, store_id)
        .await
        .map_err(failure)?
        .into_iter()
        .filter(|r| r.session_id.is_some())
        .map(|r| (r.register_id, r.name))
        .collect();
    Ok(ReturnsView {
        store_id,
        store_name: store.name,
        sale,
        not_found,
        recent,
        open_registers,
    })
}

/// What a refund gives back through one tender: its mode, its points, its amount.
#[cfg(feature = "ssr")]
type RefundShare = (
    domain::sales::PaymentMethod,
    Option<i64>,
    rust_decimal::Decimal,
);

/// Where a refund goes, as the preview and the receipt print it: one row per tender, `Points
/// (120)` for points, the shares of one destination added up (store credit taking back the card
/// and the points is one row).
#[cfg(feature = "ssr")]
fn refund_rows(tenders: impl IntoIterator<Item = RefundShare>) -> Vec<(String, String)> {
    let mut rows: Vec<RefundShare> = Vec::new();
    for (mode, points, amount) in tenders {
        match rows.iter_mut().find(|(m, _, _)| *m == mode) {
            Some((_, p, a)) => {
                *a += amount;
                *p = match (*p, points) {
                    (None, None) => None,
                    (p, q) => Some(p.unwrap_or(0) + q.unwrap_or(0)),
                };
            }
            None => rows.push((mode, points, amount)),
        }
    }
    rows.into_iter()
        .map(|(mode, points, amount)| {
            let label = match points {
                Some(points) => format!("{} ({})", mode.label(), count(points)),
                None => mode.label().to_owned(),
            };
            (label, crate::format::money(amount))
        })
        .collect()
}

/// The lines of a return form: `quantites[<sale line id>]` (empty or 0: not returned); `Err`
/// when a quantity is not a whole number of at least 0.
#[cfg(feature = "ssr")]
fn typed_lines(
    quantites: &HashMap<String, String>,
) -> Result<Vec<domain::sales::ReturnLineInput>, ()> {
    let mut lines = Vec::new();
    for (line, quantity) in quantites {
        let quantity = quantity.trim();
        if quantity.is_empty() {
            continue;
        }
        match (line.parse::<i64>(), quantity.parse::<i32>()) {
            (Ok(_), Ok(0)) => {}
            (Ok(sale_line_id), Ok(quantity)) if quantity > 0 => {
                lines.push(domain::sales::ReturnLineInput {
                    sale_line_id,
                    quantity,
                })
            }
            _ => return Err(()),
        }
    }
    // the same order whatever the form's: the preview's address is stable
    lines.sort_by_key(|l| l.sale_line_id);
    Ok(lines)
}

/// Why the domain refused a return, as the page's flash code.
#[cfg(feature = "ssr")]
fn refusal_code(fields: &[domain::FieldError]) -> &'static str {
    if fields.iter().any(|f| f.field == "reason") {
        codes::NO_REASON
    } else if fields.iter().any(|f| f.field == "lines") {
        codes::NOTHING
    } else {
        codes::QUANTITY
    }
}

/// Records the return: `quantites[<sale line id>]` for each line (empty or 0: not returned).
/// The preview's « Confirmer le retour » posts here with the previewed choices.
#[server(endpoint = "create_return")]
pub async fn record_return(
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
    let sale = with_query(
        &format!("/magasins/{store_id}/retours"),
        &[("vente", &sale_id.to_string())],
    );
    let back = |code: &str| {
        Flash::error(code)
            .with(codes::REASON, raison.trim())
            .link(&sale)
    };
    let Ok(lines) = typed_lines(&quantites) else {
        leptos_axum::redirect(&back(codes::QUANTITY));
        return Ok(());
    };
    let new = domain::sales::NewReturn {
        sale_id,
        lines,
        reason: raison.clone(),
        register_id: caisse.trim().parse::<i64>().ok(),
        to_store_credit: credit == codes::CREDIT,
    };
    match domain::sales::create_return(&pool()?, &session.employee.actor(), &new).await {
        Ok(ret) => leptos_axum::redirect(&format!("/retours/{}", ret.id)),
        Err(domain::Error::Validation(fields)) => {
            leptos_axum::redirect(&back(refusal_code(&fields)));
        }
        Err(e) if e.is_client_error() => leptos_axum::redirect(&back(codes::REFUSED)),
        Err(e) => return Err(failure(e)),
    }
    Ok(())
}

#[component]
pub fn ReturnsPage() -> impl IntoView {
    let store_id = route_id("id");
    let query = use_query_map();
    // the preview step shows with the same sale: the chosen lines are part of the key
    let view_data = Resource::new(
        move || {
            let q = query.read();
            (
                store_id(),
                q.get("vente").unwrap_or_default(),
                q.get(preview::LINES).unwrap_or_default(),
            )
        },
        |(id, vente, _)| load_returns(id, vente),
    );
    let user = expect_context::<UserResource>();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let csrf = user.await.ok().flatten().map(|u| u.csrf).unwrap_or_default();
                match view_data.await {
                    Ok(v) => view! {
                        <Title text=format!("Retours — {}", v.store_name) />
                        <h1>"Retours — " {v.store_name.clone()}</h1>
                        <form method="get" class="find-sale" action=format!("/magasins/{}/retours", v.store_id)>
                            <label for="vente">"Numéro de vente (sur le reçu)"</label>
                            <div class="scan-row">
                                <input id="vente" name="vente" inputmode="numeric" autocomplete="off"
                                    value=v.sale.as_ref().map(|s| s.id.to_string()) />
                                <button type="submit">"Chercher"</button>
                            </div>
                        </form>
                        {v.not_found.clone().map(|m| view! { <p class="error" role="alert">{m}</p> })}
                        {match v.sale.clone() {
                            Some(sale) if query.read_untracked().get(preview::LINES).is_some_and(|l| !l.is_empty()) => view! {
                                <h2>"Vente n° " {sale.id}</h2>
                                <preview::PreviewStep store_id=v.store_id sale_id=sale.id csrf />
                            }.into_any(),
                            Some(sale) => view! {
                                <ReturnForm sale store_id=v.store_id csrf registers=v.open_registers.clone() />
                            }.into_any(),
                            None => view! { <Recent sales=v.recent.clone() store_id=v.store_id /> }.into_any(),
                        }}
                    }.into_any(),
                    Err(e) => view! { <Failure error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Recent(sales: Vec<RecentSale>, store_id: i64) -> impl IntoView {
    view! {
        <h2>"Ventes récentes"</h2>
        <table class="list recent-sales">
            <thead><tr><th>"N°"</th><th>"Date"</th><th>"Caisse"</th><th class="num">"Articles"</th><th class="num">"Total"</th></tr></thead>
            <tbody>
                {sales.into_iter().map(|s| view! {
                    <tr>
                        <td><a href=format!("/magasins/{store_id}/retours?vente={}", s.id)>{format!("n° {}", s.id)}</a></td>
                        <td>{s.date}</td>
                        <td>{s.register}</td>
                        <td class="num">{s.items}</td>
                        <td class="num">{s.total}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}

#[component]
fn ReturnForm(
    sale: SaleToReturn,
    store_id: i64,
    csrf: String,
    registers: Vec<(i64, String)>,
) -> impl IntoView {
    let query = use_query_map();
    let action = ServerAction::<preview::AskReturnPreview>::new();
    let error = move || {
        let text = match Flash::read(&query.read()).error_code()? {
            codes::NO_REASON => "Indiquez la raison du retour.",
            codes::NOTHING => "Choisissez au moins un article à retourner.",
            codes::QUANTITY => {
                "Quantité invalide : au plus ce qui reste à retourner sur chaque ligne."
            }
            _ => "Retour refusé : vérifiez vos droits sur ce magasin.",
        };
        Some(Notice::error(text))
    };
    let reason = Flash::read(&query.read_untracked())
        .fact(codes::REASON)
        .unwrap_or_default()
        .to_owned();
    let nothing_left = sale.lines.iter().all(|l| l.returnable == 0);
    view! {
        <h2>"Vente n° " {sale.id}</h2>
        <p>{sale.date.clone()} " · " {sale.total.clone()} " · " {sale.payment.clone()}
           " · " <a href=format!("/ventes/{}", sale.id)>"voir le reçu"</a></p>
        {move || error().map(Notice::view)}
        {if nothing_left {
            view! { <p class="notice">"Tous les articles de cette vente ont déjà été retournés."</p> }.into_any()
        } else {
            view! {
                <ActionForm action=action attr:class="return-form">
                    <input type="hidden" name="csrf" value=csrf />
                    <input type="hidden" name="store_id" value=store_id />
                    <input type="hidden" name="sale_id" value=sale.id />
                    <table class="list">
                        <thead><tr><th>"Article"</th><th class="num">"Vendu"</th><th class="num">"Déjà retourné"</th><th class="num">"À retourner"</th></tr></thead>
                        <tbody>
                            {sale.lines.iter().cloned().map(|l| {
                                let field = format!("ret-{}", l.line_id);
                                view! {
                                    <tr data-line-id=l.line_id>
                                        <td><label for=field.clone()>{l.name.clone()}</label><br /><span class="code">{l.code} " · " {l.unit_price}</span></td>
                                        <td class="num">{l.quantity}</td>
                                        <td class="num">{l.returned}</td>
                                        <td class="num">
                                            <input id=field type="number" min="0" max=l.returnable inputmode="numeric"
                                                name=format!("quantites[{}]", l.line_id) value="0"
                                                disabled=l.returnable == 0 />
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                    <div class="form narrow">
                        <label for="raison">"Raison du retour"</label>
                        <input id="raison" name="raison" required maxlength="500" value=reason />
                        <label for="caisse">"Caisse qui rembourse"</label>
                        <select id="caisse" name="caisse">
                            {registers.iter().map(|(id, name)| view! { <option value=*id>{name.clone()}</option> }).collect_view()}
                            <option value="">"Aucune (remboursement hors caisse)"</option>
                        </select>
                        {sale.customer.clone().map(|name| view! {
                            <label class="check">
                                <input type="checkbox" id="credit" name="credit" value=codes::CREDIT />
                                " Rembourser en crédit en magasin à " {name}
                            </label>
                        })}
                        <button type="submit">"Aperçu du remboursement"</button>
                    </div>
                </ActionForm>
            }.into_any()
        }}
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use domain::sales::PaymentMethod;
    use rust_decimal::Decimal;

    use super::refund_rows;

    #[test]
    fn a_refund_shows_one_row_per_destination() {
        let cents = |c| Decimal::new(c, 2);
        // store credit taking back points and a card: one row
        assert_eq!(
            refund_rows([
                (PaymentMethod::Credit, None, cents(150)),
                (PaymentMethod::Credit, None, cents(80)),
            ]),
            [("Crédit en magasin".to_owned(), "2,30\u{a0}$".to_owned())]
        );
        // back to the tenders: each its row, points with their count
        assert_eq!(
            refund_rows([
                (PaymentMethod::Points, Some(150), cents(150)),
                (PaymentMethod::Carte, None, cents(80)),
            ]),
            [
                ("Points (150)".to_owned(), "1,50\u{a0}$".to_owned()),
                ("Carte".to_owned(), "0,80\u{a0}$".to_owned())
            ]
        );
    }
}
