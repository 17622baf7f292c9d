//! Reports: KPIs, sales, inventory and custom groupings, computed by `domain::reporting`.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use domain::db::PgPool;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::money_out;
use crate::error::ApiError;
use domain::reporting as r;

/// Period and store of a report; dates are days in each store's time zone, both included.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// First day (YYYY-MM-DD, from 1900-01-01); default 30 days before `date_fin`. A period
    /// covers at most 366 days.
    #[param(value_type = Option<String>, format = Date, example = "2026-11-01")]
    pub date_debut: Option<NaiveDate>,
    /// Last day (YYYY-MM-DD, until 9999-12-31), default today in the store's time zone
    /// (Quebec's for the network).
    #[param(value_type = Option<String>, format = Date, example = "2026-11-23")]
    pub date_fin: Option<NaiveDate>,
    /// One store; without it, the whole network.
    #[param(example = 1)]
    pub magasin_id: Option<i64>,
    /// Length of the top products lists (1 to 100, default 10).
    #[param(example = 10, minimum = 1, maximum = 100)]
    pub limit: Option<u32>,
}

impl PeriodQuery {
    /// The report's scope, with the defaults of `domain::reporting` for the dates left out:
    /// the last day is today in the store's time zone (Montreal's for the network), the period
    /// the default preset's 30 days.
    pub async fn scope(&self, db: &PgPool) -> Result<r::ReportScope, ApiError> {
        let today = match self.date_fin {
            // not read: the last day is given
            Some(_) => r::chain_today(),
            None => match r::report_today(db, self.magasin_id).await {
                Ok(today) => today,
                // PostgreSQL is unavailable: the chain's day, so that a cached report still
                // answers (a report read from PostgreSQL fails anyway)
                Err(e) if e.is_unavailable() => r::chain_today(),
                Err(e) => return Err(e.into()),
            },
        };
        Ok(r::ReportScope::with_defaults(
            self.date_debut,
            self.date_fin,
            self.magasin_id,
            today,
        )?)
    }

    /// The length of the top lists this query asks for, the default filled in (for cache keys).
    pub fn top(&self) -> u32 {
        self.limit.unwrap_or(r::DEFAULT_TOP)
    }
}

fn num(d: Decimal) -> f64 {
    d.round_dp(2).to_f64().unwrap_or(0.0)
}

#[derive(Serialize, ToSchema)]
pub struct Kpis {
    /// Revenue before tax.
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64, example = 15234.55)]
    pub chiffre_affaires: Decimal,
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64)]
    pub tps: Decimal,
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64)]
    pub tvq: Decimal,
    /// Revenue with taxes.
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64)]
    pub total_ttc: Decimal,
    #[schema(example = 2210)]
    pub nombre_ventes: i64,
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64, example = 6.89)]
    pub panier_moyen: Decimal,
    #[schema(example = 8123)]
    pub unites_vendues: i64,
    #[schema(example = 41)]
    pub nombre_retours: i64,
    /// Refunded, taxes included.
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64)]
    pub montant_rembourse: Decimal,
    /// Revenue minus returned goods (before tax).
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64)]
    pub chiffre_affaires_net: Decimal,
    /// Stock rows at or under their threshold now.
    #[schema(example = 7)]
    pub alertes_stock: i64,
}

