//! Scenarios on the web UI, as the hydrated pages call it: a manager loads the dashboard (`/`,
//! rendered on the server); a cashier opens a register, then searches, scans, changes a
//! quantity, pays (`till_*` server functions) and now and then takes back part of that sale
//! (`create_return`). Server functions are posted as the browser's fetch does (form body, no
//! `Accept: text/html`): they answer 200 with the next address in `Location`, which this reads
//! instead of following.

use goose::goose::GooseResponse;
use goose::metrics::GooseRequestMetric;
use goose::prelude::*;
use rand::Rng;
use rand::seq::SliceRandom;
use serde_json::Value;

use crate::api::fail;
use crate::config::settings;
use crate::outcomes::{self, WEB_RETURNS, WEB_SALES, WEB_SALES_REFUSED};

/// The demo catalogue's codes, scanned when a search found nothing.
const DEMO_CODES: &[&str] = &[
    "ALI001", "ALI002", "ALI003", "ALI004", "ALI005", "BOI001", "BOI002", "BOI003", "HYG001",
    "HYG002", "HYG003", "MEN001", "MEN002",
];
/// What a cashier types in the search box.
const SEARCHES: &[&str] = &["pa", "la", "eau", "sav", "jus", "fro", "ALI", "HYG"];

/// A signed-in cashier at an open register.
#[derive(Clone, Debug)]
struct Cashier {
    csrf: String,
    store_id: i64,
    register_id: i64,
    codes: Vec<String>,
    sales: u64,
}

/// What a response said, once read.
struct Reply {
    request: GooseRequestMetric,
    status: u16,
    location: Option<String>,
    body: String,
}

