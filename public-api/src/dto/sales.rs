//! Sales recorded by external channels, sales as the API shows them, and the sales list for
//! accounting (`GET /sales`).

use chrono::{DateTime, NaiveDate, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{money_out, money_out_opt};
use crate::error::{ApiError, FieldProblem, contract_problems};
use crate::extract::{check_money, money, money_opt};

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaleLineInput {
    #[schema(example = 1)]
    pub produit_id: i64,
    /// A whole number, at least 1.
    #[schema(example = 2, minimum = 1)]
    pub quantite: i64,
    /// A manual discount on this product's line (after its promotion).
    #[serde(default)]
    pub remise: Option<DiscountInput>,
}

#[derive(Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PaymentMode {
    Carte,
    Especes,
}

/// A tender's kind: `carte_cadeau` needs the card's code in `reference`; `points` and
/// `credit` need `client_id`.
#[derive(Deserialize, Serialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum TenderMode {
    Especes,
    Carte,
    CarteCadeau,
    Credit,
    Points,
}

impl From<TenderMode> for domain::sales::TenderKind {
    fn from(mode: TenderMode) -> Self {
        use domain::sales::TenderKind;
        match mode {
            TenderMode::Especes => TenderKind::Cash,
            TenderMode::Carte => TenderKind::Card,
            TenderMode::CarteCadeau => TenderKind::GiftCard,
            TenderMode::Credit => TenderKind::Credit,
            TenderMode::Points => TenderKind::Points,
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TenderInput {
    pub mode: TenderMode,
    /// What this tender pays; only cash may exceed what is due (the change is given in cash).
    #[serde(deserialize_with = "money")]
    #[schema(value_type = f64, example = 10.0)]
    pub montant: Decimal,
    /// The gift card's 16-digit code, or a card terminal's authorisation.
    #[serde(default)]
    #[schema(example = "4000123412341234")]
    pub reference: Option<String>,
}

#[derive(Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum DiscountKind {
    Pourcentage,
    Montant,
}

/// A manual discount: `pourcentage` (0 to 100) or `montant` ($, at most the amount).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DiscountInput {
    #[serde(rename = "type")]
    pub kind: DiscountKind,
    #[serde(deserialize_with = "money")]
    #[schema(value_type = f64, example = 10.0)]
    pub valeur: Decimal,
}

impl DiscountInput {
    fn to_domain(&self) -> domain::sales::Discount {
        match self.kind {
            DiscountKind::Pourcentage => domain::sales::Discount::Percent(self.valeur),
            DiscountKind::Montant => domain::sales::Discount::Amount(self.valeur),
        }
    }
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"lignes": [{"produit_id": 1, "quantite": 2}, {"produit_id": 6, "quantite": 1}], "client_id": 12, "paiements": [{"mode": "carte_cadeau", "montant": 2.0, "reference": "4000123412341234"}, {"mode": "carte", "montant": 1.21}]}))]
pub struct SaleInput {
    pub lignes: Vec<SaleLineInput>,
    /// One payment of the whole total (`paiements` says more; give one or the other).
    #[serde(default)]
    pub mode_paiement: Option<PaymentMode>,
    /// Cash handed over (`especes` only; default: the exact total).
    #[serde(default, deserialize_with = "money_opt")]
    #[schema(value_type = Option<f64>, example = 10.0)]
    pub montant_recu: Option<Decimal>,
    /// Several tenders whose sum is the total (only cash may exceed it, giving change).
    #[serde(default)]
    pub paiements: Option<Vec<TenderInput>>,
    /// The customer, who earns points and may pay with points or store credit.
    #[serde(default)]
    #[schema(example = 12)]
    pub client_id: Option<i64>,
    /// A manual discount on the whole cart, spread over its lines.
    #[serde(default)]
    pub remise: Option<DiscountInput>,
}

