//! A promotion form as posted, and how it is read: every field arrives as text so that what was
//! typed can be sent back next to its problems. Products are typed by code (what head office
//! has on the shelf labels); categories and stores are ticked. The rules are
//! `domain::promotions`'; problems are named with the REST contract's fields, which are also
//! the form's names.

use serde::{Deserialize, Serialize};

/// The fields of the promotion form. A server function takes it whole (`#[server(flatten)]`),
/// so a plain HTML form posts it before the page is hydrated. Ticked boxes post
/// `categorie_ids[]=3&categorie_ids[]=4`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PromotionForm {
    pub csrf: String,
    pub nom: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub valeur: String,
    #[serde(default)]
    pub achat: String,
    #[serde(default)]
    pub paye: String,
    /// Product codes, separated by spaces, commas or lines.
    #[serde(default)]
    pub produits: String,
    #[serde(default)]
    pub categorie_ids: Vec<String>,
    #[serde(default)]
    pub magasin_ids: Vec<String>,
    pub debut: String,
    pub fin: String,
    /// A ticked checkbox posts `on`; an unticked one posts nothing.
    pub actif: Option<String>,
}

/// `erreur=champs`: the form comes back with its problems next to the fields.
pub const FIELDS_REFUSED: &str = "champs";

/// The codes typed in the products field, in order, without repeats.
pub fn product_codes(text: &str) -> Vec<String> {
    let mut codes: Vec<String> = Vec::new();
    for code in text.split(|c: char| c.is_whitespace() || c == ',' || c == ';') {
        let code = code.trim();
        if !code.is_empty() && !codes.iter().any(|c| c == code) {
            codes.push(code.to_owned());
        }
    }
    codes
}

#[cfg(feature = "ssr")]
impl PromotionForm {
    fn ids(list: &[String]) -> Vec<i64> {
        list.iter()
            .filter_map(|id| id.trim().parse().ok())
            .collect()
    }

    /// The promotion the form describes, or every problem: those of reading it (a value, a
    /// date or a product code that cannot be read) and those the domain's rules find in the
    /// rest.
    pub async fn read(
        &self,
        db: &domain::db::PgPool,
    ) -> Result<domain::promotions::NewPromotion, Vec<domain::FieldError>> {
        use chrono::NaiveDate;
        use domain::FieldError;
        let mut problems = Vec::new();
        let is_lot = self.kind.trim() == "lot";
        let number = |text: &str| -> Result<Option<i32>, ()> {
            let text = text.trim();
            if text.is_empty() {
                Ok(None)
            } else {
                text.parse().map(Some).map_err(|_| ())
            }
        };
        let value = if is_lot || self.valeur.trim().is_empty() {
            None
        } else {
            let value = crate::format::parse_decimal(&self.valeur);
            if value.is_none() {
                problems.push(FieldError::new("valeur", "Indiquez un nombre comme 12,50."));
            }
            value
        };
        let (buy, pay) = if is_lot {
            let buy = number(&self.achat).unwrap_or_else(|_| {
                problems.push(FieldError::new("achat", "Indiquez un nombre entier."));
                None
            });
            let pay = number(&self.paye).unwrap_or_else(|_| {
                problems.push(FieldError::new("paye", "Indiquez un nombre entier."));
                None
            });
            (buy, pay)
        } else {
            (None, None)
        };
        let date = |text: &str, field: &str, problems: &mut Vec<FieldError>| {
            NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
                .map_err(|_| problems.push(FieldError::new(field, "Choisissez une date.")))
                .ok()
        };
        let starts_on = date(&self.debut, "debut", &mut problems);
        let ends_on = date(&self.fin, "fin", &mut problems);
        let mut product_ids = Vec::new();
        let mut unknown = Vec::new();
        for code in product_codes(&self.produits) {
            match domain::catalog::get_product_by_code(db, &code).await {
                Ok(p) => product_ids.push(p.id),
                Err(domain::Error::NotFound { .. }) => unknown.push(code),
                Err(_) => {
                    problems.push(FieldError::new(
                        "produit_ids",
                        "Les produits n'ont pas pu être vérifiés : réessayez.",
                    ));
                    break;
                }
            }
        }
        if !unknown.is_empty() {
            problems.push(FieldError::new(
                "produit_ids",
                format!("Code(s) inconnu(s) : {}.", unknown.join(", ")),
            ));
        }
        let fallback = NaiveDate::default();
        let new = domain::promotions::NewPromotion {
            name: self.nom.clone(),
            kind: self.kind.clone(),
            value,
            buy,
            pay,
            product_ids,
            category_ids: Self::ids(&self.categorie_ids),
            store_ids: Self::ids(&self.magasin_ids),
            starts_on: starts_on.unwrap_or(fallback),
            ends_on: ends_on.or(starts_on).unwrap_or(fallback),
            active: self.actif.is_some(),
        };
        if let Err(domain::Error::Validation(more)) = domain::promotions::validate_promotion(&new) {
            // a field already refused as unreadable keeps that message
            let flagged: Vec<String> = problems.iter().map(|p| p.field.clone()).collect();
            // (an unknown code is not "no product": `produit_ids` is already flagged then)
            problems.extend(more.into_iter().filter(|p| !flagged.contains(&p.field)));
        }
        if problems.is_empty() {
            Ok(new)
        } else {
            Err(problems)
        }
    }

