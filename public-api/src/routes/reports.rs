//! `/reports/*`: computed in PostgreSQL by `domain::reporting` (the web UI shows the same
//! figures). Cached 2 minutes under the parsed request; a sale, a return or a price change
//! clears them. A caller computes at most `REPORT_CONCURRENCY` reports at once
//! (`crate::report_gate`); cached answers need no share.

use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{cached, request_key};
use crate::ApiState;
use crate::auth::Caller;
use crate::cache::Policy;
use crate::dto::reports::{
    CustomInput, CustomReport, InventoryQuery, InventoryReport, KpiReport, PeriodQuery, SalesReport,
};
use crate::error::{ApiResult, AuthErrors, BodyErrors, InputErrors, NotFoundError};
use crate::extract::{NoQuery, ValidJson, ValidQuery};

pub fn router() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(sales_report))
        .routes(routes!(inventory_report))
        .routes(routes!(kpis))
        .routes(routes!(custom_report))
}

/// Totals, per store, per day and top products over a period.
#[utoipa::path(
    get,
    path = "/reports/sales",
    tag = "rapports",
    params(PeriodQuery),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The sales report", body = SalesReport), NotFoundError, InputErrors, AuthErrors)
)]
async fn sales_report(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ValidQuery(mut query): ValidQuery<PeriodQuery>,
) -> ApiResult<Response> {
    query.magasin_id = caller.report_store(query.magasin_id)?;
    let scope = query.scope(&state.pool).await?;
    let key = request_key(&("sales", scope, query.top()));
    cached(&state, Policy::Report, &key, async {
        let _permit = state.reports.enter(&caller)?;
        let report =
            domain::reporting::sales_report(&state.pool, &caller.actor(), &scope, query.limit)
                .await?;
        Ok(SalesReport::from(report))
    })
    .await
}

/// Revenue, sales, average ticket, units, returns and stock alerts over a period.
#[utoipa::path(
    get,
    path = "/reports/kpis",
    tag = "rapports",
    params(PeriodQuery),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The KPIs", body = KpiReport), NotFoundError, InputErrors, AuthErrors)
)]
async fn kpis(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ValidQuery(mut query): ValidQuery<PeriodQuery>,
) -> ApiResult<Response> {
    query.magasin_id = caller.report_store(query.magasin_id)?;
    let scope = query.scope(&state.pool).await?;
    cached(
        &state,
        Policy::Report,
        &request_key(&("kpis", scope)),
        async {
            let _permit = state.reports.enter(&caller)?;
            let kpis = domain::reporting::kpis(&state.pool, &caller.actor(), &scope).await?;
            Ok(KpiReport {
                date_debut: scope.period.from,
                date_fin: scope.period.to,
                magasin_id: scope.store_id,
                kpis: kpis.into(),
            })
        },
    )
    .await
}

/// Stock levels, alerts, stock value and days of cover, for a store or the network.
///
/// One page of the products (`page`, `size`); the counts and the stock value cover all of them,
/// and the products about to run out are the 100 soonest.
#[utoipa::path(
    get,
    path = "/reports/inventory",
    tag = "rapports",
    params(InventoryQuery),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The inventory report", body = InventoryReport), NotFoundError, InputErrors, AuthErrors)
)]
async fn inventory_report(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ValidQuery(mut query): ValidQuery<InventoryQuery>,
) -> ApiResult<Response> {
    query.magasin_id = caller.report_store(query.magasin_id)?;
    let page = query.page()?;
    let key = request_key(&("inventory", query.magasin_id, page));
    cached(&state, Policy::Report, &key, async {
        let _permit = state.reports.enter(&caller)?;
        let report =
            domain::reporting::inventory_page(&state.pool, &caller.actor(), query.magasin_id, page)
                .await?;
        Ok(InventoryReport::of_page(report, page))
    })
    .await
}

/// Any metrics grouped by day, week, month, store, product or category.
///
/// Store, product and category groupings list the best `limit` groups (by the first metric);
/// `total` says how many there are. A read sent as a POST: the `read` scope is enough.
#[utoipa::path(
    post,
    path = "/reports/custom",
    tag = "rapports",
    request_body = CustomInput,
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The grouped figures", body = CustomReport), NotFoundError, InputErrors, BodyErrors, AuthErrors)
)]
async fn custom_report(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    _: NoQuery,
    ValidJson(mut input): ValidJson<CustomInput>,
) -> ApiResult<Response> {
    input.magasin_ids = caller.report_stores(input.magasin_ids.take())?;
    let query = input.query()?;
    let key = request_key(&("custom", &query, input.groups(&query)));
    cached(&state, Policy::Report, &key, async {
        let _permit = state.reports.enter(&caller)?;
        let report = domain::reporting::custom_report_with(
            &state.pool,
            &caller.actor(),
            &query,
            input.limit,
            domain::reporting::CustomSource::Aggregates,
        )
        .await?;
        Ok(CustomReport::from(report))
    })
    .await
}
