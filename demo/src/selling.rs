//! The store floor's demo data (SPEC section 6): three regular customers with loyalty points,
//! and two promotions running around `now` (a weekend-style percentage on shampoo, three soaps
//! for two), so the till shows promotions and points from the first sale.

use chrono::{DateTime, Duration, Utc};
use rust_decimal::Decimal;
use sqlx::PgPool;

use domain::customers::{self, NewCustomer};
use domain::promotions::{self, NewPromotion};
use domain::{Actor, Result};

/// `(name, email, phone, points)` of the demo customers, created in this order (ids 1..3).
const CUSTOMERS: [(&str, &str, &str, i64); 3] = [
    (
        "Marie Tremblay",
        "marie.tremblay@example.com",
        "5145550101",
        1250,
    ),
    ("Jean Gagnon", "jean.gagnon@example.com", "4385550102", 340),
    ("Sophie Roy", "", "5145550103", 0),
];

/// Creates the customers and promotions; `products` are the demo products' ids in catalogue
/// order (shampoo is the ninth, soap the tenth).
pub(crate) async fn create(
    db: &PgPool,
    admin: &Actor,
    products: &[i64],
    now: DateTime<Utc>,
) -> Result<()> {
    for (name, email, phone, points) in CUSTOMERS {
        let customer = customers::create_customer(
            db,
            admin,
            &NewCustomer {
                name: name.into(),
                email: email.into(),
                phone: phone.into(),
                marketing_consent: !email.is_empty(),
            },
        )
        .await?;
        if points > 0 {
            customers::adjust_points(db, admin, customer.id, points, "Solde d'ouverture").await?;
        }
    }
    let today = now.date_naive();
    let promotion =
        |name: &str, kind: &str, value, lot: Option<(i32, i32)>, product| NewPromotion {
            name: name.into(),
            kind: kind.into(),
            value,
            buy: lot.map(|l| l.0),
            pay: lot.map(|l| l.1),
            product_ids: vec![product],
            category_ids: Vec::new(),
            store_ids: Vec::new(),
            starts_on: today - Duration::days(2),
            ends_on: today + Duration::days(30),
            active: true,
        };
    if let (Some(&shampoo), Some(&soap)) = (products.get(8), products.get(9)) {
        let shampoo = promotion(
            "Shampooing -20 %",
            "pourcentage",
            Some(Decimal::from(20)),
            None,
            shampoo,
        );
        promotions::create_promotion(db, admin, &shampoo).await?;
        let soap = promotion("Savon 3 pour 2", "lot", None, Some((3, 2)), soap);
        promotions::create_promotion(db, admin, &soap).await?;
    }
    Ok(())
}
