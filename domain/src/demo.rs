//! The demo data set of SPEC section 1, produced deterministically (fixed random seed) through
//! the same operations the tills and the warehouse use, so stock, movements, sessions and totals
//! agree exactly: 5 stores with 3 registers, 4 categories, 13 products, 90 days of sales,
//! returns and replenishment, requests in every status, and the demo employees.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use serde::Serialize;
use sqlx::{Acquire, PgConnection, PgPool};

use crate::catalog::{self, NewProduct};
use crate::inventory::{self, Location, MovementReason, StockChange, Transition};
use crate::sales::{self, CartLine, Channel, NewReturn, NewSale, Payment, ReturnLineInput};
use crate::staff::{self, NewEmployee};
use crate::stores::{self, NewStore};
use crate::{Actor, Error, Result, Role, TaxRates};

/// Password of every demo account.
pub const DEMO_PASSWORD: &str = "demo";

/// Creates an account of the demo data set (or of a test): like
/// [`staff::create_employee`], but the password may be as short as `demo`. Demo passwords are
/// public; the web UI and the bootstrap admin never come here.
pub async fn create_demo_employee(db: &PgPool, new: &NewEmployee) -> Result<staff::Employee> {
    staff::insert_employee(db, &Actor::System, new, 1).await
}
/// Days of history.
pub const HISTORY_DAYS: i64 = 90;

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
const RETURN_REASONS: [&str; 4] = [
    "Produit défectueux",
    "Erreur d'achat",
    "Date de péremption dépassée",
    "Emballage abîmé",
];

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct DemoReport {
    pub stores: usize,
    pub products: usize,
    pub employees: usize,
    pub sales: usize,
    pub returns: usize,
    pub requests: usize,
}

/// True when the database holds no store, product or employee yet.
pub async fn is_empty(db: &PgPool) -> Result<bool> {
    Ok(sqlx::query_scalar(
        "SELECT NOT EXISTS (SELECT 1 FROM stores) AND NOT EXISTS (SELECT 1 FROM products)
            AND NOT EXISTS (SELECT 1 FROM employees)",
    )
    .fetch_one(db)
    .await?)
}

struct StoreCtx {
    id: i64,
    tz: chrono_tz::Tz,
    registers: Vec<i64>,
    manager: Actor,
    cashier: Actor,
    daily_sales: f64,
}

struct Seeder<'a> {
    conn: &'a mut PgConnection,
    rng: ChaCha8Rng,
    taxes: TaxRates,
    now: DateTime<Utc>,
    admin: Actor,
    stores: Vec<StoreCtx>,
    products: Vec<(i64, u32)>,
    /// Sales of the last days per store, candidates for returns.
    recent_sales: BTreeMap<i64, Vec<i64>>,
    /// Requests waiting for the warehouse: (request id, day it was made).
    pending: Vec<(i64, i64)>,
    /// Approved requests waiting for delivery.
    approved: Vec<(i64, i64)>,
    report: DemoReport,
}

fn local(tz: chrono_tz::Tz, day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let naive = day.and_time(NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN));
    tz.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&naive))
}

/// Fills an empty database with the demo set. Refuses (`Conflict`) when data already exists.
pub async fn seed_demo(db: &PgPool, taxes: &TaxRates) -> Result<DemoReport> {
    seed_demo_at(db, taxes, Utc::now()).await
}

