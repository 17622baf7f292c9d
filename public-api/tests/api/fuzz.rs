//! Fuzzing of what a client controls (proptest): query strings, JSON bodies, path segments and
//! idempotency keys, generated both at random and shaped like the contract's DTOs, with huge,
//! negative, fractional, non-finite, out-of-range and non-ASCII values. The extractors and DTO
//! conversions never panic and refuse with a 4xx; the whole router over a real database never
//! answers a 5xx.

use axum::extract::FromRequestParts;
use axum::http::{HeaderMap, HeaderValue};
use axum::response::IntoResponse;
use http::{Method, Request, StatusCode};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::TestRunner;
use public_api::auth::Caller;
use public_api::dto::catalog::{ProductInput, ProductPatch, ProductQuery};
use public_api::dto::reports::{CustomInput, InventoryQuery, PeriodQuery};
use public_api::dto::sales::SaleInput;
use public_api::dto::stores::{StockQuery, StoreInput, StorePatch};
use public_api::error::ApiError;
use public_api::extract::{ValidQuery, parse_json};
use public_api::sales::SaleRequest;
use serde_json::{Value, json};

use crate::helpers::*;

/// Every name a query or a body of the contract uses, and a few it does not.
const NAMES: &[&str] = &[
    "page",
    "size",
    "limit",
    "q",
    "prix_min",
    "prix_max",
    "categorie_id",
    "actif",
    "sort",
    "alerte",
    "magasin_id",
    "date_debut",
    "date_fin",
    "code",
    "nom",
    "description",
    "prix",
    "quantite_stock",
    "taxable",
    "adresse",
    "telephone",
    "email",
    "fuseau_horaire",
    "nombre_caisses",
    "lignes",
    "produit_id",
    "quantite",
    "mode_paiement",
    "montant_recu",
    "magasin_ids",
    "group_by",
    "metrics",
    "inconnu",
    "",
];

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(NAMES).prop_map(str::to_owned),
        1 => "\\PC{0,12}",
    ]
}

/// A value as text: numbers of every size and sign, dates inside and far outside any range,
/// words of the contract, and any printable text.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| f.to_string()),
        "[0-9]{1,40}(\\.[0-9]{1,30})?",
        "-?[0-9]{1,3}(e|E)[+-]?[0-9]{1,4}",
        "[+-]?[0-9]{1,7}-[0-9]{1,2}-[0-9]{1,2}",
        prop::sample::select(
            &[
                "",
                " ",
                "true",
                "non",
                "-prix",
                "nom",
                "product",
                "category",
                "day",
                "week",
                "revenue",
                "units",
                "especes",
                "carte",
                "NaN",
                "inf",
                "-0",
                "1e400",
                "2026-11-23",
                "-262143-01-01",
                "+262142-12-31",
                "0001-01-01",
                "9999-12-31",
                " ALI001 ",
                "ALI001",
                "America/Montreal",
                "Mars/Olympus",
            ][..]
        )
        .prop_map(str::to_owned),
        "\\PC{0,30}",
    ]
}

/// Query parameters of the contract, each with any value.
const PARAMETERS: &[&str] = &[
    "page",
    "size",
    "limit",
    "q",
    "prix_min",
    "prix_max",
    "categorie_id",
    "actif",
    "sort",
    "alerte",
    "magasin_id",
    "date_debut",
    "date_fin",
];

fn query() -> impl Strategy<Value = String> {
    let parameter = prop_oneof![
        3 => prop::sample::select(PARAMETERS).prop_map(str::to_owned),
        1 => name(),
    ];
    prop::collection::vec((parameter, text()), 0..4).prop_map(|pairs| {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in &pairs {
            out.append_pair(k, v);
        }
        out.finish()
    })
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("JSON has no NaN", |f| f.is_finite())
            .prop_map(Value::from),
        prop::sample::select(&[1e15, 1e300, -1e-300, 0.005, 9_999_999_999.99, 1.2][..])
            .prop_map(Value::from),
        text().prop_map(Value::String),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(name(), inner, 0..8)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A body shaped like the contract's: an object of its field names (a sale's lines included),
