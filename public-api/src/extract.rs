//! Request extractors that answer bad input with a 422 problem naming the field, instead of
//! axum's plain-text rejections, and the field types of the contract (money, patch fields).

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header;
use axum::http::request::Parts;
use rust_decimal::Decimal;
use serde::Deserialize;
use serde::de::{DeserializeOwned, Deserializer, Error as _};
use utoipa::IntoParams;
use utoipa::openapi::path::ParameterIn;

use crate::error::{ApiError, FieldProblem};

/// A JSON body, parsed strictly (unknown fields are rejected by the DTOs), with the offending
/// field named on error.
pub struct ValidJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ValidJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| {
                v.split(';')
                    .next()
                    .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !is_json {
            return Err(ApiError::UnsupportedMediaType);
        }
        let bytes = Bytes::from_request(req, state)
            .await
            .map_err(|e| ApiError::BadRequest {
                code: "bad_request",
                detail: e.body_text(),
            })?;
        parse_json(&bytes).map(ValidJson)
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    if escapes_nul(bytes) {
        // PostgreSQL's text cannot hold NUL: refused here for every body, never a 500 later
        return Err(ApiError::Validation(vec![FieldProblem {
            field: "body".into(),
            message: "le caractère NUL (\\u0000) n'est accepté dans aucun texte".into(),
        }]));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| {
        let path = err.path().to_string();
        let inner = err.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::BadRequest {
                code: "malformed_json",
                detail: format!("JSON invalide : {inner}"),
            };
        }
        let field = if path == "." { "body".to_owned() } else { path };
        ApiError::Validation(vec![FieldProblem {
            field,
            message: clean_message(&inner.to_string()),
        }])
    })
}

/// True when the JSON text holds the escape `\u0000` (a raw NUL is not valid JSON at all): a
/// backslash that is not itself escaped, then `u0000`.
fn escapes_nul(bytes: &[u8]) -> bool {
    let mut backslashes = 0usize;
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\\' {
            backslashes += 1;
            continue;
        }
        if backslashes % 2 == 1
            && *b == b'u'
            && bytes.get(i + 1..i + 5).is_some_and(|hex| hex == b"0000")
        {
            return true;
        }
        backslashes = 0;
    }
    false
}

#[cfg(test)]
mod nul_tests {
    use super::escapes_nul;

    #[test]
    fn finds_an_escaped_nul_and_nothing_else() {
        assert!(escapes_nul(br#"{"nom": "a\u0000b"}"#));
        assert!(escapes_nul(br#"{"nom": "\\\u0000"}"#));
        assert!(!escapes_nul(br#"{"nom": "\\u0000"}"#));
        assert!(!escapes_nul(br#"{"nom": "u0000 \u00e9"}"#));
    }
}

/// A path parameter: one that does not parse (`/products/abc`, an id beyond `i64`) names no
/// resource, so it answers the documented 404 problem instead of axum's plain-text 400.
pub struct ValidPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ValidPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(ValidPath(value)),
            Err(rejection) => {
                tracing::debug!(%rejection, "path parameter rejected");
                Err(ApiError::NotFound(
                    "Aucune ressource à cette adresse : l'identifiant est invalide.".into(),
                ))
            }
        }
    }
}

/// A query string of the parameters `T` documents (its `IntoParams`, the list the OpenAPI
/// document shows): any other parameter is a 422 naming it, so that junk never reaches a handler
/// nor makes a new cache key; a documented one that does not parse is a 422 naming it too.
pub struct ValidQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + IntoParams> FromRequestParts<S> for ValidQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let known: Vec<String> = T::into_params(|| Some(ParameterIn::Query))
            .into_iter()
            .map(|p| p.name)
            .collect();
        refuse_unknown(query, |name| known.iter().any(|k| k == name))?;
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de)
            .map(ValidQuery)
            .map_err(|err| {
                let path = err.path().to_string();
                let message = clean_message(&err.into_inner().to_string());
                ApiError::Validation(vec![FieldProblem {
                    field: if path == "." { "query".into() } else { path },
                    message,
                }])
            })
    }
}

/// A route without query parameters: any parameter is a 422 naming it.
pub struct NoQuery;

impl<S: Send + Sync> FromRequestParts<S> for NoQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        refuse_unknown(parts.uri.query().unwrap_or_default(), |_| false)?;
        Ok(NoQuery)
    }
}

/// Longest parameter name echoed back in a problem.
const MAX_NAME_ECHO: usize = 64;

/// A 422 naming the first parameter of `query` that `known` does not accept.
fn refuse_unknown(query: &str, known: impl Fn(&str) -> bool) -> Result<(), ApiError> {
    let Some((name, _)) = form_urlencoded::parse(query.as_bytes()).find(|(name, _)| !known(name))
    else {
        return Ok(());
    };
    let field = if name.is_empty() {
        "query".to_owned()
    } else {
        name.chars().take(MAX_NAME_ECHO).collect()
    };
    Err(ApiError::invalid(field, "paramètre inconnu"))
}

/// serde's messages, without the " at line 1 column 12" suffix.
fn clean_message(message: &str) -> String {
    match message.find(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Money as the contract writes it: a JSON number (a numeric string is accepted too), kept
/// exact. Sign and decimals are checked by [`check_money`] so every problem is reported at once.
pub fn money<'de, D: Deserializer<'de>>(de: D) -> Result<Decimal, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Number(serde_json::Number),
        Text(String),
    }
    let text = match Raw::deserialize(de)? {
        Raw::Number(n) => n.to_string(),
        Raw::Text(s) => s,
    };
    text.trim()
        .parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(text.trim()))
        .map_err(|_| D::Error::custom(format!("montant invalide : {text}")))
}

pub fn money_opt<'de, D: Deserializer<'de>>(de: D) -> Result<Option<Decimal>, D::Error> {
    money(de).map(Some)
}

/// Adds a problem when `amount` is negative, has more than two decimals, or is more than the
/// database holds.
pub fn check_money(errors: &mut Vec<FieldProblem>, field: &str, amount: Decimal) {
    if amount.is_sign_negative() {
        errors.push(FieldProblem {
            field: field.into(),
            message: "ne peut pas être négatif".into(),
        });
    } else if amount > domain::money::MAX_AMOUNT {
        errors.push(FieldProblem {
            field: field.into(),
            message: "au plus 9 999 999 999,99".into(),
        });
    } else if amount.normalize().scale() > 2 {
        errors.push(FieldProblem {
            field: field.into(),
            message: "au plus deux décimales".into(),
        });
    }
}

/// A field of a PATCH body: absent (leave as is), explicit `null`, or a value. An explicit `null`
/// on a required field is a 422, which plain `Option` cannot tell from absence.
#[derive(Clone, Debug, Default, PartialEq)]
pub enum Patch<T> {
    #[default]
    Absent,
    Null,
    Value(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(de: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(de)? {
            Some(v) => Patch::Value(v),
            None => Patch::Null,
        })
    }
}

impl<T> Patch<T> {
    /// The value of a required field: `Null` is a problem, `Absent` means unchanged.
    pub fn required(self, field: &str, errors: &mut Vec<FieldProblem>) -> Option<T> {
        match self {
            Patch::Absent => None,
            Patch::Null => {
                errors.push(FieldProblem {
                    field: field.into(),
                    message: "ne peut pas être null".into(),
                });
                None
            }
            Patch::Value(v) => Some(v),
        }
    }
}

/// Turns collected problems into a 422, or nothing.
pub fn finish(errors: Vec<FieldProblem>) -> Result<(), ApiError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}
