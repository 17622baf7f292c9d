//! Connexion: employees sign in with their login and password.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::auth::Login;
use crate::flash::Flash;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let query = use_query_map();
    let error = move || Flash::read(&query.read()).error_code().is_some();
    view! {
        <Title text="Connexion — Multi-Magasin" />
        <section class="login">
            <h1>"Connexion"</h1>
            <ActionForm action=login attr:class="form" attr:id="login-form">
                <label for="login">"Identifiant"</label>
                <input id="login" name="login" type="text" autocomplete="username" required autofocus />
                <label for="password">"Mot de passe"</label>
                <input id="password" name="password" type="password" autocomplete="current-password" required />
                <Show when=error>
                    <p class="error" role="alert">"Identifiant ou mot de passe incorrect."</p>
                </Show>
                <button type="submit">"Se connecter"</button>
            </ActionForm>
        </section>
    }
}
