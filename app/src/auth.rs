//! Who is signed in, signing in and signing out. Forms work without JavaScript: the server
//! function answers with a redirect (to the dashboard, or back to the form with an error code,
//! a [`Flash`](crate::flash::Flash)).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::AppError;

/// `erreur=identifiants`: the login or the password is wrong (which one is not said).
pub const WRONG_CREDENTIALS: &str = "identifiants";

/// The signed-in employee as pages see them.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub login: String,
    pub full_name: String,
    /// `caissier`, `gerant` or `admin`.
    pub role: String,
    pub store_id: Option<i64>,
    /// Sent back by every form of the session.
    pub csrf: String,
}

impl CurrentUser {
    pub fn role_label(&self) -> &'static str {
        match self.role.as_str() {
            "admin" => "Siège",
            "gerant" => "Gérant",
            _ => "Caissier",
        }
    }
}

#[cfg(feature = "ssr")]
impl From<domain::staff::WebSession> for CurrentUser {
    fn from(s: domain::staff::WebSession) -> Self {
        CurrentUser {
            role: s.employee.role().as_str().to_owned(),
            login: s.employee.login,
            full_name: s.employee.full_name,
            store_id: s.employee.store_id,
            csrf: s.csrf_token,
        }
    }
}

#[server(endpoint = "whoami")]
pub async fn whoami() -> Result<Option<CurrentUser>, AppError> {
    Ok(crate::server::session().await?.map(CurrentUser::from))
}

/// `attente=30`: the seconds a sign-in must wait, beside its [`WaitReason`].
pub const WAIT_SECS: &str = "attente";

/// Why a sign-in must wait before it is tried again; the sign-in page's address names it
/// (`?erreur=attente&attente=30`, a [`Flash`](crate::flash::Flash)) when a plain form post was
/// sent back there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitReason {
    /// Too many failures for the login or from the address (HTTP 429).
    Throttled,
    /// Every password verification of the server is taken (HTTP 503).
    Busy,
}

impl WaitReason {
    pub fn code(self) -> &'static str {
        match self {
            WaitReason::Throttled => "attente",
            WaitReason::Busy => "occupe",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "attente" => Some(WaitReason::Throttled),
            "occupe" => Some(WaitReason::Busy),
            _ => None,
        }
    }

    pub fn status(self) -> u16 {
        match self {
            WaitReason::Throttled => 429,
            WaitReason::Busy => 503,
        }
    }

    /// How long to wait, from a sign-in page's address: 1 s to a day.
    pub fn from_flash(flash: &crate::flash::Flash) -> Option<(Self, u64)> {
        let reason = Self::parse(flash.error_code()?)?;
        let secs = flash
            .fact(WAIT_SECS)
            .and_then(|s| s.parse::<u64>().ok())
            .unwrap_or(1)
            .clamp(1, 86_400);
        Some((reason, secs))
    }

    /// What the sign-in page says; the same whether the login exists or not.
    pub fn message(self, secs: u64) -> String {
        let wait = if secs < 60 {
            format!("{secs} seconde{}", if secs > 1 { "s" } else { "" })
        } else {
            let minutes = secs.div_ceil(60);
            format!("{minutes} minute{}", if minutes > 1 { "s" } else { "" })
        };
        match self {
            WaitReason::Throttled => {
                format!("Trop de tentatives de connexion. Réessayez dans {wait}.")
            }
            WaitReason::Busy => {
                format!("Le service de connexion est très sollicité. Réessayez dans {wait}.")
            }
        }
    }
}

/// Signs in: throttled per login and per client address, then one bounded password check; a
/// success replaces the browser's previous session with a new one.
#[server(endpoint = "login")]
pub async fn login(login: String, password: String) -> Result<(), AppError> {
    use crate::server::{
        client_ip, failure, pool, session_token, set_session_cookie, sign_in_settings,
    };
    use domain::staff::SignInOutcome;
    let pool = pool()?;
    let settings = sign_in_settings();
    let address = client_ip();
    match domain::staff::sign_in(&pool, &settings.gate, &login, &password, address)
        .await
        .map_err(failure)?
    {
        SignInOutcome::SignedIn(employee) => {
            let previous = session_token().await?;
            let (token, _) = domain::staff::rotate_web_session(
                &pool,
                &employee,
                previous.as_deref(),
                &settings.sessions,
                address,
            )
            .await
            .map_err(failure)?;
            set_session_cookie(&token);
            leptos_axum::redirect("/");
        }
        // the domain logged the refusal with the address
        SignInOutcome::Refused => {
            crate::flash::Flash::error(WRONG_CREDENTIALS).redirect("/connexion");
        }
        SignInOutcome::Throttled { retry_after_secs } => {
            return sign_in_must_wait(
                http::StatusCode::TOO_MANY_REQUESTS,
                WaitReason::Throttled,
                retry_after_secs,
            );
        }
        SignInOutcome::Busy { retry_after_secs } => {
            return sign_in_must_wait(
                http::StatusCode::SERVICE_UNAVAILABLE,
                WaitReason::Busy,
                retry_after_secs,
            );
        }
    }
    Ok(())
}

/// Answers a sign-in that must wait `secs` seconds with `status` (429 throttled, 503 busy) and
/// `Retry-After`. The hydrated page and scripts get the status and the French message at once;
/// a plain form post (no JavaScript) is sent back to the sign-in page, which answers with the
/// same status and message (see `pages::login`).
#[cfg(feature = "ssr")]
fn sign_in_must_wait(
    status: http::StatusCode,
    reason: WaitReason,
    secs: u64,
) -> Result<(), crate::error::AppError> {
    let plain_form = use_context::<http::request::Parts>()
        .is_some_and(|parts| crate::server::wants_html(&parts));
    if plain_form {
        crate::flash::Flash::error(reason.code())
            .with(WAIT_SECS, secs)
            .redirect("/connexion");
    }
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        if !plain_form {
            res.set_status(status);
        }
        res.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
    }
    if plain_form {
        Ok(())
    } else {
        let kind = if status == http::StatusCode::TOO_MANY_REQUESTS {
            crate::error::ErrorKind::TooMany
        } else {
            crate::error::ErrorKind::Unavailable
        };
        Err(crate::error::AppError::new(kind, reason.message(secs)))
    }
}

#[server(endpoint = "logout")]
pub async fn logout(csrf: String) -> Result<(), AppError> {
    use crate::server::{clear_session_cookie, failure, pool, require_csrf, session_token};
    require_csrf(&csrf).await?;
    if let Some(token) = session_token().await? {
        domain::staff::close_web_session(&pool()?, &token)
            .await
            .map_err(failure)?;
    }
    clear_session_cookie();
    leptos_axum::redirect("/connexion");
    Ok(())
}

/// The signed-in employee, loaded once per page and shared through the context.
pub type UserResource = Resource<Result<Option<CurrentUser>, AppError>>;

/// Loads the signed-in employee for its children, again after each navigation: signing in or
/// out (a redirect answered to a form, followed without a reload once the page is hydrated)
/// shows at once in the top bar and in the pages.
#[component]
pub fn WithUser(children: Children) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let user: UserResource = Resource::new(move || location.pathname.get(), |_| whoami());
    provide_context(user);
    children()
}
