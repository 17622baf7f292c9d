//! Stock central (head office): the stores' replenishment requests, filterable by status and
//! store, with the transitions each request's status allows (approve, refuse with a reason,
//! deliver), and the warehouse's levels. The history of one request is also open to the
//! requesting store's staff, who may cancel it while it waits. Every form works without
//! JavaScript: the server function redirects back with the outcome (a [`Flash`]) in the query.
//!
//! [`Flash`]: crate::flash::Flash

mod actions;
pub mod api;
mod history;
mod outcome;
mod requests;
mod warehouse;

#[cfg(feature = "ssr")]
pub(crate) use api::request_row;
pub use api::{REQUESTS_PER_PAGE, RequestRow, WAREHOUSE_ROWS};

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::auth::UserResource;
use crate::components::Failure;
use crate::flash::Flash;
use actions::Actions;
use api::{load_central, load_request};
use requests::{Filters, Flagged};

#[component]
pub fn CentralPage() -> impl IntoView {
    let query = use_query_map();
    let user = expect_context::<UserResource>();
    let actions = Actions::new();
    let data = Resource::new(
        move || {
            let f = Filters::read(&query.read());
            ((f.statut, f.magasin, f.page), actions.version())
        },
        |((statut, magasin, page), _)| load_central(statut, magasin, page),
    );
    view! {
        <Title text="Stock central — Multi-Magasin" />
        <h1>"Stock central"</h1>
        <Transition fallback=|| ()>
            {move || {
            // tracked: the outcome of a transition comes back in the query
            let q = query.get();
            Suspend::new(async move {
                let csrf = user.await.ok().flatten().map(|u| u.csrf).unwrap_or_default();
                match data.await {
                    Ok(v) => {
                        let filters = Filters::read(&q);
                        let flash = Flash::read(&q);
                        let result = outcome::outcome(&flash, &v.statuses);
                        let flagged = Flagged {
                            request: result
                                .as_ref()
                                .filter(|(notice, _)| notice.is_error())
                                .map(|(_, id)| id.clone()),
                            reason_missing: outcome::reason_missing(&flash),
                        };
                        view! {
                            {result.map(|(notice, _)| notice.view())}
                            {requests::requests_section(&v, &filters, &flagged, actions, csrf)}
                            {warehouse::warehouse_section(v.stock, v.stock_total)}
                        }.into_any()
                    }
                    Err(e) => view! { <Failure error=e /> }.into_any(),
                }
            })
            }}
        </Transition>
    }
}

#[component]
pub fn RequestPage() -> impl IntoView {
    let query = use_query_map();
    let user = expect_context::<UserResource>();
    let actions = Actions::new();
    let id = crate::links::route_id("id");
    let data = Resource::new(
        move || (id(), actions.version()),
        |(id, _)| load_request(id),
    );
    view! {
        <Transition fallback=|| ()>
            {move || {
            let q = query.get();
            Suspend::new(async move {
                let csrf = user.await.ok().flatten().map(|u| u.csrf).unwrap_or_default();
                match data.await {
                    Ok(d) => {
                        let flash = Flash::read(&q);
                        let notice = outcome::outcome(&flash, &d.statuses).map(|(notice, _)| notice);
                        history::request_view(d, notice, outcome::reason_missing(&flash), actions, csrf)
                    }
                    Err(e) => view! { <Failure error=e /> }.into_any(),
                }
            })
            }}
        </Transition>
    }
}
