//! The store floor's report figures add up from the sales themselves.

use domain::reporting::{Period, ReportScope, selling_report};
use domain::sales::{SaleOptions, TenderKind};
use rust_decimal_macros::dec;
use sqlx::PgPool;

use super::*;
use crate::world::*;

#[sqlx::test(migrator = "domain::MIGRATOR")]
async fn discounts_tenders_promotions_and_what_is_owed(db: PgPool) {
    let w = world(&db).await;
    open_register(&db, &w).await;
    let soap = product(&db, &w, "HYG002", 200, false, 50, 0).await;
    promotion(
        &db,
        "Savon -1 $",
        "montant",
        dec!(1.00),
        soap,
        (-1, 1),
        true,
    )
    .await;
    let client = customer(&db, "2000000000055", 40, dec!(3.00)).await;
    gift_card(&db, w.store, "4000000000000036", dec!(25.00)).await;
    // 2 savons at 1.00 (promotion saves 2.00), 10 % off the cart (0.20): 1.80, by card + cash
    let first = store_sale(
        "r1",
        w.register,
        &[(soap, 2)],
        vec![
            tender(TenderKind::Card, 100, None),
            tender(TenderKind::Cash, 500, None),
        ],
        SaleOptions {
            customer_id: Some(client),
            discount: Some(percent(10)),
            ..Default::default()
        },
    );
    sell(&db, &w.cashier, &first).await.unwrap();
    // 1 savon at 1.00 on the gift card
    let second = store_sale(
        "r2",
        w.register,
        &[(soap, 1)],
        vec![tender(TenderKind::GiftCard, 100, Some("4000000000000036"))],
        SaleOptions::default(),
    );
    sell(&db, &w.cashier, &second).await.unwrap();

    let today = chrono::Utc::now().date_naive();
    let scope = ReportScope {
        period: Period {
            from: today - chrono::Duration::days(1),
            to: today + chrono::Duration::days(1),
        },
        store_id: Some(w.store),
    };
    let report = selling_report(&db, &w.manager, &scope).await.unwrap();
    assert_eq!(report.promotion_savings, dec!(3.00));
    assert_eq!(report.manual_discounts, dec!(0.20));
    let tenders: Vec<_> = report
        .tenders
        .iter()
        .map(|t| (t.mode.as_str(), t.payments, t.amount))
        .collect();
    assert_eq!(
        tenders,
        [
            ("carte", 1, dec!(1.00)),
            ("carte_cadeau", 1, dec!(1.00)),
            ("especes", 1, dec!(0.80))
        ]
    );
    assert_eq!(report.promotions.len(), 1);
    assert_eq!(report.promotions[0].units, 3);
    assert_eq!(report.promotions[0].cost, dec!(3.00));
    assert_eq!(report.gift_cards.total, dec!(24.00));
    // 40 points + 1 earned on 1.80
    assert_eq!(report.points_outstanding, 41);
    assert_eq!(report.credit_outstanding, dec!(3.00));
    // a cashier reads no report
    assert!(selling_report(&db, &w.cashier, &scope).await.is_err());
}