    /// The refusal that sends the form back: each field's first problem and what was typed.
    pub fn refused(&self, problems: &[domain::FieldError]) -> crate::flash::Flash {
        let mut flash = crate::flash::Flash::error(FIELDS_REFUSED);
        for p in problems {
            flash = flash.problem(&p.field, &p.message);
        }
        for (field, value) in [
            ("nom", self.nom.as_str()),
            ("type", &self.kind),
            ("valeur", &self.valeur),
            ("achat", &self.achat),
            ("paye", &self.paye),
            ("produits", &self.produits),
            ("categorie_ids", &self.categorie_ids.join(",")),
            ("magasin_ids", &self.magasin_ids.join(",")),
            ("debut", &self.debut),
            ("fin", &self.fin),
            ("actif", self.actif.as_ref().map_or("", |_| "on")),
        ] {
            flash = flash.typed(field, value);
        }
        flash
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::promotions::api::SavePromotion;

    fn decode<T: serde::de::DeserializeOwned>(body: &str) -> T {
        serde_qs::Config::new(5, false)
            .deserialize_str(body)
            .unwrap_or_else(|e| panic!("{body}: {e}"))
    }

    #[test]
    fn the_form_reads_the_plain_field_names_and_the_ticked_boxes() {
        let body = "promotion_id=&csrf=t&nom=Printemps&type=lot&valeur=&achat=3&paye=2\
                    &produits=ALI001+ALI002&categorie_ids%5B%5D=3&categorie_ids%5B%5D=4\
                    &debut=2026-03-01&fin=2026-03-31&actif=on";
        let save: SavePromotion = decode(body);
        assert_eq!(save.form.kind, "lot");
        assert_eq!(save.form.categorie_ids, ["3", "4"]);
        assert!(
            save.form.magasin_ids.is_empty(),
            "no box ticked: every store"
        );
        assert_eq!(save.form.actif.as_deref(), Some("on"));
        let sent = serde_qs::to_string(&save).unwrap();
        let again: SavePromotion = decode(&sent);
        assert_eq!(again.form, save.form);
    }

    #[test]
    fn product_codes_are_split_on_spaces_commas_and_lines() {
        assert_eq!(
            product_codes(" ALI001, ALI002\nALI001;BOI003 "),
            ["ALI001", "ALI002", "BOI003"]
        );
        assert!(product_codes("  ").is_empty());
    }
}
