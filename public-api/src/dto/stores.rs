//! Stores and stock levels.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ApiError, FieldProblem};
use crate::extract::{Patch, finish};

#[derive(Serialize, ToSchema)]
pub struct Store {
    #[schema(example = 1)]
    pub id: i64,
    #[schema(example = "Centre-Ville")]
    pub nom: String,
    #[schema(example = "1200, rue Sainte-Catherine Ouest, Montréal")]
    pub adresse: String,
    #[schema(example = "514-555-0101")]
    pub telephone: String,
    #[schema(example = "centreville@multimagasin.example")]
    pub email: Option<String>,
    #[schema(example = "America/Montreal")]
    pub fuseau_horaire: String,
    /// GST registration number printed on receipts; `null` until head office enters it.
    #[schema(example = "123456789 RT0001")]
    pub numero_tps: Option<String>,
    /// QST registration number printed on receipts; `null` until entered.
    #[schema(example = "1234567890 TQ0001")]
    pub numero_tvq: Option<String>,
}

impl From<domain::stores::Store> for Store {
    fn from(s: domain::stores::Store) -> Self {
        Store {
            id: s.id,
            nom: s.name,
            adresse: s.address,
            telephone: s.phone,
            email: s.email,
            fuseau_horaire: s.time_zone,
            numero_tps: Some(s.gst_number).filter(|n| !n.is_empty()),
            numero_tvq: Some(s.qst_number).filter(|n| !n.is_empty()),
        }
    }
}

/// A new store (POST) or a full replacement (PUT).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"nom": "Ouest", "adresse": "10, boulevard des Sources, Pointe-Claire", "telephone": "514-555-0106", "email": "ouest@multimagasin.example"}))]
pub struct StoreInput {
    pub nom: String,
    #[serde(default)]
    pub adresse: Option<String>,
    #[serde(default)]
    pub telephone: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
    /// IANA time zone, default `America/Montreal`.
    #[serde(default)]
    pub fuseau_horaire: Option<String>,
    /// Registers created with a new store (default 3); ignored by PUT.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 50)]
    pub nombre_caisses: Option<u8>,
    /// GST number (`123456789 RT0001`); absent from a PUT: unchanged, `""`: removed.
    #[serde(default)]
    #[schema(example = "123456789 RT0001")]
    pub numero_tps: Option<String>,
    /// QST number (`1234567890 TQ0001`); absent from a PUT: unchanged, `""`: removed.
    #[serde(default)]
    #[schema(example = "1234567890 TQ0001")]
    pub numero_tvq: Option<String>,
}

impl StoreInput {
    /// The tax numbers given with a new store, applied once it exists (see `create_store`).
    pub fn tax_numbers(&self) -> Option<domain::stores::StoreChanges> {
        (self.numero_tps.is_some() || self.numero_tvq.is_some()).then(|| {
            domain::stores::StoreChanges {
                gst_number: self.numero_tps.clone(),
                qst_number: self.numero_tvq.clone(),
                ..Default::default()
            }
        })
    }

    pub fn into_new(self) -> domain::stores::NewStore {
        domain::stores::NewStore {
            name: self.nom,
            address: self.adresse.unwrap_or_default(),
            phone: self.telephone.unwrap_or_default(),
            email: self.email,
            time_zone: self.fuseau_horaire,
            registers: self.nombre_caisses.unwrap_or(3),
        }
    }

    pub fn into_replacement(self) -> domain::stores::StoreChanges {
        domain::stores::StoreChanges {
            name: Some(self.nom),
            address: Some(self.adresse.unwrap_or_default()),
            phone: Some(self.telephone.unwrap_or_default()),
            email: Some(self.email),
            time_zone: Some(
                self.fuseau_horaire
                    .unwrap_or_else(|| domain::stores::DEFAULT_TIME_ZONE.into()),
            ),
            // clients that do not know the numbers leave them as they are
            gst_number: self.numero_tps,
            qst_number: self.numero_tvq,
        }
    }
}

#[derive(Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"telephone": "514-555-0199"}))]
pub struct StorePatch {
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub nom: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub adresse: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub telephone: Patch<String>,
    /// `null` removes the email.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub email: Patch<String>,
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub fuseau_horaire: Patch<String>,
    /// `null` or `""` removes the GST number.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub numero_tps: Patch<String>,
    /// `null` or `""` removes the QST number.
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub numero_tvq: Patch<String>,
}

impl StorePatch {
    pub fn into_changes(self) -> Result<domain::stores::StoreChanges, ApiError> {
        let mut errors: Vec<FieldProblem> = Vec::new();
        let name = self.nom.required("nom", &mut errors);
        let optional_text = |p: Patch<String>| match p {
            Patch::Absent => None,
            Patch::Null => Some(String::new()),
            Patch::Value(v) => Some(v),
        };
        let gst_number = optional_text(self.numero_tps);
        let qst_number = optional_text(self.numero_tvq);
        let address = optional_text(self.adresse);
        let phone = optional_text(self.telephone);
        let email = match self.email {
            Patch::Absent => None,
            Patch::Null => Some(None),
            Patch::Value(v) => Some(Some(v)),
        };
        let time_zone = self.fuseau_horaire.required("fuseau_horaire", &mut errors);
        finish(errors)?;
        Ok(domain::stores::StoreChanges {
            name,
            address,
            phone,
            email,
            time_zone,
            gst_number,
            qst_number,
        })
    }
}

/// One product's stock in a store or in the warehouse.
#[derive(Serialize, ToSchema)]
pub struct StockItem {
    #[schema(example = 1)]
    pub produit_id: i64,
    #[schema(example = "ALI001")]
    pub code: String,
    #[schema(example = "Pain")]
    pub nom: String,
    #[schema(example = 42)]
    pub quantite: i32,
    #[schema(example = 15)]
    pub seuil_alerte: i32,
    /// `rupture` at 0, `bas` at or under the threshold, else `normal`.
    #[schema(example = "normal")]
    pub statut: String,
}

impl From<domain::inventory::StockLevel> for StockItem {
    fn from(s: domain::inventory::StockLevel) -> Self {
        StockItem {
            produit_id: s.product_id,
            code: s.code.clone(),
            nom: s.name.clone(),
            quantite: s.quantity,
            seuil_alerte: s.alert_threshold,
            statut: s.status().as_str().to_owned(),
        }
    }
}

#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct StockQuery {
    /// `true`: only `rupture` and `bas`.
    #[param(value_type = Option<bool>, example = true)]
    pub alerte: Option<String>,
    /// Only this category.
    #[param(example = 1)]
    pub categorie_id: Option<i64>,
    /// Page number, from 1 (at most 1,000,000).
    #[param(example = 1, minimum = 1, maximum = 1_000_000)]
    pub page: Option<i64>,
    /// Items per page, 1 to 100 (default 20).
    #[param(example = 20, minimum = 1, maximum = 100)]
    pub size: Option<i64>,
    /// Alias of `size`.
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
}

impl StockQuery {
    pub fn parse(&self) -> Result<(domain::inventory::StockFilter, domain::PageRequest), ApiError> {
        let alerts_only = match self.alerte.as_deref() {
            None | Some("") => false,
            Some(v) => super::parse_bool("alerte", v)?,
        };
        let page = super::PageParams {
            page: self.page,
            size: self.size,
            limit: self.limit,
        }
        .request()?;
        Ok((
            domain::inventory::StockFilter {
                alerts_only,
                category_id: self.categorie_id,
                q: None,
                with_pace: false,
            },
            page,
        ))
    }
}
