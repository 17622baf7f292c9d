//! Every error the API answers, as an RFC 9457 problem document (`application/problem+json`):
//! `type`, `title`, `status`, `detail`, `instance`, plus `error_code` and, for validation,
//! `errors` naming each field. A 500 logs its cause and tells the client nothing more.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

/// One invalid field.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, ToSchema)]
pub struct FieldProblem {
    /// Path of the field in the request (`prix`, `lignes[0].quantite`, `page`).
    #[schema(example = "prix")]
    pub field: String,
    #[schema(example = "au plus deux décimales")]
    pub message: String,
}

/// An RFC 9457 problem document.
#[derive(Clone, Debug, Serialize, ToSchema)]
pub struct Problem {
    #[schema(example = "https://multimagasin.example/problems/validation_failed")]
    pub r#type: String,
    #[schema(example = "Données invalides")]
    pub title: String,
    #[schema(example = 422)]
    pub status: u16,
    #[schema(example = "prix : au plus deux décimales")]
    pub detail: String,
    /// The request path (filled in by the router).
    #[schema(example = "/api/v1/products")]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub instance: Option<String>,
    #[schema(example = "validation_failed")]
    pub error_code: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldProblem>,
    /// For `insufficient_stock`: the product lacking stock.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub produit_id: Option<i64>,
    /// For `insufficient_stock`: what remains.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantite_disponible: Option<i64>,
    /// For `insufficient_stock`: what was asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub quantite_demandee: Option<i64>,
}

pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// `Retry-After` of a 503 (PostgreSQL down, restarting or past the statement timeout).
pub const RETRY_AFTER_SECS: u64 = common::health::RETRY_AFTER_SECS;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error(transparent)]
    Domain(#[from] domain::Error),
    #[error("authentication required")]
    Unauthorized,
    #[error("{0}")]
    Forbidden(String),
    #[error("{detail}")]
    BadRequest { code: &'static str, detail: String },
    #[error("invalid input")]
    Validation(Vec<FieldProblem>),
    #[error("{detail}")]
    Conflict { code: &'static str, detail: String },
    #[error("{0}")]
    NotFound(String),
    #[error("rate limited")]
    RateLimited { retry_after_secs: u64 },
    #[error("unsupported media type")]
    UnsupportedMediaType,
    #[error("request body over {max_bytes} bytes")]
    PayloadTooLarge { max_bytes: usize },
    #[error("{0}")]
    Internal(String),
}

impl ApiError {
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        ApiError::Validation(vec![FieldProblem {
            field: field.into(),
            message: message.into(),
        }])
    }

    fn problem(&self) -> (StatusCode, Problem) {
        let base = |status: StatusCode, code: &str, title: &str, detail: String| Problem {
            r#type: format!("https://multimagasin.example/problems/{code}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail,
            instance: None,
            error_code: code.to_owned(),
            errors: Vec::new(),
            produit_id: None,
            quantite_disponible: None,
            quantite_demandee: None,
        };
        use domain::Error as D;
        match self {
            ApiError::Domain(D::NotFound { .. }) | ApiError::NotFound(_) => (
                StatusCode::NOT_FOUND,
                base(
                    StatusCode::NOT_FOUND,
                    "not_found",
                    "Introuvable",
                    self.to_string(),
                ),
            ),
            ApiError::Domain(
                err @ D::InsufficientStock {
                    product_id,
                    requested,
                    available,
                    ..
                },
            ) => {
                let mut p = base(
                    StatusCode::CONFLICT,
                    "insufficient_stock",
                    "Stock insuffisant",
                    err.to_string(),
                );
                p.produit_id = Some(*product_id);
                p.quantite_disponible = Some(*available);
                p.quantite_demandee = Some(*requested);
                (StatusCode::CONFLICT, p)
            }
            ApiError::Domain(D::Validation(errors)) => validation(contract_problems(errors)),
            ApiError::Validation(problems) => validation(problems.clone()),
            ApiError::Domain(D::Conflict(detail)) => (
                StatusCode::CONFLICT,
                base(StatusCode::CONFLICT, "conflict", "Conflit", detail.clone()),
            ),
            ApiError::Conflict { code, detail } => (
                StatusCode::CONFLICT,
                base(StatusCode::CONFLICT, code, "Conflit", detail.clone()),
            ),
            ApiError::Domain(D::Forbidden(detail)) | ApiError::Forbidden(detail) => (
                StatusCode::FORBIDDEN,
                base(
                    StatusCode::FORBIDDEN,
                    "forbidden",
                    "Accès refusé",
                    detail.clone(),
                ),
            ),
            ApiError::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                base(
                    StatusCode::UNAUTHORIZED,
                    "unauthorized",
                    "Authentification requise",
                    "Jeton manquant ou invalide : Authorization: Bearer <jeton> ou X-API-Token."
                        .into(),
                ),
            ),
            ApiError::BadRequest { code, detail } => (
                StatusCode::BAD_REQUEST,
                base(
                    StatusCode::BAD_REQUEST,
                    code,
                    "Requête invalide",
                    detail.clone(),
                ),
            ),
            ApiError::RateLimited { retry_after_secs } => (
                StatusCode::TOO_MANY_REQUESTS,
                base(
                    StatusCode::TOO_MANY_REQUESTS,
                    "rate_limited",
                    "Trop de requêtes",
                    format!("Limite de débit atteinte : réessayez dans {retry_after_secs} s."),
                ),
            ),
            ApiError::UnsupportedMediaType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                base(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "Type de contenu non pris en charge",
                    "Le corps doit être du JSON (Content-Type: application/json).".into(),
                ),
            ),
            ApiError::PayloadTooLarge { max_bytes } => (
                StatusCode::PAYLOAD_TOO_LARGE,
                base(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    "Corps trop volumineux",
                    format!("Le corps de la requête dépasse {max_bytes} octets."),
                ),
            ),
            ApiError::Domain(err) if err.is_unavailable() => (
                StatusCode::SERVICE_UNAVAILABLE,
                base(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "service_unavailable",
                    "Service indisponible",
                    format!(
                        "La base de données ne répond pas à temps : réessayez dans {RETRY_AFTER_SECS} s."
                    ),
                ),
            ),
            ApiError::Domain(D::Database(_) | D::Internal(_)) | ApiError::Internal(_) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                base(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal_error",
                    "Erreur interne",
                    "Une erreur interne est survenue ; elle a été journalisée.".into(),
                ),
            ),
        }
    }
}

