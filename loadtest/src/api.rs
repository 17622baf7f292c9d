//! Scenarios on the public REST API (`/api/v1`, bearer token): catalogue, stock and report
//! reads; sales recorded with a fresh `Idempotency-Key`, sometimes retried with the same key
//! (the first answer must come back), then read back. The `selling` benchmark sells as a store
//! does: a customer of the user's own, a promoted product in every cart, two tenders.

use goose::goose::GooseResponse;
use goose::metrics::GooseRequestMetric;
use goose::prelude::*;
use rand::Rng;
use rand::seq::SliceRandom;
use serde_json::{Value, json};

use crate::config::{Profile, settings};
use crate::outcomes::{self, API_RETRIES_HONOURED, API_SALES, API_SALES_REFUSED};

/// What a user learns at start: the products (id, code) and the stores; in the `selling`
/// benchmark also the products on promotion and the customer this user serves.
#[derive(Clone, Debug)]
struct Catalog {
    products: Vec<(i64, String)>,
    stores: Vec<i64>,
    /// `(product, quantity)`: the quantity a promotion needs (a lot's `achat`, else 1).
    promoted: Vec<(i64, i64)>,
    customer: Option<i64>,
}

/// Words of the demo catalogue (and one that matches nothing) for `?q=`.
const SEARCHES: &[&str] = &["pain", "lait", "eau", "savon", "jus", "ALI", "BOI", "zzz"];

pub fn fail(message: impl Into<String>) -> Box<TransactionError> {
    Box::new(TransactionError::Custom(message.into()))
}

async fn send(
    user: &mut GooseUser,
    method: GooseMethod,
    path: &str,
    name: &str,
    extra: impl FnOnce(reqwest::RequestBuilder) -> reqwest::RequestBuilder,
) -> Result<GooseResponse, Box<TransactionError>> {
    let s = settings();
    let url = format!("{}/api/v1{path}", s.api_url);
    let builder = extra(
        user.get_request_builder(&method, &url)?
            .bearer_auth(&s.api_token),
    );
    let request = GooseRequest::builder()
        .method(method)
        .path(url.as_str())
        .name(name)
        .set_request_builder(builder)
        .build();
    user.request(request).await
}

/// A GET whose JSON body is wanted: `None` when goose recorded a failure (status, transport
/// or a body that is not JSON).
async fn get_json(
    user: &mut GooseUser,
    path: &str,
    name: &str,
) -> Result<Option<Value>, Box<TransactionError>> {
    let GooseResponse {
        mut request,
        response,
    } = send(user, GooseMethod::Get, path, name, |b| b).await?;
    let Ok(response) = response else {
        return Ok(None);
    };
    if !response.status().is_success() {
        let _ = response.bytes().await;
        return Ok(None);
    }
    match response.json::<Value>().await {
        Ok(body) => Ok(Some(body)),
        Err(_) => {
            user.set_failure("answer is not JSON", &mut request, None, None)?;
            Ok(None)
        }
    }
}

/// A GET whose answer only has to be a success (the body is read so the connection is reused).
async fn read(user: &mut GooseUser, path: &str, name: &str) -> TransactionResult {
    let goose = send(user, GooseMethod::Get, path, name, |b| b).await?;
    if let Ok(response) = goose.response {
        let _ = response.bytes().await;
    }
    Ok(())
}

/// On start: the catalogue and the stores, so reads and sales vary over the real ids.
pub async fn discover(user: &mut GooseUser) -> TransactionResult {
    let products = get_json(user, "/products?size=100&sort=id", "/api/v1/products")
        .await?
        .and_then(|body| {
            body["items"].as_array().map(|items| {
                items
                    .iter()
                    .filter_map(|p| Some((p["id"].as_i64()?, p["code"].as_str()?.to_owned())))
                    .collect::<Vec<_>>()
            })
        })
        .unwrap_or_default();
    // every store at once, as a plain list
    let stores = get_json(user, "/stores", "/api/v1/stores")
        .await?
        .and_then(|body| {
            body.as_array().map(|items| {
                items
                    .iter()
                    .filter_map(|s| s["id"].as_i64())
                    .collect::<Vec<_>>()
            })
        })
        .unwrap_or_default();
    if products.len() < 3 || stores.is_empty() {
        return Err(fail(format!(
            "the API listed {} products and {} stores (a request failed, or no demo data)",
            products.len(),
            stores.len()
        )));
    }
    let (promoted, customer) = if settings().profile == Profile::Selling {
        (
            promoted_products(user).await?,
            Some(own_customer(user).await?),
        )
    } else {
        (Vec::new(), None)
    };
    user.set_session_data(Catalog {
        products,
        stores,
        promoted,
        customer,
    });
    Ok(())
}

