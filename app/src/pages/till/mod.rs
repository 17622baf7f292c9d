//! Caisse: a register's session (opened with a cash float, closed with the counted cash and its
//! Z report) and the sale screen. The cart lives in the address (see [`cart`]); every change is
//! a form answered by a redirect, so the till works without JavaScript, and once hydrated the
//! search runs as the cashier types and the change due is shown as the amount is keyed in.
//! A refused change comes back to the same cart with its reason (a [`Flash`], see [`codes`]).
//!
//! [`Flash`]: crate::flash::Flash

pub mod actions;
pub mod cart;
pub mod cash;
mod closing;
mod customer;
mod discounts;
pub mod extras;
mod history;
mod lines;
mod more;
mod parked;
mod sale;
mod scan;
mod tenders;

pub use closing::{ClosingPage, SessionReportPage};
pub use history::RegisterSessionsPage;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::auth::UserResource;
use crate::components::{Failure, Notice};
use crate::error::AppError;
use crate::flash::Flash;
pub(crate) use crate::links::route_id;
use actions::OpenTill;

/// The flash codes and facts of the till's redirects (`erreur=<code>`).
pub mod codes {
    /// `code=<what was typed>`: no product matches it.
    pub const NOT_FOUND: &str = "introuvable";
    /// `code=<what was scanned>`: the server could not be reached to add it.
    pub const SCAN_FAILED: &str = "lecture";
    pub const CODE: &str = "code";
    /// `code=<what was typed>`: the quantity before `*` or `x` is not 1 to the maximum.
    pub const MULTIPLIER: &str = "multiplicateur";
    pub const QUANTITY: &str = "quantite";
    /// `produit=<id>&reste=<what is left>`: not enough stock for the sale.
    pub const SHORT: &str = "stock";
    pub const PRODUCT: &str = "produit";
    pub const LEFT: &str = "reste";
    /// `recu=<amount typed>`: kept when a sale is refused.
    pub const TENDERED: &str = "recu";
    pub const AMOUNT: &str = "montant";
    pub const CLOSED: &str = "fermee";
    /// The sale id sent was not the UUID the page was given.
    pub const SALE_ID: &str = "identifiant";
    /// The sale id was already used by another sale (another employee, store or channel).
    pub const SALE_ID_TAKEN: &str = "doublon";
    pub const EMPTY: &str = "vide";
    pub const FLOAT: &str = "fonds";
    pub const ALREADY_OPEN: &str = "ouverte";
    pub const REFUSED: &str = "refus";
    /// `raison=<the domain's French reason>`: a discount above the cashier's limit.
    pub const APPROVAL: &str = "approbation";
    /// The manager's login or password or role was refused.
    pub const APPROVAL_REFUSED: &str = "approbation_refusee";
    pub const REASON: &str = "raison";
    /// A discount, gift card or tender that could not be added (`raison=`).
    pub const DISCOUNT: &str = "remise";
    pub const GIFT_CARD: &str = "carte_cadeau";
    pub const TENDER: &str = "paiement";
    pub const CUSTOMER: &str = "client";
    pub const PARK: &str = "attente";
}

/// The open session of a register as the till shows it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenSession {
    pub id: i64,
    pub opened_by: String,
    /// `8 h 02`, in the store's time zone.
    pub since: String,
    pub float: String,
}

/// A product found by the search (or a line of the cart).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TillItem {
    pub product_id: i64,
    pub code: String,
    pub name: String,
    pub unit_price: String,
    /// What the store has (a figure to compare: the page writes it with `format::count`).
    pub in_stock: i32,
    pub quantity: i32,
    pub line_total: String,
    /// The line before its promotion (struck through), when a promotion applies.
    pub original: Option<String>,
    /// `Promotion name : −1,50 $`.
    pub promotion: Option<String>,
    /// The line's manual discount as typed (`10 %`) and in dollars.
    pub discount: Option<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TillView {
    pub register_id: i64,
    pub register_name: String,
    pub store_id: i64,
    pub store_name: String,
    pub session: Option<OpenSession>,
    /// The cart as understood by the server (unknown or withdrawn products dropped).
    pub cart: String,
    pub lines: Vec<TillItem>,
    pub subtotal: String,
    pub tps: String,
    pub tvq: String,
    pub total: String,
    pub total_amount: Decimal,
    /// What a search without JavaScript found (`?q=`).
    pub hits: Vec<TillItem>,
    /// The store's most sold products of the last 30 days: one-tap buttons.
    pub quick: Vec<TillItem>,
    /// The UUID this cart will be recorded under (sent again on a double click or a retry; the
    /// server makes the till's sale id of it).
    pub sale_id: String,
    /// Customer, savings, discounts, gift cards, tenders, approval, parked carts.
    pub more: more::More,
}

