//! The promotions a sale or a quote applies: active, in their dates on the store's local day,
//! in that store (listed, or every store), on one of the cart's products or their categories.
//! One statement, driven by the indexes of the link tables (products, categories), since it
//! runs for every sale and quote. They are handed over as [`pricing::Promotion`]s: the pure
//! crate picks the best one per line, the same way at the till, in the API and offline.

use chrono::NaiveDate;
use sqlx::PgConnection;

use super::{PROMOTION_COLUMNS, Promotion};
use crate::{Error, Result};

/// The current promotions of `store_id` on `local_date` touching any of `product_ids`, by id.
pub async fn current_promotions(
    conn: &mut PgConnection,
    store_id: i64,
    local_date: NaiveDate,
    product_ids: &[i64],
) -> Result<Vec<pricing::Promotion>> {
    if product_ids.is_empty() {
        return Ok(Vec::new());
    }
    let found: Vec<Promotion> = sqlx::query_as(&format!(
        "WITH candidates AS (
             SELECT pp.promotion_id FROM promotion_products pp
             WHERE pp.product_id = ANY($3::BIGINT[])
             UNION
             SELECT pc.promotion_id FROM products pr
             JOIN promotion_categories pc ON pc.category_id = pr.category_id
             WHERE pr.id = ANY($3::BIGINT[]))
         SELECT {PROMOTION_COLUMNS}
         FROM candidates c JOIN promotions p ON p.id = c.promotion_id
         WHERE p.active AND p.starts_on <= $2 AND p.ends_on >= $2
           AND (NOT EXISTS (SELECT 1 FROM promotion_stores ps WHERE ps.promotion_id = p.id)
                OR EXISTS (SELECT 1 FROM promotion_stores ps
                           WHERE ps.promotion_id = p.id AND ps.store_id = $1))
         ORDER BY p.id"
    ))
    .bind(store_id)
    .bind(local_date)
    .bind(product_ids)
    .fetch_all(conn)
    .await?;
    found.into_iter().map(Promotion::into_pricing).collect()
}

impl Promotion {
    /// The promotion in the pricing crate's form. A stored row breaking the kind's shape (which
    /// the table's CHECK forbids) is an internal error rather than a silently skipped rule.
    pub fn into_pricing(self) -> Result<pricing::Promotion> {
        use super::PromotionKind as K;
        use pricing::PromotionKind as P;
        let broken = || Error::Internal(format!("promotion {} mal formée", self.id));
        let kind = match (self.kind, self.value, self.buy, self.pay) {
            (K::Pourcentage, Some(x), _, _) => P::Percent(x),
            (K::Montant, Some(x), _, _) => P::AmountOff(x),
            (K::PrixFixe, Some(x), _, _) => P::FixedPrice(x),
            (K::Lot, _, Some(buy), Some(pay)) => P::Lot { buy, pay },
            _ => return Err(broken()),
        };
        Ok(pricing::Promotion {
            id: self.id,
            name: self.name,
            kind,
            product_ids: self.product_ids,
            category_ids: self.category_ids,
            store_ids: self.store_ids,
            starts_on: self.starts_on,
            ends_on: self.ends_on,
            active: self.active,
        })
    }
}

/// Every active promotion that has not ended (with two days to spare for the stores' time
/// zones), for a price book: it stays right on later days, since [`pricing`] checks each
/// promotion's dates against the store's local date.
pub(crate) async fn promotions_in_force(
    conn: &mut PgConnection,
) -> Result<Vec<pricing::Promotion>> {
    let found: Vec<Promotion> = sqlx::query_as(&format!(
        "SELECT {PROMOTION_COLUMNS} FROM promotions p
         WHERE p.active AND p.ends_on >= CURRENT_DATE - 2 ORDER BY p.id"
    ))
    .fetch_all(conn)
    .await?;
    found.into_iter().map(Promotion::into_pricing).collect()
}
