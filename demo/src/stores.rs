//! The five stores, each with three registers, a manager and a cashier, and the network's
//! administrator.

use domain::staff::{self, NewEmployee};
use domain::stores::{self, NewStore};
use domain::{Actor, Result, Role};
use sqlx::PgPool;

use crate::DEMO_PASSWORD;

pub const STORES: [(&str, &str, &str); 5] = [
    (
        "Centre-Ville",
        "1200, rue Sainte-Catherine Ouest, Montréal",
        "514-555-0101",
    ),
    (
        "Banlieue",
        "455, boulevard Saint-Martin, Laval",
        "450-555-0102",
    ),
    ("Nord", "88, rue Principale, Saint-Jérôme", "450-555-0103"),
    ("Sud", "2100, chemin de Chambly, Longueuil", "450-555-0104"),
    ("Express", "5, place de la Gare, Montréal", "514-555-0105"),
];

/// The chain's (plausible) GST and QST registration numbers, printed on receipts.
pub const GST_NUMBER: &str = "123456789 RT0001";
pub const QST_NUMBER: &str = "1234567890 TQ0001";

const MANAGERS: [&str; 5] = [
    "Sophie Tremblay",
    "Marc Gagnon",
    "Julie Roy",
    "Patrick Côté",
    "Isabelle Bouchard",
];
const CASHIERS: [&str; 5] = [
    "Émilie Gauthier",
    "Samuel Morin",
    "Camille Lavoie",
    "Olivier Fortin",
    "Léa Gagné",
];
/// Average sales per day of each store.
const DAILY_SALES: [f64; 5] = [22.0, 16.0, 14.0, 12.0, 10.0];

/// A store as the history needs it: where it is, its registers and its two employees.
pub(crate) struct StoreCtx {
    pub id: i64,
    pub tz: chrono_tz::Tz,
    pub registers: Vec<i64>,
    pub manager: Actor,
    pub cashier: Actor,
    pub daily_sales: f64,
}

/// Creates the stores in order, each followed by its manager (`gerantN`) and cashier
/// (`caissierN`).
pub(crate) async fn create_stores_and_staff(db: &PgPool) -> Result<Vec<StoreCtx>> {
    let system = Actor::System;
    let mut stores_ctx = Vec::new();
    for (i, (name, address, phone)) in STORES.iter().enumerate() {
        let slug = name.to_lowercase().replace(['-', ' '], "");
        let store = stores::create_store(
            db,
            &system,
            &NewStore {
                name: (*name).into(),
                address: (*address).into(),
                phone: (*phone).into(),
                email: Some(format!("{slug}@multimagasin.example")),
                time_zone: None,
                registers: 3,
            },
        )
        .await?;
        // one chain, one registration: the same numbers on every store's receipts
        let store = stores::update_store(
            db,
            &system,
            store.id,
            &stores::StoreChanges {
                gst_number: Some(GST_NUMBER.into()),
                qst_number: Some(QST_NUMBER.into()),
                ..Default::default()
            },
        )
        .await?;
        let n = i + 1;
        let manager = staff::create_demo_employee(
            db,
            &NewEmployee {
                login: format!("gerant{n}"),
                full_name: MANAGERS[i].into(),
                password: DEMO_PASSWORD.into(),
                role: Role::Gerant,
                store_id: Some(store.id),
            },
        )
        .await?;
        let cashier = staff::create_demo_employee(
            db,
            &NewEmployee {
                login: format!("caissier{n}"),
                full_name: CASHIERS[i].into(),
                password: DEMO_PASSWORD.into(),
                role: Role::Caissier,
                store_id: Some(store.id),
            },
        )
        .await?;
        let registers = stores::list_registers(db, store.id)
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect();
        stores_ctx.push(StoreCtx {
            id: store.id,
            tz: store.tz(),
            registers,
            manager: manager.actor(),
            cashier: cashier.actor(),
            daily_sales: DAILY_SALES[i],
        });
    }
    Ok(stores_ctx)
}

/// The network's administrator (`admin`), who also runs the warehouse.
pub(crate) async fn create_admin(db: &PgPool) -> Result<Actor> {
    let admin = staff::create_demo_employee(
        db,
        &NewEmployee {
            login: "admin".into(),
            full_name: "Nathalie Bergeron".into(),
            password: DEMO_PASSWORD.into(),
            role: Role::Admin,
            store_id: None,
        },
    )
    .await?;
    Ok(admin.actor())
}
