//! A product form as posted, and how it is read: every field arrives as text so that what was
//! typed can be sent back next to its problems; the numbers are read here, the rules are
//! `domain::catalog`'s.

use serde::{Deserialize, Serialize};

/// The fields of the product form, shared by creating and editing. A server function takes it
/// whole (`#[server(flatten)]`), so the posted field names stay `code`, `name`, ... and a
/// plain HTML form posts it before the page is hydrated.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProductForm {
    pub csrf: String,
    pub code: String,
    pub name: String,
    pub description: String,
    pub price: String,
    pub category_id: String,
    /// A ticked checkbox posts `on`; an unticked one posts nothing.
    pub taxable: Option<String>,
    pub active: Option<String>,
    pub warehouse_quantity: String,
}

/// A product form once its numbers are read.
#[cfg(feature = "ssr")]
pub struct Numbers {
    pub price: rust_decimal::Decimal,
    pub category_id: i64,
    pub warehouse_quantity: i32,
}

#[cfg(feature = "ssr")]
impl ProductForm {
    pub fn taxable(&self) -> bool {
        self.taxable.is_some()
    }

    pub fn active(&self) -> bool {
        self.active.is_some()
    }

    /// The numbers of the form, or every problem: those of reading it, and those the domain's
    /// rules find in the fields that could be read.
    pub fn read(&self) -> Result<Numbers, Vec<domain::FieldError>> {
        use domain::FieldError;
        let mut problems = Vec::new();
        let price = crate::format::parse_decimal(&self.price);
        if price.is_none() {
            problems.push(FieldError::new("price", "Indiquez un prix comme 12,50."));
        }
        let category_id = self.category_id.trim().parse::<i64>().ok();
        if category_id.is_none() {
            problems.push(FieldError::new("category_id", "Choisissez une catégorie."));
        }
        let quantity = self.warehouse_quantity.trim();
        let warehouse_quantity = if quantity.is_empty() {
            Some(0)
        } else {
            quantity.parse::<i32>().ok()
        };
        if warehouse_quantity.is_none() {
            problems.push(FieldError::new(
                "warehouse_quantity",
                "Indiquez un nombre entier.",
            ));
        }
        if let (Some(price), Some(category_id), Some(warehouse_quantity)) =
            (price, category_id, warehouse_quantity)
        {
            return Ok(Numbers {
                price,
                category_id,
                warehouse_quantity,
            });
        }
        let changes = domain::catalog::ProductChanges {
            code: Some(self.code.clone()),
            name: Some(self.name.clone()),
            description: Some(self.description.clone()),
            price,
            warehouse_quantity,
            ..Default::default()
        };
        if let Err(domain::Error::Validation(more)) = domain::catalog::validate_changes(&changes) {
            problems.extend(more);
        }
        Err(problems)
    }

    /// The refusal that sends the form back: each field's first problem and what was typed.
    pub fn refused(&self, problems: &[domain::FieldError]) -> crate::flash::Flash {
        let mut flash = crate::flash::Flash::error(FIELDS_REFUSED);
        for p in problems {
            flash = flash.problem(&p.field, &p.message);
        }
        for (field, value) in [
            ("code", self.code.as_str()),
            ("name", &self.name),
            ("description", &self.description),
            ("price", &self.price),
            ("category_id", &self.category_id),
            ("warehouse_quantity", &self.warehouse_quantity),
            ("taxable", self.taxable.as_ref().map_or("", |_| "on")),
            ("active", self.active.as_ref().map_or("", |_| "on")),
        ] {
            flash = flash.typed(field, value);
        }
        flash
    }
}

/// `erreur=champs`: the form comes back with its problems next to the fields.
pub const FIELDS_REFUSED: &str = "champs";

/// The field problems a refused create or update shows next to the fields; other errors as
/// they are.
#[cfg(feature = "ssr")]
pub fn field_problems(err: domain::Error) -> Result<Vec<domain::FieldError>, domain::Error> {
    use domain::{Error, FieldError};
    match err {
        Error::Validation(problems) => Ok(problems),
        // the code is the products' only unique key
        Error::Conflict(message) => Ok(vec![FieldError::new("code", message)]),
        Error::NotFound {
            entity: "Catégorie",
            ..
        } => Ok(vec![FieldError::new(
            "category_id",
            "Cette catégorie n'existe plus.",
        )]),
        other => Err(other),
    }
}

#[cfg(test)]
mod tests {
    use super::super::api::{CreateProduct, UpdateProduct};

    /// How server functions read a URL-encoded body, in the browser (`ActionForm`) and on the
    /// server.
    fn decode<T: serde::de::DeserializeOwned>(body: &str) -> T {
        serde_qs::Config::new(5, false)
            .deserialize_str(body)
            .unwrap_or_else(|e| panic!("{body}: {e}"))
    }

    #[test]
    fn the_form_struct_reads_the_plain_field_names_of_the_html_form() {
        let body = "csrf=t&product_id=7&warehouse_before=500&code=ALI001&name=Pain+blanc\
                    &description=&price=1%2C35&category_id=3&active=on&warehouse_quantity=480";
        let update: UpdateProduct = decode(body);
        assert_eq!(update.product_id, 7);
        assert_eq!(update.warehouse_before, "500");
        assert_eq!(update.form.name, "Pain blanc");
        assert_eq!(update.form.price, "1,35");
        assert_eq!(update.form.taxable, None, "an unticked box posts nothing");
        assert_eq!(update.form.active.as_deref(), Some("on"));
        // the browser sends it on as the client encodes it, and the server reads it the same
        let sent = serde_qs::to_string(&update).unwrap();
        let again: UpdateProduct = decode(&sent);
        assert_eq!(again.form, update.form);
        assert_eq!(again.product_id, 7);

        let create: CreateProduct = decode(
            "csrf=t&code=BOI009&name=Jus&description=Pur&price=2&category_id=1\
             &taxable=on&active=on&warehouse_quantity=",
        );
        assert_eq!(create.form.code, "BOI009");
        assert!(create.form.taxable.is_some());
    }
}
