//! Web sessions of signed-in employees: a random cookie value (only its SHA-256 is stored), a
//! CSRF token for the forms of the session, and a sliding expiry. Stored in PostgreSQL so every
//! web instance accepts every session.

use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

use super::{EMPLOYEE_COLUMNS, Employee};
use crate::access::{generate_token, hash_token};
use crate::{Actor, Result};

/// A session lasts this long after the last request (a till left idle signs out).
pub const IDLE_HOURS: i64 = 12;

#[derive(Clone, Debug, PartialEq)]
pub struct WebSession {
    pub employee: Employee,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// Opens a session for an employee; returns the cookie value (shown once) and the session.
pub async fn open_web_session(db: &PgPool, employee: &Employee) -> Result<(String, WebSession)> {
    let token = generate_token();
    let csrf_token = generate_token();
    let expires_at = Utc::now() + Duration::hours(IDLE_HOURS);
    sqlx::query(
        "INSERT INTO web_sessions (token_hash, employee_id, csrf_token, expires_at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(hash_token(&token))
    .bind(employee.id)
    .bind(&csrf_token)
    .bind(expires_at)
    .execute(db)
    .await?;
    crate::events::emit(
        "sign_in",
        "employee",
        employee.id,
        &employee.actor(),
        serde_json::json!({"login": employee.login}),
    );
    Ok((
        token,
        WebSession {
            employee: employee.clone(),
            csrf_token,
            expires_at,
        },
    ))
}

/// The live session of a cookie value (active employee, not expired), extending its expiry.
/// One query: the session and its employee (read on every page).
pub async fn find_web_session(db: &PgPool, token: &str) -> Result<Option<WebSession>> {
    let expires_at = Utc::now() + Duration::hours(IDLE_HOURS);
    // The idle expiry slides at most once a minute: most pages read the session without
    // writing it (and without queueing on its row when one employee loads many pages at once).
    let row: Option<Found> = sqlx::query_as(&format!(
        "WITH found AS (
             SELECT s.token_hash, s.csrf_token, s.last_seen_at, e.* FROM web_sessions s
             JOIN employees e ON e.id = s.employee_id AND e.active
             WHERE s.token_hash = $1 AND s.expires_at > now()),
         slid AS (
             UPDATE web_sessions s SET last_seen_at = now(), expires_at = $2 FROM found f
             WHERE s.token_hash = f.token_hash AND f.last_seen_at < now() - interval '1 minute')
         SELECT {EMPLOYEE_COLUMNS}, csrf_token FROM found"
    ))
    .bind(hash_token(token))
    .bind(expires_at)
    .fetch_optional(db)
    .await?;
    Ok(row.map(|found| WebSession {
        employee: found.employee,
        csrf_token: found.csrf_token,
        expires_at,
    }))
}

#[derive(sqlx::FromRow)]
struct Found {
    #[sqlx(flatten)]
    employee: Employee,
    csrf_token: String,
}

impl WebSession {
    /// Constant-time check of the CSRF token a form sent back.
    pub fn csrf_matches(&self, sent: &str) -> bool {
        use subtle::ConstantTimeEq;
        bool::from(self.csrf_token.as_bytes().ct_eq(sent.as_bytes()))
    }
}

/// Signs out: the cookie value stops working on every instance at once.
pub async fn close_web_session(db: &PgPool, token: &str) -> Result<()> {
    let closed: Option<i64> =
        sqlx::query_scalar("DELETE FROM web_sessions WHERE token_hash = $1 RETURNING employee_id")
            .bind(hash_token(token))
            .fetch_optional(db)
            .await?;
    if let Some(id) = closed {
        crate::events::emit(
            "sign_out",
            "employee",
            id,
            &Actor::System,
            serde_json::json!({}),
        );
    }
    Ok(())
}

/// Deletes expired sessions; returns how many.
pub async fn purge_expired_web_sessions(db: &PgPool) -> Result<u64> {
    Ok(
        sqlx::query("DELETE FROM web_sessions WHERE expires_at <= now()")
            .execute(db)
            .await?
            .rows_affected(),
    )
}
