//! `/customers`: look up, create and edit customers, anonymise one (admin scope), and read a
//! customer's sales. Personal data: never cached, in Redis or elsewhere.

use axum::Extension;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use super::{created, json};
use crate::ApiState;
use crate::auth::Caller;
use crate::dto::customers::{
    Customer, CustomerInput, CustomerPatch, CustomerQuery, CustomerSale, contract_field,
};
use crate::dto::{Page, PageParams};
use crate::error::{
    ApiError, ApiResult, AuthErrors, BodyErrors, FieldProblem, InputErrors, NotFoundError,
};
use crate::extract::{NoQuery, ValidJson, ValidPath, ValidQuery};

pub fn router() -> OpenApiRouter<ApiState> {
    OpenApiRouter::new()
        .routes(routes!(list_customers, create_customer))
        .routes(routes!(get_customer, patch_customer))
        .routes(routes!(anonymize_customer))
        .routes(routes!(customer_sales))
}

/// A domain error with the customer's fields named as the contract names them.
fn customer_error(err: domain::Error) -> ApiError {
    match err {
        domain::Error::Validation(errors) => ApiError::Validation(
            errors
                .into_iter()
                .map(|e| FieldProblem {
                    field: contract_field(&e.field).to_owned(),
                    message: e.message,
                })
                .collect(),
        ),
        other => ApiError::Domain(other),
    }
}

/// Customers whose name, email, phone or loyalty card matches `q` (all without it), by name.
#[utoipa::path(
    get,
    path = "/customers",
    tag = "clients",
    params(CustomerQuery),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "A page of customers", body = Page<Customer>), InputErrors, AuthErrors)
)]
async fn list_customers(
    State(state): State<ApiState>,
    ValidQuery(query): ValidQuery<CustomerQuery>,
) -> ApiResult<Response> {
    let (q, page) = query.parse()?;
    let found = domain::customers::search_customers(&state.pool, q.as_deref(), page).await?;
    json(StatusCode::OK, &Page::from_domain(found, Customer::from))
}

/// Creates a customer with a new loyalty card. An email or phone another customer has is a 422
/// naming the field.
#[utoipa::path(
    post,
    path = "/customers",
    tag = "clients",
    request_body = CustomerInput,
    security(("bearer" = []), ("api_key" = [])),
    responses(
        (status = 201, description = "Created; `Location` gives its URL", body = Customer,
         headers(("Location" = String, description = "/api/v1/customers/{id}"))),
        InputErrors, BodyErrors, AuthErrors
    )
)]
async fn create_customer(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    _: NoQuery,
    ValidJson(input): ValidJson<CustomerInput>,
) -> ApiResult<Response> {
    let customer =
        domain::customers::create_customer(&state.pool, &caller.actor(), &input.into_new())
            .await
            .map_err(customer_error)?;
    created(
        format!("/api/v1/customers/{}", customer.id),
        &Customer::from(customer),
    )
}

/// One customer, with their points and store credit.
#[utoipa::path(
    get,
    path = "/customers/{id}",
    tag = "clients",
    params(("id" = i64, Path, description = "Customer id", example = 42)),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "The customer", body = Customer), NotFoundError, InputErrors, AuthErrors)
)]
async fn get_customer(
    State(state): State<ApiState>,
    ValidPath(id): ValidPath<i64>,
    _: NoQuery,
) -> ApiResult<Response> {
    let customer = domain::customers::get_customer(&state.pool, id).await?;
    json(StatusCode::OK, &Customer::from(customer))
}

/// Changes some fields; `null` on `nom`, `courriel` or `telephone` removes it. An anonymised
/// customer cannot be changed (409).
#[utoipa::path(
    patch,
    path = "/customers/{id}",
    tag = "clients",
    params(("id" = i64, Path, description = "Customer id", example = 42)),
    request_body = CustomerPatch,
    security(("bearer" = []), ("api_key" = [])),
    responses(
        (status = 200, description = "Changed", body = Customer),
        (status = 409, description = "The customer was anonymised", body = crate::error::Problem,
         content_type = "application/problem+json"),
        NotFoundError, InputErrors, BodyErrors, AuthErrors
    )
)]
async fn patch_customer(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ValidPath(id): ValidPath<i64>,
    _: NoQuery,
    ValidJson(patch): ValidJson<CustomerPatch>,
) -> ApiResult<Response> {
    let changes = patch.into_changes()?;
    let customer = domain::customers::update_customer(&state.pool, &caller.actor(), id, &changes)
        .await
        .map_err(customer_error)?;
    json(StatusCode::OK, &Customer::from(customer))
}

/// Blanks the customer's name, email, phone and marketing consent (privacy request), keeping
/// their sales, points and credit. Admin scope; anonymising again answers the same customer.
#[utoipa::path(
    post,
    path = "/customers/{id}/anonymize",
    tag = "clients",
    params(("id" = i64, Path, description = "Customer id", example = 42)),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "Anonymised", body = Customer), NotFoundError, InputErrors, AuthErrors)
)]
async fn anonymize_customer(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ValidPath(id): ValidPath<i64>,
    _: NoQuery,
) -> ApiResult<Response> {
    let customer = domain::customers::anonymize_customer(&state.pool, &caller.actor(), id).await?;
    json(StatusCode::OK, &Customer::from(customer))
}

/// The customer's sales in every store, newest first.
#[utoipa::path(
    get,
    path = "/customers/{id}/sales",
    tag = "clients",
    params(("id" = i64, Path, description = "Customer id", example = 42), PageParams),
    security(("bearer" = []), ("api_key" = [])),
    responses((status = 200, description = "A page of sales", body = Page<CustomerSale>), NotFoundError, InputErrors, AuthErrors)
)]
async fn customer_sales(
    State(state): State<ApiState>,
    Extension(caller): Extension<Caller>,
    ValidPath(id): ValidPath<i64>,
    ValidQuery(page): ValidQuery<PageParams>,
) -> ApiResult<Response> {
    let page = page.request()?;
    let stores = caller.store_filter();
    let sales = domain::customers::customer_sales(&state.pool, id, stores.as_deref(), page).await?;
    json(
        StatusCode::OK,
        &Page::from_domain(sales, CustomerSale::from),
    )
}
