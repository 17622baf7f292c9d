//! The store floor's figures of a period (SPEC section 6): discounts given, by hand and by
//! promotions; what each tender brought in; each promotion's units, revenue and cost; and what
//! the chain owes now: the gift card liability, the loyalty points and store credit outstanding.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgPool};

use super::{
    GiftCardLiability, PromotionFigures, ReportScope, gift_card_liability, promotion_performance,
};
use super::{authorize, snapshot};
use crate::{Actor, Result};

/// What one tender brought in during the period (cash net of the change).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct TenderFigures {
    /// `especes`, `carte`, `carte_cadeau`, `credit`, `points`.
    pub mode: String,
    pub payments: i64,
    pub amount: Decimal,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SellingReport {
    /// What promotions took off, before tax.
    pub promotion_savings: Decimal,
    /// What cashiers and managers gave by hand (line and cart discounts), before tax.
    pub manual_discounts: Decimal,
    /// Sales with a manual discount above the cashier's limit, approved by a manager.
    pub approved_discounts: i64,
    pub tenders: Vec<TenderFigures>,
    pub promotions: Vec<PromotionFigures>,
    pub gift_cards: GiftCardLiability,
    /// Points held by customers (network-wide: a customer shops anywhere in the chain).
    pub points_outstanding: i64,
    pub credit_outstanding: Decimal,
}

#[derive(FromRow)]
struct Discounts {
    promotion_savings: Decimal,
    manual_discounts: Decimal,
    approved_discounts: i64,
}

/// The period's figures for the network (head office) or one store (its manager), each period
/// day read in the store's time zone like every report.
pub async fn selling_report(
    db: &PgPool,
    actor: &Actor,
    scope: &ReportScope,
) -> Result<SellingReport> {
    scope.period.validate()?;
    let mut tx = snapshot(db).await?;
    let stores = authorize(&mut tx, actor, scope.store_id.as_slice()).await?;
    const SCOPE: &str = "WITH scope_stores AS (
             SELECT st.id,
                    ($1::DATE::TIMESTAMP AT TIME ZONE st.time_zone) AS starts_at,
                    (($2::DATE + 1)::TIMESTAMP AT TIME ZONE st.time_zone) AS ends_at
             FROM stores st
             WHERE $3::BIGINT[] IS NULL OR st.id = ANY($3::BIGINT[])),
         scoped AS (
             SELECT sa.* FROM scope_stores ss
             JOIN sales sa ON sa.store_id = ss.id
                          AND sa.sold_at >= ss.starts_at AND sa.sold_at < ss.ends_at)";
    let discounts: Discounts = sqlx::query_as(&format!(
        "{SCOPE}
         SELECT COALESCE(sum(promotion_savings), 0) AS promotion_savings,
                COALESCE(sum(manual_discounts), 0) AS manual_discounts,
                count(discount_approved_by) AS approved_discounts
         FROM scoped"
    ))
    .bind(scope.period.from)
    .bind(scope.period.to)
    .bind(&stores)
    .fetch_one(&mut *tx)
    .await?;
    let tenders: Vec<TenderFigures> = sqlx::query_as(&format!(
        "{SCOPE}
         SELECT p.mode, count(*) AS payments, sum(p.amount) AS amount
         FROM scoped sa JOIN sale_payments p ON p.sale_id = sa.id
         GROUP BY p.mode ORDER BY amount DESC, p.mode"
    ))
    .bind(scope.period.from)
    .bind(scope.period.to)
    .bind(&stores)
    .fetch_all(&mut *tx)
    .await?;
    let (points_outstanding, credit_outstanding): (i64, Decimal) = sqlx::query_as(
        "SELECT COALESCE(sum(points), 0)::BIGINT, COALESCE(sum(credit), 0) FROM customers",
    )
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(SellingReport {
        promotion_savings: discounts.promotion_savings,
        manual_discounts: discounts.manual_discounts,
        approved_discounts: discounts.approved_discounts,
        tenders,
        promotions: promotion_performance(db, actor, scope).await?,
        gift_cards: gift_card_liability(db, actor, scope.store_id).await?,
        points_outstanding,
        credit_outstanding,
    })
}
