//! The employees' web UI, rendered on the server and hydrated in the browser. Server functions
//! call `domain` (behind the `ssr` feature, so the wasm build never sees the database).

// The till's sale view nests deep enough (cart, quick buttons, payment forms) that computing the
// layout of its hydration future exceeds the default query depth of 128.
#![recursion_limit = "256"]

pub mod auth;
pub mod chart;
pub mod components;
pub mod error;
pub mod flash;
pub mod format;
pub mod links;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod server;

use leptos::prelude::*;
use leptos_meta::{MetaTags, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{ParamSegment, SsrMode, StaticSegment};

/// The HTML document around the application, rendered on the server.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    page_security_policy();
    view! {
        <!DOCTYPE html>
        <html lang="fr">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                // no favicon request (and no 404 in the console) until the chain has a logo
                <link rel="icon" href="data:," />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// The page's `Content-Security-Policy` (`common::headers::page_csp`) with the nonce Leptos
/// puts on this response's inline scripts (hydration, streamed resources); set while the shell
/// renders, before the first byte is sent. Without it the default policy of every response
/// (nothing may load) would apply.
#[cfg(feature = "ssr")]
fn page_security_policy() {
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    let Some(response) = use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    if let Ok(policy) = http::HeaderValue::from_str(&common::headers::page_csp(&nonce)) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, policy);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // Effects run only in the browser: the attribute tells tests (and curious people) that the
    // page is hydrated and interactive.
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
    view! {
        <Stylesheet id="leptos" href="/pkg/multimagasin.css" />
        <Title text="Multi-Magasin" />
        <Router>
            <auth::WithUser>
            <components::TopBar />
            <main class="page">
                <Routes fallback=|| view! { <p>"Page introuvable."</p> }>
                    <Route path=StaticSegment("connexion") view=pages::login::LoginPage />
                    // pages load their data with server functions that require a session: signed-out
                    // visitors are redirected to /connexion (a real 302 before any HTML)
                    <Route path=StaticSegment("") view=pages::home::HomePage ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("magasins"), ParamSegment("id"))
                        view=pages::store::StorePage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("magasins"), ParamSegment("id"), StaticSegment("stock"))
                        view=pages::stock::StockPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("magasins"), ParamSegment("id"), StaticSegment("retours"))
                        view=pages::returns::ReturnsPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("caisses"), ParamSegment("id"))
                        view=pages::till::TillPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("caisses"), ParamSegment("id"), StaticSegment("fermeture"))
                        view=pages::till::ClosingPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("caisses"), ParamSegment("id"), StaticSegment("sessions"))
                        view=pages::till::RegisterSessionsPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("sessions"), ParamSegment("id"))
                        view=pages::till::SessionReportPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("ventes"), ParamSegment("id"))
                        view=pages::receipt::ReceiptPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("retours"), ParamSegment("id"))
                        view=pages::returns::ReturnReceiptPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=StaticSegment("rapports")
                        view=pages::reports::ReportsPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("entrepot") view=pages::central::CentralPage ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("entrepot"), StaticSegment("demandes"), ParamSegment("id"))
                        view=pages::central::RequestPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("clients") view=pages::customers::CustomersPage ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("clients"), ParamSegment("id"))
                        view=pages::customers::CustomerPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("promotions") view=pages::promotions::PromotionsPage ssr=SsrMode::Async />
                    <Route
                        path=(StaticSegment("promotions"), ParamSegment("id"))
                        view=pages::promotions::PromotionFormPage
                        ssr=SsrMode::Async
                    />
                    <Route path=StaticSegment("cartes-cadeaux") view=pages::gift_cards::GiftCardsPage ssr=SsrMode::Async />
                    <Route path=StaticSegment("produits") view=pages::products::ProductsPage ssr=SsrMode::Async />
                    // declared before `produits/:id`: the first route that matches wins
                    <Route
                        path=(StaticSegment("produits"), StaticSegment("nouveau"))
                        view=pages::products::ProductFormPage
                        ssr=SsrMode::Async
                    />
                    <Route
                        path=(StaticSegment("produits"), ParamSegment("id"))
                        view=pages::products::ProductFormPage
                        ssr=SsrMode::Async
                    />
                </Routes>
            </main>
            </auth::WithUser>
        </Router>
    }
}
