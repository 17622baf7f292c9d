//! Web sessions of signed-in employees: a random cookie value (only its SHA-256 is stored), a
//! CSRF token for the forms of the session, a sliding expiry and an absolute lifetime. Stored
//! in PostgreSQL so every web instance accepts every session.

use std::net::IpAddr;

use chrono::{DateTime, Duration, Utc};
use sqlx::PgPool;

use super::{EMPLOYEE_COLUMNS, Employee};
use crate::access::{generate_token, hash_token};
use crate::{Actor, Result};

/// A session lasts this long after the last request (a till left idle signs out).
pub const IDLE_HOURS: i64 = 12;
/// A session ends this long after sign-in however busy it is (default of [`SessionPolicy`]).
pub const MAX_HOURS: i64 = 12;

/// How long sessions last.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    /// After the last request.
    pub idle: std::time::Duration,
    /// After sign-in, whatever the activity: a stolen cookie does not work forever.
    pub max_age: std::time::Duration,
}

impl Default for SessionPolicy {
    fn default() -> Self {
        SessionPolicy {
            idle: std::time::Duration::from_secs(IDLE_HOURS as u64 * 3600),
            max_age: std::time::Duration::from_secs(MAX_HOURS as u64 * 3600),
        }
    }
}

impl SessionPolicy {
    /// What a new session's cookie may live (the shorter of the two).
    pub fn cookie_max_age(&self) -> std::time::Duration {
        self.idle.min(self.max_age)
    }

    fn idle_from_now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::from_std(self.idle).unwrap_or(Duration::hours(IDLE_HOURS))
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct WebSession {
    pub employee: Employee,
    pub csrf_token: String,
    pub expires_at: DateTime<Utc>,
}

/// Opens a session for an employee (default policy); returns the cookie value (shown once) and
/// the session.
pub async fn open_web_session(db: &PgPool, employee: &Employee) -> Result<(String, WebSession)> {
    rotate_web_session(db, employee, None, &SessionPolicy::default(), None).await
}

/// Signs an employee in from a browser: the session of the cookie the browser sent before, if
/// any and whoever it was, is closed, and a new one is opened (a cookie planted before sign-in
/// is worthless after). Returns the new cookie value (shown once) and the session.
pub async fn rotate_web_session(
    db: &PgPool,
    employee: &Employee,
    previous_token: Option<&str>,
    policy: &SessionPolicy,
    address: Option<IpAddr>,
) -> Result<(String, WebSession)> {
    let token = generate_token();
    let csrf_token = generate_token();
    let expires_at = Utc::now()
        + Duration::from_std(policy.cookie_max_age()).unwrap_or(Duration::hours(IDLE_HOURS));
    let mut tx = db.begin().await?;
    let closed: Option<i64> = match previous_token {
        Some(previous) => {
            sqlx::query_scalar(
                "DELETE FROM web_sessions WHERE token_hash = $1 RETURNING employee_id",
            )
            .bind(hash_token(previous))
            .fetch_optional(&mut *tx)
            .await?
        }
        None => None,
    };
    sqlx::query(
        "INSERT INTO web_sessions (token_hash, employee_id, csrf_token, expires_at)
         VALUES ($1, $2, $3, $4)",
    )
    .bind(hash_token(&token))
    .bind(employee.id)
    .bind(&csrf_token)
    .bind(expires_at)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    if let Some(id) = closed {
        signed_out(id);
    }
    crate::events::emit(
        "sign_in",
        "employee",
        employee.id,
        &employee.actor(),
        serde_json::json!({
            "login": employee.login,
            "address": address.map(|a| a.to_string()),
        }),
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

/// The live session of a cookie value (default policy).
pub async fn find_web_session(db: &PgPool, token: &str) -> Result<Option<WebSession>> {
    find_web_session_with(db, token, &SessionPolicy::default()).await
}

/// The live session of a cookie value (active employee, not idle too long, not older than the
/// policy's lifetime), extending its idle expiry up to that lifetime. One query: the session
/// and its employee (read on every page).
pub async fn find_web_session_with(
    db: &PgPool,
    token: &str,
    policy: &SessionPolicy,
) -> Result<Option<WebSession>> {
    // The idle expiry slides at most once a minute: most pages read the session without
    // writing it (and without queueing on its row when one employee loads many pages at once).
    let row: Option<Found> = sqlx::query_as(&format!(
        "WITH found AS (
             SELECT s.token_hash, s.csrf_token, s.last_seen_at,
                    least($2, s.created_at + make_interval(secs => $3)) AS slid_to, e.*
             FROM web_sessions s
             JOIN employees e ON e.id = s.employee_id AND e.active
             WHERE s.token_hash = $1 AND s.expires_at > now()
               AND s.created_at + make_interval(secs => $3) > now()),
         slid AS (
             UPDATE web_sessions s SET last_seen_at = now(), expires_at = f.slid_to FROM found f
             WHERE s.token_hash = f.token_hash AND f.last_seen_at < now() - interval '1 minute')
         SELECT {EMPLOYEE_COLUMNS}, csrf_token, slid_to FROM found"
    ))
    .bind(hash_token(token))
    .bind(policy.idle_from_now())
    .bind(policy.max_age.as_secs_f64())
    .fetch_optional(db)
    .await?;
    Ok(row.map(|found| WebSession {
        employee: found.employee,
        csrf_token: found.csrf_token,
        expires_at: found.slid_to,
    }))
}

#[derive(sqlx::FromRow)]
struct Found {
    #[sqlx(flatten)]
    employee: Employee,
    csrf_token: String,
    slid_to: DateTime<Utc>,
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
        signed_out(id);
    }
    Ok(())
}

fn signed_out(employee_id: i64) {
    crate::events::emit(
        "sign_out",
        "employee",
        employee_id,
        &Actor::System,
        serde_json::json!({}),
    );
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
