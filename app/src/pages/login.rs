//! Connexion: employees sign in with their login and password. A sign-in that must wait
//! (throttled, or the server busy) says so here, with the status and `Retry-After` the sign-in
//! itself answered.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use leptos_router::params::ParamsMap;

use crate::auth::{Login, WaitReason};
use crate::flash::Flash;

const WRONG_CREDENTIALS: &str = "Identifiant ou mot de passe incorrect.";

/// Why and how long to wait, from the page's address.
fn wait_in(query: &ParamsMap) -> Option<(WaitReason, u64)> {
    WaitReason::from_flash(&Flash::read(query))
}

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    #[cfg(feature = "ssr")]
    if let (Some((reason, secs)), Some(res)) = (
        wait_in(&query.read_untracked()),
        use_context::<leptos_axum::ResponseOptions>(),
    ) {
        res.set_status(
            http::StatusCode::from_u16(reason.status())
                .unwrap_or(http::StatusCode::TOO_MANY_REQUESTS),
        );
        res.insert_header(http::header::RETRY_AFTER, http::HeaderValue::from(secs));
    }
    let message = move || {
        // the hydrated form's own answer (a wait), else what the address says
        if let Some(Err(err)) = login.value().get() {
            return Some(err.message);
        }
        let query = query.read();
        Flash::read(&query)
            .error_code()
            .map(|_| match wait_in(&query) {
                Some((reason, secs)) => reason.message(secs),
                None => WRONG_CREDENTIALS.to_owned(),
            })
    };
    view! {
        <Title text="Connexion — Multi-Magasin" />
        <section class="login">
            <h1>"Connexion"</h1>
            <ActionForm action=login attr:class="form" attr:id="login-form">
                <label for="login">"Identifiant"</label>
                <input id="login" name="login" type="text" autocomplete="username" required autofocus />
                <label for="password">"Mot de passe"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required />
                {move || message().map(|text| view! { <p class="error" role="alert">{text}</p> })}
                <button type="submit">"Se connecter"</button>
            </ActionForm>
        </section>
    }
}
