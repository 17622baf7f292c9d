//! The catalogue: four categories (food is not taxable) and thirteen products, each with a
//! popularity weight that drives what the customers buy.

use domain::catalog::{self, NewProduct};
use domain::{Actor, Result};
use rust_decimal::Decimal;
use sqlx::PgPool;

pub const CATEGORIES: [(&str, &str); 4] = [
    (
        "Alimentaire",
        "Produits alimentaires de base (non taxables)",
    ),
    ("Boissons", "Eaux, jus et boissons gazeuses"),
    ("Hygiène", "Soins personnels"),
    ("Ménage", "Produits d'entretien"),
];

/// (code, name, description, price in cents, category index, popularity weight)
pub const PRODUCTS: [(&str, &str, &str, i64, usize, u32); 13] = [
    ("ALI001", "Pain", "Baguette tradition", 120, 0, 10),
    ("ALI002", "Lait", "Lait demi-écrémé 1L", 110, 0, 9),
    ("ALI003", "Oeufs", "Boîte de 6 oeufs", 230, 0, 6),
    ("ALI004", "Fromage", "Emmental râpé 200g", 250, 0, 4),
    ("ALI005", "Pâtes", "Spaghetti 500g", 95, 0, 5),
    ("BOI001", "Eau minérale", "Bouteille 1.5L", 70, 1, 7),
    ("BOI002", "Jus d'orange", "Pur jus 1L", 190, 1, 5),
    ("BOI003", "Soda cola", "Bouteille 2L", 180, 1, 6),
    ("HYG001", "Shampooing", "Flacon 250ml", 350, 2, 2),
    ("HYG002", "Savon", "Pain de savon 100g", 120, 2, 3),
    ("HYG003", "Dentifrice", "Tube 75ml", 280, 2, 3),
    ("MEN001", "Liquide vaisselle", "Flacon 500ml", 210, 3, 2),
    ("MEN002", "Nettoyant sol", "Bouteille 1L", 320, 3, 2),
];

/// Creates the categories in order; their ids, in the same order.
pub(crate) async fn create_categories(db: &PgPool) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    for (name, description) in CATEGORIES {
        ids.push(
            catalog::create_category(db, &Actor::System, name, description)
                .await?
                .id,
        );
    }
    Ok(ids)
}

/// Creates the products in order, without stock; `(id, popularity weight)` of each.
pub(crate) async fn create_products(db: &PgPool, category_ids: &[i64]) -> Result<Vec<(i64, u32)>> {
    let mut products = Vec::new();
    for (code, name, description, cents, category, weight) in PRODUCTS {
        let product = catalog::create_product(
            db,
            &Actor::System,
            &NewProduct {
                code: code.into(),
                name: name.into(),
                description: description.into(),
                price: Decimal::new(cents, 2),
                category_id: category_ids[category],
                taxable: category != 0,
                active: true,
                warehouse_quantity: 0,
            },
        )
        .await?;
        products.push((product.id, weight));
    }
    Ok(products)
}
