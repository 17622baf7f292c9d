//! A store's day: its registers open at 8:00, customers buy through the day (more at the
//! weekend), now and then bring something back, and the registers close at 21:30 with a small
//! cash error, before the manager asks the warehouse for what runs low.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};
use domain::sales::{CartLine, Channel, NewReturn, NewSale, Payment, ReturnLineInput};
use domain::{Actor, Error, Result, backfill, stores};
use rand::Rng;
use rand::seq::SliceRandom;
use rust_decimal::Decimal;
use sqlx::Acquire;

use super::{Seeder, local};

const RETURN_REASONS: [&str; 4] = [
    "Produit défectueux",
    "Erreur d'achat",
    "Date de péremption dépassée",
    "Emballage abîmé",
];

impl Seeder<'_> {
    pub(super) async fn store_day(
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
                backfill::open_session(self.conn, &employee, register, float, open_at).await?;
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
                backfill::close_session(&mut tx, &employee, session, counted, close_at).await?;
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
                options: Default::default(),
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
            let outcome = backfill::record_sale(&mut tx, &employee, &self.rules, &new, at).await;
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
        Ok(self.rules.taxes.totals(amounts).total)
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
        backfill::create_return(
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
                to_store_credit: false,
            },
            at,
        )
        .await?;
        self.report.returns += 1;
        Ok(())
    }
}
