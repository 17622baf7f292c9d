//! The warehouse and replenishment: the supplier refills the warehouse, the warehouse approves
//! (or refuses) yesterday's requests and delivers the approved ones, managers ask for what runs
//! low, and today ends with inventory findings and a request in every status.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use domain::inventory::{Location, Transition};
use domain::{Error, Result, backfill};
use rand::Rng;
use sqlx::Acquire;

use super::{Seeder, local};

impl Seeder<'_> {
    /// The supplier refills the warehouse when it runs low.
    pub(super) async fn warehouse_receipts(&mut self, at: DateTime<Utc>) -> Result<()> {
        let low: Vec<(i64, i32)> = sqlx::query_as(
            "SELECT product_id, quantity FROM central_stock WHERE quantity <= alert_threshold * 2
             ORDER BY product_id",
        )
        .fetch_all(&mut *self.conn)
        .await?;
        for (product, quantity) in low {
            let mut tx = self.conn.begin().await?;
            backfill::count_stock(
                &mut tx,
                &self.admin,
                Location::Warehouse,
                product,
                quantity + 1500,
                "Réception fournisseur",
                at,
            )
            .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// The warehouse approves yesterday's requests (refusing a few) and delivers the approved.
    pub(super) async fn warehouse_work(&mut self, day: NaiveDate, offset: i64) -> Result<()> {
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
        backfill::transition(&mut tx, &self.admin, request, transition, reason, at).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The manager asks for what runs low at closing time.
    pub(super) async fn request_restock(
        &mut self,
        s: usize,
        offset: i64,
        at: DateTime<Utc>,
    ) -> Result<()> {
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
            let request = backfill::create_request(
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
                backfill::transition(
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
    pub(super) async fn inventory_count_findings(&mut self) -> Result<()> {
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
            backfill::count_stock(
                &mut tx,
                &manager,
                Location::Store(store_id),
                product,
                counted,
                "Inventaire : casse et démarque",
                at,
            )
            .await?;
            tx.commit().await?;
        }
        Ok(())
    }

    /// Whatever the random history left, today shows a few requests in every status.
    pub(super) async fn requests_in_every_status(&mut self) -> Result<()> {
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
            let request = backfill::create_request(
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
                backfill::transition(
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
