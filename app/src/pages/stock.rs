//! Stock du magasin: every product with its quantity, threshold, status badge and days of
//! cover, alerts first; a manager asks the warehouse for several products at once, with one
//! quantity per row in one form (which works without JavaScript); the store's latest requests
//! with their status. The form's outcome comes back in the query of its redirect (a
//! [`Flash`]).
//!
//! [`Flash`]: crate::flash::Flash

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::auth::UserResource;
use crate::components::{Failure, Field, Notice, RequestBadge, StockBadge};
use crate::error::AppError;
use crate::flash::Flash;
use crate::format::de;
use crate::pages::central::RequestRow;

/// The flash codes and facts of a request's redirect.
pub mod codes {
    /// `demandes=12,13`: the requests sent.
    pub const SENT: &str = "demandes";
    /// `erreur=<code>` with `invalides=<product ids>` and `q<product id>=<what was typed>`.
    pub const INVALID: &str = "invalides";
    pub const WRONG_QUANTITIES: &str = "quantites";
    pub const NOTHING: &str = "vide";
    pub const NOT_FOUND: &str = "introuvable";
    pub const REFUSED: &str = "refus";

    /// The fact that keeps what was typed for a product.
    pub fn typed(product_id: i64) -> String {
        format!("q{product_id}")
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StockRow {
    pub product_id: i64,
    pub code: String,
    pub name: String,
    /// `1 250`.
    pub quantity: String,
    pub threshold: String,
    /// `rupture`, `bas` or `normal`.
    pub status: String,
    /// `12,5 j`, or `—` when nothing sold in 30 days.
    pub cover: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StockView {
    pub store_id: i64,
    pub store_name: String,
    pub rows: Vec<StockRow>,
    pub can_request: bool,
    /// The store's latest replenishment requests, newest first.
    pub requests: Vec<RequestRow>,
}

#[server(endpoint = "store_stock")]
pub async fn load_stock(store_id: i64) -> Result<StockView, AppError> {
    use crate::server::{failure, pool, require_session};
    let session = require_session().await?;
    let pool = pool()?;
    let actor = session.employee.actor();
    let store = domain::stores::get_store(&pool, store_id)
        .await
        .map_err(failure)?;
    let levels = domain::inventory::list_stock(
        &pool,
        &actor,
        domain::inventory::Location::Store(store_id),
        &domain::inventory::StockFilter {
            with_pace: true,
            ..Default::default()
        },
        domain::PageRequest::new(1, 100),
    )
    .await
    .map_err(failure)?;
    let requests = domain::inventory::list_requests(
        &pool,
        &actor,
        &domain::inventory::RequestFilter {
            status: None,
            store_id: Some(store_id),
        },
        // the latest ten, each linking to its history
        domain::PageRequest::new(1, 10),
    )
    .await
    .map_err(failure)?;
    Ok(StockView {
        requests: requests
            .items
            .into_iter()
            .map(|r| crate::pages::central::request_row(r, Some(&store), &actor, &[]))
            .collect(),
        store_id,
        store_name: store.name,
        can_request: actor.ensure_manager_of(store_id).is_ok(),
        rows: levels
            .items
            .into_iter()
            .map(|l| StockRow {
                cover: crate::format::days_of_cover(l.days_of_cover()),
                status: l.status().as_str().to_owned(),
                product_id: l.product_id,
                code: l.code,
                name: l.name,
                quantity: crate::format::count(l.quantity),
                threshold: crate::format::count(l.alert_threshold),
            })
            .collect(),
    })
}

/// What a person typed, cut to what a quantity can look like (digits and a few signs, a dozen
/// characters at most), so that a long paste does not make a long address.
#[cfg(feature = "ssr")]
fn echo(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | ','))
        .take(12)
        .collect()
}

/// One form for the whole table: each product with a quantity becomes a request, all of them in
/// one transaction. Answers with a redirect to the stock page: `?demandes=12,13` on success,
/// else `?erreur=...` with the products in error (`invalides=`) and what was typed (`q<id>=`),
/// so the form comes back as the manager left it (see [`codes`]).
#[server(endpoint = "request_replenishments")]
pub async fn request_replenishments(
    csrf: String,
    store_id: i64,
    // product id -> quantity typed (empty: not requested)
    #[server(default)] quantities: std::collections::BTreeMap<String, String>,
) -> Result<(), AppError> {
    use crate::server::{failure, pool, require_csrf};
    use domain::inventory::RequestLine;
    let session = require_csrf(&csrf).await?;
    let back = format!("/magasins/{store_id}/stock");
    let typed: Vec<(i64, String)> = quantities
        .iter()
        .filter_map(|(id, q)| Some((id.trim().parse::<i64>().ok()?, q.trim().to_owned())))
        .filter(|(_, q)| !q.is_empty())
        .collect();
    let refuse = |code: &str, invalid: &[i64]| {
        let flash = typed.iter().fold(
            Flash::error(code).with_ids(codes::INVALID, invalid),
            |flash, (id, q)| flash.with(&codes::typed(*id), echo(q)),
        );
        flash.redirect(&back);
    };
    // a quantity that is not a whole number never reaches the domain; the domain checks the rest
    let unreadable: Vec<i64> = typed
        .iter()
        .filter(|(_, q)| q.parse::<i32>().is_err())
        .map(|(id, _)| *id)
        .collect();
    if !unreadable.is_empty() {
        refuse(codes::WRONG_QUANTITIES, &unreadable);
        return Ok(());
    }
    let lines: Vec<RequestLine> = typed
        .iter()
        .filter_map(|(id, q)| {
            Some(RequestLine {
                product_id: *id,
                quantity: q.parse().ok()?,
            })
        })
        .collect();
    match domain::inventory::create_requests(
        &pool()?,
        &session.employee.actor(),
        store_id,
        &lines,
        "",
    )
    .await
    {
        Ok(requests) => {
            let ids: Vec<i64> = requests.iter().map(|r| r.id).collect();
            Flash::new().with_ids(codes::SENT, &ids).redirect(&back);
        }
        Err(domain::Error::Validation(errors)) => {
            let invalid: Vec<i64> = errors
                .iter()
                .filter_map(|e| e.field.split_once('.')?.1.parse().ok())
                .collect();
            refuse(
                if invalid.is_empty() {
                    codes::NOTHING
                } else {
                    codes::WRONG_QUANTITIES
                },
                &invalid,
            );
        }
        Err(domain::Error::NotFound { .. }) => refuse(codes::NOT_FOUND, &[]),
        Err(e) if e.is_client_error() => refuse(codes::REFUSED, &[]),
        Err(e) => return Err(failure(e)),
    }
    Ok(())
}

/// `12` -> `n° 12`; `12, 13, 14` -> `n° 12, 13 et 14`.
fn numbers(ids: &[i64]) -> String {
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    match ids.split_last() {
        Some((last, [])) => format!("n° {last}"),
        Some((last, rest)) => format!("n° {} et {last}", rest.join(", ")),
        None => String::new(),
    }
}

/// The notice above the table, from the redirect's flash.
fn notice(flash: &Flash) -> Option<Notice> {
    if flash.fact(codes::SENT).is_some() {
        let ids = flash.ids(codes::SENT);
        return Some(Notice::success(match ids.len() {
            0 => "Aucune demande envoyée.".to_owned(),
            1 => format!("Demande {} envoyée à l'entrepôt.", numbers(&ids)),
            _ => format!("Demandes {} envoyées à l'entrepôt.", numbers(&ids)),
        }));
    }
    let text = match flash.error_code()? {
        codes::WRONG_QUANTITIES => {
            "Corrigez les quantités signalées : aucune demande n'a été envoyée."
        }
        codes::NOTHING => "Indiquez une quantité pour au moins un produit.",
        codes::NOT_FOUND => "Un des produits n'existe plus : rechargez la page.",
        _ => "Demande refusée : seuls le gérant du magasin et le siège peuvent la faire.",
    };
    Some(Notice::error(text))
}

#[component]
pub fn StockPage() -> impl IntoView {
    let query = use_query_map();
    let store_id = crate::links::route_id("id");
    let request = ServerAction::<RequestReplenishments>::new();
    // reloaded after each request, so the new ones show among the store's requests
    let stock = Resource::new(
        move || (store_id(), request.version().get()),
        |(id, _)| load_stock(id),
    );
    let user = expect_context::<UserResource>();
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let csrf = user.await.ok().flatten().map(|u| u.csrf).unwrap_or_default();
                let flash = Flash::read(&query.get());
                let notice = notice(&flash);
                // after an error the form comes back as it was sent; after a success, empty
                let failed = flash.error_code().is_some();
                let invalid = flash.ids(codes::INVALID);
                let typed = |id: i64| {
                    failed
                        .then(|| flash.fact(&codes::typed(id)))
                        .flatten()
                        .unwrap_or_default()
                        .to_owned()
                };
                match stock.await {
                    Ok(v) => {
                        let can_request = v.can_request;
                        let rows = v.rows.into_iter().map(|r| {
                            let id = r.product_id;
                            let wrong = invalid.contains(&id);
                            let value = typed(id);
                            view! {
                                <tr data-product-id=id data-status=r.status.clone() class:invalid=wrong>
                                    <td><span class="code">{r.code}</span>" "{r.name.clone()}</td>
                                    <td class="num">{r.quantity}</td>
                                    <td class="num">{r.threshold}</td>
                                    <td><StockBadge status=r.status.clone() /></td>
                                    <td class="num">{r.cover}</td>
                                    {can_request.then(|| view! {
                                        <td class="ask">
                                            <Field
                                                id=format!("q-{id}")
                                                label=format!("Quantité {} à demander", de(&r.name))
                                                hidden_label=true
                                                error=wrong.then(|| "Entier d'au moins 1".to_owned())
                                                error_id=format!("e-{id}")
                                                control=move |a| view! {
                                                    <input
                                                        id=a.id
                                                        name=format!("quantities[{id}]")
                                                        type="number"
                                                        min="1"
                                                        step="1"
                                                        inputmode="numeric"
                                                        prop:value=value.clone()
                                                        value=value
                                                        aria-invalid=a.invalid
                                                        aria-describedby=a.described_by
                                                    />
                                                }
                                            />
                                        </td>
                                    })}
                                </tr>
                            }
                        }).collect_view();
                        let table = view! {
                            <table class="stock">
                                <thead><tr>
                                    <th>"Produit"</th><th>"Quantité"</th><th>"Seuil"</th><th>"État"</th>
                                    <th>"Couverture"</th>
                                    {can_request.then(|| view! { <th>"À demander"</th> })}
                                </tr></thead>
                                <tbody>{rows}</tbody>
                            </table>
                        };
                        view! {
                            <Title text=format!("Stock — {}", v.store_name) />
                            <h1>"Stock — " {v.store_name.clone()}</h1>
                            {notice.map(Notice::view)}
                            {if can_request {
                                view! {
                                    <ActionForm action=request attr:class="request">
                                        <input type="hidden" name="csrf" value=csrf />
                                        <input type="hidden" name="store_id" value=v.store_id />
                                        {table}
                                        <div class="request-bar">
                                            <p>"Indiquez la quantité des produits à demander à l'entrepôt ; laissez vide les autres."</p>
                                            <button type="submit">"Envoyer la demande"</button>
                                        </div>
                                    </ActionForm>
                                }.into_any()
                            } else {
                                table.into_any()
                            }}
                            <h2 id="demandes">"Demandes à l'entrepôt"</h2>
                            {if v.requests.is_empty() {
                                view! { <p class="count">"Aucune demande pour l'instant."</p> }.into_any()
                            } else {
                                view! {
                                    <ul class="my-requests">
                                        {v.requests.into_iter().map(|r| view! {
                                            <li data-request-id=r.id data-status=r.status.clone()>
                                                <a href=format!("/entrepot/demandes/{}", r.id)>{format!("n° {}", r.id)}</a>
                                                " " <span class="code">{r.product_code}</span>" "{r.product_name}
                                                " × " {r.quantity}
                                                " " <RequestBadge status=r.status.clone() label=r.status_label />
                                                " " <time>{r.requested_at}</time>
                                            </li>
                                        }).collect_view()}
                                    </ul>
                                }.into_any()
                            }}
                        }.into_any()
                    }
                    Err(e) => view! { <Failure error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notice_text(query: &str) -> Option<Notice> {
        notice(&Flash::parse(query))
    }

    #[test]
    fn the_notice_lists_the_request_numbers() {
        assert_eq!(
            notice_text("demandes=12"),
            Some(Notice::success("Demande n° 12 envoyée à l'entrepôt."))
        );
        assert_eq!(
            notice_text("demandes=12,13,14"),
            Some(Notice::success(
                "Demandes n° 12, 13 et 14 envoyées à l'entrepôt."
            ))
        );
        assert!(notice_text("erreur=vide").is_some_and(|n| n.is_error()));
        assert_eq!(notice_text(""), None);
    }
}