#[cfg(feature = "ssr")]
impl TillItem {
    fn from_product(p: domain::sales::TillProduct, quantity: i32) -> Self {
        let line_total = p.price * Decimal::from(quantity);
        TillItem {
            product_id: p.product_id,
            code: p.code,
            name: p.name,
            unit_price: crate::format::money(p.price),
            in_stock: p.in_stock,
            quantity,
            line_total: crate::format::money(line_total),
            original: None,
            promotion: None,
            discount: None,
        }
    }

    /// A priced line of the cart: its total after promotion and discounts, and their detail.
    fn from_quote(l: domain::sales::QuoteLine, typed: Option<extras::Off>) -> Self {
        use crate::format::money;
        let p = &l.priced;
        let original = p.original_unit_price * Decimal::from(l.quantity);
        let promotion = p
            .promotion
            .as_ref()
            .filter(|_| p.promotion_saving > Decimal::ZERO)
            .map(|(_, name)| format!("{name} : −{}", money(p.promotion_saving)));
        let discount = typed
            .filter(|_| p.line_discount > Decimal::ZERO)
            .map(|o| (more::describe(o), money(p.line_discount)));
        let total = p.total;
        let shown_original = promotion.is_some().then(|| money(original));
        TillItem {
            line_total: money(total),
            original: shown_original,
            promotion,
            discount,
            ..TillItem::from_product(l.product, l.quantity)
        }
    }
}

/// How many one-tap buttons the till shows.
#[cfg(feature = "ssr")]
const QUICK_PICKS: i64 = 8;

#[server(endpoint = "till_view")]
pub async fn load_till(
    register_id: i64,
    panier: String,
    vente: String,
    q: String,
    #[server(default)] client_q: String,
) -> Result<TillView, AppError> {
    use crate::format::money;
    use crate::server::{failure, pool, require_session};
    let session = require_session().await?;
    let pool = pool()?;
    let actor = session.employee.actor();
    let register = domain::stores::get_register(&pool, &actor, register_id)
        .await
        .map_err(failure)?;
    let store = domain::stores::get_store(&pool, register.store_id)
        .await
        .map_err(failure)?;
    let open = domain::stores::current_session(&pool, register_id)
        .await
        .map_err(failure)?;
    let cart = cart::Cart::parse(&panier);
    let lines: Vec<domain::sales::CartLine> = cart
        .lines
        .iter()
        .map(|&(product_id, quantity)| domain::sales::CartLine {
            product_id,
            quantity,
        })
        .collect();
    let rules = crate::server::selling_rules();
    let book = crate::server::price_book();
    let options = cart.extras.options(None);
    let quoted =
        domain::sales::quote_cart(&pool, &book, &actor, &rules, store.id, &lines, &options).await;
    // discounts that no longer fit the cart (a line lowered under its discount): the cart is
    // shown without them and the cashier is told why
    let (quote, discount_problem) = match quoted {
        Ok(q) => (q, None),
        Err(e @ domain::Error::Validation(_)) => {
            let plain = domain::sales::SaleOptions {
                line_discounts: Vec::new(),
                discount: None,
                ..options
            };
            let q =
                domain::sales::quote_cart(&pool, &book, &actor, &rules, store.id, &lines, &plain)
                    .await
                    .map_err(failure)?;
            (q, Some(e.to_string()))
        }
        Err(e) => return Err(failure(e)),
    };
    let hits = if q.trim().is_empty() {
        Vec::new()
    } else {
        domain::sales::search_till_products(&pool, &actor, store.id, &q, 20)
            .await
            .map_err(failure)?
            .into_iter()
            .map(|p| TillItem::from_product(p, 1))
            .collect()
    };
    let quick = domain::sales::best_sellers(&pool, &actor, store.id, QUICK_PICKS)
        .await
        .map_err(failure)?
        .into_iter()
        .map(|p| TillItem::from_product(p, 1))
        .collect();
    let kept = cart::Cart {
        lines: quote
            .lines
            .iter()
            .map(|l| (l.product.product_id, l.quantity))
            .collect(),
        extras: cart.extras.clone(),
    };
    let tz = store.tz();
    let mut more = more::load(
        &pool,
        &session,
        |at| crate::format::time(&at.with_timezone(&tz)),
        register_id,
        &kept,
        &quote,
        &client_q,
    )
    .await?;
    more.discount_problem = discount_problem;
    Ok(TillView {
        register_id,
        register_name: register.name,
        store_id: store.id,
        store_name: store.name,
        session: open.map(|s| OpenSession {
            id: s.id,
            opened_by: s.opened_by_name,
            since: crate::format::time(&s.opened_at.with_timezone(&tz)),
            float: money(s.opening_float),
        }),
        cart: kept.encode(),
        lines: quote
            .lines
            .into_iter()
            .map(|l| {
                let typed = kept.extras.line_discount(l.product.product_id);
                TillItem::from_quote(l, typed)
            })
            .collect(),
        subtotal: money(quote.totals.subtotal),
        tps: money(quote.totals.tps),
        tvq: money(quote.totals.tvq),
        total: money(quote.totals.total),
        // what is paid: the goods and the gift cards sold
        total_amount: quote.totals.total + kept.extras.gift_cards.iter().sum::<Decimal>(),
        hits,
        quick,
        // only a UUID is kept (the server builds the sale id from it): anything else, a new one
        sale_id: match uuid::Uuid::try_parse(vente.trim()) {
            Ok(id) => id.hyphenated().to_string(),
            Err(_) => uuid::Uuid::new_v4().to_string(),
        },
        more,
    })
}