fn validation(errors: Vec<FieldProblem>) -> (StatusCode, Problem) {
    let detail = errors
        .iter()
        .map(|e| format!("{} : {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ");
    let status = StatusCode::UNPROCESSABLE_ENTITY;
    (
        status,
        Problem {
            r#type: "https://multimagasin.example/problems/validation_failed".into(),
            title: "Données invalides".into(),
            status: status.as_u16(),
            detail,
            instance: None,
            error_code: "validation_failed".into(),
            errors,
            produit_id: None,
            quantite_disponible: None,
            quantite_demandee: None,
        },
    )
}

/// Domain field errors in the contract's vocabulary (`lines[0].quantity` is `lignes[0].quantite`).
pub fn contract_problems(errors: &[domain::FieldError]) -> Vec<FieldProblem> {
    errors
        .iter()
        .map(|e| FieldProblem {
            field: contract_field(&e.field),
            message: e.message.clone(),
        })
        .collect()
}

/// Domain field names in the contract's vocabulary.
fn contract_field(field: &str) -> String {
    let mapped = match field {
        "name" => "nom",
        "price" => "prix",
        "category_id" => "categorie_id",
        "warehouse_quantity" => "quantite_stock",
        "address" => "adresse",
        "phone" => "telephone",
        "amount_tendered" => "montant_recu",
        "lines" => "lignes",
        "quantity" => "quantite",
        "time_zone" => "fuseau_horaire",
        "discount" => "remise",
        "gift_cards" => "cartes_cadeaux",
        "gst_number" => "numero_tps",
        "qst_number" => "numero_tvq",
        other => {
            return other
                .replace("lines[", "lignes[")
                .replace(".quantity", ".quantite")
                .replace(".discount", ".remise");
        }
    };
    mapped.to_owned()
}

impl ApiError {
    /// The status and problem document this error answers, built without I/O or logging: what
    /// a stored answer keeps (the router adds `instance` when it is sent).
    pub fn problem_document(&self) -> (StatusCode, Vec<u8>) {
        let (status, problem) = self.problem();
        (status, serde_json::to_vec(&problem).unwrap_or_default())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let (status, body) = self.problem_document();
        if status.is_server_error() {
            let chain = common::error::cause_chain(&self);
            if status == StatusCode::SERVICE_UNAVAILABLE {
                tracing::warn!(error = %chain, "database unavailable");
            } else {
                tracing::error!(error = %chain, "request failed");
            }
        }
        let mut response = (status, body).into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
        );
        match self {
            ApiError::Unauthorized => {
                response
                    .headers_mut()
                    .insert(header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer"));
            }
            ApiError::Domain(ref err) if err.is_unavailable() => {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
            }
            ApiError::RateLimited { retry_after_secs } => {
                response.headers_mut().insert(
                    header::RETRY_AFTER,
                    HeaderValue::from(retry_after_secs.max(1)),
                );
            }
            _ => {}
        }
        response
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Errors every authenticated route may answer (documented once, listed on each route).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum AuthErrors {
    /// Missing or invalid token (`WWW-Authenticate: Bearer`).
    #[response(status = 401, content_type = "application/problem+json",
        example = json!({"type": "https://multimagasin.example/problems/unauthorized", "title": "Authentification requise", "status": 401, "detail": "Jeton manquant ou invalide : Authorization: Bearer <jeton> ou X-API-Token.", "instance": "/api/v1/products", "error_code": "unauthorized"}))]
    Unauthorized(#[to_schema] Problem),
    /// The token lacks the scope this route needs.
    #[response(status = 403, content_type = "application/problem+json",
        example = json!({"type": "https://multimagasin.example/problems/forbidden", "title": "Accès refusé", "status": 403, "detail": "Ce jeton n'a pas la portée « write » requise pour cette opération.", "instance": "/api/v1/products", "error_code": "forbidden"}))]
    Forbidden(Problem),
    /// Too many requests for this client (`Retry-After` says when to come back).
    #[response(status = 429, content_type = "application/problem+json",
        example = json!({"type": "https://multimagasin.example/problems/rate_limited", "title": "Trop de requêtes", "status": 429, "detail": "Limite de débit atteinte : réessayez dans 2 s.", "instance": "/api/v1/products", "error_code": "rate_limited"}))]
    RateLimited(Problem),
    /// Unexpected failure; the detail is logged, not shown.
    #[response(status = 500, content_type = "application/problem+json",
        example = json!({"type": "https://multimagasin.example/problems/internal_error", "title": "Erreur interne", "status": 500, "detail": "Une erreur interne est survenue ; elle a été journalisée.", "instance": "/api/v1/products", "error_code": "internal_error"}))]
    Internal(Problem),
    /// PostgreSQL is down, restarting or too slow (statement timeout): retry after `Retry-After`
    /// seconds.
    #[response(status = 503, content_type = "application/problem+json",
        headers(("Retry-After" = u64, description = "Seconds to wait before retrying")),
        example = json!({"type": "https://multimagasin.example/problems/service_unavailable", "title": "Service indisponible", "status": 503, "detail": "La base de données ne répond pas à temps : réessayez dans 5 s.", "instance": "/api/v1/products", "error_code": "service_unavailable"}))]
    Unavailable(Problem),
}

