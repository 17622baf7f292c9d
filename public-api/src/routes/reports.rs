//! `/reports/*`: computed in PostgreSQL by `domain::reporting` (the web UI shows the same
//! figures). Cached 2 minutes; a sale, a return or a price change clears them.

use axum::Extension;
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use sha2::{Digest, Sha256};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{cached, query_key};
use crate::ApiState;
use crate::auth::Caller;
use crate::cache::Policy;
use crate::dto::reports::{
    CustomInput, CustomReport, InventoryQuery, InventoryReport, KpiReport, PeriodQuery, SalesReport,
};
use crate::error::{ApiResult, AuthErrors, BodyErrors, InputErrors, NotFoundError};
use crate::extract::{ValidJson, ValidQuery};

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
    uri: Uri,
    ValidQuery(query): ValidQuery<PeriodQuery>,
) -> ApiResult<Response> {
    let scope = query.scope(&state.pool).await?;
    cached(
        &state,
        Policy::Report,
        &format!("sales:{}", query_key(uri.query())),
        async {
            let report =
                domain::reporting::sales_report(&state.pool, &caller.actor(), &scope, query.limit)
                    .await?;
            Ok(SalesReport::from(report))
        },
    )
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
    uri: Uri,
    ValidQuery(query): ValidQuery<PeriodQuery>,
) -> ApiResult<Response> {
    let scope = query.scope(&state.pool).await?;
    cached(
        &state,
        Policy::Report,
        &format!("kpis:{}", query_key(uri.query())),
        async {
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
    uri: Uri,
    ValidQuery(query): ValidQuery<InventoryQuery>,
) -> ApiResult<Response> {
    cached(
        &state,
        Policy::Report,
        &format!("inventory:{}", query_key(uri.query())),
        async {
            let report =
                domain::reporting::inventory_report(&state.pool, &caller.actor(), query.magasin_id)
                    .await?;
            Ok(InventoryReport::from(report))
        },
    )
    .await
}

/// Any metrics grouped by day, week, month, store, product or category.
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
    ValidJson(input): ValidJson<CustomInput>,
) -> ApiResult<Response> {
    let query = input.query()?;
    let key = {
        let canonical = serde_json::to_string(&query).unwrap_or_default();
        let digest = Sha256::digest(canonical.as_bytes());
        format!(
            "custom:{}",
            digest
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        )
    };
    cached(&state, Policy::Report, &key, async {
        let report = domain::reporting::custom_report(&state.pool, &caller.actor(), &query).await?;
        Ok(CustomReport::from(report))
    })
    .await
}
