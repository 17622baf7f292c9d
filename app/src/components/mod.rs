//! Widgets shared by the pages: the top bar with the signed-in employee and the screens of
//! their role, status badges, page links, focus; form fields and the outcome of a form each
//! have their own file, and so do the failure of a page's data and polling.

mod failure;
mod field;
mod notice;

pub use failure::{Failure, poll};
pub use field::{Aria, Field};
pub use notice::Notice;

use leptos::prelude::*;

use crate::auth::{Logout, UserResource};

/// The top bar: the brand, the screens of the employee's role, and who is signed in with a
/// sign-out button.
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
                        <nav class="main-nav" aria-label="Écrans">
                            // links only help: each server function checks the role itself
                            {(u.role != "caissier").then(|| view! { <a href="/rapports">"Rapports"</a> })}
                            {(u.role == "admin").then(|| view! { <a href="/entrepot">"Stock central"</a> })}
                            <a href="/produits">"Produits"</a>
                            <a href="/clients">"Clients"</a>
                            {(u.role == "admin").then(|| view! { <a href="/promotions">"Promotions"</a> })}
                            <a href="/cartes-cadeaux">"Cartes-cadeaux"</a>
                        </nav>
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

/// The alert badge of a stock row (`rupture`, `bas` or `normal`), for stores and the warehouse.
#[component]
pub fn StockBadge(#[prop(into)] status: String) -> impl IntoView {
    let (class, label) = match status.as_str() {
        "rupture" => ("badge rupture", "Rupture"),
        "bas" => ("badge bas", "Bas"),
        _ => ("badge normal", "Normal"),
    };
    view! { <span class=class>{label}</span> }
}

/// The status of a replenishment request: its code (`en_attente`, ...) styles it, its label
/// (from `domain`) names it.
#[component]
pub fn RequestBadge(#[prop(into)] status: String, #[prop(into)] label: String) -> impl IntoView {
    view! { <span class=format!("badge req {status}")>{label}</span> }
}

/// "Page 2 sur 5" with links to the neighbours; nothing when everything fits on one page.
#[component]
pub fn Pager(page: u32, pages: u32, prev: Option<String>, next: Option<String>) -> impl IntoView {
    (pages > 1).then(|| {
        view! {
            <nav class="pager" aria-label="Pages">
                {prev.map(|href| view! { <a href=href rel="prev">"← Précédente"</a> })}
                <span>{format!("Page {} sur {}", crate::format::count(page), crate::format::count(pages))}</span>
                {next.map(|href| view! { <a href=href rel="next">"Suivante →"</a> })}
            </nav>
        }
    })
}

/// A button that opens the browser's print dialog: a handler of the hydrated page, since the
/// Content-Security-Policy refuses inline `onclick` attributes.
#[component]
pub fn PrintButton(
    /// The button's text.
    label: &'static str,
) -> impl IntoView {
    view! {
        <button type="button" class="print" on:click=|_| {
            let _ = window().print();
        }>{label}</button>
    }
}
