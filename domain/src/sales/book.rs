//! The price book: what quotes are priced with and what rarely changes (the catalogue's
//! products and the promotions in force), kept in memory by each
//! instance of a binary, so a quote costs one statement instead of seven.
//!
//! It is never stale: every committed change to those tables bumps `pricing_version` (the
//! migration's deferred triggers, in the writer's own commit), and the one statement of a quote
//! reads that number with what must be fresh or is one row anyway (the store's local date and
//! receipt header, the customer's balances, the gift cards). The book answers only for the version the statement read:
//! - a newer version empties it, and it is filled again as quotes need;
//! - a quote that read an older version than the book's reads the tables itself;
//! - what a quote reads from the tables is kept only if the book is still at the version that
//!   quote read before reading them, so an older row never lands in a newer book.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, PoisonError, RwLock};

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use sqlx::PgConnection;

use super::SaleCustomer;
use super::lookup::{Lookups, PricedProduct, Wanted, read_products};
use crate::promotions::promotions_in_force;
use crate::{Error, Result};
use pricing::Promotion;

/// One instance's price book; clones share it.
#[derive(Clone, Default)]
pub struct PriceBook(Arc<RwLock<Shelf>>);

/// What the book holds, all read at `version` (0: nothing read yet; the table starts at 1).
#[derive(Default)]
struct Shelf {
    version: i64,
    products: HashMap<i64, Arc<PricedProduct>>,
    promotions: Option<Arc<InForce>>,
}

/// The promotions in force, with the ones naming each product and each category.
struct InForce {
    all: Vec<Promotion>,
    by_product: HashMap<i64, Vec<usize>>,
    by_category: HashMap<i64, Vec<usize>>,
}

impl InForce {
    fn new(all: Vec<Promotion>) -> Self {
        let mut by_product: HashMap<i64, Vec<usize>> = HashMap::new();
        let mut by_category: HashMap<i64, Vec<usize>> = HashMap::new();
        for (i, p) in all.iter().enumerate() {
            for id in &p.product_ids {
                by_product.entry(*id).or_default().push(i);
            }
            for id in &p.category_ids {
                by_category.entry(*id).or_default().push(i);
            }
        }
        InForce {
            all,
            by_product,
            by_category,
        }
    }

    /// The promotions that may touch one of these products, by id.
    fn touching<'a>(&self, products: impl Iterator<Item = &'a PricedProduct>) -> Vec<Promotion> {
        let mut found: BTreeSet<usize> = BTreeSet::new();
        for product in products {
            let by_category = product
                .category_id
                .and_then(|c| self.by_category.get(&c))
                .into_iter()
                .flatten();
            found.extend(
                self.by_product
                    .get(&product.id)
                    .into_iter()
                    .flatten()
                    .chain(by_category),
            );
        }
        found.into_iter().map(|i| self.all[i].clone()).collect()
    }
}

/// What is fresh in every quote: read by its one statement.
#[derive(sqlx::FromRow)]
struct Head {
    version: i64,
    /// `None`: no such store.
    local_date: Option<NaiveDate>,
    store_name: Option<String>,
    store_address: Option<String>,
    customer_id: Option<i64>,
    customer_name: Option<String>,
    loyalty_card: Option<String>,
    points: Option<i64>,
    credit: Option<Decimal>,
    gift_card_codes: Vec<String>,
    gift_card_ids: Vec<i64>,
}

const HEAD: &str = "SELECT v.version,
        ($2::TIMESTAMPTZ AT TIME ZONE s.time_zone)::DATE AS local_date,
        s.name AS store_name, s.address AS store_address,
        c.id AS customer_id, c.name AS customer_name, c.loyalty_card, c.points, c.credit,
        ARRAY(SELECT g.code FROM gift_cards g WHERE g.code = ANY($4) ORDER BY g.code)
            AS gift_card_codes,
        ARRAY(SELECT g.id FROM gift_cards g WHERE g.code = ANY($4) ORDER BY g.code)
            AS gift_card_ids
    FROM pricing_version v
    LEFT JOIN stores s ON s.id = $1
    LEFT JOIN customers c ON c.id = $3";

/// What a quote is priced with: the lookups, the store's name and address, the customer.
pub(super) struct Quoted {
    pub(super) found: Lookups,
    pub(super) store: (String, String),
    pub(super) customer: Option<SaleCustomer>,
}

/// What the book held at the version a quote read.
#[derive(Default)]
struct Held {
    products: BTreeMap<i64, Arc<PricedProduct>>,
    promotions: Option<Arc<InForce>>,
}

impl PriceBook {
    pub fn new() -> Self {
        Self::default()
    }

