//! Who is signed in, signing in and signing out. Forms work without JavaScript: the server
//! function answers with a redirect (to the dashboard, or back to the form with an error code,
//! a [`Flash`](crate::flash::Flash)).

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

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
pub async fn whoami() -> Result<Option<CurrentUser>, ServerFnError> {
    Ok(crate::server::session().await?.map(CurrentUser::from))
}

#[server(endpoint = "login")]
pub async fn login(login: String, password: String) -> Result<(), ServerFnError> {
    use crate::server::{failure, pool, set_session_cookie};
    let pool = pool()?;
    match domain::staff::authenticate(&pool, &login, &password)
        .await
        .map_err(failure)?
    {
        Some(employee) => {
            let (token, _) = domain::staff::open_web_session(&pool, &employee)
                .await
                .map_err(failure)?;
            set_session_cookie(&token);
            leptos_axum::redirect("/");
        }
        None => {
            tracing::info!(
                target: "business",
                operation = "sign_in_refused",
                entity_type = "employee",
                entity_id = 0,
                actor = %login.trim(),
                details = "{}",
                "sign-in refused"
            );
            crate::flash::Flash::error(WRONG_CREDENTIALS).redirect("/connexion");
        }
    }
    Ok(())
}

#[server(endpoint = "logout")]
pub async fn logout(csrf: String) -> Result<(), ServerFnError> {
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
pub type UserResource = Resource<Result<Option<CurrentUser>, ServerFnError>>;

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
