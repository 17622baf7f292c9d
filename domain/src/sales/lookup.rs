//! What pricing a group of carts reads, once for the whole group: the catalogue's products, the
//! stores' local dates and the promotions current there
//! ([`current_promotions`](crate::promotions::current_promotions)), and, only when a cart names
//! them, its customer and the gift cards it pays with.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sqlx::PgConnection;

use super::cart::{Payment, SaleOptions};
use crate::promotions::current_promotions;
use crate::{Error, Result};
use pricing::{Promotion, TenderKind};

#[derive(sqlx::FromRow)]
pub(crate) struct PricedProduct {
    pub(crate) id: i64,
    pub(crate) code: String,
    pub(crate) name: String,
    pub(crate) price: Decimal,
    pub(crate) taxable: bool,
    pub(crate) active: bool,
    pub(crate) category_id: Option<i64>,
}

/// What a group of carts is priced with.
pub(crate) struct Lookups {
    products: BTreeMap<i64, Arc<PricedProduct>>,
    /// Each store's date at the time of sale, in its time zone (promotions run by local date).
    dates: HashMap<i64, NaiveDate>,
    fallback_date: NaiveDate,
    promotions: Vec<Promotion>,
    customers: BTreeSet<i64>,
    gift_cards: HashMap<String, i64>,
}

impl Lookups {
    /// What a price book found for one cart (`book.rs`).
    pub(super) fn from_book(
        products: BTreeMap<i64, Arc<PricedProduct>>,
        (store_id, date): (i64, NaiveDate),
        promotions: Vec<Promotion>,
        customers: BTreeSet<i64>,
        gift_cards: HashMap<String, i64>,
    ) -> Self {
        Lookups {
            products,
            dates: HashMap::from([(store_id, date)]),
            fallback_date: date,
            promotions,
            customers,
            gift_cards,
        }
    }

    pub(crate) fn product(&self, id: i64) -> Result<&PricedProduct> {
        self.products
            .get(&id)
            .map(|p| &**p)
            .ok_or_else(|| Error::not_found("Produit", id))
    }

    pub(crate) fn local_date(&self, store_id: i64) -> NaiveDate {
        self.dates
            .get(&store_id)
            .copied()
            .unwrap_or(self.fallback_date)
    }

    pub(crate) fn promotions(&self) -> &[Promotion] {
        &self.promotions
    }

    /// A customer named by a cart must exist: an unknown one is refused naming `client_id`.
    pub(crate) fn customer(&self, id: i64) -> Result<()> {
        if self.customers.contains(&id) {
            Ok(())
        } else {
            Err(Error::invalid("client_id", format!("Client {id} inconnu.")))
        }
    }

    pub(crate) fn gift_card(&self, code: &str) -> Option<i64> {
        self.gift_cards.get(code).copied()
    }
}

/// What a cart asks to be looked up.
pub(crate) struct Wanted<'a> {
    pub(crate) store_id: i64,
    /// Each product once, with its quantity.
    pub(crate) lines: &'a [(i64, i32)],
    pub(crate) options: &'a SaleOptions,
    pub(crate) payment: Option<&'a Payment>,
}

impl Wanted<'_> {
    /// The codes of the gift cards the cart pays with.
    pub(crate) fn gift_card_codes(&self) -> Vec<String> {
        match self.payment {
            Some(Payment::Tenders(tenders)) => tenders
                .iter()
                .filter(|t| t.kind == TenderKind::GiftCard)
                .filter_map(|t| t.reference.as_deref().map(|r| r.trim().to_owned()))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// The catalogue's products of these ids (an unknown id is left out).
pub(crate) async fn read_products(
    conn: &mut PgConnection,
    ids: &[i64],
) -> Result<Vec<PricedProduct>> {
    Ok(sqlx::query_as(
        "SELECT id, code, name, price, taxable, active, category_id
         FROM products WHERE id = ANY($1)",
    )
    .bind(ids)
    .fetch_all(conn)
    .await?)
}

/// Reads what the carts are priced with.
pub(crate) async fn lookup(
    conn: &mut PgConnection,
    carts: &[Wanted<'_>],
    at: DateTime<Utc>,
) -> Result<Lookups> {
    let product_ids: Vec<i64> = carts
        .iter()
        .flat_map(|c| c.lines.iter().map(|(p, _)| *p))
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let store_ids: Vec<i64> = carts
        .iter()
        .map(|c| c.store_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let products = read_products(conn, &product_ids).await?;
    // each store's date at the time of sale, then the promotions current there that touch
    // the cart's products (a lane of the API records one store's carts: one store, mostly)
    let dates: HashMap<i64, NaiveDate> = if store_ids.is_empty() {
        HashMap::new()
    } else {
        sqlx::query_as::<_, (i64, NaiveDate)>(
            "SELECT id, ($2::TIMESTAMPTZ AT TIME ZONE time_zone)::DATE FROM stores
             WHERE id = ANY($1)",
        )
        .bind(&store_ids)
        .bind(at)
        .fetch_all(&mut *conn)
        .await?
        .into_iter()
        .collect()
    };
    let mut promotions: BTreeMap<i64, Promotion> = BTreeMap::new();
    for (store_id, day) in &dates {
        for promotion in current_promotions(conn, *store_id, *day, &product_ids).await? {
            promotions.entry(promotion.id).or_insert(promotion);
        }
    }

    let customer_ids: Vec<i64> = carts.iter().filter_map(|c| c.options.customer_id).collect();
    let customers = if customer_ids.is_empty() {
        BTreeSet::new()
    } else {
        sqlx::query_scalar::<_, i64>("SELECT id FROM customers WHERE id = ANY($1)")
            .bind(&customer_ids)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect()
    };
    let codes: Vec<String> = carts.iter().flat_map(Wanted::gift_card_codes).collect();
    let gift_cards = if codes.is_empty() {
        HashMap::new()
    } else {
        sqlx::query_as::<_, (String, i64)>("SELECT code, id FROM gift_cards WHERE code = ANY($1)")
            .bind(&codes)
            .fetch_all(&mut *conn)
            .await?
            .into_iter()
            .collect()
    };
    Ok(Lookups {
        products: products.into_iter().map(|p| (p.id, Arc::new(p))).collect(),
        dates,
        fallback_date: at.date_naive(),
        promotions: promotions.into_values().collect(),
        customers,
        gift_cards,
    })
}
