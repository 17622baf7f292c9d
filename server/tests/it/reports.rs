//! Rapports on the demo data: who may read which report (the server function refuses, whatever
//! the links), KPI cards equal to `domain::reporting::kpis`, the trend chart drawn on the server,
//! the stock analysis, and wrong dates shown next to their field.

use crate::support::*;
use axum::body::Body;
use domain::reporting::{self, Period, ReportScope};
use http::{Request, StatusCode, header};
use sqlx::PgPool;
use tower::ServiceExt;

async fn demo(pool: &PgPool) {
    demo::seed_demo(pool, &domain::Rules::default())
        .await
        .unwrap();
}

async fn actor(pool: &PgPool, login: &str) -> domain::Actor {
    domain::staff::authenticate(pool, login, demo::DEMO_PASSWORD)
        .await
        .unwrap()
        .unwrap()
        .actor()
}

async fn signed_in(app: &axum::Router, login: &str) -> String {
    cookie_pair(
        &sign_in(app, login, demo::DEMO_PASSWORD)
            .await
            .set_cookie
            .unwrap(),
    )
}

async fn page(app: &axum::Router, cookie: &str, uri: &str) -> String {
    let reply = call(app, "GET", uri, Some(cookie), None).await;
    assert_eq!(reply.status, StatusCode::OK, "{uri}");
    reply.body
}

/// A report the employee may not read: the page answers 403 with the refusal.
async fn refused_page(app: &axum::Router, cookie: &str, uri: &str) -> String {
    let reply = call(app, "GET", uri, Some(cookie), None).await;
    assert_eq!(reply.status, StatusCode::FORBIDDEN, "{uri}");
    reply.body
}