impl SaleInput {
    /// The domain sale for this store; `client_sale_id` ties it to the idempotency key. The
    /// cart's rules (lines, quantities, amounts, tenders) are the domain's, checked when the
    /// sale is recorded; this only checks what the contract adds (`montant_recu` is for cash,
    /// one way to pay), and then reports the cart's problems with it, so every problem is
    /// named at once.
    pub fn into_sale(
        self,
        store_id: i64,
        client_sale_id: String,
    ) -> Result<domain::sales::NewSale, Vec<FieldProblem>> {
        let mut contract = Vec::new();
        let mut problem = |field: &str, message: &str| {
            contract.push(FieldProblem {
                field: field.into(),
                message: message.into(),
            })
        };
        for (i, t) in self.paiements.iter().flatten().enumerate() {
            let mut money = Vec::new();
            check_money(&mut money, &format!("paiements[{i}].montant"), t.montant);
            for p in money {
                problem(&p.field, &p.message);
            }
        }
        let payment = match (self.mode_paiement, self.paiements) {
            (Some(_), Some(_)) => {
                problem("paiements", "ne pas combiner avec mode_paiement");
                domain::sales::Payment::Card
            }
            (None, None) => {
                problem("paiements", "mode_paiement ou paiements est requis");
                domain::sales::Payment::Card
            }
            (None, Some(tenders)) => {
                if self.montant_recu.is_some() {
                    problem("montant_recu", "seulement avec mode_paiement especes");
                }
                domain::sales::Payment::Tenders(
                    tenders
                        .into_iter()
                        .map(|t| domain::sales::Tender {
                            kind: t.mode.into(),
                            amount: t.montant,
                            reference: t.reference,
                        })
                        .collect(),
                )
            }
            (Some(PaymentMode::Carte), None) => {
                if self.montant_recu.is_some() {
                    problem("montant_recu", "seulement pour un paiement en espèces");
                }
                domain::sales::Payment::Card
            }
            (Some(PaymentMode::Especes), None) => domain::sales::Payment::Cash {
                tendered: self.montant_recu,
            },
        };
        let options = domain::sales::SaleOptions {
            customer_id: self.client_id,
            line_discounts: self
                .lignes
                .iter()
                .filter_map(|l| l.remise.as_ref().map(|d| (l.produit_id, d.to_domain())))
                .collect(),
            discount: self.remise.as_ref().map(DiscountInput::to_domain),
            approved_by: None,
            gift_cards: Vec::new(),
        };
        let sale = domain::sales::NewSale {
            client_sale_id,
            channel: domain::sales::Channel::External { store_id },
            lines: self
                .lignes
                .iter()
                .map(|line| domain::sales::CartLine {
                    product_id: line.produit_id,
                    // beyond `i32`, the domain refuses the quantity as it refuses any too large
                    quantity: i32::try_from(line.quantite).unwrap_or(if line.quantite < 0 {
                        i32::MIN
                    } else {
                        i32::MAX
                    }),
                })
                .collect(),
            payment,
            options,
        };
        if contract.is_empty() {
            return Ok(sale);
        }
        let mut problems = match sale.validate() {
            Err(domain::Error::Validation(errors)) => contract_problems(&errors),
            _ => Vec::new(),
        };
        problems.append(&mut contract);
        Err(problems)
    }
}

#[derive(Serialize, ToSchema)]
pub struct SaleLine {
    #[schema(example = 1)]
    pub produit_id: i64,
    #[schema(example = "ALI001")]
    pub code: String,
    #[schema(example = "Pain")]
    pub nom: String,
    #[schema(example = 2)]
    pub quantite: i32,
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64, example = 1.20)]
    pub prix_unitaire: Decimal,
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64, example = 2.40)]
    pub total: Decimal,
    /// Units already returned.
    #[schema(example = 0)]
    pub quantite_retournee: i32,
    /// The catalogue's unit price (`prix_unitaire` is after the promotion).
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64, example = 1.20)]
    pub prix_original: Decimal,
    /// The promotion applied to the line, if any.
    #[schema(example = json!(null))]
    pub promotion_id: Option<i64>,
    /// Manual discounts on the line (its own and its share of the cart's).
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64, example = 0.0)]
    pub remise: Decimal,
}