#[component]
pub fn TillPage() -> impl IntoView {
    let register_id = route_id("id");
    let query = use_query_map();
    // opening redirects to this very address: the action's version makes the page reload
    let open = ServerAction::<OpenTill>::new();
    let till = Resource::new(
        move || {
            let q = query.read();
            (
                open.version().get(),
                register_id(),
                q.get("panier").unwrap_or_default(),
                q.get("vente").unwrap_or_default(),
                q.get("q").unwrap_or_default(),
                q.get("client_q").unwrap_or_default(),
                // a refusal comes back to the same cart: its message must show all the same
                Flash::read(&q),
            )
        },
        |(_, id, panier, vente, q, client_q, _)| load_till(id, panier, vente, q, client_q),
    );
    let typed = RwSignal::new(String::new());
    let found = Resource::new(
        move || (register_id(), typed.get()),
        |(id, q)| actions::search_till(id, q),
    );
    let user = expect_context::<UserResource>();
    // the scans typed faster than the server answers (see `scan`), across re-renderings
    let scans = scan::Scans::new();
    let reloading = RwSignal::new(false);
    // in the browser, after each change of the cart: the cursor back in the code field (a
    // scanner can go on at once; the field is cleared by the scan itself, not here, or the
    // next code being typed would be cut)
    Effect::new(move |_| {
        query.track();
        crate::components::focus_soon("code");
    });
    view! {
        <Transition fallback=|| () set_pending=reloading.write_only()>
            {move || Suspend::new(async move {
                let csrf = user.await.ok().flatten().map(|u| u.csrf).unwrap_or_default();
                match till.await {
                    Ok(v) => {
                        let title = format!("{} — {}", v.register_name, v.store_name);
                        view! {
                            <Title text=title.clone() />
                            <h1 class="till-title">{title}</h1>
                            {match v.session.clone() {
                                None => view! { <OpenForm view=v csrf open /> }.into_any(),
                                Some(s) => {
                                    let sale_id = v.sale_id.clone();
                                    view! {
                                        <sale::SaleScreen view=v session=s csrf typed found sale_id
                                            scans reloading />
                                    }.into_any()
                                }
                            }}
                        }
                        .into_any()
                    }
                    Err(e) => view! { <Failure error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// No open session: the float counted into the drawer opens one.
#[component]
fn OpenForm(view: TillView, csrf: String, open: ServerAction<OpenTill>) -> impl IntoView {
    let query = use_query_map();
    let error = move || {
        let text = match Flash::read(&query.read()).error_code()? {
            codes::FLOAT => {
                "Le fonds de caisse doit être un montant positif, au cent près, sans dépasser 9 999 999 999,99 $ (ex. 200,00)."
            }
            codes::ALREADY_OPEN => "Cette caisse vient d'être ouverte par quelqu'un d'autre.",
            _ => "Ouverture refusée : vérifiez vos droits sur ce magasin.",
        };
        Some(Notice::error(text))
    };
    view! {
        <section class="panel open-till">
            <h2>"Ouvrir la caisse"</h2>
            <p>"La caisse est fermée. Comptez le fonds de caisse pour l'ouvrir."</p>
            {move || error().map(Notice::view)}
            <ActionForm action=open attr:class="form">
                <input type="hidden" name="csrf" value=csrf />
                <input type="hidden" name="register_id" value=view.register_id />
                <label for="fonds">"Fonds de caisse ($)"</label>
                <input id="fonds" name="fonds" inputmode="decimal" autocomplete="off" value="200,00" required />
                <button type="submit">"Ouvrir la caisse"</button>
            </ActionForm>
            <p><a href=format!("/magasins/{}", view.store_id)>"Retour au magasin"</a></p>
        </section>
    }
}
