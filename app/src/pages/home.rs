//! Home: the chain's stores at a glance (the full dashboard comes with the web UI issue).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoreCard {
    pub id: i64,
    pub name: String,
    pub address: String,
}

#[server(endpoint = "stores")]
pub async fn list_store_cards() -> Result<Vec<StoreCard>, ServerFnError> {
    crate::server::require_session().await?;
    let pool = crate::server::pool()?;
    let stores = domain::stores::list_stores(&pool)
        .await
        .map_err(crate::server::failure)?;
    Ok(stores
        .into_iter()
        .map(|s| StoreCard {
            id: s.id,
            name: s.name,
            address: s.address,
        })
        .collect())
}

#[component]
pub fn HomePage() -> impl IntoView {
    let stores = Resource::new(|| (), |_| list_store_cards());
    view! {
        <h1>"Tableau de bord"</h1>
        <Suspense fallback=|| view! { <p>"Chargement…"</p> }>
            {move || Suspend::new(async move {
                match stores.await {
                    Ok(list) => view! {
                        <ul class="store-list">
                            {list.into_iter().map(|s| view! {
                                <li><strong>{s.name}</strong><span>{s.address}</span></li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
