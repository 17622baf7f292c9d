//! Clients: every signed-in employee finds a customer (name, phone, email or card) page by page,
//! creates one, and opens a customer's page: details and edit form, points and store credit
//! with their movements, recent sales, the loyalty card's code printed big; managers adjust the
//! balances, head office anonymises. Forms work without JavaScript: server functions redirect
//! with the outcome (a [`Flash`]) in the query.
//!
//! [`Flash`]: crate::flash::Flash

mod actions;
pub mod api;
mod detail;
mod list;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::auth::UserResource;
use crate::components::Failure;
use crate::links::route_id;
use actions::{AdjustBalance, AnonymizeCustomer, CreateCustomer, UpdateCustomer};
use api::{load_customer, load_customers};

#[component]
pub fn CustomersPage() -> impl IntoView {
    let query = use_query_map();
    let user = expect_context::<UserResource>();
    let create = ServerAction::<CreateCustomer>::new();
    let data = Resource::new(
        move || {
            let q = query.read();
            (
                q.get("q").unwrap_or_default(),
                q.get("page")
                    .and_then(|p| p.parse::<u32>().ok())
                    .unwrap_or(1),
                create.version().get(),
            )
        },
        |(q, page, _)| load_customers(q, page),
    );
    view! {
        <Title text="Clients — Multi-Magasin" />
        <h1>"Clients"</h1>
        <Transition fallback=|| ()>
            {move || {
                // tracked: the outcome of a form comes back in the query
                let query = query.get();
                Suspend::new(async move {
                    let csrf = user.await.ok().flatten().map(|u| u.csrf).unwrap_or_default();
                    match data.await {
                        Ok(v) => list::customers_view(v, &query, csrf, create).into_any(),
                        Err(e) => view! { <Failure error=e /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
pub fn CustomerPage() -> impl IntoView {
    let id = route_id("id");
    let query = use_query_map();
    let user = expect_context::<UserResource>();
    let update = ServerAction::<UpdateCustomer>::new();
    let adjust = ServerAction::<AdjustBalance>::new();
    let anonymize = ServerAction::<AnonymizeCustomer>::new();
    let data = Resource::new(
        move || {
            (
                id(),
                update.version().get() + adjust.version().get() + anonymize.version().get(),
            )
        },
        |(id, _)| load_customer(id),
    );
    let actions = detail::Actions {
        update,
        adjust,
        anonymize,
    };
    view! {
        <p class="back"><a href="/clients">"← Clients"</a></p>
        <Transition fallback=|| ()>
            {move || {
                let query = query.get();
                Suspend::new(async move {
                    let csrf = user.await.ok().flatten().map(|u| u.csrf).unwrap_or_default();
                    match data.await {
                        Ok(c) => detail::customer_view(c, &query, csrf, actions).into_any(),
                        Err(e) => view! { <Failure error=e /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}