/// One tender of a sale: what it paid (cash net of the change).
#[derive(Serialize, ToSchema)]
pub struct SalePayment {
    #[schema(example = "carte")]
    pub mode: String,
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64, example = 3.21)]
    pub montant: Decimal,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct ReturnLine {
    #[schema(example = 1)]
    pub produit_id: i64,
    #[schema(example = 1)]
    pub quantite: i32,
}

#[derive(Serialize, ToSchema)]
pub struct SaleReturn {
    #[schema(example = 3)]
    pub id: i64,
    pub date_heure: DateTime<Utc>,
    #[schema(example = "Produit défectueux")]
    pub motif: String,
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64, example = 1.20)]
    pub montant_rembourse: Decimal,
    pub lignes: Vec<ReturnLine>,
}

#[derive(Serialize, ToSchema)]
pub struct Sale {
    #[schema(example = 7401)]
    pub id: i64,
    #[schema(example = 1)]
    pub magasin_id: i64,
    /// `null` for a sale from an external channel.
    #[schema(example = 1)]
    pub caisse_id: Option<i64>,
    pub date_heure: DateTime<Utc>,
    pub lignes: Vec<SaleLine>,
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64, example = 3.10)]
    pub sous_total: Decimal,
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64, example = 0.04)]
    pub tps: Decimal,
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64, example = 0.07)]
    pub tvq: Decimal,
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64, example = 3.21)]
    pub total: Decimal,
    #[schema(example = "carte")]
    pub mode_paiement: String,
    #[serde(
        serialize_with = "money_out_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<f64>, example = 5.0)]
    pub montant_recu: Option<Decimal>,
    #[serde(
        serialize_with = "money_out_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<f64>, example = 1.79)]
    pub monnaie_rendue: Option<Decimal>,
    pub retours: Vec<SaleReturn>,
    /// What promotions and manual discounts took off, before tax.
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64, example = 0.0)]
    pub remise_totale: Decimal,
    pub paiements: Vec<SalePayment>,
    #[schema(example = 3)]
    pub points_gagnes: i64,
    #[schema(example = json!(null))]
    pub client_id: Option<i64>,
}

impl From<domain::sales::Sale> for Sale {
    fn from(s: domain::sales::Sale) -> Self {
        Sale {
            id: s.id,
            magasin_id: s.store_id,
            caisse_id: s.register_id,
            date_heure: s.sold_at,
            lignes: s
                .lines
                .iter()
                .map(|l| SaleLine {
                    produit_id: l.product_id,
                    code: l.product_code.clone(),
                    nom: l.product_name.clone(),
                    quantite: l.quantity,
                    prix_unitaire: l.unit_price,
                    total: l.line_total,
                    quantite_retournee: l.returned_quantity,
                    prix_original: l.original_price,
                    promotion_id: l.promotion_id,
                    remise: l.line_discount + l.cart_discount,
                })
                .collect(),
            sous_total: s.subtotal,
            tps: s.tps,
            tvq: s.tvq,
            total: s.total,
            mode_paiement: s.payment_method.as_str().to_owned(),
            montant_recu: s.amount_tendered,
            monnaie_rendue: s.change_given,
            retours: s
                .returns
                .iter()
                .map(|r| SaleReturn {
                    id: r.id,
                    date_heure: r.returned_at,
                    motif: r.reason.clone(),
                    montant_rembourse: r.refund_amount,
                    lignes: r
                        .lines
                        .iter()
                        .map(|l| ReturnLine {
                            produit_id: l.product_id,
                            quantite: l.quantity,
                        })
                        .collect(),
                })
                .collect(),
            remise_totale: s.savings(),
            paiements: s
                .payments
                .iter()
                .map(|p| SalePayment {
                    mode: p.mode.as_str().to_owned(),
                    montant: p.amount,
                    reference: p.reference.clone(),
                })
                .collect(),
            points_gagnes: s.points_earned,
            client_id: s.customer_id,
        }
    }
}

