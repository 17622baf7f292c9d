//! Sales recorded by external channels, and sales as the API shows them.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{money_out, money_out_opt};
use crate::error::{FieldProblem, contract_problems};
use crate::extract::money_opt;

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SaleLineInput {
    #[schema(example = 1)]
    pub produit_id: i64,
    /// A whole number, at least 1.
    #[schema(example = 2, minimum = 1)]
    pub quantite: i64,
}

#[derive(Deserialize, ToSchema, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum PaymentMode {
    Carte,
    Especes,
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"lignes": [{"produit_id": 1, "quantite": 2}, {"produit_id": 6, "quantite": 1}], "mode_paiement": "carte"}))]
pub struct SaleInput {
    pub lignes: Vec<SaleLineInput>,
    pub mode_paiement: PaymentMode,
    /// Cash handed over (`especes` only; default: the exact total).
    #[serde(default, deserialize_with = "money_opt")]
    #[schema(value_type = Option<f64>, example = 10.0)]
    pub montant_recu: Option<Decimal>,
}

impl SaleInput {
    /// The domain sale for this store; `client_sale_id` ties it to the idempotency key. The
    /// cart's rules (lines, quantities, cash amount) are the domain's, checked when the sale is
    /// recorded; this only checks what the contract adds (`montant_recu` is for cash), and then
    /// reports the cart's problems with it, so every problem is named at once.
    pub fn into_sale(
        self,
        store_id: i64,
        client_sale_id: String,
    ) -> Result<domain::sales::NewSale, Vec<FieldProblem>> {
        let mut contract = Vec::new();
        let payment = match self.mode_paiement {
            PaymentMode::Carte => {
                if self.montant_recu.is_some() {
                    contract.push(FieldProblem {
                        field: "montant_recu".into(),
                        message: "seulement pour un paiement en espèces".into(),
                    });
                }
                domain::sales::Payment::Card
            }
            PaymentMode::Especes => domain::sales::Payment::Cash {
                tendered: self.montant_recu,
            },
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
            options: Default::default(),
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
        }
    }
}