/// Errors of a route that reads a JSON body.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum BodyErrors {
    /// The body is not JSON (`malformed_json`).
    #[response(status = 400, content_type = "application/problem+json",
        example = json!({"type": "https://multimagasin.example/problems/malformed_json", "title": "Requête invalide", "status": 400, "detail": "JSON invalide : expected value at line 1 column 1", "instance": "/api/v1/products", "error_code": "malformed_json"}))]
    Malformed(Problem),
    /// The body is not sent as `Content-Type: application/json`.
    #[response(status = 415, content_type = "application/problem+json",
        example = json!({"type": "https://multimagasin.example/problems/unsupported_media_type", "title": "Type de contenu non pris en charge", "status": 415, "detail": "Le corps doit être du JSON (Content-Type: application/json).", "instance": "/api/v1/products", "error_code": "unsupported_media_type"}))]
    UnsupportedMediaType(Problem),
}

/// The body is not sent as `Content-Type: application/json` (for routes documenting their own
/// 400).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum MediaTypeError {
    #[response(status = 415, content_type = "application/problem+json",
        example = json!({"type": "https://multimagasin.example/problems/unsupported_media_type", "title": "Type de contenu non pris en charge", "status": 415, "detail": "Le corps doit être du JSON (Content-Type: application/json).", "instance": "/api/v1/stores/1/sales", "error_code": "unsupported_media_type"}))]
    UnsupportedMediaType(Problem),
}

/// Input errors of routes that take a body or parameters.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum InputErrors {
    /// Invalid fields, each named in `errors`.
    #[response(status = 422, content_type = "application/problem+json",
        example = json!({"type": "https://multimagasin.example/problems/validation_failed", "title": "Données invalides", "status": 422, "detail": "prix : au plus deux décimales", "instance": "/api/v1/products", "error_code": "validation_failed", "errors": [{"field": "prix", "message": "au plus deux décimales"}]}))]
    Invalid(Problem),
}

/// The resource does not exist.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum NotFoundError {
    #[response(status = 404, content_type = "application/problem+json",
        example = json!({"type": "https://multimagasin.example/problems/not_found", "title": "Introuvable", "status": 404, "detail": "Produit introuvable (999)", "instance": "/api/v1/products/999", "error_code": "not_found"}))]
    NotFound(Problem),
}

/// The change conflicts with existing data (duplicate code or name, history).
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum ConflictError {
    #[response(status = 409, content_type = "application/problem+json",
        example = json!({"type": "https://multimagasin.example/problems/conflict", "title": "Conflit", "status": 409, "detail": "Un produit porte déjà ce code.", "instance": "/api/v1/products", "error_code": "conflict"}))]
    Conflict(Problem),
}
