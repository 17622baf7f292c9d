//! The balances a sale moves besides the stock, after its statement under the same savepoint
//! (`sell.rs`): the gift cards, points and store credit its tenders spend, the points it earns
//! (after the spends, so a refusal names the balance the customer had), and the gift cards it
//! sells. Each spend is one conditional UPDATE on the balance's row (`customers::balances`,
//! `gift_cards`), so two tills spending the same card or points at once never take it below
//! zero: the second finds too little and its sale is refused, naming what is left.

use super::Sale;
use super::SoldGiftCard;
use super::price::Priced;
use crate::{Error, Result, customers, gift_cards};
use pricing::TenderKind;

/// Spends the cart's tenders, adds its points and issues its gift cards; the refusal names the
/// balance.
pub(super) async fn apply(
    conn: &mut sqlx::PgConnection,
    cart: &Priced<'_, '_>,
    sale: &mut Sale,
) -> Result<()> {
    let actor = cart.actor;
    for tender in &cart.tenders {
        match (tender.kind, cart.customer_id) {
            (TenderKind::GiftCard, _) => {
                let code = tender.reference.as_deref().unwrap_or_default();
                gift_cards::redeem_in(conn, code, tender.amount, sale.id, actor).await?;
            }
            (TenderKind::Points, Some(customer)) => {
                let points = tender
                    .points
                    .ok_or_else(|| Error::Internal("paiement en points sans points".into()))?;
                customers::spend_points_in(conn, customer, points, sale.id, actor).await?;
            }
            (TenderKind::Credit, Some(customer)) => {
                customers::spend_credit_in(conn, customer, tender.amount, sale.id, actor).await?;
            }
            _ => {}
        }
    }
    if let (Some(customer), true) = (cart.customer_id, cart.points_earned > 0) {
        customers::earn_points_in(conn, customer, cart.points_earned, sale.id, actor).await?;
    }
    for amount in &cart.gift_cards {
        let card = gift_cards::issue_in(conn, cart.store_id, *amount, sale.id, actor).await?;
        sale.gift_cards.push(SoldGiftCard {
            code: card.code,
            amount: *amount,
        });
    }
    Ok(())
}