    /// Reads what one cart is priced with: the fresh part in one statement, the rest from the
    /// book (the tables, for what it does not hold yet).
    pub(super) async fn lookup(
        &self,
        conn: &mut PgConnection,
        wanted: &Wanted<'_>,
        at: DateTime<Utc>,
    ) -> Result<Quoted> {
        let store_id = wanted.store_id;
        let head: Head = sqlx::query_as(HEAD)
            .bind(store_id)
            .bind(at)
            .bind(wanted.options.customer_id)
            .bind(wanted.gift_card_codes())
            .fetch_one(&mut *conn)
            .await?;
        let version = head.version;
        let (Some(date), Some(name), Some(address)) =
            (head.local_date, head.store_name, head.store_address)
        else {
            return Err(Error::not_found("Magasin", store_id));
        };
        let ids: Vec<i64> = wanted.lines.iter().map(|(id, _)| *id).collect();
        let mut held = self.held(version, &ids);

        let missing: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|id| !held.products.contains_key(id))
            .collect();
        if !missing.is_empty() {
            let read: Vec<Arc<PricedProduct>> = read_products(conn, &missing)
                .await?
                .into_iter()
                .map(Arc::new)
                .collect();
            self.keep(version, |shelf| {
                for p in &read {
                    shelf.products.insert(p.id, p.clone());
                }
            });
            held.products.extend(read.into_iter().map(|p| (p.id, p)));
        }
        let promotions = match held.promotions {
            Some(promotions) => promotions,
            None => {
                let read = Arc::new(InForce::new(promotions_in_force(conn).await?));
                self.keep(version, |shelf| shelf.promotions = Some(read.clone()));
                read
            }
        };

        let customer = match (head.customer_id, head.loyalty_card) {
            (Some(id), Some(loyalty_card)) => Some(SaleCustomer {
                id,
                name: head.customer_name,
                loyalty_card,
                points: head.points.unwrap_or(0),
                credit: head.credit.unwrap_or_default(),
            }),
            _ => None,
        };
        let touching = promotions.touching(held.products.values().map(|p| &**p));
        let found = Lookups::from_book(
            held.products,
            (store_id, date),
            touching,
            customer.iter().map(|c| c.id).collect(),
            head.gift_card_codes
                .into_iter()
                .zip(head.gift_card_ids)
                .collect(),
        );
        Ok(Quoted {
            found,
            store: (name, address),
            customer,
        })
    }

    /// What the book holds for these products at `version`. A newer version empties the book
    /// first; an older one gets nothing (that quote reads the tables).
    fn held(&self, version: i64, ids: &[i64]) -> Held {
        {
            let shelf = self.0.read().unwrap_or_else(PoisonError::into_inner);
            if shelf.version == version {
                return Held {
                    products: ids
                        .iter()
                        .filter_map(|id| shelf.products.get(id).map(|p| (*id, p.clone())))
                        .collect(),
                    promotions: shelf.promotions.clone(),
                };
            }
            if shelf.version > version {
                return Held::default();
            }
        }
        let mut shelf = self.0.write().unwrap_or_else(PoisonError::into_inner);
        if shelf.version < version {
            *shelf = Shelf {
                version,
                ..Shelf::default()
            };
        }
        Held::default()
    }

    /// Keeps what a quote read after reading `version`, if the book is still at it.
    fn keep(&self, version: i64, put: impl FnOnce(&mut Shelf)) {
        let mut shelf = self.0.write().unwrap_or_else(PoisonError::into_inner);
        if shelf.version == version {
            put(&mut shelf);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn product(id: i64, price: i64) -> Arc<PricedProduct> {
        Arc::new(PricedProduct {
            id,
            code: format!("P{id}"),
            name: format!("Produit {id}"),
            price: Decimal::new(price, 2),
            taxable: true,
            active: true,
            category_id: Some(1),
        })
    }

    fn keep_product(book: &PriceBook, version: i64, p: Arc<PricedProduct>) {
        book.keep(version, |shelf| {
            shelf.products.insert(p.id, p);
        });
    }

    #[test]
    fn the_book_answers_only_for_the_version_it_holds() {
        let book = PriceBook::new();
        assert!(book.held(3, &[7]).products.is_empty());
        keep_product(&book, 3, product(7, 100));
        assert_eq!(book.held(3, &[7]).products[&7].price, Decimal::new(100, 2));

        // a quote that read an older version gets nothing, and what it read is not kept
        assert!(book.held(2, &[7]).products.is_empty());
        keep_product(&book, 2, product(8, 1));
        assert!(!book.held(3, &[8]).products.contains_key(&8));
        assert!(book.held(3, &[7]).products.contains_key(&7));

        // a newer version empties the book; a late reader of the old one cannot refill it
        assert!(book.held(4, &[7]).products.is_empty());
        keep_product(&book, 3, product(7, 100));
        assert!(book.held(4, &[7]).products.is_empty());
        keep_product(&book, 4, product(7, 250));
        assert_eq!(book.held(4, &[7]).products[&7].price, Decimal::new(250, 2));
    }

    #[test]
    fn promotions_are_found_by_product_and_by_category() {
        let promotion = |id, products: Vec<i64>, categories: Vec<i64>| Promotion {
            id,
            name: format!("Promo {id}"),
            kind: pricing::PromotionKind::Percent(Decimal::TEN),
            product_ids: products,
            category_ids: categories,
            store_ids: Vec::new(),
            starts_on: NaiveDate::MIN,
            ends_on: NaiveDate::MAX,
            active: true,
        };
        let in_force = InForce::new(vec![
            promotion(1, vec![7], vec![]),
            promotion(2, vec![], vec![1]),
            promotion(3, vec![9], vec![5]),
            promotion(4, vec![7, 8], vec![1]),
        ]);
        let seven = product(7, 100);
        let ids: Vec<i64> = in_force
            .touching([&*seven].into_iter())
            .iter()
            .map(|p| p.id)
            .collect();
        assert_eq!(ids, [1, 2, 4]);
    }
}
