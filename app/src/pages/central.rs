//! Stock central (head office): the stores' replenishment requests, filterable by status and
//! store, with the transitions each request's status allows (approve, refuse with a reason,
//! deliver), and the warehouse's levels. The history of one request is also open to the
//! requesting store's staff, who may cancel it while it waits. Every form works without
//! JavaScript: the server function redirects back with the outcome in the query.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::auth::UserResource;
use crate::components::{Pager, RequestBadge, StockBadge};
use crate::links::with_query;

pub const REQUESTS_PER_PAGE: u32 = 20;
/// Warehouse rows shown, alerts first (the whole catalogue can be far longer).
pub const WAREHOUSE_ROWS: u32 = 50;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestRow {
    pub id: i64,
    pub store_id: i64,
    pub store_name: String,
    pub product_code: String,
    pub product_name: String,
    pub quantity: i32,
    /// `en_attente`, `validee`, ...
    pub status: String,
    pub status_label: String,
    /// In the store's time zone.
    pub requested_at: String,
    /// What the viewer may do now: `approve`, `refuse`, `deliver`, `cancel`.
    pub actions: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WarehouseRow {
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
pub struct CentralView {
    /// `(id, name)` for the store filter.
    pub stores: Vec<(i64, String)>,
    /// `(code, label)` of every request status.
    pub statuses: Vec<(String, String)>,
    pub requests: Vec<RequestRow>,
    pub total: i64,
    pub page: u32,
    pub pages: u32,
    pub stock: Vec<WarehouseRow>,
    pub stock_total: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryStep {
    pub status: String,
    /// `Demandée`, `Validée`, ...
    pub label: String,
    pub at: String,
    pub by: String,
    pub note: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HistoryMovement {
    /// `Entrepôt` or the store's name.
    pub place: String,
    pub delta: i32,
    pub reason: String,
    pub at: String,
    pub by: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestDetail {
    pub request: RequestRow,
    pub statuses: Vec<(String, String)>,
    pub steps: Vec<HistoryStep>,
    pub movements: Vec<HistoryMovement>,
    /// Head office goes back to the central page, store staff to their stock.
    pub back: String,
}

#[cfg(feature = "ssr")]
pub(crate) fn local_time(
    at: chrono::DateTime<chrono::Utc>,
    store: Option<&domain::stores::Store>,
) -> String {
    const FORMAT: &str = "%Y-%m-%d %H:%M";
    match store {
        Some(s) => at.with_timezone(&s.tz()).format(FORMAT).to_string(),
        None => at.format(FORMAT).to_string(),
    }
}

#[cfg(feature = "ssr")]
fn action_code(t: domain::inventory::Transition) -> &'static str {
    use domain::inventory::Transition;
    match t {
        Transition::Approve => "approve",
        Transition::Refuse => "refuse",
        Transition::Deliver => "deliver",
        Transition::Cancel => "cancel",
    }
}

#[cfg(feature = "ssr")]
fn status_options() -> Vec<(String, String)> {
    domain::inventory::RequestStatus::ALL
        .into_iter()
        .map(|s| (s.as_str().to_owned(), s.label().to_owned()))
        .collect()
}

/// A request as the pages show it; `actions` are the transitions its status allows that this
/// actor may apply, among `offered`.
#[cfg(feature = "ssr")]
pub(crate) fn request_row(
    r: domain::inventory::ReplenishmentRequest,
    store: Option<&domain::stores::Store>,
    actor: &domain::Actor,
    offered: &[domain::inventory::Transition],
) -> RequestRow {
    let status = r.status();
    RequestRow {
        actions: status
            .transitions()
            .into_iter()
            .filter(|t| offered.contains(t) && t.authorize(actor, r.store_id).is_ok())
            .map(|t| action_code(t).to_owned())
            .collect(),
        requested_at: local_time(r.requested_at, store),
        status: status.as_str().to_owned(),
        status_label: status.label().to_owned(),
        id: r.id,
        store_id: r.store_id,
        store_name: r.store_name,
        product_code: r.product_code,
        product_name: r.product_name,
        quantity: r.quantity,
    }
}

#[server(endpoint = "central_view")]
pub async fn load_central(
    statut: String,
    magasin: String,
    page: u32,
) -> Result<CentralView, ServerFnError> {
    use crate::server::{failure, pool, require_session};
    use domain::inventory::{self, Location, RequestFilter, RequestStatus, Transition};
    let session = require_session().await?;
    let actor = session.employee.actor();
    actor.ensure_head_office().map_err(failure)?;
    let pool = pool()?;
    let stores = domain::stores::list_stores(&pool).await.map_err(failure)?;
    let filter = RequestFilter {
        status: RequestStatus::parse(&statut),
        store_id: magasin.parse().ok(),
    };
    let requests = inventory::list_requests(
        &pool,
        &actor,
        &filter,
        domain::PageRequest::new(page, REQUESTS_PER_PAGE),
    )
    .await
    .map_err(failure)?;
    let stock = inventory::list_stock(
        &pool,
        &actor,
        Location::Warehouse,
        &inventory::StockFilter {
            with_pace: true,
            ..Default::default()
        },
        domain::PageRequest::new(1, WAREHOUSE_ROWS),
    )
    .await
    .map_err(failure)?;
    let warehouse_work = [Transition::Approve, Transition::Refuse, Transition::Deliver];
    Ok(CentralView {
        statuses: status_options(),
        total: requests.total,
        page: requests.page,
        pages: requests.pages,
        requests: requests
            .items
            .into_iter()
            .map(|r| {
                let store = stores.iter().find(|s| s.id == r.store_id);
                request_row(r, store, &actor, &warehouse_work)
            })
            .collect(),
        stock_total: stock.total,
        stock: stock
            .items
            .into_iter()
            .map(|l| WarehouseRow {
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
        stores: stores.into_iter().map(|s| (s.id, s.name)).collect(),
    })
}

#[server(endpoint = "request_detail")]
pub async fn load_request(id: i64) -> Result<RequestDetail, ServerFnError> {
    use crate::server::{failure, pool, require_session};
    use domain::inventory::{self, RequestStatus, Transition};
    let session = require_session().await?;
    let actor = session.employee.actor();
    let pool = pool()?;
    let history = inventory::request_history(&pool, &actor, id)
        .await
        .map_err(failure)?;
    let store = domain::stores::get_store(&pool, history.request.store_id)
        .await
        .map_err(failure)?;
    let who = |name: Option<String>| name.unwrap_or_else(|| "Système".to_owned());
    let steps = history
        .steps
        .into_iter()
        .map(|s| HistoryStep {
            label: match s.status {
                RequestStatus::EnAttente => "Demandée".to_owned(),
                other => other.label().to_owned(),
            },
            status: s.status.as_str().to_owned(),
            at: local_time(s.at, Some(&store)),
            by: who(s.employee_name),
            note: s.note,
        })
        .collect();
    let movements = history
        .movements
        .into_iter()
        .map(|m| HistoryMovement {
            place: if m.store_id.is_some() {
                store.name.clone()
            } else {
                "Entrepôt".to_owned()
            },
            delta: m.delta,
            reason: match m.reason.as_str() {
                "replenishment_out" => "Sortie de l'entrepôt (validation)".to_owned(),
                "replenishment_in" => "Entrée en magasin (livraison)".to_owned(),
                other => other.to_owned(),
            },
            at: local_time(m.created_at, Some(&store)),
            by: who(m.employee_name),
        })
        .collect();
    Ok(RequestDetail {
        back: if actor.is_head_office() {
            "/entrepot".to_owned()
        } else {
            format!("/magasins/{}/stock", store.id)
        },
        request: request_row(history.request, Some(&store), &actor, &Transition::ALL),
        statuses: status_options(),
        steps,
        movements,
    })
}

/// Applies one transition and sends the browser back to `back` with the outcome in the query:
/// `fait=<action>` or `erreur=<code>` (with what the page needs to explain it).
#[cfg(feature = "ssr")]
async fn apply_transition(
    csrf: &str,
    request_id: i64,
    transition: domain::inventory::Transition,
    reason: Option<&str>,
    back: &str,
) -> Result<(), ServerFnError> {
    use crate::links::{add_query, local_path};
    use crate::server::{failure, pool, require_csrf};
    use domain::Error;
    let session = require_csrf(csrf).await?;
    let pool = pool()?;
    let back = local_path(back, "/entrepot");
    let id = request_id.to_string();
    let action = action_code(transition);
    let outcome = domain::inventory::transition(
        &pool,
        &session.employee.actor(),
        request_id,
        transition,
        reason,
    )
    .await;
    let target = match outcome {
        Ok(_) => add_query(back, &[("fait", action), ("demande", &id)]),
        Err(Error::Conflict(_)) => {
            // a stale page: say what the request has become meanwhile
            let now = domain::inventory::get_request(&pool, request_id)
                .await
                .map_err(failure)?;
            add_query(
                back,
                &[
                    ("erreur", "etat"),
                    ("action", action),
                    ("demande", &id),
                    ("statut", now.status().as_str()),
                ],
            )
        }
        Err(Error::InsufficientStock { available, .. }) => add_query(
            back,
            &[
                ("erreur", "stock"),
                ("demande", &id),
                ("dispo", &available.to_string()),
            ],
        ),
        Err(Error::Validation(_)) => add_query(back, &[("erreur", "raison"), ("demande", &id)]),
        Err(Error::Forbidden(_)) => add_query(
            back,
            &[("erreur", "droits"), ("action", action), ("demande", &id)],
        ),
        Err(Error::NotFound { .. }) => {
            add_query(back, &[("erreur", "introuvable"), ("demande", &id)])
        }
        Err(e) => return Err(failure(e)),
    };
    leptos_axum::redirect(&target);
    Ok(())
}

#[server(endpoint = "approve_request")]
pub async fn approve_request(
    csrf: String,
    request_id: i64,
    back: String,
) -> Result<(), ServerFnError> {
    use domain::inventory::Transition;
    apply_transition(&csrf, request_id, Transition::Approve, None, &back).await
}

#[server(endpoint = "refuse_request")]
pub async fn refuse_request(
    csrf: String,
    request_id: i64,
    reason: String,
    back: String,
) -> Result<(), ServerFnError> {
    use domain::inventory::Transition;
    apply_transition(&csrf, request_id, Transition::Refuse, Some(&reason), &back).await
}

#[server(endpoint = "deliver_request")]
pub async fn deliver_request(
    csrf: String,
    request_id: i64,
    back: String,
) -> Result<(), ServerFnError> {
    use domain::inventory::Transition;
    apply_transition(&csrf, request_id, Transition::Deliver, None, &back).await
}

#[server(endpoint = "cancel_request")]
pub async fn cancel_request(
    csrf: String,
    request_id: i64,
    back: String,
) -> Result<(), ServerFnError> {
    use domain::inventory::Transition;
    apply_transition(&csrf, request_id, Transition::Cancel, None, &back).await
}

fn verb(action: &str) -> &'static str {
    match action {
        "approve" => "valider",
        "refuse" => "refuser",
        "deliver" => "livrer",
        "cancel" => "annuler",
        _ => "modifier",
    }
}

/// The outcome of the last transition, from the query: `(class, text, request id)`.
fn outcome(
    get: impl Fn(&str) -> Option<String>,
    statuses: &[(String, String)],
) -> Option<(&'static str, String, String)> {
    let id = get("demande").unwrap_or_default();
    if let Some(done) = get("fait") {
        let text = match done.as_str() {
            "approve" => format!("Demande n° {id} validée : le stock de l'entrepôt est réservé."),
            "deliver" => format!("Demande n° {id} livrée : le stock du magasin est augmenté."),
            "refuse" => format!("Demande n° {id} refusée."),
            "cancel" => format!("Demande n° {id} annulée."),
            _ => return None,
        };
        return Some(("notice", text, id));
    }
    let text = match get("erreur")?.as_str() {
        "etat" => {
            let status = get("statut").unwrap_or_default();
            let label = statuses
                .iter()
                .find(|(code, _)| *code == status)
                .map_or(status.as_str(), |(_, label)| label.as_str());
            format!(
                "Impossible de {} la demande n° {id} : elle est déjà « {label} ». La liste est à jour.",
                verb(&get("action").unwrap_or_default())
            )
        }
        "stock" => format!(
            "Impossible de valider la demande n° {id} : l'entrepôt n'en a que {}.",
            get("dispo").unwrap_or_default()
        ),
        "raison" => format!("Indiquez la raison du refus de la demande n° {id}."),
        "droits" => format!(
            "Vous ne pouvez pas {} la demande n° {id}.",
            verb(&get("action").unwrap_or_default())
        ),
        "introuvable" => format!("Demande n° {id} introuvable."),
        _ => return None,
    };
    Some(("error", text, id))
}

/// The forms of the transitions a request allows, each a POST with the session's CSRF token.
#[component]
fn RequestActions(
    actions: Actions,
    request: RequestRow,
    csrf: String,
    back: String,
    /// Show the refusal-reason message next to the reason field.
    reason_missing: bool,
) -> impl IntoView {
    let id = request.id;
    request
        .actions
        .into_iter()
        .map(|action| {
            let (csrf, back) = (csrf.clone(), back.clone());
            let hidden = view! {
                <input type="hidden" name="csrf" value=csrf />
                <input type="hidden" name="request_id" value=id />
                <input type="hidden" name="back" value=back />
            };
            match action.as_str() {
                "approve" => view! {
                    <ActionForm action=actions.approve attr:class="inline act">
                        {hidden}
                        <button type="submit" class="ok">"Valider"</button>
                    </ActionForm>
                }
                .into_any(),
                "deliver" => view! {
                    <ActionForm action=actions.deliver attr:class="inline act">
                        {hidden}
                        <button type="submit" class="ok">"Livrer"</button>
                    </ActionForm>
                }
                .into_any(),
                "cancel" => view! {
                    <ActionForm action=actions.cancel attr:class="inline act">
                        {hidden}
                        <button type="submit" class="secondary">"Annuler la demande"</button>
                    </ActionForm>
                }
                .into_any(),
                _ => {
                    let field = format!("raison-{id}");
                    let message = format!("raison-{id}-erreur");
                    view! {
                        <ActionForm action=actions.refuse attr:class="act refuse">
                            {hidden}
                            <label class="sr-only" for=field.clone()>"Raison du refus"</label>
                            <input
                                id=field
                                name="reason"
                                type="text"
                                required
                                maxlength="500"
                                placeholder="Raison du refus"
                                aria-invalid=reason_missing.then_some("true")
                                aria-describedby=reason_missing.then(|| message.clone())
                            />
                            <button type="submit" class="danger">"Refuser"</button>
                            {reason_missing.then(|| view! {
                                <p class="field-error" id=message>"Indiquez la raison du refus."</p>
                            })}
                        </ActionForm>
                    }
                    .into_any()
                }
            }
        })
        .collect_view()
}

/// The transition actions of a page, shared by its rows.
#[derive(Clone, Copy)]
struct Actions {
    approve: ServerAction<ApproveRequest>,
    refuse: ServerAction<RefuseRequest>,
    deliver: ServerAction<DeliverRequest>,
    cancel: ServerAction<CancelRequest>,
}

impl Actions {
    fn new() -> Self {
        Actions {
            approve: ServerAction::new(),
            refuse: ServerAction::new(),
            deliver: ServerAction::new(),
            cancel: ServerAction::new(),
        }
    }

    /// Changes after every completed transition, so the page's data reloads.
    fn version(&self) -> usize {
        self.approve.version().get()
            + self.refuse.version().get()
            + self.deliver.version().get()
            + self.cancel.version().get()
    }
}

/// `(statut, magasin, page)` of the central page's query.
fn filter_values(q: &leptos_router::params::ParamsMap) -> (String, String, u32) {
    (
        q.get("statut").unwrap_or_default(),
        q.get("magasin").unwrap_or_default(),
        q.get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1),
    )
}

#[component]
pub fn CentralPage() -> impl IntoView {
    let query = use_query_map();
    let user = expect_context::<UserResource>();
    let actions = Actions::new();
    let filters = move || {
        let q = query.read();
        filter_values(&q)
    };
    let data = Resource::new(
        move || (filters(), actions.version()),
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
                        let (statut, magasin, page) = filter_values(&q);
                        let link = {
                            let (statut, magasin) = (statut.clone(), magasin.clone());
                            move |page: u32| {
                                let page = if page > 1 { page.to_string() } else { String::new() };
                                with_query(
                                    "/entrepot",
                                    &[("statut", &statut), ("magasin", &magasin), ("page", &page)],
                                )
                            }
                        };
                        let back = link(page);
                        let result = outcome(|k| q.get(k), &v.statuses);
                        let flagged = result
                            .as_ref()
                            .filter(|(class, _, _)| *class == "error")
                            .map(|(_, _, id)| id.clone());
                        let reason_missing = q.get("erreur").as_deref() == Some("raison");
                        view! {
                            {result.map(|(class, text, _)| view! {
                                <p class=class role=if class == "error" { "alert" } else { "status" }>{text}</p>
                            })}
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
                                    n => format!("{} demandes.", crate::format::count(n)),
                                }}</p>
                                <table class="requests">
                                    <thead><tr>
                                        <th>"N°"</th><th>"Magasin"</th><th>"Produit"</th><th>"Quantité"</th>
                                        <th>"Statut"</th><th>"Demandée le"</th><th>"Actions"</th>
                                    </tr></thead>
                                    <tbody>
                                        {v.requests.into_iter().map(|r| {
                                            let id = r.id.to_string();
                                            let flag = flagged.as_deref() == Some(id.as_str());
                                            let (request_id, status) = (r.id, r.status.clone());
                                            view! {
                                                <tr data-request-id=request_id data-status=status class:flagged=flag>
                                                    <td data-label="N°"><a href=format!("/entrepot/demandes/{}", r.id)>{format!("n° {}", r.id)}</a></td>
                                                    <td data-label="Magasin">{r.store_name.clone()}</td>
                                                    <td data-label="Produit"><span class="code">{r.product_code.clone()}</span>" "{r.product_name.clone()}</td>
                                                    <td data-label="Quantité" class="num">{r.quantity}</td>
                                                    <td data-label="Statut"><RequestBadge status=r.status.clone() label=r.status_label.clone() /></td>
                                                    <td data-label="Demandée le">{r.requested_at.clone()}</td>
                                                    <td class="actions">
                                                        <RequestActions actions request=r csrf=csrf.clone() back=back.clone() reason_missing=flag && reason_missing />
                                                    </td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                                <Pager
                                    page=v.page
                                    pages=v.pages
                                    prev=(v.page > 1).then(|| link(v.page - 1))
                                    next=(v.page < v.pages).then(|| link(v.page + 1))
                                />
                            </section>
                            <section class="central-stock" aria-labelledby="entrepot">
                                <h2 id="entrepot">"Niveaux de l'entrepôt"</h2>
                                <p class="count">{if v.stock_total > i64::from(WAREHOUSE_ROWS) {
                                    format!("Les {WAREHOUSE_ROWS} premiers produits sur {}, alertes d'abord.", crate::format::count(v.stock_total))
                                } else {
                                    "Alertes d'abord.".to_owned()
                                }}</p>
                                <table class="stock warehouse">
                                    <thead><tr>
                                        <th>"Produit"</th><th>"Quantité"</th><th>"Seuil"</th><th>"État"</th><th>"Couverture"</th>
                                    </tr></thead>
                                    <tbody>
                                        {v.stock.into_iter().map(|r| view! {
                                            <tr data-product-id=r.product_id data-status=r.status.as_str().to_owned()>
                                                <td><span class="code">{r.code}</span>" "{r.name}</td>
                                                <td class="num">{crate::format::count(i64::from(r.quantity))}</td>
                                                <td class="num">{crate::format::count(i64::from(r.threshold))}</td>
                                                <td><StockBadge status=r.status.clone() /></td>
                                                <td class="num">{r.cover}</td>
                                            </tr>
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </section>
                        }.into_any()
                    }
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
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
                        let r = d.request;
                        let result = outcome(|k| q.get(k), &d.statuses);
                        let reason_missing = q.get("erreur").as_deref() == Some("raison");
                        let back = format!("/entrepot/demandes/{}", r.id);
                        view! {
                            <Title text=format!("Demande n° {} — Multi-Magasin", r.id) />
                            <p class="back"><a href=d.back.clone()>{if d.back == "/entrepot" { "← Stock central" } else { "← Stock du magasin" }}</a></p>
                            <h1>{format!("Demande n° {}", r.id)}</h1>
                            {result.map(|(class, text, _)| view! {
                                <p class=class role=if class == "error" { "alert" } else { "status" }>{text}</p>
                            })}
                            <dl class="request-facts" data-status=r.status.clone()>
                                <div><dt>"Magasin"</dt><dd>{r.store_name.clone()}</dd></div>
                                <div><dt>"Produit"</dt><dd><span class="code">{r.product_code.clone()}</span>" "{r.product_name.clone()}</dd></div>
                                <div><dt>"Quantité"</dt><dd class="num">{r.quantity}</dd></div>
                                <div><dt>"Statut"</dt><dd><RequestBadge status=r.status.clone() label=r.status_label.clone() /></dd></div>
                            </dl>
                            {(!r.actions.is_empty()).then(|| view! {
                                <div class="request-actions">
                                    <RequestActions actions request=r.clone() csrf=csrf.clone() back=back.clone() reason_missing />
                                </div>
                            })}
                            <h2>"Historique"</h2>
                            <ol class="history">
                                {d.steps.into_iter().map(|s| view! {
                                    <li data-status=s.status.clone()>
                                        <strong>{s.label}</strong>
                                        " le " <time>{s.at}</time>
                                        " par " {s.by}
                                        {s.note.map(|n| view! { <span class="note">{format!("« {n} »")}</span> })}
                                    </li>
                                }).collect_view()}
                            </ol>
                            <h2>"Mouvements de stock"</h2>
                            {if d.movements.is_empty() {
                                view! { <p class="count">"Aucun mouvement : le stock bouge à la validation (entrepôt) et à la livraison (magasin)."</p> }.into_any()
                            } else {
                                view! {
                                    <table class="movements">
                                        <thead><tr><th>"Lieu"</th><th>"Variation"</th><th>"Motif"</th><th>"Date"</th><th>"Par"</th></tr></thead>
                                        <tbody>
                                            {d.movements.into_iter().map(|m| view! {
                                                <tr>
                                                    <td>{m.place}</td>
                                                    <td class="num">{if m.delta > 0 { format!("+{}", m.delta) } else { m.delta.to_string() }}</td>
                                                    <td>{m.reason}</td>
                                                    <td>{m.at}</td>
                                                    <td>{m.by}</td>
                                                </tr>
                                            }).collect_view()}
                                        </tbody>
                                    </table>
                                }.into_any()
                            }}
                        }.into_any()
                    }
                    Err(e) => view! {
                        <h1>"Demande de réapprovisionnement"</h1>
                        <p class="error" role="alert">{e.to_string()}</p>
                    }.into_any(),
                }
            })
            }}
        </Transition>
    }
}