fn form(pairs: &[(&str, &str)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in pairs {
        out.append_pair(k, v);
    }
    out.finish()
}

/// The value of `key` in the query of `location`.
fn query_param(location: &str, key: &str) -> Option<String> {
    let (_, query) = location.split_once('?')?;
    form_urlencoded::parse(query.as_bytes())
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

async fn reply(goose: GooseResponse) -> Result<Reply, Box<TransactionError>> {
    let GooseResponse { request, response } = goose;
    let response = response.map_err(|e| fail(format!("{}: {e}", request.name)))?;
    let status = response.status().as_u16();
    let location = response
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = response.text().await.unwrap_or_default();
    Ok(Reply {
        request,
        status,
        location,
        body,
    })
}

/// A server function called as the hydrated page calls it.
async fn server_fn(
    user: &mut GooseUser,
    endpoint: &str,
    pairs: &[(&str, &str)],
) -> Result<Reply, Box<TransactionError>> {
    let web = &settings().web_url;
    let url = format!("{web}/api/{endpoint}");
    let name = format!("/api/{endpoint}");
    let builder = user
        .get_request_builder(&GooseMethod::Post, &url)?
        .header("Accept", "application/json")
        .header("Content-Type", "application/x-www-form-urlencoded")
        .header("Origin", web.as_str())
        .header("Sec-Fetch-Site", "same-origin")
        .body(form(pairs));
    let request = GooseRequest::builder()
        .method(GooseMethod::Post)
        .path(url.as_str())
        .name(name.as_str())
        .set_request_builder(builder);
    let goose = user.request(request.build()).await?;
    reply(goose).await
}

/// A page rendered on the server, as a browser asks for it.
async fn page(
    user: &mut GooseUser,
    path: &str,
    name: &str,
) -> Result<Reply, Box<TransactionError>> {
    let url = format!("{}{path}", settings().web_url);
    let builder = user
        .get_request_builder(&GooseMethod::Get, &url)?
        .header("Accept", "text/html");
    let request = GooseRequest::builder()
        .path(url.as_str())
        .name(name)
        .set_request_builder(builder)
        .build();
    let goose = user.request(request).await?;
    let mut reply = reply(goose).await?;
    // a lost session ends on the sign-in page, with a 200 after the redirect
    if reply.request.final_url.contains("/connexion") {
        return user
            .set_failure("not signed in", &mut reply.request, None, None)
            .map(|_| reply);
    }
    Ok(reply)
}

/// Signs in (the session cookie goes to this user's cookie jar) and returns who it is.
async fn sign_in(user: &mut GooseUser, login: &str) -> Result<Value, Box<TransactionError>> {
    let password = settings().web_password.clone();
    let mut signed = server_fn(user, "login", &[("login", login), ("password", &password)]).await?;
    if signed.status != 200 || signed.location.as_deref() != Some("/") {
        user.set_failure("sign-in refused", &mut signed.request, None, None)?;
    }
    let who = server_fn(user, "whoami", &[]).await?;
    match serde_json::from_str::<Value>(&who.body) {
        Ok(v) if v["csrf"].is_string() => Ok(v),
        _ => Err(fail(format!("{login}: no session after signing in"))),
    }
}

/// Demo employees of store 1..5: users are spread over them by their number.
fn store_number(user: &GooseUser) -> usize {
    user.weighted_users_index % 5 + 1
}

/// A manager who signed in.
#[derive(Clone, Debug)]
struct Manager;

pub async fn manager_start(user: &mut GooseUser) -> TransactionResult {
    let login = format!("gerant{}", store_number(user));
    sign_in(user, &login).await?;
    user.set_session_data(Manager);
    Ok(())
}

pub async fn dashboard(user: &mut GooseUser) -> TransactionResult {
    // signed in again when the start failed
    if user.get_session_data::<Manager>().is_none() {
        manager_start(user).await?;
    }
    let mut home = page(user, "/", "/ (dashboard)").await?;
    if home.status == 200 && !home.body.contains("<main") && !home.body.contains("<h1") {
        return user.set_failure("dashboard without content", &mut home.request, None, None);
    }
    Ok(())
}

/// Signs a cashier in, picks a register of the store and opens it (it may be open already:
/// cashiers share the 3 registers of their store).
pub async fn cashier_start(user: &mut GooseUser) -> TransactionResult {
    let login = format!("caissier{}", store_number(user));
    let who = sign_in(user, &login).await?;
    let csrf = who["csrf"].as_str().unwrap_or_default().to_owned();
    let store_id = who["store_id"]
        .as_i64()
        .ok_or_else(|| fail(format!("{login} has no store")))?;
    let store = server_fn(user, "store_view", &[("store_id", &store_id.to_string())]).await?;
    let registers: Vec<i64> = serde_json::from_str::<Value>(&store.body)
        .ok()
        .and_then(|v| {
            v["registers"]
                .as_array()
                .map(|r| r.iter().filter_map(|r| r["id"].as_i64()).collect())
        })
        .unwrap_or_default();
    let register_id = *registers
        .get(user.weighted_users_index / 5 % registers.len().max(1))
        .ok_or_else(|| fail(format!("store {store_id} lists no register")))?;
    let register = register_id.to_string();
    // "déjà ouverte" comes back as an error code in the address: the register is open either way
    server_fn(
        user,
        "till_open",
        &[
            ("csrf", &csrf),
            ("register_id", &register),
            ("fonds", "200"),
        ],
    )
    .await?;
    user.set_session_data(Cashier {
        csrf,
        store_id,
        register_id,
        codes: Vec::new(),
        sales: 0,
    });
    Ok(())
}

/// The cashier's register; signed in and opened again when the start failed.
async fn cashier(user: &mut GooseUser) -> Result<Cashier, Box<TransactionError>> {
    if user.get_session_data::<Cashier>().is_none() {
        cashier_start(user).await?;
    }
    user.get_session_data::<Cashier>()
        .cloned()
        .ok_or_else(|| fail("no open register"))
}

/// One customer at the till: search, 1 to 3 scans, a quantity change, payment; one sale in
/// three is then partly returned.
pub async fn till_sale(user: &mut GooseUser) -> TransactionResult {
    let mut me = cashier(user).await?;
    let register = me.register_id.to_string();

    let q = SEARCHES
        .choose(&mut rand::thread_rng())
        .copied()
        .unwrap_or("pa");
    let mut found = server_fn(user, "till_search", &[("register_id", &register), ("q", q)]).await?;
    match serde_json::from_str::<Vec<Value>>(&found.body) {
        Ok(items) => {
            for code in items.iter().filter_map(|i| i["code"].as_str()) {
                if !me.codes.iter().any(|c| c == code) {
                    me.codes.push(code.to_owned());
                }
            }
        }
        Err(_) if found.status == 200 => {
            return user.set_failure(
                "search answer is not a list",
                &mut found.request,
                None,
                None,
            );
        }
        Err(_) => return Err(fail("till_search failed")),
    }

    let scans: Vec<String> = {
        let mut rng = rand::thread_rng();
        let pool: Vec<&str> = if me.codes.len() >= 3 {
            me.codes.iter().map(String::as_str).collect()
        } else {
            DEMO_CODES.to_vec()
        };
        (0..rng.gen_range(1..=3))
            .filter_map(|_| pool.choose(&mut rng).map(|c| (*c).to_owned()))
            .collect()
    };
    let (mut cart, mut sale_id) = (String::new(), String::new());
    for code in &scans {
        let mut added = server_fn(
            user,
            "till_add",
            &[
                ("register_id", &register),
                ("panier", &cart),
                ("code", code),
            ],
        )
        .await?;
        match added
            .location
            .as_deref()
            .and_then(|l| query_param(l, "panier"))
        {
            Some(next) if !next.is_empty() => cart = next,
            _ => return user.set_failure("scan did not add", &mut added.request, None, None),
        }
        if let Some(id) = added
            .location
            .as_deref()
            .and_then(|l| query_param(l, "vente"))
        {
            sale_id = id;
        }
    }

    // the customer takes two of the first product
    if let Some(first) = cart.split('.').next().and_then(|l| l.split_once('x')) {
        let product = first.0.to_owned();
        let mut set = server_fn(
            user,
            "till_set",
            &[
                ("register_id", &register),
                ("panier", &cart),
                ("product_id", &product),
                ("quantite", "2"),
            ],
        )
        .await?;
        match set
            .location
            .as_deref()
            .and_then(|l| query_param(l, "panier"))
        {
            Some(next) if !next.is_empty() => cart = next,
            _ => return user.set_failure("quantity not changed", &mut set.request, None, None),
        }
    }

    let mode = if rand::thread_rng().gen_bool(0.5) {
        "carte"
    } else {
        "especes"
    };
    let mut paid = server_fn(
        user,
        "till_checkout",
        &[
            ("csrf", &me.csrf),
            ("register_id", &register),
            ("panier", &cart),
            ("vente", &sale_id),
            ("mode", mode),
            ("recu", ""),
        ],
    )
    .await?;
    let location = paid.location.clone().unwrap_or_default();
    let sold: Option<i64> = location
        .strip_prefix("/ventes/")
        .and_then(|id| id.parse().ok());
    let Some(sold) = sold else {
        if query_param(&location, "erreur").as_deref() == Some("stock") {
            outcomes::count(&WEB_SALES_REFUSED);
            user.set_session_data(me);
            return Ok(());
        }
        return user.set_failure(
            &format!("checkout not recorded: {location}"),
            &mut paid.request,
            None,
            None,
        );
    };
    outcomes::count(&WEB_SALES);
    me.sales += 1;
    let store_id = me.store_id;
    let csrf = me.csrf.clone();
    let return_this = me.sales % 3 == 0;
    user.set_session_data(me);
    if return_this {
        take_back(user, &csrf, store_id, &register, sold).await?;
    }
    Ok(())
}

/// Opens the returns page of the sale and returns one unit of its first line.
async fn take_back(
    user: &mut GooseUser,
    csrf: &str,
    store_id: i64,
    register: &str,
    sale_id: i64,
) -> TransactionResult {
    let mut found = page(
        user,
        &format!("/magasins/{store_id}/retours?vente={sale_id}"),
        "/magasins/{id}/retours?vente={sale}",
    )
    .await?;
    let line = found
        .body
        .split("data-line-id=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_owned);
    let Some(line) = line else {
        return user.set_failure("sale lines not shown", &mut found.request, None, None);
    };
    let field = format!("quantites[{line}]");
    let mut done = server_fn(
        user,
        "create_return",
        &[
            ("csrf", csrf),
            ("store_id", &store_id.to_string()),
            ("sale_id", &sale_id.to_string()),
            (&field, "1"),
            ("raison", "Article abîmé (test de charge)"),
            ("caisse", register),
        ],
    )
    .await?;
    if done
        .location
        .as_deref()
        .is_some_and(|l| l.starts_with("/retours/"))
    {
        outcomes::count(&WEB_RETURNS);
        Ok(())
    } else {
        let at = done.location.clone().unwrap_or_default();
        user.set_failure(
            &format!("return not recorded: {at}"),
            &mut done.request,
            None,
            None,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cart_and_sale_id_are_read_from_the_next_address() {
        let location = "/caisses/4?panier=12x2.7x1&vente=ab-12";
        assert_eq!(query_param(location, "panier").as_deref(), Some("12x2.7x1"));
        assert_eq!(query_param(location, "vente").as_deref(), Some("ab-12"));
        assert_eq!(query_param(location, "erreur"), None);
        assert_eq!(query_param("/ventes/3", "panier"), None);
    }

    #[test]
    fn forms_are_url_encoded() {
        assert_eq!(
            form(&[("quantites[12]", "1"), ("raison", "abîmé ici")]),
            "quantites%5B12%5D=1&raison=ab%C3%AEm%C3%A9+ici"
        );
    }
}
