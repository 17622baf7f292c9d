//! What server functions share on the server side: the database pool, the signed-in employee
//! (from the session cookie), CSRF checks, and the translation of domain errors into messages.

use leptos::prelude::*;

pub use domain::db::PgPool;
use domain::staff::WebSession;

/// Name of the session cookie (HttpOnly, SameSite=Lax; the value is random, stored hashed).
pub const SESSION_COOKIE: &str = "mm_session";

/// `Retry-After` (seconds) of a 503 answered while the database is unavailable.
pub const RETRY_AFTER_SECS: u64 = common::health::RETRY_AFTER_SECS;

/// The pool the web server put in the Leptos context.
pub fn pool() -> Result<PgPool, ServerFnError> {
    use_context::<PgPool>().ok_or_else(|| ServerFnError::new("Base de données non configurée."))
}

/// A domain error as the page shows it: business errors in French, outages without detail.
pub fn failure(err: domain::Error) -> ServerFnError {
    if err.is_client_error() {
        ServerFnError::new(err.to_string())
    } else {
        let chain = common::error::cause_chain(&err);
        if err.is_unavailable() {
            // PostgreSQL down, restarting or past the statement timeout: a retry may work
            tracing::warn!(error = %chain, "database unavailable");
            if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
                res.set_status(http::StatusCode::SERVICE_UNAVAILABLE);
                res.insert_header(
                    http::header::RETRY_AFTER,
                    http::HeaderValue::from(RETRY_AFTER_SECS),
                );
            }
        } else {
            tracing::error!(error = %chain, "server function failed");
        }
        ServerFnError::new("Le service est momentanément indisponible. Réessayez dans un instant.")
    }
}

/// The session cookie's value, if the request has one.
pub async fn session_token() -> Result<Option<String>, ServerFnError> {
    let headers: http::HeaderMap = leptos_axum::extract().await?;
    Ok(headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.to_owned()))
}

/// The request's session once looked up: rendering a page calls several server functions, and
/// each asks for the session (`provide_context` per request by the server).
#[derive(Clone, Default)]
pub struct SessionMemo(std::sync::Arc<std::sync::Mutex<Option<Option<WebSession>>>>);

/// The signed-in employee's session, if any (looked up once per request).
pub async fn session() -> Result<Option<WebSession>, ServerFnError> {
    let memo = use_context::<SessionMemo>();
    if let Some(found) = memo
        .as_ref()
        .and_then(|m| m.0.lock().ok().and_then(|known| known.clone()))
    {
        return Ok(found);
    }
    let found = match session_token().await? {
        Some(token) => domain::staff::find_web_session(&pool()?, &token)
            .await
            .map_err(failure)?,
        None => None,
    };
    if let Some(mut known) = memo.as_ref().and_then(|m| m.0.lock().ok()) {
        *known = Some(found.clone());
    }
    Ok(found)
}

/// The session, or a redirect to the sign-in page.
pub async fn require_session() -> Result<WebSession, ServerFnError> {
    match session().await? {
        Some(session) => Ok(session),
        None => {
            leptos_axum::redirect("/connexion");
            Err(ServerFnError::new("Veuillez vous connecter."))
        }
    }
}

/// A state change: the session, and the form's CSRF token must be the session's.
pub async fn require_csrf(sent: &str) -> Result<WebSession, ServerFnError> {
    let session = require_session().await?;
    if !session.csrf_matches(sent) {
        return Err(ServerFnError::new(
            "Formulaire expiré : rechargez la page et recommencez.",
        ));
    }
    Ok(session)
}

fn set_cookie(value: &str) {
    if let (Some(res), Ok(header)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(value),
    ) {
        res.append_header(http::header::SET_COOKIE, header);
    }
}

pub fn set_session_cookie(token: &str) {
    let max_age = domain::staff::IDLE_HOURS * 3600;
    set_cookie(&format!(
        "{SESSION_COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}"
    ));
}

pub fn clear_session_cookie() {
    set_cookie(&format!(
        "{SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0"
    ));
}

/// The tax rates of the sales (Quebec's unless the server provides others in the context).
pub fn tax_rates() -> domain::TaxRates {
    use_context::<domain::TaxRates>().unwrap_or_default()
}
