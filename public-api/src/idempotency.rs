//! Idempotent requests of the API: the `Idempotency-Key` a client sends (checked, so that every
//! key accepted can be stored and gives a valid sale id), the hash that tells "the same request"
//! from another one, and the replay of a stored answer. Claiming and storing keys in
//! PostgreSQL is `domain::idempotency`'s.

use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::response::{IntoResponse, Response};
use domain::idempotency::SavedResponse;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, PROBLEM_CONTENT_TYPE};

/// The request header, as the contract and problem documents name it.
pub const HEADER: &str = "Idempotency-Key";

/// The longest prefix a key gets in a sale id (`api:<client>:<key>`): an API client's, with the
/// longest id there can be.
const LONGEST_SALE_ID_PREFIX: &str = "api:client:-9223372036854775808:";

/// Longest key: what still fits in a sale id ([`domain::sales::MAX_CLIENT_SALE_ID_LEN`]) after
/// the longest client prefix, so that every key accepted works for every client.
pub const MAX_KEY_LEN: usize = domain::sales::MAX_CLIENT_SALE_ID_LEN - LONGEST_SALE_ID_PREFIX.len();

/// A checked `Idempotency-Key`: 1 to [`MAX_KEY_LEN`] printable ASCII characters, without the
/// spaces around it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IdempotencyKey(String);

impl IdempotencyKey {
    /// The key of a request: missing or blank is a 400 (`idempotency_key_missing`); too long or
    /// with other characters than printable ASCII, a 422 naming `Idempotency-Key`.
    pub fn from_headers(headers: &HeaderMap) -> Result<Self, ApiError> {
        match headers.get(HEADER) {
            Some(value) => Self::parse(value.as_bytes()),
            None => Err(missing()),
        }
    }

    pub fn parse(raw: &[u8]) -> Result<Self, ApiError> {
        let key = raw.trim_ascii();
        if key.is_empty() {
            return Err(missing());
        }
        if !key.iter().all(|b| (b' '..=b'~').contains(b)) {
            return Err(ApiError::invalid(
                HEADER,
                "seulement des caractères ASCII imprimables (lettres, chiffres, ponctuation, espaces)",
            ));
        }
        if key.len() > MAX_KEY_LEN {
            return Err(ApiError::invalid(
                HEADER,
                format!("{MAX_KEY_LEN} caractères au plus"),
            ));
        }
        let key = String::from_utf8(key.to_vec()).map_err(|_| missing())?;
        Ok(IdempotencyKey(key))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The sale id this key gives a sale of `client` (see `Caller::key`): a retry finds its
    /// sale through it even after the stored answer has expired. Built by the domain's rule
    /// (`api:<client>:<key>`), which no other channel's ids can match.
    pub fn client_sale_id(&self, client: &str) -> String {
        domain::sales::ClientSaleId::api(client, &self.0).into()
    }
}

fn missing() -> ApiError {
    ApiError::BadRequest {
        code: "idempotency_key_missing",
        detail: "L'en-tête Idempotency-Key est obligatoire.".into(),
    }
}

/// Hex SHA-256 of what makes two requests "the same": the method, the route and the JSON body,
/// with its keys in a canonical order (so a retry may order them differently).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestHash(String);

impl RequestHash {
    pub fn of(method: &Method, path: &str, body: &serde_json::Value) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(method.as_str());
        hasher.update(b" ");
        hasher.update(path.as_bytes());
        hasher.update(b"\n");
        hasher.update(body.to_string().as_bytes());
        RequestHash(
            hasher
                .finalize()
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        )
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The 409 of a key sent again with another request.
pub fn key_reused() -> ApiError {
    ApiError::Conflict {
        code: "idempotency_key_reused",
        detail: "Cette Idempotency-Key a déjà servi pour une autre requête.".into(),
    }
}

/// A stored answer as a response: its status and body byte for byte (JSON, or a problem
/// document for an error), marked `Idempotent-Replayed: true` when it answers a retry.
pub fn respond(saved: SavedResponse, replayed: bool) -> Response {
    let status = StatusCode::from_u16(saved.status).unwrap_or(StatusCode::OK);
    let content_type = if status.is_success() {
        "application/json"
    } else {
        PROBLEM_CONTENT_TYPE
    };
    let mut response = (status, saved.body).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if replayed {
        headers.insert("idempotent-replayed", HeaderValue::from_static("true"));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(err: ApiError) -> String {
        match err {
            ApiError::Validation(problems) => problems[0].field.clone(),
            ApiError::BadRequest { code, .. } => code.to_owned(),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn every_accepted_key_makes_a_valid_sale_id_for_any_client() {
        let longest = IdempotencyKey::parse("k".repeat(MAX_KEY_LEN).as_bytes()).unwrap();
        for client in ["env".to_owned(), format!("client:{}", i64::MIN)] {
            let sale = domain::sales::NewSale {
                client_sale_id: longest.client_sale_id(&client),
                channel: domain::sales::Channel::External { store_id: 1 },
                lines: vec![domain::sales::CartLine {
                    product_id: 1,
                    quantity: 1,
                }],
                payment: domain::sales::Payment::Card,
                options: Default::default(),
            };
            assert!(sale.validate().is_ok(), "{client}");
        }
        assert_eq!(
            field(IdempotencyKey::parse("k".repeat(MAX_KEY_LEN + 1).as_bytes()).unwrap_err()),
            HEADER
        );
    }

    #[test]
    fn the_contract_states_the_bound() {
        let doc = crate::routes::openapi().to_json().unwrap_or_default();
        assert!(doc.contains(&format!("1 to {MAX_KEY_LEN} printable ASCII characters")));
    }

    #[test]
    fn keys_are_trimmed_printable_ascii() {
        assert_eq!(
            IdempotencyKey::parse(b"  commande 42 ").unwrap().as_str(),
            "commande 42"
        );
        assert_eq!(
            field(IdempotencyKey::parse(b"   ").unwrap_err()),
            "idempotency_key_missing"
        );
        for bad in [&b"caf\xc3\xa9"[..], b"a\tb"] {
            assert_eq!(field(IdempotencyKey::parse(bad).unwrap_err()), HEADER);
        }
    }

    #[test]
    fn the_hash_ignores_the_order_of_json_keys_only() {
        let path = "/api/v1/stores/1/sales";
        let a = RequestHash::of(&Method::POST, path, &serde_json::json!({"a": 1, "b": 2}));
        let b = RequestHash::of(&Method::POST, path, &serde_json::json!({"b": 2, "a": 1}));
        let c = RequestHash::of(&Method::POST, path, &serde_json::json!({"a": 1, "b": 3}));
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_eq!(a.as_str().len(), 64);
    }
}