/// The products of the active promotions running in every store today (the demo has two).
async fn promoted_products(user: &mut GooseUser) -> Result<Vec<(i64, i64)>, Box<TransactionError>> {
    let today = chrono::Local::now().date_naive();
    let path = format!("/promotions?actif=true&date={today}&size=100");
    let promoted: Vec<(i64, i64)> = get_json(user, &path, "/api/v1/promotions")
        .await?
        .and_then(|body| {
            body["items"].as_array().map(|items| {
                items
                    .iter()
                    .filter(|p| p["magasin_ids"].as_array().is_some_and(|s| s.is_empty()))
                    .flat_map(|p| {
                        let quantity = p["achat"].as_i64().unwrap_or(1);
                        p["produit_ids"]
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_i64)
                            .map(move |id| (id, quantity))
                    })
                    .collect()
            })
        })
        .unwrap_or_default();
    if promoted.is_empty() {
        return Err(fail(
            "no active promotion on a product in every store today (the demo data has two)",
        ));
    }
    Ok(promoted)
}

/// A customer of this user's own: one customer is not served at 32 tills at once, and their
/// points row would make the sales queue on each other.
async fn own_customer(user: &mut GooseUser) -> Result<i64, Box<TransactionError>> {
    let body = json!({"nom": format!("Client banc {}", uuid::Uuid::new_v4())});
    let GooseResponse { response, .. } = send(
        user,
        GooseMethod::Post,
        "/customers",
        "/api/v1/customers",
        |b| b.json(&body),
    )
    .await?;
    let created = match response {
        Ok(r) if r.status().as_u16() == 201 => r.json::<Value>().await.ok(),
        _ => None,
    };
    created
        .and_then(|c| c["id"].as_i64())
        .ok_or_else(|| fail("could not create the user's customer"))
}

/// The user's catalogue; asked again when the start failed (an overloaded API answering 503),
/// so one failed start costs its failed requests, not every later transaction.
async fn catalog(user: &mut GooseUser) -> Result<Catalog, Box<TransactionError>> {
    if user.get_session_data::<Catalog>().is_none() {
        discover(user).await?;
    }
    user.get_session_data::<Catalog>()
        .cloned()
        .ok_or_else(|| fail("no catalogue"))
}

pub async fn list_products(user: &mut GooseUser) -> TransactionResult {
    let path = {
        let mut rng = rand::thread_rng();
        match rng.gen_range(0..3) {
            0 => format!("/products?page={}&size=20", rng.gen_range(1..=2)),
            1 => format!(
                "/products?q={}",
                SEARCHES.choose(&mut rng).unwrap_or(&"pain")
            ),
            _ => "/products?sort=-prix&size=50".to_owned(),
        }
    };
    read(user, &path, "/api/v1/products").await
}

pub async fn product_detail(user: &mut GooseUser) -> TransactionResult {
    let catalog = catalog(user).await?;
    let id = catalog
        .products
        .choose(&mut rand::thread_rng())
        .map_or(1, |p| p.0);
    read(user, &format!("/products/{id}"), "/api/v1/products/{id}").await
}

pub async fn product_by_code(user: &mut GooseUser) -> TransactionResult {
    let catalog = catalog(user).await?;
    let code = catalog
        .products
        .choose(&mut rand::thread_rng())
        .map_or_else(|| "ALI001".to_owned(), |p| p.1.clone());
    read(
        user,
        &format!("/products/by-code/{code}"),
        "/api/v1/products/by-code/{code}",
    )
    .await
}

pub async fn store_stock(user: &mut GooseUser) -> TransactionResult {
    let catalog = catalog(user).await?;
    let path = {
        let mut rng = rand::thread_rng();
        let store = catalog.stores.choose(&mut rng).copied().unwrap_or(1);
        if rng.gen_bool(0.3) {
            format!("/stores/{store}/stock?alerte=true")
        } else {
            format!("/stores/{store}/stock?size=50")
        }
    };
    read(user, &path, "/api/v1/stores/{id}/stock").await
}

/// Network-wide or one store, default period (the last 30 days).
fn report_scope(catalog: &Catalog) -> String {
    let mut rng = rand::thread_rng();
    match catalog.stores.choose(&mut rng) {
        Some(store) if rng.gen_bool(0.6) => format!("?magasin_id={store}"),
        _ => String::new(),
    }
}

pub async fn report_kpis(user: &mut GooseUser) -> TransactionResult {
    let scope = report_scope(&catalog(user).await?);
    read(
        user,
        &format!("/reports/kpis{scope}"),
        "/api/v1/reports/kpis",
    )
    .await
}

pub async fn report_sales(user: &mut GooseUser) -> TransactionResult {
    let scope = report_scope(&catalog(user).await?);
    read(
        user,
        &format!("/reports/sales{scope}"),
        "/api/v1/reports/sales",
    )
    .await
}

/// What the API answered to a sale.
struct Answer {
    status: u16,
    body: Value,
    replayed: bool,
}

