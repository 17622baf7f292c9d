//! Produits: the catalogue. Every employee searches it (name or code, category, active or not)
//! page by page; head office creates and edits products, with each problem shown next to its
//! field and what was typed kept, deactivates and reactivates them, and adds categories. Forms
//! work without JavaScript: server functions redirect with the outcome (a [`Flash`]) in the
//! query.
//!
//! [`Flash`]: crate::flash::Flash

pub mod api;
mod categories;
mod editor;
pub mod input;
mod list;

pub use api::PRODUCTS_PER_PAGE;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::auth::UserResource;
use crate::components::Failure;
use api::{
    CreateCategory, CreateProduct, SetProductActive, UpdateProduct, load_product_form,
    load_products,
};
use list::list_filters;

#[component]
pub fn ProductsPage() -> impl IntoView {
    let query = use_query_map();
    let user = expect_context::<UserResource>();
    let set_active = ServerAction::<SetProductActive>::new();
    let add_category = ServerAction::<CreateCategory>::new();
    let data = Resource::new(
        move || {
            (
                list_filters(&query.read()),
                set_active.version().get() + add_category.version().get(),
            )
        },
        |((q, categorie, etat, page), _)| load_products(q, categorie, etat, page),
    );
    view! {
        <Title text="Produits — Multi-Magasin" />
        <h1>"Produits"</h1>
        <Transition fallback=|| ()>
            {move || {
                // tracked: the outcome of a form comes back in the query
                let query = query.get();
                Suspend::new(async move {
                    let csrf = user.await.ok().flatten().map(|u| u.csrf).unwrap_or_default();
                    match data.await {
                        Ok(v) => list::products_view(v, &query, csrf, set_active, add_category).into_any(),
                        Err(e) => view! { <Failure error=e /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
pub fn ProductFormPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let user = expect_context::<UserResource>();
    let create = ServerAction::<CreateProduct>::new();
    let update = ServerAction::<UpdateProduct>::new();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let data = Resource::new(
        move || (id(), create.version().get() + update.version().get()),
        |(id, _)| load_product_form(id),
    );
    view! {
        <p class="back"><a href="/produits">"← Produits"</a></p>
        <Transition fallback=|| ()>
            {move || {
                // tracked: problems and typed values come back in the query
                let query = query.get();
                Suspend::new(async move {
                    let csrf = user.await.ok().flatten().map(|u| u.csrf).unwrap_or_default();
                    match data.await {
                        Ok(f) => editor::product_form(f, &query, csrf, create, update).into_any(),
                        Err(e) => view! { <Failure error=e /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}
