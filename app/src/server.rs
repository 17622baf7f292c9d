//! What server functions share on the server side: the database pool from the request context
//! and the translation of domain errors into messages for the page.

use leptos::prelude::*;

pub use domain::db::PgPool;

/// The pool the web server put in the Leptos context.
pub fn pool() -> Result<PgPool, ServerFnError> {
    use_context::<PgPool>().ok_or_else(|| ServerFnError::new("Base de données non configurée."))
}

/// A domain error as the page shows it: business errors in French, outages without detail.
pub fn failure(err: domain::Error) -> ServerFnError {
    if err.is_client_error() {
        ServerFnError::new(err.to_string())
    } else {
        tracing_error(&err);
        ServerFnError::new("Le service est momentanément indisponible. Réessayez dans un instant.")
    }
}

fn tracing_error(err: &domain::Error) {
    let mut chain = err.to_string();
    let mut source = std::error::Error::source(err);
    while let Some(s) = source {
        chain.push_str(": ");
        chain.push_str(&s.to_string());
        source = s.source();
    }
    tracing::error!(error = %chain, "server function failed");
}