/// The demo set as of `now`: the same `now` always gives the same data.
pub async fn seed_demo_at(db: &PgPool, taxes: &TaxRates, now: DateTime<Utc>) -> Result<DemoReport> {
    if !is_empty(db).await? {
        return Err(Error::Conflict(
            "La base contient déjà des données : démo non chargée.".into(),
        ));
    }
    let mut conn = db.acquire().await?;
    // Demo data can be regenerated: no need to wait for each commit to reach the disk.
    sqlx::query("SET synchronous_commit TO off")
        .execute(&mut *conn)
        .await?;
    let system = Actor::System;

    let category_ids = {
        let mut ids = Vec::new();
        for (name, description) in CATEGORIES {
            ids.push(
                catalog::create_category(db, &system, name, description)
                    .await?
                    .id,
            );
        }
        ids
    };
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
        let n = i + 1;
        let manager = create_demo_employee(
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
        let cashier = create_demo_employee(
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
    let admin = create_demo_employee(
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
    let mut products = Vec::new();
    for (code, name, description, cents, category, weight) in PRODUCTS {
        let product = catalog::create_product(
            db,
            &system,
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

    let mut seeder = Seeder {
        conn: &mut conn,
        rng: ChaCha8Rng::seed_from_u64(20_261_123),
        taxes: *taxes,
        now,
        admin: admin.actor(),
        stores: stores_ctx,
        products,
        recent_sales: BTreeMap::new(),
        pending: Vec::new(),
        approved: Vec::new(),
        report: DemoReport {
            stores: STORES.len(),
            products: PRODUCTS.len(),
            employees: 2 * STORES.len() + 1,
            ..Default::default()
        },
    };
    seeder.run().await?;
    Ok(seeder.report)
}

impl Seeder<'_> {
    async fn run(&mut self) -> Result<()> {
        let tz = self.stores[0].tz;
        let today = self.now.with_timezone(&tz).date_naive();
        let first = today - Duration::days(HISTORY_DAYS);
        self.initial_stock(local(tz, first, 6, 0)).await?;
        for offset in 1..=HISTORY_DAYS {
            let day = first + Duration::days(offset);
            self.warehouse_receipts(local(tz, day, 6, 0)).await?;
            self.warehouse_work(day, offset).await?;
            for s in 0..self.stores.len() {
                self.store_day(s, day, offset, day == today).await?;
            }
        }
        self.inventory_count_findings().await?;
        self.requests_in_every_status().await
    }

    async fn initial_stock(&mut self, at: DateTime<Utc>) -> Result<()> {
        let mut tx = self.conn.begin().await?;
        for &(product, _) in &self.products.clone() {
            let (quantity, threshold) = (
                self.rng.gen_range(500..=2000),
                self.rng.gen_range(100..=200),
            );
            set_threshold(&mut tx, Location::Warehouse, product, threshold).await?;
            initial(&mut tx, Location::Warehouse, product, quantity, at).await?;
            for store in self.stores.iter().map(|s| s.id).collect::<Vec<_>>() {
                let (quantity, threshold) =
                    (self.rng.gen_range(60..=100), self.rng.gen_range(10..=20));
                set_threshold(&mut tx, Location::Store(store), product, threshold).await?;
                initial(&mut tx, Location::Store(store), product, quantity, at).await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// The supplier refills the warehouse when it runs low.
    async fn warehouse_receipts(&mut self, at: DateTime<Utc>) -> Result<()> {
        let low: Vec<(i64, i32)> = sqlx::query_as(
            "SELECT product_id, quantity FROM central_stock WHERE quantity <= alert_threshold * 2
             ORDER BY product_id",
        )
        .fetch_all(&mut *self.conn)
        .await?;
        for (product, quantity) in low {
            let mut tx = self.conn.begin().await?;
            inventory::set_quantity(
                &mut tx,
                Location::Warehouse,
                product,
                quantity + 1500,
                &self.admin,
                "Réception fournisseur",
                at,
            )
            .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// The warehouse approves yesterday's requests (refusing a few) and delivers the approved.
    async fn warehouse_work(&mut self, day: NaiveDate, offset: i64) -> Result<()> {
        let tz = self.stores[0].tz;
        for (request, _) in std::mem::take(&mut self.approved) {
            self.transition(request, Transition::Deliver, None, local(tz, day, 7, 30))
                .await?;
        }
        for (request, made) in std::mem::take(&mut self.pending) {
            if made >= offset {
                self.pending.push((request, made));
                continue;
            }
            let roll: f64 = self.rng.r#gen();
            let at = local(tz, day, 9, 15);
            if roll < 0.04 {
                self.transition(
                    request,
                    Transition::Refuse,
                    Some("Quantité jugée excessive"),
                    at,
                )
                .await?;
            } else {
                match self
                    .transition(request, Transition::Approve, None, at)
                    .await
                {
                    Ok(()) => self.approved.push((request, offset)),
                    Err(Error::InsufficientStock { .. }) => {
                        self.transition(
                            request,
                            Transition::Refuse,
                            Some("Stock central insuffisant"),
                            at,
                        )
                        .await?;
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }

    async fn transition(
        &mut self,
        request: i64,
        transition: Transition,
        reason: Option<&str>,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.conn.begin().await?;
        inventory::transition_at(&mut tx, &self.admin, request, transition, reason, at).await?;
        tx.commit().await?;
        Ok(())
    }

    async fn store_day(
        &mut self,
        s: usize,
        day: NaiveDate,
        offset: i64,
        is_today: bool,
    ) -> Result<()> {
        let (store_id, tz) = (self.stores[s].id, self.stores[s].tz);
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let open_at = local(tz, day, 8, 0);
        if open_at > self.now {
            return Ok(());
        }
        let registers_open = if weekend { 3 } else { 2 };
        let mut sessions = Vec::new();
        for (i, &register) in self.stores[s]
            .registers
            .iter()
            .take(registers_open)
            .enumerate()
        {
            let employee = if i == 1 {
                self.stores[s].manager
            } else {
                self.stores[s].cashier
            };
            let float = Decimal::new(if i == 0 { 20_000 } else { 15_000 }, 2);
            let session =
                stores::open_session_at(self.conn, &employee, register, float, open_at).await?;
            sessions.push((register, session.id, employee));
        }

        let factor = if weekend { 1.4 } else { 1.0 } * self.rng.gen_range(0.8..1.2);
        let count = (self.stores[s].daily_sales * factor).round() as usize;
        let mut minutes: Vec<u32> = (0..count).map(|_| self.rng.gen_range(5..13 * 60)).collect();
        minutes.sort_unstable();
        for (n, minute) in minutes.into_iter().enumerate() {
            let at = open_at + Duration::minutes(i64::from(minute));
            if at > self.now {
                break;
            }
            let (register, _, employee) = sessions[self.rng.gen_range(0..sessions.len())];
            self.sale(
                store_id,
                register,
                employee,
                format!("demo-{store_id}-{day}-{n}"),
                at,
            )
            .await?;
            if self.rng.gen_bool(0.02) {
                self.return_one(store_id, register, employee, at + Duration::minutes(3))
                    .await?;
            }
        }

        if !is_today {
            let close_at = local(tz, day, 21, 30);
            for (_, session, employee) in sessions {
                let expected = stores::z_report(&mut *self.conn, session)
                    .await?
                    .expected_cash;
                let error = match self.rng.gen_range(0..10) {
                    0 => Decimal::new(-self.rng.gen_range(5..200), 2),
                    1 => Decimal::new(self.rng.gen_range(5..100), 2),
                    _ => Decimal::ZERO,
                };
                let counted = (expected + error).max(Decimal::ZERO);
                let mut tx = self.conn.begin().await?;
                stores::close_session_at(&mut tx, &employee, session, counted, close_at).await?;
                tx.commit().await?;
            }
            self.request_restock(s, offset, local(tz, day, 21, 45))
                .await?;
        }
        Ok(())
    }

    fn pick_product(&mut self) -> i64 {
        let total: u32 = self.products.iter().map(|(_, w)| w).sum();
        let mut roll = self.rng.gen_range(0..total);
        for &(id, weight) in &self.products {
            if roll < weight {
                return id;
            }
            roll -= weight;
        }
        self.products[0].0
    }

    async fn sale(
        &mut self,
        store_id: i64,
        register_id: i64,
        employee: Actor,
        client_sale_id: String,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let lines_count = self.rng.gen_range(1..=4);
        let mut lines: Vec<CartLine> = (0..lines_count)
            .map(|_| CartLine {
                product_id: self.pick_product(),
                quantity: self.rng.gen_range(1..=3),
            })
            .collect();
        let cash = self.rng.gen_bool(0.4);
        // A product out of stock is taken off the cart, as a cashier would.
        while !lines.is_empty() {
            let payment = if cash {
                Payment::Cash { tendered: None }
            } else {
                Payment::Card
            };
            let mut new = NewSale {
                client_sale_id: client_sale_id.clone(),
                channel: Channel::Till { register_id },
                lines: lines.clone(),
                payment,
            };
            if cash {
                // Customers pay with a round amount.
                let total = self.preview_total(&lines).await?;
                let step = *[Decimal::from(5), Decimal::from(10), Decimal::from(20)]
                    .choose(&mut self.rng)
                    .unwrap_or(&Decimal::ONE);
                let tendered = ((total / step).ceil() * step).max(total);
                new.payment = Payment::Cash {
                    tendered: Some(tendered),
                };
            }
            let mut tx = self.conn.begin().await?;
            let outcome = sales::record_sale_at(&mut tx, &employee, &self.taxes, &new, at).await;
            match outcome {
                Ok(outcome) => {
                    tx.commit().await?;
                    self.report.sales += 1;
                    let recent = self.recent_sales.entry(store_id).or_default();
                    recent.push(outcome.sale.id);
                    if recent.len() > 200 {
                        recent.remove(0);
                    }
                    return Ok(());
                }
                Err(Error::InsufficientStock { product_id, .. }) => {
                    lines.retain(|l| l.product_id != product_id)
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    async fn preview_total(&mut self, lines: &[CartLine]) -> Result<Decimal> {
        let mut amounts = Vec::new();
        for line in lines {
            let (price, taxable): (Decimal, bool) =
                sqlx::query_as("SELECT price, taxable FROM products WHERE id = $1")
                    .bind(line.product_id)
                    .fetch_one(&mut *self.conn)
                    .await?;
            amounts.push((price * Decimal::from(line.quantity), taxable));
        }
        Ok(self.taxes.totals(amounts).total)
    }

    async fn return_one(
        &mut self,
        store_id: i64,
        register_id: i64,
        employee: Actor,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let Some(candidates) = self.recent_sales.get(&store_id) else {
            return Ok(());
        };
        let Some(&sale_id) = candidates.choose(&mut self.rng) else {
            return Ok(());
        };
        let lines: Vec<(i64, i32)> = sqlx::query_as(
            "SELECT id, quantity - returned_quantity FROM sale_lines
             WHERE sale_id = $1 AND quantity > returned_quantity ORDER BY line_no",
        )
        .bind(sale_id)
        .fetch_all(&mut *self.conn)
        .await?;
        let Some(&(sale_line_id, left)) = lines.choose(&mut self.rng) else {
            return Ok(());
        };
        let quantity = self.rng.gen_range(1..=left);
        let reason = RETURN_REASONS[self.rng.gen_range(0..RETURN_REASONS.len())];
        sales::create_return_at(
            self.conn,
            &employee,
            &NewReturn {
                sale_id,
                lines: vec![ReturnLineInput {
                    sale_line_id,
                    quantity,
                }],
                reason: reason.into(),
                register_id: Some(register_id),
            },
            at,
        )
        .await?;
        self.report.returns += 1;
        Ok(())
    }

    /// The manager asks for what runs low at closing time.
    async fn request_restock(&mut self, s: usize, offset: i64, at: DateTime<Utc>) -> Result<()> {
        let store_id = self.stores[s].id;
        let low: Vec<(i64, i32)> = sqlx::query_as(
            "SELECT st.product_id, st.quantity FROM store_stock st
             WHERE st.store_id = $1 AND st.quantity <= st.alert_threshold + 25
               AND NOT EXISTS (SELECT 1 FROM replenishment_requests r
                               WHERE r.store_id = st.store_id AND r.product_id = st.product_id
                                 AND r.status IN ('en_attente', 'validee'))
             ORDER BY st.product_id",
        )
        .bind(store_id)
        .fetch_all(&mut *self.conn)
        .await?;
        for (product, quantity) in low {
            let manager = self.stores[s].manager;
            let request = inventory::create_request_at(
                self.conn,
                &manager,
                store_id,
                product,
                100 - quantity.min(60),
                "Réassort automatique de fin de journée",
                at,
            )
            .await?;
            self.report.requests += 1;
            if self.rng.gen_bool(0.03) {
                let mut tx = self.conn.begin().await?;
                inventory::transition_at(
                    &mut tx,
                    &manager,
                    request.id,
                    Transition::Cancel,
                    None,
                    at + Duration::minutes(5),
                )
                .await?;
                tx.commit().await?;
            } else {
                self.pending.push((request.id, offset));
            }
        }
        Ok(())
    }

    /// The last inventory count found breakage and losses: a few shelves are low or empty,
    /// so today's dashboard and stock pages show alerts.
    async fn inventory_count_findings(&mut self) -> Result<()> {
        let at = self.now - Duration::minutes(45);
        // (store index, product index, counted quantity; None = just under the threshold)
        let findings = [
            (1usize, 1usize, Some(0)),
            (2, 2, None),
            (4, 0, Some(3)),
            (0, 3, None),
        ];
        for (s, p, counted) in findings {
            let (store_id, manager) = (self.stores[s].id, self.stores[s].manager);
            let product = self.products[p].0;
            let threshold: i32 = sqlx::query_scalar(
                "SELECT alert_threshold FROM store_stock WHERE store_id = $1 AND product_id = $2",
            )
            .bind(store_id)
            .bind(product)
            .fetch_one(&mut *self.conn)
            .await?;
            let counted = counted.unwrap_or((threshold - 3).max(1));
            let mut tx = self.conn.begin().await?;
            inventory::set_quantity(
                &mut tx,
                Location::Store(store_id),
                product,
                counted,
                &manager,
                "Inventaire : casse et démarque",
                at,
            )
            .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Whatever the random history left, today shows a few requests in every status.
    async fn requests_in_every_status(&mut self) -> Result<()> {
        let at = self.now - Duration::minutes(30);
        let plan = [
            (0usize, 6usize, None),
            (1, 9, None),
            (2, 4, Some(Transition::Approve)),
            (3, 8, Some(Transition::Refuse)),
            (4, 10, Some(Transition::Cancel)),
        ];
        for (s, product_index, transition) in plan {
            let (store_id, manager) = (self.stores[s].id, self.stores[s].manager);
            let product = self.products[product_index].0;
            let request = inventory::create_request_at(
                self.conn,
                &manager,
                store_id,
                product,
                24,
                "Demande de démonstration",
                at,
            )
            .await?;
            self.report.requests += 1;
            if let Some(t) = transition {
                let (actor, reason) = match t {
                    Transition::Cancel => (manager, None),
                    Transition::Refuse => (self.admin, Some("Produit en fin de série")),
                    _ => (self.admin, None),
                };
                let mut tx = self.conn.begin().await?;
                inventory::transition_at(
                    &mut tx,
                    &actor,
                    request.id,
                    t,
                    reason,
                    at + Duration::minutes(10),
                )
                .await?;
                tx.commit().await?;
            }
        }
        Ok(())
    }
}

async fn set_threshold(
    conn: &mut PgConnection,
    location: Location,
    product: i64,
    threshold: i32,
) -> Result<()> {
    match location {
        Location::Store(store) => sqlx::query(
            "UPDATE store_stock SET alert_threshold = $3 WHERE store_id = $1 AND product_id = $2",
        )
        .bind(store)
        .bind(product)
        .bind(threshold)
        .execute(&mut *conn)
        .await?,
        Location::Warehouse => {
            sqlx::query("UPDATE central_stock SET alert_threshold = $2 WHERE product_id = $1")
                .bind(product)
                .bind(threshold)
                .execute(&mut *conn)
                .await?
        }
    };
    Ok(())
}

async fn initial(
    conn: &mut PgConnection,
    location: Location,
    product: i64,
    quantity: i32,
    at: DateTime<Utc>,
) -> Result<()> {
    inventory::change_stock(
        conn,
        &StockChange {
            location,
            product_id: product,
            delta: quantity,
            reason: MovementReason::Initial,
            actor: &Actor::System,
            note: "Stock initial",
            at,
        },
    )
    .await?;
    Ok(())
}