/// each with any value.
fn body() -> impl Strategy<Value = Value> {
    let line = prop::collection::btree_map(
        prop::sample::select(&["produit_id", "quantite", "extra"][..]),
        leaf(),
        0..3,
    )
    .prop_map(|m| json!(m));
    (
        prop::collection::btree_map(name(), value(), 0..8),
        prop::option::of(prop::collection::vec(line, 0..4)),
    )
        .prop_map(|(fields, lines)| {
            let mut object: serde_json::Map<String, Value> = fields.into_iter().collect();
            if let Some(lines) = lines {
                object.insert("lignes".into(), Value::Array(lines));
            }
            Value::Object(object)
        })
}

fn status(err: ApiError) -> StatusCode {
    err.into_response().status()
}

fn refused_as_client<T>(what: &str, result: Result<T, ApiError>) {
    if let Err(err) = result {
        let status = status(err);
        assert!(status.is_client_error(), "{what}: {status}");
    }
}

async fn read_query<T>(query: &str) -> Result<T, ApiError>
where
    T: serde::de::DeserializeOwned + utoipa::IntoParams,
{
    let (mut parts, ()) = Request::builder()
        .uri(format!("/x?{query}"))
        .body(())
        .unwrap()
        .into_parts();
    ValidQuery::<T>::from_request_parts(&mut parts, &())
        .await
        .map(|ValidQuery(t)| t)
}

fn check_query(query: &str) {
    futures::executor::block_on(async {
        refused_as_client(
            "products",
            read_query::<ProductQuery>(query)
                .await
                .and_then(|q| q.parse()),
        );
        refused_as_client(
            "stock",
            read_query::<StockQuery>(query)
                .await
                .and_then(|q| q.parse()),
        );
        refused_as_client(
            "inventory",
            read_query::<InventoryQuery>(query)
                .await
                .and_then(|q| q.page()),
        );
        refused_as_client(
            "period",
            read_query::<PeriodQuery>(query).await.and_then(|q| {
                let today = domain::reporting::chain_today();
                domain::reporting::ReportScope::with_defaults(
                    q.date_debut,
                    q.date_fin,
                    q.magasin_id,
                    today,
                )
                .map_err(ApiError::from)
            }),
        );
    });
}

fn check_body(body: &[u8]) {
    refused_as_client(
        "product",
        parse_json::<ProductInput>(body).and_then(|p| p.into_new()),
    );
    refused_as_client(
        "product replacement",
        parse_json::<ProductInput>(body).and_then(|p| p.into_replacement()),
    );
    refused_as_client(
        "product patch",
        parse_json::<ProductPatch>(body).and_then(|p| p.into_changes()),
    );
    refused_as_client(
        "store",
        parse_json::<StoreInput>(body).map(|s| s.into_new()),
    );
    refused_as_client(
        "store patch",
        parse_json::<StorePatch>(body).and_then(|s| s.into_changes()),
    );
    refused_as_client(
        "custom report",
        parse_json::<CustomInput>(body).and_then(|c| c.query()),
    );
    refused_as_client(
        "sale",
        parse_json::<SaleInput>(body).and_then(|s| {
            let sale = s
                .into_sale(1, "api:env:k".into())
                .map_err(ApiError::Validation)?;
            sale.validate().map_err(ApiError::from)
        }),
    );
    let mut headers = HeaderMap::new();
    headers.insert("idempotency-key", HeaderValue::from_static("fuzz"));
    headers.insert("content-type", HeaderValue::from_static("application/json"));
    let caller = Caller {
        client_id: Some(i64::MAX),
        name: "fuzz".into(),
        scopes: vec![],
        stores: None,
    };
    refused_as_client(
        "sale request",
        SaleRequest::read(&caller, -1, &headers, body),
    );
}

