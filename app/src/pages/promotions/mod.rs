//! Promotions (head office): the list, grouped by where each promotion stands today (current,
//! upcoming, ended, inactive), and the form to create or edit one, with each problem next to
//! its field. Store staff get the refusal page, like the other head-office pages. Forms work
//! without JavaScript: server functions redirect with the outcome (a [`Flash`]) in the query.
//!
//! [`Flash`]: crate::flash::Flash

pub mod api;
mod editor;
pub mod input;
mod list;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::auth::UserResource;
use crate::components::Failure;
use api::{SavePromotion, SetPromotionActive, load_promotion_form, load_promotions};

#[component]
pub fn PromotionsPage() -> impl IntoView {
    let query = use_query_map();
    let user = expect_context::<UserResource>();
    let set_active = ServerAction::<SetPromotionActive>::new();
    let data = Resource::new(move || set_active.version().get(), |_| load_promotions());
    view! {
        <Title text="Promotions — Multi-Magasin" />
        <h1>"Promotions"</h1>
        <Transition fallback=|| ()>
            {move || {
                // tracked: the outcome of a form comes back in the query
                let query = query.get();
                Suspend::new(async move {
                    let csrf = user.await.ok().flatten().map(|u| u.csrf).unwrap_or_default();
                    match data.await {
                        Ok(v) => list::promotions_view(v, &query, csrf, set_active).into_any(),
                        Err(e) => view! { <Failure error=e /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

#[component]
pub fn PromotionFormPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let user = expect_context::<UserResource>();
    let save = ServerAction::<SavePromotion>::new();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let data = Resource::new(
        move || (id(), save.version().get()),
        |(id, _)| load_promotion_form(id),
    );
    view! {
        <p class="back"><a href="/promotions">"← Promotions"</a></p>
        <Transition fallback=|| ()>
            {move || {
                // tracked: problems and typed values come back in the query
                let query = query.get();
                Suspend::new(async move {
                    let csrf = user.await.ok().flatten().map(|u| u.csrf).unwrap_or_default();
                    match data.await {
                        Ok(f) => editor::promotion_form(f, &query, csrf, save).into_any(),
                        Err(e) => view! { <Failure error=e /> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}
