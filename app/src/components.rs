//! Widgets shared by the pages: the top bar with the signed-in employee and the screens of
//! their role.

use leptos::prelude::*;

use crate::auth::{Logout, UserResource};

/// The top bar: the brand, and who is signed in with a sign-out button.
#[component]
pub fn TopBar() -> impl IntoView {
    let user = expect_context::<UserResource>();
    let logout = ServerAction::<Logout>::new();
    view! {
        <header class="topbar">
            <a class="brand" href="/">"Multi-Magasin"</a>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    user.await.ok().flatten().map(|u| view! {
                        {(u.role != "caissier").then(|| view! {
                            <nav class="main-nav" aria-label="Menu">
                                <a href="/rapports">"Rapports"</a>
                            </nav>
                        })}
                        <div class="who">
                            <span class="name">{u.full_name.clone()}</span>
                            <span class="role">{u.role_label()}</span>
                            <ActionForm action=logout attr:class="inline">
                                <input type="hidden" name="csrf" value=u.csrf.clone() />
                                <button type="submit" class="link">"Se déconnecter"</button>
                            </ActionForm>
                        </div>
                    })
                })}
            </Suspense>
        </header>
    }
}

/// Moves the keyboard focus to the element with this id once the page has re-rendered (in the
/// browser only; nothing happens on the server).
pub fn focus_soon(id: &'static str) {
    set_timeout(
        move || {
            use leptos::wasm_bindgen::JsCast;
            if let Some(el) = document()
                .get_element_by_id(id)
                .and_then(|el| el.dyn_into::<leptos::web_sys::HtmlElement>().ok())
            {
                let _ = el.focus();
            }
        },
        std::time::Duration::from_millis(30),
    );
}
