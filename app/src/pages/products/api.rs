//! The catalogue's server functions and the views they answer: the list (search, category,
//! state, page), the product form's values, and the changes head office makes (create, edit,
//! deactivate, add a category), each answered by a redirect with its [`Flash`].

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::input::ProductForm;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::flash::Flash;

pub const PRODUCTS_PER_PAGE: u32 = 20;

/// `/produits/nouveau`: where a refused creation goes back to.
pub const NEW_PRODUCT: &str = "/produits/nouveau";

/// The flash codes and facts the catalogue's pages share.
pub mod codes {
    /// `erreur=droits`: head office only.
    pub const FORBIDDEN: &str = "droits";
    /// `erreur=categorie`: the new category's problems are next to its fields.
    pub const CATEGORY_REFUSED: &str = "categorie";
    /// `fait=desactive|reactive` with `produit=<id>`.
    pub const DEACTIVATED: &str = "desactive";
    pub const REACTIVATED: &str = "reactive";
    pub const PRODUCT: &str = "produit";
    /// `cree=<id>`: the product just created, highlighted in the list.
    pub const CREATED: &str = "cree";
    /// `enregistre=1`: the edit was saved.
    pub const SAVED: &str = "enregistre";
    /// `categorie_creee=<id>`.
    pub const CATEGORY_CREATED: &str = "categorie_creee";
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub category: String,
    /// `1,20 $`.
    pub price: String,
    pub taxable: bool,
    pub active: bool,
    /// Only for head office (the warehouse is theirs), already written (`1 250`).
    pub warehouse: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryRow {
    pub id: i64,
    pub name: String,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductsView {
    pub rows: Vec<ProductRow>,
    pub total: i64,
    pub page: u32,
    pub pages: u32,
    pub categories: Vec<CategoryRow>,
    /// Head office: create, edit, deactivate, add categories.
    pub can_edit: bool,
}

/// A product form's values, as typed (text), loaded from the product or the defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ProductFormView {
    pub id: Option<i64>,
    pub code: String,
    pub name: String,
    pub description: String,
    pub price: String,
    pub category_id: String,
    pub taxable: bool,
    pub active: bool,
    pub warehouse_quantity: String,
    pub categories: Vec<CategoryRow>,
}

#[cfg(feature = "ssr")]
fn category_rows(categories: Vec<domain::catalog::Category>) -> Vec<CategoryRow> {
    categories
        .into_iter()
        .map(|c| CategoryRow {
            id: c.id,
            name: c.name,
            description: c.description,
        })
        .collect()
}

#[server(endpoint = "products_list")]
pub async fn load_products(
    q: String,
    categorie: String,
    etat: String,
    page: u32,
) -> Result<ProductsView, AppError> {
    use crate::format::{count, money};
    use crate::server::{failure, pool, require_session};
    use domain::catalog::{self, ProductFilter, ProductSort};
    let session = require_session().await?;
    let can_edit = session.employee.actor().ensure_head_office().is_ok();
    let pool = pool()?;
    let filter = ProductFilter {
        q: Some(q),
        category_id: categorie.parse().ok(),
        active: match etat.as_str() {
            "actifs" => Some(true),
            "inactifs" => Some(false),
            _ => None,
        },
        ..Default::default()
    };
    let sort = ProductSort::parse("nom").unwrap_or_default();
    let products = catalog::list_products(
        &pool,
        &filter,
        sort,
        domain::PageRequest::new(page, PRODUCTS_PER_PAGE),
    )
    .await
    .map_err(failure)?;
    let categories = catalog::list_categories(&pool).await.map_err(failure)?;
    Ok(ProductsView {
        total: products.total,
        page: products.page,
        pages: products.pages,
        rows: products
            .items
            .into_iter()
            .map(|p| ProductRow {
                price: money(p.price),
                warehouse: can_edit.then(|| count(p.warehouse_quantity)),
                id: p.id,
                code: p.code,
                name: p.name,
                category: p.category_name,
                taxable: p.taxable,
                active: p.active,
            })
            .collect(),
        categories: category_rows(categories),
        can_edit,
    })
}

/// The form of a new product (`id` absent) or of an existing one; head office only.
#[server(endpoint = "product_form")]
pub async fn load_product_form(id: Option<i64>) -> Result<ProductFormView, AppError> {
    use crate::server::{failure, pool, require_session};
    let session = require_session().await?;
    session
        .employee
        .actor()
        .ensure_head_office()
        .map_err(failure)?;
    let pool = pool()?;
    let categories = category_rows(
        domain::catalog::list_categories(&pool)
            .await
            .map_err(failure)?,
    );
    Ok(match id {
        Some(id) => {
            let p = domain::catalog::get_product(&pool, id)
                .await
                .map_err(failure)?;
            ProductFormView {
                id: Some(p.id),
                code: p.code,
                name: p.name,
                description: p.description,
                price: crate::format::money_input(p.price),
                category_id: p.category_id.to_string(),
                taxable: p.taxable,
                active: p.active,
                // a number input's value: digits only
                warehouse_quantity: p.warehouse_quantity.to_string(),
                categories,
            }
        }
        None => ProductFormView {
            id: None,
            code: String::new(),
            name: String::new(),
            description: String::new(),
            price: String::new(),
            category_id: String::new(),
            taxable: true,
            active: true,
            warehouse_quantity: "0".to_owned(),
            categories,
        },
    })
}

#[server(endpoint = "create_product")]
pub async fn create_product(#[server(flatten)] form: ProductForm) -> Result<(), AppError> {
    use super::input::field_problems;
    use crate::links::with_query;
    use crate::server::{failure, pool, require_csrf};
    let session = require_csrf(&form.csrf).await?;
    let actor = session.employee.actor();
    if actor.ensure_head_office().is_err() {
        Flash::error(codes::FORBIDDEN).redirect(NEW_PRODUCT);
        return Ok(());
    }
    let read = match form.read() {
        Ok(read) => read,
        Err(problems) => {
            form.refused(&problems).redirect(NEW_PRODUCT);
            return Ok(());
        }
    };
    let new = domain::catalog::NewProduct {
        code: form.code.clone(),
        name: form.name.clone(),
        description: form.description.clone(),
        price: read.price,
        category_id: read.category_id,
        taxable: form.taxable(),
        active: form.active(),
        warehouse_quantity: read.warehouse_quantity,
    };
    match domain::catalog::create_product(&pool()?, &actor, &new).await {
        Ok(p) => Flash::new()
            .with(codes::CREATED, p.id)
            .redirect(&with_query("/produits", &[("q", &p.code)])),
        Err(e) => {
            let problems = field_problems(e).map_err(failure)?;
            form.refused(&problems).redirect(NEW_PRODUCT);
        }
    }
    Ok(())
}

#[server(endpoint = "update_product")]
pub async fn update_product(
    product_id: i64,
    /// The warehouse quantity the form showed: only a quantity the person changed is an
    /// adjustment (the warehouse moves meanwhile).
    warehouse_before: String,
    #[server(flatten)] form: ProductForm,
) -> Result<(), AppError> {
    use super::input::field_problems;
    use crate::server::{failure, pool, require_csrf};
    let session = require_csrf(&form.csrf).await?;
    let actor = session.employee.actor();
    let back = format!("/produits/{product_id}");
    if actor.ensure_head_office().is_err() {
        Flash::error(codes::FORBIDDEN).redirect(&back);
        return Ok(());
    }
    let read = match form.read() {
        Ok(read) => read,
        Err(problems) => {
            form.refused(&problems).redirect(&back);
            return Ok(());
        }
    };
    let changes = domain::catalog::ProductChanges {
        code: Some(form.code.clone()),
        name: Some(form.name.clone()),
        description: Some(form.description.clone()),
        price: Some(read.price),
        category_id: Some(read.category_id),
        taxable: Some(form.taxable()),
        active: Some(form.active()),
        warehouse_quantity: (warehouse_before.trim().parse::<i32>().ok()
            != Some(read.warehouse_quantity))
        .then_some(read.warehouse_quantity),
    };
    match domain::catalog::update_product(&pool()?, &actor, product_id, &changes).await {
        Ok(p) => Flash::new()
            .with(codes::SAVED, 1)
            .redirect(&format!("/produits/{}", p.id)),
        Err(e) => {
            let problems = field_problems(e).map_err(failure)?;
            form.refused(&problems).redirect(&back);
        }
    }
    Ok(())
}

/// Deactivates (`active=false`) or reactivates a product, back to the list it was done from.
#[server(endpoint = "set_product_active")]
pub async fn set_product_active(
    csrf: String,
    product_id: i64,
    active: bool,
    back: String,
) -> Result<(), AppError> {
    use crate::links::local_path;
    use crate::server::{failure, pool, require_csrf};
    let session = require_csrf(&csrf).await?;
    let back = local_path(&back, "/produits");
    let outcome = match domain::catalog::set_product_active(
        &pool()?,
        &session.employee.actor(),
        product_id,
        active,
    )
    .await
    {
        Ok(_) => Flash::done(if active {
            codes::REACTIVATED
        } else {
            codes::DEACTIVATED
        })
        .with(codes::PRODUCT, product_id),
        Err(domain::Error::Forbidden(_)) => Flash::error(codes::FORBIDDEN),
        Err(e) => return Err(failure(e)),
    };
    outcome.redirect(back);
    Ok(())
}

#[server(endpoint = "create_category")]
pub async fn create_category(
    csrf: String,
    name: String,
    description: String,
) -> Result<(), AppError> {
    use crate::server::{failure, pool, require_csrf};
    use domain::Error;
    let session = require_csrf(&csrf).await?;
    let outcome =
        domain::catalog::create_category(&pool()?, &session.employee.actor(), &name, &description)
            .await;
    let problem = match outcome {
        Ok(c) => {
            let list = Flash::new()
                .with(codes::CATEGORY_CREATED, c.id)
                .link("/produits");
            leptos_axum::redirect(&format!("{list}#categories"));
            return Ok(());
        }
        Err(Error::Forbidden(_)) => {
            Flash::error(codes::FORBIDDEN).redirect("/produits");
            return Ok(());
        }
        Err(Error::Validation(problems)) => problems
            .into_iter()
            .next()
            .map(|p| (p.field, p.message))
            .unwrap_or_default(),
        // the name is the categories' only unique key
        Err(Error::Conflict(message)) => ("name".to_owned(), message),
        Err(e) => return Err(failure(e)),
    };
    let field = if problem.0 == "description" {
        "cat_description"
    } else {
        "cat_name"
    };
    let back = Flash::error(codes::CATEGORY_REFUSED)
        .problem(field, &problem.1)
        .typed("cat_name", &name)
        .typed("cat_description", &description)
        .link("/produits");
    leptos_axum::redirect(&format!("{back}#categories"));
    Ok(())
}
