//! What a page shows when its data could not be loaded, through one component: a refusal (403,
//! 404) or an ended session is a page of its own, with its title, the French message and a way
//! out, and the HTTP status of the server-rendered page; any other failure is one line in the
//! page. Never a technical prefix: the message is the error's own, written for people.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::error::{AppError, ErrorKind};

#[component]
pub fn Failure(error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let (true, Some(res), Ok(status)) = (
        error.is_refusal(),
        use_context::<leptos_axum::ResponseOptions>(),
        http::StatusCode::from_u16(error.status()),
    ) {
        res.set_status(status);
    }
    let status = error.status();
    let (title, href, link) = match error.kind {
        ErrorKind::Forbidden => ("Accès refusé", "/", "Retour au tableau de bord"),
        ErrorKind::NotFound => ("Page introuvable", "/", "Retour au tableau de bord"),
        ErrorKind::SignedOut => ("Session terminée", "/connexion", "Se connecter"),
        _ => {
            return view! { <p class="error" role="alert">{error.message}</p> }.into_any();
        }
    };
    view! {
        <Title text=format!("{title} — Multi-Magasin") />
        <section class="refusal" data-status=status>
            <h1>{title}</h1>
            <p class="error" role="alert">{error.message}</p>
            <p><a href=href>{link}</a></p>
        </section>
    }
    .into_any()
}

/// Refetches `resource` every `every` once the page is interactive, until the answer is final
/// (refused, missing or signed out: asking again cannot succeed), and when the page goes away.
pub fn poll<T>(resource: Resource<Result<T, AppError>>, every: std::time::Duration)
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
{
    let handle = StoredValue::new(None::<IntervalHandle>);
    // effects run only in the browser
    Effect::new(move |_| {
        let started = set_interval_with_handle(
            move || {
                let done =
                    resource.with_untracked(|last| matches!(last, Some(Err(e)) if e.is_final()));
                if done {
                    if let Some(running) = handle.try_get_value().flatten() {
                        running.clear();
                    }
                } else {
                    resource.refetch();
                }
            },
            every,
        );
        if let Ok(started) = started {
            handle.set_value(Some(started));
        }
    });
    on_cleanup(move || {
        if let Some(running) = handle.try_get_value().flatten() {
            running.clear();
        }
    });
}
