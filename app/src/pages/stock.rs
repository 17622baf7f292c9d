//! Stock du magasin: every product with its quantity, threshold, status badge and days of
//! cover, alerts first; a manager asks the warehouse for more, one product per form (each form
//! works without JavaScript); the store's latest requests with their status.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

use crate::auth::UserResource;
use crate::components::{RequestBadge, StockBadge};
use crate::pages::central::RequestRow;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StockRow {
    pub product_id: i64,
    pub code: String,
    pub name: String,
    pub quantity: i32,
    pub threshold: i32,
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
pub async fn load_stock(store_id: i64) -> Result<StockView, ServerFnError> {
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
        &Default::default(),
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
                cover: l.days_of_cover().map_or("—".to_owned(), |d| {
                    format!("{:.1} j", d).replace('.', ",")
                }),
                status: l.status().as_str().to_owned(),
                product_id: l.product_id,
                code: l.code,
                name: l.name,
                quantity: l.quantity,
                threshold: l.alert_threshold,
            })
            .collect(),
    })
}

#[server(endpoint = "request_replenishment")]
pub async fn request_replenishment(
    csrf: String,
    store_id: i64,
    product_id: i64,
    quantity: String,
) -> Result<(), ServerFnError> {
    use crate::server::{failure, pool, require_csrf};
    let session = require_csrf(&csrf).await?;
    let back = format!("/magasins/{store_id}/stock");
    let Some(quantity) = quantity.trim().parse::<i32>().ok().filter(|q| *q >= 1) else {
        leptos_axum::redirect(&format!("{back}?erreur=quantite&produit={product_id}"));
        return Ok(());
    };
    match domain::inventory::create_request(
        &pool()?,
        &session.employee.actor(),
        store_id,
        product_id,
        quantity,
        "",
    )
    .await
    {
        Ok(request) => leptos_axum::redirect(&format!("{back}?demande={}", request.id)),
        Err(e) if e.is_client_error() => {
            leptos_axum::redirect(&format!("{back}?erreur=refus&produit={product_id}"))
        }
        Err(e) => return Err(failure(e)),
    }
    Ok(())
}

#[component]
pub fn StockPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let store_id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    };
    let request = ServerAction::<RequestReplenishment>::new();
    // reloaded after each request, so the new one shows among the store's requests
    let stock = Resource::new(
        move || (store_id(), request.version().get()),
        |(id, _)| load_stock(id),
    );
    let user = expect_context::<UserResource>();
    let notice = move || {
        let q = query.read();
        if let Some(id) = q.get("demande") {
            Some(("notice", format!("Demande n° {id} envoyée à l'entrepôt.")))
        } else {
            match q.get("erreur").as_deref() {
                Some("quantite") => Some((
                    "error",
                    "La quantité doit être un entier d'au moins 1.".to_owned(),
                )),
                Some(_) => Some((
                    "error",
                    "Demande refusée : vérifiez vos droits et le produit.".to_owned(),
                )),
                None => None,
            }
        }
    };
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let csrf = user.await.ok().flatten().map(|u| u.csrf).unwrap_or_default();
                match stock.await {
                    Ok(v) => view! {
                        <Title text=format!("Stock — {}", v.store_name) />
                        <h1>"Stock — " {v.store_name.clone()}</h1>
                        {notice().map(|(class, text)| view! { <p class=class role="status">{text}</p> })}
                        <table class="stock">
                            <thead><tr>
                                <th>"Produit"</th><th>"Quantité"</th><th>"Seuil"</th><th>"État"</th>
                                <th>"Couverture"</th>
                                {v.can_request.then(|| view! { <th>"Réassort"</th> })}
                            </tr></thead>
                            <tbody>
                                {v.rows.into_iter().map(|r| {
                                    let csrf = csrf.clone();
                                    view! {
                                        <tr data-product-id=r.product_id data-status=r.status.clone()>
                                            <td><span class="code">{r.code}</span>" "{r.name}</td>
                                            <td class="num">{r.quantity}</td>
                                            <td class="num">{r.threshold}</td>
                                            <td><StockBadge status=r.status.clone() /></td>
                                            <td class="num">{r.cover}</td>
                                            {v.can_request.then(|| view! {
                                                <td>
                                                    <ActionForm action=request attr:class="inline request">
                                                        <input type="hidden" name="csrf" value=csrf />
                                                        <input type="hidden" name="store_id" value=v.store_id />
                                                        <input type="hidden" name="product_id" value=r.product_id />
                                                        <label class="sr-only" for=format!("q-{}", r.product_id)>"Quantité à demander"</label>
                                                        <input id=format!("q-{}", r.product_id) name="quantity" type="number" min="1" value="24" inputmode="numeric" />
                                                        <button type="submit">"Demander"</button>
                                                    </ActionForm>
                                                </td>
                                            })}
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
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
                    }.into_any(),
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
