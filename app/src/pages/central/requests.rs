//! The stores' requests on the central page: the filters (status, store), the count, a row per
//! request with its transitions, and the pages.

use leptos::prelude::*;

use super::actions::{Actions, RequestActions};
use super::api::CentralView;
use crate::components::{Pager, RequestBadge};
use crate::format::count;

/// The central page's filters, as in its query.
pub struct Filters {
    pub statut: String,
    pub magasin: String,
    pub page: u32,
}

impl Filters {
    pub fn read(q: &leptos_router::params::ParamsMap) -> Self {
        Filters {
            statut: q.get("statut").unwrap_or_default(),
            magasin: q.get("magasin").unwrap_or_default(),
            page: q
                .get("page")
                .and_then(|p| p.parse::<u32>().ok())
                .unwrap_or(1),
        }
    }

    /// This list at `page`.
    pub fn link(&self, page: u32) -> String {
        let page = if page > 1 {
            page.to_string()
        } else {
            String::new()
        };
        crate::links::with_query(
            "/entrepot",
            &[
                ("statut", &self.statut),
                ("magasin", &self.magasin),
                ("page", &page),
            ],
        )
    }
}

/// What a transition's outcome marks in the list: the request it is about, and whether its
/// refusal lacked a reason.
pub struct Flagged {
    pub request: Option<String>,
    pub reason_missing: bool,
}

pub fn requests_section(
    v: &CentralView,
    filters: &Filters,
    flagged: &Flagged,
    actions: Actions,
    csrf: String,
) -> AnyView {
    let back = filters.link(filters.page);
    let (statut, magasin) = (filters.statut.clone(), filters.magasin.clone());
    view! {
        <section class="central-requests" aria-labelledby="demandes">
            <h2 id="demandes">"Demandes des magasins"</h2>
            <form method="get" action="/entrepot" class="filters">
                <div class="field">
                    <label for="f-statut">"Statut"</label>
                    <select id="f-statut" name="statut">
                        <option value="" selected=statut.is_empty()>"Tous"</option>
                        {v.statuses.iter().map(|(code, label)| view! {
                            <option value=code.clone() selected=*code == statut>{label.clone()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <div class="field">
                    <label for="f-magasin">"Magasin"</label>
                    <select id="f-magasin" name="magasin">
                        <option value="" selected=magasin.is_empty()>"Tous"</option>
                        {v.stores.iter().map(|(id, name)| view! {
                            <option value=id.to_string() selected=id.to_string() == magasin>{name.clone()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit">"Filtrer"</button>
            </form>
            <p class="count">{match v.total {
                0 => "Aucune demande.".to_owned(),
                1 => "1 demande.".to_owned(),
                n => format!("{} demandes.", count(n)),
            }}</p>
            <table class="requests">
                <thead><tr>
                    <th>"N°"</th><th>"Magasin"</th><th>"Produit"</th><th>"Quantité"</th>
                    <th>"Statut"</th><th>"Demandée le"</th><th>"Actions"</th>
                </tr></thead>
                <tbody>
                    {v.requests.iter().cloned().map(|r| {
                        let flag = flagged.request.as_deref() == Some(r.id.to_string().as_str());
                        let (request_id, status) = (r.id, r.status.clone());
                        view! {
                            <tr data-request-id=request_id data-status=status class:flagged=flag>
                                <td data-label="N°"><a href=format!("/entrepot/demandes/{}", r.id)>{format!("n° {}", r.id)}</a></td>
                                <td data-label="Magasin">{r.store_name.clone()}</td>
                                <td data-label="Produit"><span class="code">{r.product_code.clone()}</span>" "{r.product_name.clone()}</td>
                                <td data-label="Quantité" class="num">{r.quantity.clone()}</td>
                                <td data-label="Statut"><RequestBadge status=r.status.clone() label=r.status_label.clone() /></td>
                                <td data-label="Demandée le">{r.requested_at.clone()}</td>
                                <td class="actions">
                                    <RequestActions actions request=r csrf=csrf.clone() back=back.clone()
                                        reason_missing=flag && flagged.reason_missing />
                                </td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
            <Pager
                page=v.page
                pages=v.pages
                prev=(v.page > 1).then(|| filters.link(v.page - 1))
                next=(v.page < v.pages).then(|| filters.link(v.page + 1))
            />
        </section>
    }
    .into_any()
}
