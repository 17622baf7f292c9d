//! Stock du magasin: every product with its quantity, threshold, status badge and days of
//! cover, alerts first; a manager asks the warehouse for more, one product per form (each form
//! works without JavaScript).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use serde::{Deserialize, Serialize};

use crate::auth::UserResource;

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
    Ok(StockView {
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

fn badge(status: &str) -> (&'static str, &'static str) {
    match status {
        "rupture" => ("badge rupture", "Rupture"),
        "bas" => ("badge bas", "Bas"),
        _ => ("badge normal", "Normal"),
    }
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
    let stock = Resource::new(store_id, load_stock);
    let user = expect_context::<UserResource>();
    let request = ServerAction::<RequestReplenishment>::new();
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
                                    let (class, label) = badge(&r.status);
                                    let csrf = csrf.clone();
                                    view! {
                                        <tr data-product-id=r.product_id data-status=r.status.clone()>
                                            <td><span class="code">{r.code}</span>" "{r.name}</td>
                                            <td class="num">{r.quantity}</td>
                                            <td class="num">{r.threshold}</td>
                                            <td><span class=class>{label}</span></td>
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
                    }.into_any(),
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
