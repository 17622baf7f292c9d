//! `GET /health` of both binaries: the members every instance reports (status, instance,
//! version, uptime, database) and the answer's status, 200 while PostgreSQL answers, else 503
//! with `Retry-After`. Each binary adds its own members (the web UI its service name, the API
//! its Redis state) and checks the database through `domain`.

use std::time::Instant;

use axum::Json;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// `Retry-After` (seconds) of any 503 answered while PostgreSQL is unavailable (`/health`, the
/// API's problem documents, the web UI's server functions): it restarts in about that long.
pub const RETRY_AFTER_SECS: u64 = 5;

/// The body of `/health`; `P` holds the binary's own members, flattened beside the shared ones.
#[derive(Serialize, Debug)]
pub struct Health<P> {
    /// `ok` when PostgreSQL answers, else `degraded`.
    pub status: &'static str,
    pub instance_id: String,
    pub version: &'static str,
    pub uptime_seconds: u64,
    /// `up` or `down`.
    pub database: &'static str,
    #[serde(flatten)]
    pub parts: P,
    #[serde(skip)]
    database_up: bool,
}

impl<P: Serialize> Health<P> {
    /// The report of an instance named `instance_id`, running since `started`, whose database
    /// answered (`database_up`) or not. `version` is the binary's (`CARGO_PKG_VERSION`).
    pub fn new(
        instance_id: &str,
        started: Instant,
        version: &'static str,
        database_up: bool,
        parts: P,
    ) -> Self {
        Health {
            status: if database_up { "ok" } else { "degraded" },
            instance_id: instance_id.to_owned(),
            version,
            uptime_seconds: started.elapsed().as_secs(),
            database: up_or_down(database_up),
            parts,
            database_up,
        }
    }
}

impl<P: Serialize> IntoResponse for Health<P> {
    fn into_response(self) -> Response {
        let database_up = self.database_up;
        let status = if database_up {
            StatusCode::OK
        } else {
            StatusCode::SERVICE_UNAVAILABLE
        };
        let mut response = (status, Json(self)).into_response();
        if !database_up {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(RETRY_AFTER_SECS));
        }
        response
    }
}

/// How `/health` names a dependency's state.
pub fn up_or_down(up: bool) -> &'static str {
    if up { "up" } else { "down" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Serialize)]
    struct Parts {
        service: &'static str,
    }

    #[test]
    fn an_answering_database_is_ok_with_the_binary_s_members_beside_the_shared_ones() {
        let health = Health::new(
            "web-1",
            Instant::now(),
            "0.1.0",
            true,
            Parts { service: "web" },
        );
        let json = serde_json::to_value(&health).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "status": "ok", "instance_id": "web-1", "version": "0.1.0",
                "uptime_seconds": 0, "database": "up", "service": "web"
            })
        );
        let response = health.into_response();
        assert_eq!(response.status(), StatusCode::OK);
        assert!(!response.headers().contains_key(header::RETRY_AFTER));
    }

    #[test]
    fn a_silent_database_is_degraded_503_with_retry_after() {
        let health = Health::new(
            "api-1",
            Instant::now(),
            "0.1.0",
            false,
            Parts { service: "x" },
        );
        assert_eq!(health.status, "degraded");
        assert_eq!(health.database, "down");
        let response = health.into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(response.headers()[header::RETRY_AFTER], "5");
    }
}