async fn post_sale(
    user: &mut GooseUser,
    store: i64,
    body: &Value,
    key: &str,
    name: &str,
) -> Result<(GooseRequestMetric, Option<Answer>), Box<TransactionError>> {
    let GooseResponse { request, response } = send(
        user,
        GooseMethod::Post,
        &format!("/stores/{store}/sales"),
        name,
        |b| b.header("Idempotency-Key", key).json(body),
    )
    .await?;
    let Ok(response) = response else {
        return Ok((request, None));
    };
    let status = response.status().as_u16();
    let replayed = response
        .headers()
        .get("idempotent-replayed")
        .is_some_and(|v| v.as_bytes() == b"true");
    let body = response.json::<Value>().await.unwrap_or(Value::Null);
    Ok((
        request,
        Some(Answer {
            status,
            body,
            replayed,
        }),
    ))
}

fn is_stock_refusal(answer: &Answer) -> bool {
    answer.status == 409 && answer.body["error_code"] == "insufficient_stock"
}

/// The `selling` benchmark's sale: a promoted product (as many as its promotion needs: 3 of a
/// 3-for-2) and two others, one unit each, for the
/// user's customer, paid 1,00 $ by card and the rest in cash (500 $ handed over: change).
fn store_sale(catalog: &Catalog) -> (i64, Value) {
    let mut rng = rand::thread_rng();
    let store = catalog.stores.choose(&mut rng).copied().unwrap_or(1);
    let (promoted, quantity) = catalog.promoted.choose(&mut rng).copied().unwrap_or((1, 1));
    let others: Vec<i64> = catalog
        .products
        .iter()
        .map(|p| p.0)
        .filter(|id| *id != promoted)
        .collect();
    let lines: Vec<Value> = std::iter::once((promoted, quantity))
        .chain(others.choose_multiple(&mut rng, 2).map(|id| (*id, 1)))
        .map(|(id, q)| json!({"produit_id": id, "quantite": q}))
        .collect();
    let body = json!({
        "lignes": lines,
        "client_id": catalog.customer,
        "paiements": [
            {"mode": "carte", "montant": 1.0, "reference": "bench"},
            {"mode": "especes", "montant": 500.0},
        ],
    });
    (store, body)
}

/// A sale of 1 to 3 products (3 in the sales benchmark) in a random store.
fn new_sale(catalog: &Catalog, benchmark: bool) -> (i64, Value) {
    if catalog.customer.is_some() {
        return store_sale(catalog);
    }
    let mut rng = rand::thread_rng();
    let store = catalog.stores.choose(&mut rng).copied().unwrap_or(1);
    let count = if benchmark { 3 } else { rng.gen_range(1..=3) };
    let lines: Vec<Value> = catalog
        .products
        .choose_multiple(&mut rng, count)
        .map(|(id, _)| {
            let quantity = if benchmark { 1 } else { rng.gen_range(1..=3) };
            json!({"produit_id": id, "quantite": quantity})
        })
        .collect();
    let payment = if benchmark || rng.gen_bool(0.6) {
        "carte"
    } else {
        "especes"
    };
    (store, json!({"lignes": lines, "mode_paiement": payment}))
}

const SALE: &str = "/api/v1/stores/{id}/sales";

/// A sale with a fresh key; in the mixed profiles one in ten is sent twice with the same key
/// (a client retrying after a lost answer), and a recorded sale is read back.
pub async fn sale(user: &mut GooseUser) -> TransactionResult {
    let catalog = catalog(user).await?;
    let benchmark = settings().profile.sells();
    let (store, body) = new_sale(&catalog, benchmark);
    let key = uuid::Uuid::new_v4().to_string();
    let (mut request, answer) = post_sale(user, store, &body, &key, SALE).await?;
    let Some(first) = answer else {
        return Err(fail("sale: no answer"));
    };
    if first.status == 201 {
        outcomes::count(&API_SALES);
    } else if is_stock_refusal(&first) {
        outcomes::count(&API_SALES_REFUSED);
        user.set_success(&mut request)?;
    } else {
        return Err(fail(format!("sale answered {}", first.status)));
    }
    if benchmark {
        return Ok(());
    }
    if rand::thread_rng().gen_ratio(1, 10) {
        let name = "/api/v1/stores/{id}/sales (retry, same key)";
        let (mut retry, answer) = post_sale(user, store, &body, &key, name).await?;
        let Some(again) = answer else {
            return Err(fail("retry: no answer"));
        };
        let same = again.replayed
            && again.status == first.status
            && again.body["id"] == first.body["id"]
            && again.body["total"] == first.body["total"];
        if !same {
            return user.set_failure(
                "Idempotency-Key not honoured: the retry did not replay the first answer",
                &mut retry,
                None,
                None,
            );
        }
        outcomes::count(&API_RETRIES_HONOURED);
        // a replayed refusal is the same legitimate answer as the first one
        user.set_success(&mut retry)?;
    }
    if let Some(id) = first.body["id"].as_i64() {
        read(user, &format!("/sales/{id}"), "/api/v1/sales/{id}").await?;
    }
    Ok(())
}
