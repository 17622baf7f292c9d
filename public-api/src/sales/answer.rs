//! What a sale attempt answers: the answer kept with its key, built inside the transaction by a
//! pure function ([`kept`]), and the HTTP response of a [`SaleReply`], built after it.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::idempotency::SavedResponse;
use domain::sales::SaleOutcome;

use super::SaleReply;
use crate::dto::sales::Sale;
use crate::error::ApiError;
use crate::idempotency;

/// Whether a sale attempt's outcome is kept with its key.
pub(super) enum Kept {
    /// The sale (201), or the refusal for lack of stock (409): as final as a sale, so a retry
    /// gets it again even once stock is back.
    Answer(SavedResponse),
    /// Any other refusal: not kept, the same request gets it again anyway.
    NotKept(domain::Error),
}

/// The answer to keep for an outcome, without I/O. The error is a failure to write the answer
/// (the transaction must then roll back, the sale with it).
pub(super) fn kept(outcome: domain::Result<SaleOutcome>) -> domain::Result<Kept> {
    match outcome {
        Ok(outcome) => {
            let body = serde_json::to_vec(&Sale::from(outcome.sale))
                .map_err(|e| domain::Error::Internal(format!("vente illisible : {e}")))?;
            Ok(Kept::Answer(SavedResponse {
                status: StatusCode::CREATED.as_u16(),
                body,
            }))
        }
        Err(refusal @ domain::Error::InsufficientStock { .. }) => {
            let (status, body) = ApiError::Domain(refusal).problem_document();
            Ok(Kept::Answer(SavedResponse {
                status: status.as_u16(),
                body,
            }))
        }
        Err(other) => Ok(Kept::NotKept(other)),
    }
}

/// Counts an answer stored now in the metrics; true when it recorded a sale (the reports it
/// makes stale must then be invalidated).
pub(super) fn count(saved: &SavedResponse, store_id: i64) -> bool {
    let recorded = saved.status == StatusCode::CREATED.as_u16();
    let name = if recorded {
        "sales_recorded_total"
    } else {
        "sales_refused_total"
    };
    axum_prometheus::metrics::counter!(name, "channel" => "api", "store_id" => store_id.to_string())
        .increment(1);
    recorded
}

impl IntoResponse for SaleReply {
    fn into_response(self) -> Response {
        match self {
            SaleReply::Answered(saved) => with_location(saved, false),
            SaleReply::Replayed(saved) => with_location(saved, true),
            SaleReply::KeyReused => idempotency::key_reused().into_response(),
            SaleReply::Refused(refusal) => refusal.into_response(),
            SaleReply::Failed(failure) => ApiError::Domain(failure).into_response(),
        }
    }
}

/// A stored answer as a response, with the `Location` of the sale it recorded.
fn with_location(saved: SavedResponse, replayed: bool) -> Response {
    let location = (saved.status == StatusCode::CREATED.as_u16())
        .then(|| serde_json::from_slice::<serde_json::Value>(&saved.body).ok())
        .flatten()
        .and_then(|sale| sale["id"].as_i64())
        .and_then(|id| HeaderValue::from_str(&format!("/api/v1/sales/{id}")).ok());
    let mut response = idempotency::respond(saved, replayed);
    if let Some(location) = location {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}
