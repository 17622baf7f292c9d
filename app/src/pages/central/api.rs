//! Stock central's server functions and the views they answer: the requests with what the
//! viewer may do to each, the warehouse's levels, one request's history, and the transitions
//! (approve, refuse, deliver, cancel), each answered by a redirect with its [`Flash`].
//!
//! [`Flash`]: crate::flash::Flash

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

pub const REQUESTS_PER_PAGE: u32 = 20;
/// Warehouse rows shown, alerts first (the whole catalogue can be far longer).
pub const WAREHOUSE_ROWS: u32 = 50;

/// The flash codes and facts of a transition's redirect.
pub mod codes {
    /// `fait=<action>` / `action=<action>`: `approve`, `refuse`, `deliver`, `cancel`.
    pub const ACTION: &str = "action";
    /// `demande=<id>`: the request the outcome is about.
    pub const REQUEST: &str = "demande";
    /// `erreur=etat` with `statut=<what the request has become>`: a stale page.
    pub const STALE: &str = "etat";
    pub const STATUS: &str = "statut";
    /// `erreur=stock` with `dispo=<what the warehouse has>`.
    pub const SHORT: &str = "stock";
    pub const AVAILABLE: &str = "dispo";
    /// `erreur=raison`: a refusal needs its reason.
    pub const NO_REASON: &str = "raison";
    pub const FORBIDDEN: &str = "droits";
    pub const NOT_FOUND: &str = "introuvable";
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RequestRow {
    pub id: i64,
    pub store_id: i64,
    pub store_name: String,
    pub product_code: String,
    pub product_name: String,
    /// `1 200`.
    pub quantity: String,
    /// `en_attente`, `validee`, ...
    pub status: String,
    pub status_label: String,
    /// In the store's time zone: `3 déc. 2026, 18 h 18`.
    pub requested_at: String,
    /// What the viewer may do now: `approve`, `refuse`, `deliver`, `cancel`.
    pub actions: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WarehouseRow {
    pub product_id: i64,
    pub code: String,
    pub name: String,
    pub quantity: String,
    pub threshold: String,
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
    /// `+30`, `-30`.
    pub delta: String,
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

/// A moment in the store's time zone (UTC when the store is unknown).
#[cfg(feature = "ssr")]
fn local_time(at: chrono::DateTime<chrono::Utc>, store: Option<&domain::stores::Store>) -> String {
    match store {
        Some(s) => crate::format::date_time(&at.with_timezone(&s.tz())),
        None => crate::format::date_time(&at),
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
        quantity: crate::format::count(r.quantity),
    }
}

#[server(endpoint = "central_view")]
pub async fn load_central(
    statut: String,
    magasin: String,
    page: u32,
) -> Result<CentralView, AppError> {
    use crate::format::{count, days_of_cover};
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
                cover: days_of_cover(l.days_of_cover()),
                status: l.status().as_str().to_owned(),
                product_id: l.product_id,
                code: l.code,
                name: l.name,
                quantity: count(l.quantity),
                threshold: count(l.alert_threshold),
            })
            .collect(),
        stores: stores.into_iter().map(|s| (s.id, s.name)).collect(),
    })
}

#[server(endpoint = "request_detail")]
pub async fn load_request(id: i64) -> Result<RequestDetail, AppError> {
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
            delta: crate::format::signed(m.delta),
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

/// Applies one transition and sends the browser back to `back` with the outcome:
/// `fait=<action>` or `erreur=<code>`, with what the page needs to explain it.
#[cfg(feature = "ssr")]
async fn apply_transition(
    csrf: &str,
    request_id: i64,
    transition: domain::inventory::Transition,
    reason: Option<&str>,
    back: &str,
) -> Result<(), AppError> {
    use crate::flash::Flash;
    use crate::links::local_path;
    use crate::server::{failure, pool, require_csrf};
    use domain::Error;
    let session = require_csrf(csrf).await?;
    let pool = pool()?;
    let back = local_path(back, "/entrepot");
    let action = action_code(transition);
    let outcome = domain::inventory::transition(
        &pool,
        &session.employee.actor(),
        request_id,
        transition,
        reason,
    )
    .await;
    let flash = match outcome {
        Ok(_) => Flash::done(action).with(codes::REQUEST, request_id),
        Err(Error::Conflict(_)) => {
            // a stale page: say what the request has become meanwhile
            let now = domain::inventory::get_request(&pool, request_id)
                .await
                .map_err(failure)?;
            Flash::error(codes::STALE)
                .with(codes::ACTION, action)
                .with(codes::REQUEST, request_id)
                .with(codes::STATUS, now.status().as_str())
        }
        Err(Error::InsufficientStock { available, .. }) => Flash::error(codes::SHORT)
            .with(codes::REQUEST, request_id)
            .with(codes::AVAILABLE, available),
        Err(Error::Validation(_)) => {
            Flash::error(codes::NO_REASON).with(codes::REQUEST, request_id)
        }
        Err(Error::Forbidden(_)) => Flash::error(codes::FORBIDDEN)
            .with(codes::ACTION, action)
            .with(codes::REQUEST, request_id),
        Err(Error::NotFound { .. }) => {
            Flash::error(codes::NOT_FOUND).with(codes::REQUEST, request_id)
        }
        Err(e) => return Err(failure(e)),
    };
    flash.redirect(back);
    Ok(())
}

#[server(endpoint = "approve_request")]
pub async fn approve_request(csrf: String, request_id: i64, back: String) -> Result<(), AppError> {
    use domain::inventory::Transition;
    apply_transition(&csrf, request_id, Transition::Approve, None, &back).await
}

#[server(endpoint = "refuse_request")]
pub async fn refuse_request(
    csrf: String,
    request_id: i64,
    reason: String,
    back: String,
) -> Result<(), AppError> {
    use domain::inventory::Transition;
    apply_transition(&csrf, request_id, Transition::Refuse, Some(&reason), &back).await
}

#[server(endpoint = "deliver_request")]
pub async fn deliver_request(csrf: String, request_id: i64, back: String) -> Result<(), AppError> {
    use domain::inventory::Transition;
    apply_transition(&csrf, request_id, Transition::Deliver, None, &back).await
}

#[server(endpoint = "cancel_request")]
pub async fn cancel_request(csrf: String, request_id: i64, back: String) -> Result<(), AppError> {
    use domain::inventory::Transition;
    apply_transition(&csrf, request_id, Transition::Cancel, None, &back).await
}
