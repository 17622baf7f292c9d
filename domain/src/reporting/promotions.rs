//! The figures of section 6 this side can compute: the gift card liability (what the cards
//! sold and not yet spent still owe, per store of issue) and each promotion's performance
//! over a period (units sold under it, revenue, and its cost: what customers saved).

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgPool};

use super::{ReportScope, authorize, snapshot};
use crate::{Actor, Result};

/// What the unspent balances of one store's cards owe.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct StoreLiability {
    pub store_id: i64,
    pub store_name: String,
    pub cards: i64,
    pub balance: Decimal,
}

/// The gift card liability now: the sum of every balance, and its split per store of issue
/// (stores without cards are absent).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GiftCardLiability {
    pub total: Decimal,
    pub cards: i64,
    pub per_store: Vec<StoreLiability>,
}

/// The liability of the network (`None`, head office) or of one store's cards (its manager).
pub async fn gift_card_liability(
    db: &PgPool,
    actor: &Actor,
    store_id: Option<i64>,
) -> Result<GiftCardLiability> {
    let mut tx = snapshot(db).await?;
    let stores = authorize(&mut tx, actor, store_id.as_slice()).await?;
    let per_store: Vec<StoreLiability> = sqlx::query_as(
        "SELECT st.id AS store_id, st.name AS store_name, count(*) AS cards,
                sum(g.balance) AS balance
         FROM gift_cards g JOIN stores st ON st.id = g.store_id
         WHERE $1::BIGINT[] IS NULL OR g.store_id = ANY($1::BIGINT[])
         GROUP BY st.id, st.name
         ORDER BY balance DESC, st.id",
    )
    .bind(stores)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(GiftCardLiability {
        total: per_store.iter().map(|s| s.balance).sum(),
        cards: per_store.iter().map(|s| s.cards).sum(),
        per_store,
    })
}

/// One promotion's sales in a period: the lines it priced.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct PromotionFigures {
    pub promotion_id: i64,
    pub name: String,
    pub kind: String,
    /// Units sold at the promotion's price.
    pub units: i64,
    /// What those lines brought in before tax (after the promotion and the discounts).
    pub revenue: Decimal,
    /// What the promotion cost: the customers' savings on those lines.
    pub cost: Decimal,
    /// Sales with at least one such line.
    pub sales: i64,
}

/// Every promotion applied in the period and scope, costliest first (the id breaks ties). The
/// period is read in each store's time zone, as every report's. Returns are not netted out:
/// the figures say what the promotion sold.
pub async fn promotion_performance(
    db: &PgPool,
    actor: &Actor,
    scope: &ReportScope,
) -> Result<Vec<PromotionFigures>> {
    scope.period.validate()?;
    let mut tx = snapshot(db).await?;
    let stores = authorize(&mut tx, actor, scope.store_id.as_slice()).await?;
    let figures = sqlx::query_as(
        "WITH scope_stores AS (
             SELECT st.id,
                    ($1::DATE::TIMESTAMP AT TIME ZONE st.time_zone) AS starts_at,
                    (($2::DATE + 1)::TIMESTAMP AT TIME ZONE st.time_zone) AS ends_at
             FROM stores st
             WHERE $3::BIGINT[] IS NULL OR st.id = ANY($3::BIGINT[]))
         SELECT p.id AS promotion_id, p.name, p.kind,
                COALESCE(sum(l.quantity), 0)::BIGINT AS units,
                COALESCE(sum(l.line_total), 0) AS revenue,
                COALESCE(sum(l.promotion_saving), 0) AS cost,
                count(DISTINCT sa.id) AS sales
         FROM scope_stores ss
         JOIN sales sa ON sa.store_id = ss.id
                      AND sa.sold_at >= ss.starts_at AND sa.sold_at < ss.ends_at
         JOIN sale_lines l ON l.sale_id = sa.id AND l.promotion_id IS NOT NULL
         JOIN promotions p ON p.id = l.promotion_id
         GROUP BY p.id, p.name, p.kind
         ORDER BY cost DESC, p.id",
    )
    .bind(scope.period.from)
    .bind(scope.period.to)
    .bind(stores)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(figures)
}