/// A cart priced as it would be sold (`POST /stores/{id}/sales/quote`): nothing is written.
#[derive(Serialize, ToSchema)]
pub struct SaleQuote {
    #[schema(example = 1)]
    pub magasin_id: i64,
    pub lignes: Vec<SaleLine>,
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64, example = 3.10)]
    pub sous_total: Decimal,
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64, example = 0.04)]
    pub tps: Decimal,
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64, example = 0.07)]
    pub tvq: Decimal,
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64, example = 3.21)]
    pub total: Decimal,
    #[serde(serialize_with = "money_out")]
    #[schema(value_type = f64, example = 0.0)]
    pub remise_totale: Decimal,
    pub paiements: Vec<SalePayment>,
    #[serde(
        serialize_with = "money_out_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[schema(value_type = Option<f64>, example = 1.79)]
    pub monnaie_rendue: Option<Decimal>,
    #[schema(example = 3)]
    pub points_gagnes: i64,
    #[schema(example = json!(null))]
    pub client_id: Option<i64>,
}

impl From<domain::sales::Sale> for SaleQuote {
    fn from(s: domain::sales::Sale) -> Self {
        let sale = Sale::from(s);
        SaleQuote {
            magasin_id: sale.magasin_id,
            lignes: sale.lignes,
            sous_total: sale.sous_total,
            tps: sale.tps,
            tvq: sale.tvq,
            total: sale.total,
            remise_totale: sale.remise_totale,
            paiements: sale.paiements,
            monnaie_rendue: sale.monnaie_rendue,
            points_gagnes: sale.points_gagnes,
            client_id: sale.client_id,
        }
    }
}

/// The query of `GET /sales`: a period of days, each store's in its own time zone, and the
/// cursor.
#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SalesListQuery {
    /// First day (YYYY-MM-DD), included. A period covers at most 366 days.
    #[param(required = true, value_type = String, format = Date, example = "2026-11-01")]
    pub date_debut: Option<NaiveDate>,
    /// Last day (YYYY-MM-DD), included.
    #[param(required = true, value_type = String, format = Date, example = "2026-11-30")]
    pub date_fin: Option<NaiveDate>,
    /// One store; without it, every store.
    #[param(example = 1)]
    pub magasin_id: Option<i64>,
    /// The cursor: the `next_after` of the previous page (0, the default, for the first).
    #[param(example = 0, minimum = 0)]
    pub after: Option<i64>,
    /// Sales per page, 1 to 500 (default 100).
    #[param(example = 100, minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
}

impl SalesListQuery {
    /// The domain's request; the rules on the values (period, limit, cursor) are the domain's.
    pub fn request(
        &self,
        stores: Option<Vec<i64>>,
    ) -> Result<domain::sales::SalesListRequest, ApiError> {
        let (from, to) = match (self.date_debut, self.date_fin) {
            (Some(from), Some(to)) => (from, to),
            (from, to) => {
                let missing = [("date_debut", from), ("date_fin", to)];
                return Err(ApiError::Validation(
                    missing
                        .iter()
                        .filter(|(_, date)| date.is_none())
                        .map(|(field, _)| FieldProblem {
                            field: (*field).into(),
                            message: "obligatoire (AAAA-MM-JJ)".into(),
                        })
                        .collect(),
                ));
            }
        };
        Ok(domain::sales::SalesListRequest {
            period: domain::reporting::Period { from, to },
            store_id: self.magasin_id,
            stores,
            after: self.after.unwrap_or(0),
            limit: self.limit.unwrap_or(domain::sales::DEFAULT_SALES_LIMIT),
        })
    }
}

/// A page of the sales list, by increasing id.
#[derive(Serialize, ToSchema)]
pub struct SalesPage {
    /// Each sale as `GET /sales/{id}` shows it.
    pub items: Vec<Sale>,
    /// The `after` of the next page; `null` on the last page.
    #[schema(example = 7501)]
    pub next_after: Option<i64>,
}

impl From<domain::sales::SalesList> for SalesPage {
    fn from(list: domain::sales::SalesList) -> Self {
        SalesPage {
            items: list.items.into_iter().map(Sale::from).collect(),
            next_after: list.next_after,
        }
    }
}