proptest! {
    #[test]
    fn query_strings_never_panic_and_are_refused_as_4xx(query in query()) {
        check_query(&query);
    }

    #[test]
    fn raw_query_strings_never_panic(query in "[ -~]{0,80}") {
        // what a URI can carry as is
        if query.parse::<http::Uri>().is_ok() && !query.contains(['#', ' ', '"', '<', '>', '\\', '^', '`', '{', '|', '}']) {
            check_query(&query);
        }
    }

    #[test]
    fn json_bodies_never_panic_and_are_refused_as_4xx(body in body()) {
        check_body(body.to_string().as_bytes());
    }

    #[test]
    fn any_json_and_bytes_never_panic(value in value(), bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        check_body(value.to_string().as_bytes());
        check_body(&bytes);
    }

    #[test]
    fn codes_never_panic(code in "\\PC{0,80}") {
        if let Some(normalized) = domain::catalog::normalize_code(&code) {
            prop_assert_eq!(normalized, code.trim());
            prop_assert!(normalized.len() <= 64);
        }
    }
}

/// The whole router over a real database: random requests on every route template, with
/// random path segments, query strings, bodies and idempotency keys. Never a 5xx.
#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn random_requests_never_get_a_5xx(pool: sqlx::PgPool) {
    let w = world(&pool).await;
    let api = TestApi::new(pool);
    let segment = || {
        prop_oneof![
            Just(w.store.to_string()),
            Just(w.bread.to_string()),
            Just("ALI001".to_owned()),
            text(),
        ]
        .prop_map(|s| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>())
    };
    let routes: Vec<(Method, &str, bool)> = vec![
        (Method::GET, "/api/v1/products?{q}", false),
        (Method::POST, "/api/v1/products?{q}", true),
        (Method::GET, "/api/v1/products/{s}?{q}", false),
        (Method::PUT, "/api/v1/products/{s}", true),
        (Method::PATCH, "/api/v1/products/{s}", true),
        (Method::GET, "/api/v1/products/by-code/{s}?{q}", false),
        (Method::GET, "/api/v1/categories?{q}", false),
        (Method::GET, "/api/v1/stores/{s}?{q}", false),
        (Method::PATCH, "/api/v1/stores/{s}", true),
        (Method::POST, "/api/v1/stores", true),
        (Method::GET, "/api/v1/stores/{s}/stock?{q}", false),
        (Method::GET, "/api/v1/stock/central?{q}", false),
        (Method::POST, "/api/v1/stores/{s}/sales?{q}", true),
        (Method::GET, "/api/v1/sales/{s}?{q}", false),
        (Method::GET, "/api/v1/reports/sales?{q}", false),
        (Method::GET, "/api/v1/reports/kpis?{q}", false),
        (Method::GET, "/api/v1/reports/inventory?{q}", false),
        (Method::POST, "/api/v1/reports/custom?{q}", true),
        (Method::GET, "/api/v1/cache/stats?{q}", false),
    ];
    let request = (
        0..routes.len(),
        segment(),
        query(),
        prop_oneof![body(), value()],
        "[ -~]{0,220}",
    );
    let mut runner = TestRunner::deterministic();
    for _ in 0..400 {
        let (route, segment, query, body, key) = request.new_tree(&mut runner).unwrap().current();
        let (method, template, with_body) = &routes[route];
        let path = template.replace("{s}", &segment).replace("{q}", &query);
        let headers = [("idempotency-key", key.as_str())];
        let reply = api
            .call_with(
                method.clone(),
                &path,
                Some(ADMIN),
                with_body.then(|| body.clone()),
                if *with_body { &headers[..] } else { &[] },
            )
            .await;
        assert!(
            !reply.status.is_server_error(),
            "{method} {path} {body}: {} {:?}",
            reply.status,
            reply.body
        );
    }
}