impl From<r::Kpis> for Kpis {
    fn from(k: r::Kpis) -> Self {
        Kpis {
            chiffre_affaires: k.revenue,
            tps: k.tps,
            tvq: k.tvq,
            total_ttc: k.total,
            nombre_ventes: k.sales,
            panier_moyen: k.average_ticket,
            unites_vendues: k.units,
            nombre_retours: k.returns,
            montant_rembourse: k.refunded,
            chiffre_affaires_net: k.net_revenue,
            alertes_stock: k.stock_alerts,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct KpiReport {
    pub date_debut: NaiveDate,
    pub date_fin: NaiveDate,
    pub magasin_id: Option<i64>,
    #[serde(flatten)]
    pub kpis: Kpis,
}

#[derive(Serialize, ToSchema)]
pub struct StoreLine {
    pub magasin_id: i64,
    pub nom: String,
    pub nombre_ventes: i64,
    #[schema(value_type = f64)]
    pub chiffre_affaires: f64,
    pub unites_vendues: i64,
    #[schema(value_type = f64)]
    pub panier_moyen: f64,
    /// Share of the period's revenue, 0..1.
    pub part: f64,
}

#[derive(Serialize, ToSchema)]
pub struct DayLine {
    pub date: NaiveDate,
    pub nombre_ventes: i64,
    #[schema(value_type = f64)]
    pub chiffre_affaires: f64,
    pub unites_vendues: i64,
}

#[derive(Serialize, ToSchema)]
pub struct ProductLine {
    pub produit_id: i64,
    pub code: String,
    pub nom: String,
    pub categorie: String,
    pub unites_vendues: i64,
    #[schema(value_type = f64)]
    pub chiffre_affaires: f64,
}

impl From<r::ProductSales> for ProductLine {
    fn from(p: r::ProductSales) -> Self {
        ProductLine {
            produit_id: p.product_id,
            code: p.code,
            nom: p.name,
            categorie: p.category,
            unites_vendues: p.units,
            chiffre_affaires: num(p.revenue),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct SalesReport {
    pub date_debut: NaiveDate,
    pub date_fin: NaiveDate,
    pub magasin_id: Option<i64>,
    pub totaux: Kpis,
    /// Stores by revenue; stores without sales last.
    pub par_magasin: Vec<StoreLine>,
    /// Every day of the period, zero-filled.
    pub par_jour: Vec<DayLine>,
    pub top_produits_unites: Vec<ProductLine>,
    pub top_produits_chiffre_affaires: Vec<ProductLine>,
}

impl From<r::SalesReport> for SalesReport {
    fn from(s: r::SalesReport) -> Self {
        SalesReport {
            date_debut: s.scope.period.from,
            date_fin: s.scope.period.to,
            magasin_id: s.scope.store_id,
            totaux: s.totals.into(),
            par_magasin: s
                .stores
                .into_iter()
                .map(|m| StoreLine {
                    magasin_id: m.store_id,
                    nom: m.name,
                    nombre_ventes: m.sales,
                    chiffre_affaires: num(m.revenue),
                    unites_vendues: m.units,
                    panier_moyen: num(m.average_ticket),
                    part: m.share,
                })
                .collect(),
            par_jour: s
                .days
                .into_iter()
                .map(|d| DayLine {
                    date: d.day,
                    nombre_ventes: d.sales,
                    chiffre_affaires: num(d.revenue),
                    unites_vendues: d.units,
                })
                .collect(),
            top_produits_unites: s.top_by_units.into_iter().map(Into::into).collect(),
            top_produits_chiffre_affaires: s.top_by_revenue.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InventoryQuery {
    /// One store; without it, the whole network (and the warehouse).
    #[param(example = 1)]
    pub magasin_id: Option<i64>,
    /// Page of the products, from 1 (at most 1,000,000).
    #[param(example = 1, minimum = 1, maximum = 1_000_000)]
    pub page: Option<i64>,
    /// Products per page, 1 to 100 (default 20).
    #[param(example = 20, minimum = 1, maximum = 100)]
    pub size: Option<i64>,
    /// Alias of `size`.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

impl InventoryQuery {
    pub fn page(&self) -> Result<domain::PageRequest, ApiError> {
        super::PageParams {
            page: self.page,
            size: self.size,
            limit: self.limit,
        }
        .request()
    }
}

#[derive(Serialize, ToSchema)]
pub struct InventoryLine {
    pub produit_id: i64,
    pub code: String,
    pub nom: String,
    pub quantite: i64,
    pub seuil_alerte: i64,
    #[schema(example = "normal")]
    pub statut: String,
    #[schema(value_type = f64)]
    pub valeur_stock: f64,
    pub unites_vendues_30j: i64,
    /// `null` when nothing sold in 30 days.
    pub jours_de_couverture: Option<f64>,
    /// Network report: the warehouse quantity.
    pub quantite_entrepot: Option<i32>,
}

#[derive(Serialize, ToSchema)]
pub struct StatusCounts {
    pub rupture: i64,
    pub bas: i64,
    pub normal: i64,
}

#[derive(Serialize, ToSchema)]
pub struct RunOutLine {
    pub magasin_id: i64,
    pub magasin: String,
    pub produit_id: i64,
    pub code: String,
    pub nom: String,
    pub quantite: i32,
    pub jours_de_couverture: f64,
}

#[derive(Serialize, ToSchema)]
pub struct InventoryReport {
    pub magasin_id: Option<i64>,
    pub date: DateTime<Utc>,
    /// One page of the products: alerts first (rupture, then bas), then by name.
    pub produits: Vec<InventoryLine>,
    /// Products in all.
    #[schema(example = 13)]
    pub total: i64,
    #[schema(example = 1)]
    pub page: u32,
    #[schema(example = 20)]
    pub size: u32,
    #[schema(example = 1)]
    pub pages: u32,
    pub alertes: StatusCounts,
    #[schema(value_type = f64)]
    pub valeur_stock: f64,
    /// Products that will run out within 14 days at the last 30 days' pace, per store, the 100
    /// soonest.
    pub rupture_sous_14_jours: Vec<RunOutLine>,
}

impl InventoryReport {
    /// The report of one page.
    pub fn of_page(i: r::InventoryReport, page: domain::PageRequest) -> Self {
        let pages = domain::Page::new(Vec::<()>::new(), i.products_total, page);
        InventoryReport {
            total: pages.total,
            page: pages.page,
            size: pages.size,
            pages: pages.pages,
            magasin_id: i.store_id,
            date: i.as_of,
            produits: i
                .products
                .into_iter()
                .map(|p| InventoryLine {
                    produit_id: p.product_id,
                    code: p.code,
                    nom: p.name,
                    quantite: p.quantity,
                    seuil_alerte: p.alert_threshold,
                    statut: p.status.as_str().to_owned(),
                    valeur_stock: num(p.stock_value),
                    unites_vendues_30j: p.units_sold_30_days,
                    jours_de_couverture: p.days_of_cover.map(|d| (d * 10.0).round() / 10.0),
                    quantite_entrepot: p.warehouse_quantity,
                })
                .collect(),
            alertes: StatusCounts {
                rupture: i.counts.rupture,
                bas: i.counts.bas,
                normal: i.counts.normal,
            },
            valeur_stock: num(i.stock_value),
            rupture_sous_14_jours: i
                .running_out
                .into_iter()
                .map(|o| RunOutLine {
                    magasin_id: o.store_id,
                    magasin: o.store_name,
                    produit_id: o.product_id,
                    code: o.code,
                    nom: o.name,
                    quantite: o.quantity,
                    jours_de_couverture: (o.days_of_cover * 10.0).round() / 10.0,
                })
                .collect(),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"date_debut": "2026-11-01", "date_fin": "2026-11-23", "group_by": "category", "metrics": ["revenue", "units"]}))]
pub struct CustomInput {
    /// First day (from 1900-01-01); a period covers at most 366 days.
    #[schema(value_type = String, format = Date)]
    pub date_debut: NaiveDate,
    /// Last day (until 9999-12-31).
    #[schema(value_type = String, format = Date)]
    pub date_fin: NaiveDate,
    /// Stores to include (at most 100); absent or empty: the whole network.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub magasin_ids: Option<Vec<i64>>,
    /// `day`, `week`, `month`, `store`, `product` or `category`.
    #[schema(example = "day")]
    pub group_by: String,
    /// Any of `revenue`, `sales`, `units`, `average_ticket`, `returns`, `tax` (at most 6;
    /// the first ranks store, product and category groups).
    #[schema(example = json!(["revenue", "sales"]), max_items = 6)]
    pub metrics: Vec<String>,
    /// Store, product and category groupings: the first `limit` groups (1 to 1000, default
    /// 100); `total` says how many there are. Day, week and month list every one.
    #[serde(default)]
    #[schema(example = 100, minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
}

/// Most stores one custom report names.
pub const MAX_CUSTOM_STORES: usize = 100;

impl CustomInput {
    /// The number of groups listed, the default filled in (for cache keys); 0 for time
    /// groupings, which list every bucket.
    pub fn groups(&self, query: &r::CustomQuery) -> u32 {
        if query.group_by.is_time() {
            0
        } else {
            self.limit.unwrap_or(r::DEFAULT_GROUPS)
        }
    }

    pub fn query(&self) -> Result<r::CustomQuery, ApiError> {
        // one order for one set of stores (the report names them sorted anyway)
        let mut stores = self.magasin_ids.clone().unwrap_or_default();
        stores.sort_unstable();
        stores.dedup();
        let mut sizes = Vec::new();
        if stores.len() > MAX_CUSTOM_STORES {
            sizes.push(crate::error::FieldProblem {
                field: "magasin_ids".into(),
                message: format!("{MAX_CUSTOM_STORES} magasins au plus"),
            });
        }
        if self.metrics.len() > r::Metric::ALL.len() {
            sizes.push(crate::error::FieldProblem {
                field: "metrics".into(),
                message: format!("{} indicateurs au plus", r::Metric::ALL.len()),
            });
        }
        if !sizes.is_empty() {
            return Err(ApiError::Validation(sizes));
        }
        Ok(r::CustomQuery::parse(
            self.date_debut,
            self.date_fin,
            stores,
            &self.group_by,
            &self.metrics,
        )?)
    }
}

#[derive(Serialize, ToSchema)]
pub struct CustomLine {
    /// `2026-11-23`, `2026-W47`, `2026-11`, or an id.
    pub cle: String,
    pub libelle: String,
    /// One number per requested metric.
    #[schema(value_type = Object, example = json!({"revenue": 1234.5, "units": 321}))]
    pub valeurs: BTreeMap<String, serde_json::Value>,
}

#[derive(Serialize, ToSchema)]
pub struct CustomReport {
    pub date_debut: NaiveDate,
    pub date_fin: NaiveDate,
    pub magasin_ids: Vec<i64>,
    pub group_by: String,
    pub metrics: Vec<String>,
    pub lignes: Vec<CustomLine>,
    /// Groups in all (more than `lignes` when `limit` cut the list).
    #[schema(example = 13)]
    pub total: i64,
}

impl From<r::CustomReport> for CustomReport {
    fn from(c: r::CustomReport) -> Self {
        CustomReport {
            date_debut: c.period.from,
            date_fin: c.period.to,
            magasin_ids: c.store_ids,
            group_by: c.group_by.as_str().to_owned(),
            metrics: c.metrics.iter().map(|m| m.as_str().to_owned()).collect(),
            total: c.total_groups,
            lignes: c
                .rows
                .into_iter()
                .map(|row| CustomLine {
                    cle: row.key,
                    libelle: row.label,
                    valeurs: row
                        .values
                        .into_iter()
                        .map(|(m, v)| {
                            let value = if m.is_count() {
                                v.to_i64().unwrap_or(0).into()
                            } else {
                                num(v).into()
                            };
                            (m.as_str().to_owned(), value)
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}