/// The report server function called as the hydrated page calls it (JSON answer), so the test
/// sees what it returns rather than a page.
async fn report_json(app: &axum::Router, cookie: &str, form: &str) -> serde_json::Value {
    let req = Request::builder()
        .method("POST")
        .uri("/api/report_view")
        .header(header::ACCEPT, "application/json")
        .header(header::COOKIE, cookie)
        .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
        .body(Body::from(form.to_owned()))
        .unwrap();
    let response = app.clone().oneshot(req).await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// The text of the KPI card `key` (its value comes right after its label).
fn kpi_card(body: &str, key: &str) -> String {
    let start = body
        .find(&format!("data-kpi=\"{key}\""))
        .unwrap_or_else(|| panic!("no KPI card {key}"));
    body[start..].split("</div>").next().unwrap().to_owned()
}

const FIGURES: &str = "data-kpi=\"revenue\"";

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn network_reports_are_head_office_s_and_store_reports_their_manager_s(pool: PgPool) {
    demo(&pool).await;
    let app = app(pool.clone());
    let admin = signed_in(&app, "admin").await;
    let manager = signed_in(&app, "gerant1").await;
    let cashier = signed_in(&app, "caissier2").await;

    // head office: the network by default, every store in the performance table, any store
    let network = page(&app, &admin, "/rapports").await;
    assert!(network.contains("Rapport — Réseau"), "{network}");
    assert!(network.contains("Performance par magasin") && network.contains(FIGURES));
    for store in ["Centre-Ville", "Banlieue", "Nord", "Sud", "Express"] {
        assert!(network.contains(store), "{store}");
    }
    assert!(
        network.contains("<option value=\"\" selected"),
        "network chosen"
    );
    let store3 = page(&app, &admin, "/rapports?magasin=3").await;
    assert!(store3.contains("Rapport — Nord") && store3.contains("Performance par caisse"));

    // a manager: their store by default and by id, nothing else
    for uri in ["/rapports", "/rapports?magasin=1&periode=7j"] {
        let own = page(&app, &manager, uri).await;
        assert!(own.contains("Rapport — Centre-Ville"), "{uri}: {own}");
        assert!(own.contains(FIGURES) && own.contains("Caisse 1"), "{uri}");
        assert!(
            !own.contains("Tout le réseau"),
            "no network choice for a manager"
        );
    }
    let refused = refused_page(&app, &manager, "/rapports?magasin=").await;
    assert!(refused.contains("Réservé au siège (administrateur)."));
    assert!(!refused.contains(FIGURES));
    let refused = refused_page(&app, &manager, "/rapports?magasin=3").await;
    assert!(refused.contains("Vous ne travaillez pas dans ce magasin."));
    assert!(!refused.contains(FIGURES) && !refused.contains("Rapport — Nord"));

    // a cashier: no report at all, not even their own store's
    for (uri, message) in [
        ("/rapports", "Réservé au gérant du magasin."),
        ("/rapports?magasin=2", "Réservé au gérant du magasin."),
        ("/rapports?magasin=", "Réservé au siège (administrateur)."),
        (
            "/rapports?magasin=3",
            "Vous ne travaillez pas dans ce magasin.",
        ),
    ] {
        let body = refused_page(&app, &cashier, uri).await;
        assert!(body.contains(message), "{uri}: {body}");
        assert!(!body.contains(FIGURES) && !body.contains("<svg"), "{uri}");
    }
    // the server function itself refuses, whatever the page shows
    for form in ["magasin=", "magasin=3", "magasin=2&periode=30j"] {
        let answer = report_json(&app, &cashier, form).await;
        assert!(answer["denied"].is_string(), "{form}: {answer}");
        assert!(answer["body"].is_null(), "{form}: {answer}");
    }
    let answer = report_json(&app, &manager, "magasin=1").await;
    assert!(answer["denied"].is_null() && answer["body"].is_object());

    // the links follow the same rules
    assert!(
        page(&app, &manager, "/magasins/1")
            .await
            .contains("/rapports?magasin=1")
    );
    let cashier_store = page(&app, &cashier, "/magasins/2").await;
    assert!(
        !cashier_store.contains("/rapports"),
        "no report link for a cashier"
    );
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn the_cards_show_the_domain_s_kpis_and_the_chart_is_svg(pool: PgPool) {
    demo(&pool).await;
    let app = app(pool.clone());
    let admin = signed_in(&app, "admin").await;
    let manager = signed_in(&app, "gerant1").await;
    let store = domain::stores::get_store(&pool, 1).await.unwrap();
    let store_today = chrono::Utc::now().with_timezone(&store.tz()).date_naive();
    let cases = [
        (
            &admin,
            actor(&pool, "admin").await,
            "/rapports?periode=30j",
            ReportScope::network(Period::ending(reporting::chain_today(), 30)),
        ),
        (
            &manager,
            actor(&pool, "gerant1").await,
            "/rapports?periode=7j&magasin=1",
            ReportScope::store(Period::ending(store_today, 7), 1),
        ),
    ];
    for (cookie, who, uri, scope) in cases {
        let body = page(&app, cookie, uri).await;
        let k = reporting::kpis(&pool, &who, &scope).await.unwrap();
        assert!(k.sales > 0, "the demo sells every day");
        let money = app::format::money;
        let count = app::format::count;
        for (key, figure) in [
            ("revenue", money(k.revenue)),
            ("sales", count(k.sales)),
            ("average_ticket", money(k.average_ticket)),
            ("units", count(k.units)),
            ("returns", count(k.returns)),
            ("net_revenue", money(k.net_revenue)),
            ("stock_alerts", count(k.stock_alerts)),
        ] {
            let card = kpi_card(&body, key);
            assert!(
                card.contains(&format!("<dd class=\"value\">{figure}</dd>")),
                "{uri} {key}: expected {figure} in {card}"
            );
        }
        // the chart: an accessible SVG, one bar per day, described with the same total
        let days = scope.period.days() as usize;
        assert!(body.contains("<figure class=\"chart\"><svg"), "{uri}");
        assert!(body.contains("role=\"img\" aria-labelledby=\"tendance-title tendance-desc\""));
        assert!(body.contains("<title id=\"tendance-title\">Chiffre d&#39;affaires quotidien"));
        assert_eq!(body.matches("<rect class=\"bar\"").count(), days, "{uri}");
        let desc = body.split("<desc id=\"tendance-desc\">").nth(1).unwrap();
        let desc = desc.split("</desc>").next().unwrap();
        assert!(
            desc.contains(&format!("({days} jours) : {} de chiffre", money(k.revenue))),
            "{desc}"
        );
        // the stock analysis: the runs-out list of the domain, with its days of cover
        let stock = reporting::inventory_report(&pool, &who, scope.store_id)
            .await
            .unwrap();
        assert!(body.contains("Analyse du stock") && body.contains("Couverture"));
        if stock.running_out.is_empty() {
            assert!(body.contains("Aucun produit ne devrait manquer"));
        } else {
            let table = body.split("class=\"report runout\"").nth(1).unwrap();
            let table = table.split("</table>").next().unwrap();
            assert_eq!(table.matches("<tr").count(), stock.running_out.len() + 1);
            assert!(table.contains(&stock.running_out[0].code));
        }
    }
}

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn wrong_dates_are_shown_next_to_their_field_and_kept(pool: PgPool) {
    demo(&pool).await;
    let app = app(pool);
    let admin = signed_in(&app, "admin").await;
    let body = page(
        &app,
        &admin,
        "/rapports?periode=perso&magasin=2&du=2025-02-10&au=2025-02-01",
    )
    .await;
    assert!(body.contains("id=\"au-error\""), "{body}");
    assert!(body.contains("La date de fin précède la date de début."));
    assert!(body.contains("value=\"2025-02-10\"") && body.contains("value=\"2025-02-01\""));
    assert!(!body.contains(FIGURES));

    let body = page(
        &app,
        &admin,
        "/rapports?periode=perso&magasin=2&du=2025-02-01&au=2025-02-28",
    )
    .await;
    assert!(body.contains("Rapport — Banlieue") && body.contains("du 1er au 28 février 2025"));
    assert_eq!(body.matches("<rect class=\"bar\"").count(), 28);
    assert!(!body.contains("field-error"));
}
