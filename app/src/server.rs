//! What server functions share on the server side: the database pool, the signed-in employee
//! (from the session cookie), the sign-in settings and the client's address, CSRF checks, and
//! the translation of domain errors into messages.

use std::net::IpAddr;
use std::sync::OnceLock;

use leptos::prelude::*;

pub use domain::db::PgPool;
use domain::staff::{SessionPolicy, SignInGate, WebSession};

use crate::error::AppError;

/// Name of the session cookie (HttpOnly, SameSite=Lax; the value is random, stored hashed).
pub const SESSION_COOKIE: &str = "mm_session";
/// Its name when served over HTTPS: the browser then keeps it only if it is `Secure`, for this
/// host alone (no `Domain`) and for every path, so no other site or page can plant one.
pub const SECURE_SESSION_COOKIE: &str = "__Host-mm_session";

/// Sign-in and session settings of the web server, put in the context of every request.
#[derive(Clone, Debug, Default)]
pub struct SignInSettings {
    /// Throttle policy and argon2 permits, shared by all requests of the process.
    pub gate: SignInGate,
    pub sessions: SessionPolicy,
    /// Served over HTTPS: `Secure` cookie with the `__Host-` prefix (`SECURE_COOKIES`).
    pub secure_cookies: bool,
}

impl SignInSettings {
    /// The one cookie name read and written (the other is ignored).
    pub fn cookie_name(&self) -> &'static str {
        if self.secure_cookies {
            SECURE_SESSION_COOKIE
        } else {
            SESSION_COOKIE
        }
    }

    fn cookie(&self, value: &str, max_age: u64) -> String {
        let secure = if self.secure_cookies { "; Secure" } else { "" };
        format!(
            "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}",
            self.cookie_name()
        )
    }
}

/// The settings in the context, else the defaults (one set per process, so the argon2 permits
/// still bound the process).
pub fn sign_in_settings() -> SignInSettings {
    static DEFAULT: OnceLock<SignInSettings> = OnceLock::new();
    use_context::<SignInSettings>().unwrap_or_else(|| DEFAULT.get_or_init(Default::default).clone())
}

/// The client's address as the web server established it (the TCP peer, or `X-Real-IP` from a
/// trusted proxy), put in the request's extensions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientIp(pub IpAddr);

/// The address of the client of this request, when the server knows it.
pub fn client_ip() -> Option<IpAddr> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<ClientIp>().copied())
        .map(|ClientIp(address)| address)
}

/// `Retry-After` (seconds) of a 503 answered while the database is unavailable.
pub const RETRY_AFTER_SECS: u64 = common::health::RETRY_AFTER_SECS;

/// The pool the web server put in the Leptos context.
pub fn pool() -> Result<PgPool, AppError> {
    use_context::<PgPool>().ok_or_else(|| AppError::failed("Base de données non configurée."))
}

/// The instance's price book the web server put in the Leptos context (a fresh, empty one
/// where none was: correct, only slower).
pub fn price_book() -> domain::sales::PriceBook {
    use_context::<domain::sales::PriceBook>().unwrap_or_default()
}

/// A domain error as the page shows it: business errors in French with their kind (403, 404,
/// 409, 422), outages without detail.
pub fn failure(err: domain::Error) -> AppError {
    use crate::error::ErrorKind;
    let error = if err.is_client_error() {
        business_error(&err)
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
            return AppError::new(
                ErrorKind::Unavailable,
                "Le service est momentanément indisponible. Réessayez dans un instant.",
            );
        }
        tracing::error!(error = %chain, "server function failed");
        AppError::failed("Le service est momentanément indisponible. Réessayez dans un instant.")
    };
    answer_status(&error);
    error
}

/// A business error of the domain (a client error) in French with its kind, and nothing else:
/// for a view that shows the refusal in its answer instead of failing (see [`failure`]).
pub fn business_error(err: &domain::Error) -> AppError {
    use crate::error::ErrorKind;
    use domain::Error;
    let kind = match err {
        Error::NotFound { .. } => ErrorKind::NotFound,
        Error::Forbidden(_) => ErrorKind::Forbidden,
        Error::Validation(_) => ErrorKind::Invalid,
        _ => ErrorKind::Conflict,
    };
    AppError::new(kind, err.to_string())
}

/// A plain HTML form post or page request (no JavaScript): the browser wants a page back.
pub(crate) fn wants_html(parts: &http::request::Parts) -> bool {
    parts
        .headers
        .get(http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("text/html"))
}

/// Gives a server-function call made by a script or the hydrated page the status of its error
/// (403, 404, 422...) instead of 500. Pages set their own (see `components::Failure`), and a
/// plain form post is sent back to its page, so neither is touched here.
fn answer_status(error: &AppError) {
    let Some(parts) = use_context::<http::request::Parts>() else {
        return;
    };
    if !parts.uri.path().starts_with("/api/") || wants_html(&parts) {
        return;
    }
    if let (Some(res), Ok(status)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(error.status()),
    ) {
        res.set_status(status);
    }
}

/// The session cookie's value, if the request has one under the configured name.
pub async fn session_token() -> Result<Option<String>, AppError> {
    let headers: http::HeaderMap = leptos_axum::extract().await?;
    let name = sign_in_settings().cookie_name();
    Ok(headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(found, _)| *found == name)
        .map(|(_, value)| value.to_owned()))
}

/// The request's session once looked up: rendering a page calls several server functions, and
/// each asks for the session (`provide_context` per request by the server).
#[derive(Clone, Default)]
pub struct SessionMemo(std::sync::Arc<std::sync::Mutex<Option<Option<WebSession>>>>);

/// The signed-in employee's session, if any (looked up once per request).
pub async fn session() -> Result<Option<WebSession>, AppError> {
    let memo = use_context::<SessionMemo>();
    if let Some(found) = memo
        .as_ref()
        .and_then(|m| m.0.lock().ok().and_then(|known| known.clone()))
    {
        return Ok(found);
    }
    let found = match session_token().await? {
        Some(token) => {
            let policy = sign_in_settings().sessions;
            domain::staff::find_web_session_with(&pool()?, &token, &policy)
                .await
                .map_err(failure)?
        }
        None => None,
    };
    if let Some(mut known) = memo.as_ref().and_then(|m| m.0.lock().ok()) {
        *known = Some(found.clone());
    }
    Ok(found)
}

/// The session, or a redirect to the sign-in page.
pub async fn require_session() -> Result<WebSession, AppError> {
    match session().await? {
        Some(session) => Ok(session),
        None => {
            leptos_axum::redirect("/connexion");
            let error = AppError::signed_out();
            answer_status(&error);
            Err(error)
        }
    }
}

/// A state change: the session, and the form's CSRF token must be the session's.
pub async fn require_csrf(sent: &str) -> Result<WebSession, AppError> {
    let session = require_session().await?;
    if !session.csrf_matches(sent) {
        let error = AppError::new(
            crate::error::ErrorKind::Forbidden,
            "Formulaire expiré : rechargez la page et recommencez.",
        );
        answer_status(&error);
        return Err(error);
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
    let settings = sign_in_settings();
    let max_age = settings.sessions.cookie_max_age().as_secs();
    set_cookie(&settings.cookie(token, max_age));
}

pub fn clear_session_cookie() {
    set_cookie(&sign_in_settings().cookie("", 0));
}

/// The selling rules (taxes, loyalty, discount limit): the SPEC's unless the server provides others in the context.
pub fn selling_rules() -> domain::Rules {
    use_context::<domain::Rules>().unwrap_or_default()
}
