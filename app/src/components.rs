//! Widgets shared by the pages: the top bar with the signed-in employee, and the guard that
//! sends visitors to the sign-in page.

use leptos::prelude::*;
use leptos_router::components::Redirect;

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

/// Renders its children for a signed-in employee, else redirects to the sign-in page.
#[component]
pub fn SignedIn(children: ChildrenFn) -> impl IntoView {
    let user = expect_context::<UserResource>();
    let children = StoredValue::new(children);
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match user.await {
                    Ok(Some(_)) => children.with_value(|c| c()).into_any(),
                    Ok(None) => view! { <Redirect path="/connexion" /> }.into_any(),
                    Err(e) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
