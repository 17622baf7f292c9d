//! Produits: the catalogue. Every employee searches it (name or code, category, active or not)
//! page by page; head office creates and edits products, with each problem shown next to its
//! field and what was typed kept, deactivates and reactivates them, and adds categories. Forms
//! work without JavaScript: server functions redirect with the outcome (or the problems and the
//! typed values) in the query.

// A server function takes one argument per form field, and `#[server]` does not pass an
// `allow` on the function through to the code it generates for the browser.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
use leptos_router::params::ParamsMap;
use serde::{Deserialize, Serialize};

use crate::auth::UserResource;
use crate::components::Pager;
use crate::links::with_query;

pub const PRODUCTS_PER_PAGE: u32 = 20;

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
    /// Only for head office (the warehouse is theirs).
    pub warehouse: Option<i32>,
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
) -> Result<ProductsView, ServerFnError> {
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
                price: crate::format::money(p.price),
                warehouse: can_edit.then_some(p.warehouse_quantity),
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
pub async fn load_product_form(id: Option<i64>) -> Result<ProductFormView, ServerFnError> {
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
                price: format!("{:.2}", p.price).replace('.', ","),
                category_id: p.category_id.to_string(),
                taxable: p.taxable,
                active: p.active,
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

/// A product form as posted: every field is text, so that what was typed can be sent back.
#[cfg(feature = "ssr")]
struct Typed<'a> {
    code: &'a str,
    name: &'a str,
    description: &'a str,
    price: &'a str,
    category_id: &'a str,
    taxable: bool,
    active: bool,
    warehouse_quantity: &'a str,
}

/// A product form once read.
#[cfg(feature = "ssr")]
struct Numbers {
    price: rust_decimal::Decimal,
    category_id: i64,
    warehouse_quantity: i32,
}

/// `12,50`, `12.5`, `1 234,50 $` -> a decimal; the domain then checks it is a valid price.
#[cfg(feature = "ssr")]
fn read_price(text: &str) -> Option<rust_decimal::Decimal> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '$')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    cleaned.parse().ok()
}

#[cfg(feature = "ssr")]
impl Typed<'_> {
    /// The numbers of the form, or every problem: those of reading it, and those the domain's
    /// rules find in the fields that could be read.
    fn read(&self) -> Result<Numbers, Vec<domain::FieldError>> {
        use domain::FieldError;
        let mut problems = Vec::new();
        let price = read_price(self.price);
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
            code: Some(self.code.to_owned()),
            name: Some(self.name.to_owned()),
            description: Some(self.description.to_owned()),
            price,
            warehouse_quantity,
            ..Default::default()
        };
        if let Err(domain::Error::Validation(more)) = domain::catalog::validate_changes(&changes) {
            problems.extend(more);
        }
        Err(problems)
    }

    /// Back to the form at `path`, with each field's first problem and what was typed.
    fn back_with(&self, path: &str, problems: &[domain::FieldError]) -> String {
        let mut pairs: Vec<(String, String)> = vec![("erreur".into(), "champs".into())];
        for p in problems {
            let key = format!("f_{}", p.field);
            if !pairs.iter().any(|(k, _)| *k == key) {
                pairs.push((key, p.message.clone()));
            }
        }
        for (field, value) in [
            ("code", self.code),
            ("name", self.name),
            ("description", self.description),
            ("price", self.price),
            ("category_id", self.category_id),
            ("warehouse_quantity", self.warehouse_quantity),
            ("taxable", if self.taxable { "on" } else { "" }),
            ("active", if self.active { "on" } else { "" }),
        ] {
            pairs.push((format!("v_{field}"), value.to_owned()));
        }
        let pairs: Vec<(&str, &str)> = pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        with_query(path, &pairs)
    }
}

/// The field problems a refused create or update shows next to the fields; other errors as
/// they are.
#[cfg(feature = "ssr")]
fn field_problems(err: domain::Error) -> Result<Vec<domain::FieldError>, domain::Error> {
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

#[server(endpoint = "create_product")]
pub async fn create_product(
    csrf: String,
    code: String,
    name: String,
    description: String,
    price: String,
    category_id: String,
    taxable: Option<String>,
    active: Option<String>,
    warehouse_quantity: String,
) -> Result<(), ServerFnError> {
    use crate::server::{failure, pool, require_csrf};
    let session = require_csrf(&csrf).await?;
    let actor = session.employee.actor();
    const FORM: &str = "/produits/nouveau";
    if actor.ensure_head_office().is_err() {
        leptos_axum::redirect(&with_query(FORM, &[("erreur", "droits")]));
        return Ok(());
    }
    let typed = Typed {
        code: &code,
        name: &name,
        description: &description,
        price: &price,
        category_id: &category_id,
        taxable: taxable.is_some(),
        active: active.is_some(),
        warehouse_quantity: &warehouse_quantity,
    };
    let read = match typed.read() {
        Ok(read) => read,
        Err(problems) => {
            leptos_axum::redirect(&typed.back_with(FORM, &problems));
            return Ok(());
        }
    };
    let new = domain::catalog::NewProduct {
        code: code.clone(),
        name: name.clone(),
        description: description.clone(),
        price: read.price,
        category_id: read.category_id,
        taxable: typed.taxable,
        active: typed.active,
        warehouse_quantity: read.warehouse_quantity,
    };
    match domain::catalog::create_product(&pool()?, &actor, &new).await {
        Ok(p) => leptos_axum::redirect(&with_query(
            "/produits",
            &[("q", &p.code), ("cree", &p.id.to_string())],
        )),
        Err(e) => {
            let problems = field_problems(e).map_err(failure)?;
            leptos_axum::redirect(&typed.back_with(FORM, &problems));
        }
    }
    Ok(())
}

#[server(endpoint = "update_product")]
pub async fn update_product(
    csrf: String,
    product_id: i64,
    code: String,
    name: String,
    description: String,
    price: String,
    category_id: String,
    taxable: Option<String>,
    active: Option<String>,
    warehouse_quantity: String,
    warehouse_before: String,
) -> Result<(), ServerFnError> {
    use crate::server::{failure, pool, require_csrf};
    let session = require_csrf(&csrf).await?;
    let actor = session.employee.actor();
    let form = format!("/produits/{product_id}");
    if actor.ensure_head_office().is_err() {
        leptos_axum::redirect(&with_query(&form, &[("erreur", "droits")]));
        return Ok(());
    }
    let typed = Typed {
        code: &code,
        name: &name,
        description: &description,
        price: &price,
        category_id: &category_id,
        taxable: taxable.is_some(),
        active: active.is_some(),
        warehouse_quantity: &warehouse_quantity,
    };
    let read = match typed.read() {
        Ok(read) => read,
        Err(problems) => {
            leptos_axum::redirect(&typed.back_with(&form, &problems));
            return Ok(());
        }
    };
    let changes = domain::catalog::ProductChanges {
        code: Some(code.clone()),
        name: Some(name.clone()),
        description: Some(description.clone()),
        price: Some(read.price),
        category_id: Some(read.category_id),
        taxable: Some(typed.taxable),
        active: Some(typed.active),
        // only a quantity the person changed is an adjustment (the warehouse moves meanwhile)
        warehouse_quantity: (warehouse_before.trim().parse::<i32>().ok()
            != Some(read.warehouse_quantity))
        .then_some(read.warehouse_quantity),
    };
    match domain::catalog::update_product(&pool()?, &actor, product_id, &changes).await {
        Ok(p) => leptos_axum::redirect(&format!("/produits/{}?enregistre=1", p.id)),
        Err(e) => {
            let problems = field_problems(e).map_err(failure)?;
            leptos_axum::redirect(&typed.back_with(&form, &problems));
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
) -> Result<(), ServerFnError> {
    use crate::links::{add_query, local_path};
    use crate::server::{failure, pool, require_csrf};
    let session = require_csrf(&csrf).await?;
    let back = local_path(&back, "/produits");
    let id = product_id.to_string();
    let target = match domain::catalog::set_product_active(
        &pool()?,
        &session.employee.actor(),
        product_id,
        active,
    )
    .await
    {
        Ok(_) => add_query(
            back,
            &[
                ("fait", if active { "reactive" } else { "desactive" }),
                ("produit", &id),
            ],
        ),
        Err(domain::Error::Forbidden(_)) => add_query(back, &[("erreur", "droits")]),
        Err(e) => return Err(failure(e)),
    };
    leptos_axum::redirect(&target);
    Ok(())
}

#[server(endpoint = "create_category")]
pub async fn create_category(
    csrf: String,
    name: String,
    description: String,
) -> Result<(), ServerFnError> {
    use crate::server::{failure, pool, require_csrf};
    use domain::Error;
    let session = require_csrf(&csrf).await?;
    let outcome =
        domain::catalog::create_category(&pool()?, &session.employee.actor(), &name, &description)
            .await;
    let problem = match outcome {
        Ok(c) => {
            leptos_axum::redirect(&format!("/produits?categorie_creee={}#categories", c.id));
            return Ok(());
        }
        Err(Error::Forbidden(_)) => {
            leptos_axum::redirect("/produits?erreur=droits");
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
    let key = if problem.0 == "description" {
        "f_cat_description"
    } else {
        "f_cat_name"
    };
    let target = with_query(
        "/produits",
        &[
            ("erreur", "categorie"),
            (key, &problem.1),
            ("v_cat_name", &name),
            ("v_cat_description", &description),
        ],
    );
    leptos_axum::redirect(&format!("{target}#categories"));
    Ok(())
}

/// `(q, categorie, etat, page)` of the list's query.
fn list_filters(q: &ParamsMap) -> (String, String, String, u32) {
    (
        q.get("q").unwrap_or_default(),
        q.get("categorie").unwrap_or_default(),
        q.get("etat").unwrap_or_default(),
        q.get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1),
    )
}

/// The problem of one field, under it; the input points at it with `aria-describedby`.
fn field_error(id: &str, message: Option<String>) -> impl IntoView + use<> {
    let id = format!("{id}-erreur");
    message.map(|m| view! { <p class="field-error" id=id>{m}</p> })
}

#[component]
pub fn ProductsPage() -> impl IntoView {
    let query = use_query_map();
    let user = expect_context::<UserResource>();
    let set_active = ServerAction::<SetProductActive>::new();
    let add_category = ServerAction::<CreateCategory>::new();
    let data = Resource::new(
        move || {
            (
                list_filters(&query.read()),
                set_active.version().get() + add_category.version().get(),
            )
        },
        |((q, categorie, etat, page), _)| load_products(q, categorie, etat, page),
    );
    view! {
        <Title text="Produits — Multi-Magasin" />
        <h1>"Produits"</h1>
        <Transition fallback=|| ()>
            {move || {
                // tracked: the outcome of a form comes back in the query
                let query = query.get();
                Suspend::new(async move {
                    let csrf = user.await.ok().flatten().map(|u| u.csrf).unwrap_or_default();
                    match data.await {
                        Ok(v) => products_view(v, &query, csrf, set_active, add_category).into_any(),
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

fn products_view(
    v: ProductsView,
    query: &ParamsMap,
    csrf: String,
    set_active: ServerAction<SetProductActive>,
    add_category: ServerAction<CreateCategory>,
) -> impl IntoView + use<> {
    let (q, categorie, etat, page) = list_filters(query);
    let link = {
        let (q, categorie, etat) = (q.clone(), categorie.clone(), etat.clone());
        move |page: u32| {
            let page = if page > 1 {
                page.to_string()
            } else {
                String::new()
            };
            with_query(
                "/produits",
                &[
                    ("q", &q),
                    ("categorie", &categorie),
                    ("etat", &etat),
                    ("page", &page),
                ],
            )
        }
    };
    let back = link(page);
    let created = query.get("cree");
    let notice = if created.is_some() {
        Some(("notice", "Produit créé.".to_owned()))
    } else if let Some(done) = query.get("fait") {
        let id = query.get("produit").unwrap_or_default();
        Some((
            "notice",
            if done == "desactive" {
                format!("Produit n° {id} désactivé : il n'est plus vendu en caisse.")
            } else {
                format!("Produit n° {id} réactivé.")
            },
        ))
    } else if query.get("categorie_creee").is_some() {
        Some(("notice", "Catégorie ajoutée.".to_owned()))
    } else if query.get("erreur").as_deref() == Some("droits") {
        Some(("error", "Réservé au siège (administrateur).".to_owned()))
    } else {
        None
    };
    let category_error = query.get("erreur").as_deref() == Some("categorie");
    let (cat_name_error, cat_description_error) = if category_error {
        (query.get("f_cat_name"), query.get("f_cat_description"))
    } else {
        (None, None)
    };
    let typed_category = |key: &str| {
        category_error
            .then(|| query.get(key))
            .flatten()
            .unwrap_or_default()
    };
    let (cat_name, cat_description) = (
        typed_category("v_cat_name"),
        typed_category("v_cat_description"),
    );
    let can_edit = v.can_edit;
    view! {
        {notice.map(|(class, text)| view! {
            <p class=class role=if class == "error" { "alert" } else { "status" }>{text}</p>
        })}
        {can_edit.then(|| view! {
            <p class="page-actions"><a class="button" href="/produits/nouveau">"Nouveau produit"</a></p>
        })}
        <form method="get" action="/produits" class="filters" role="search">
            <div class="field grow">
                <label for="p-q">"Nom ou code"</label>
                <input id="p-q" type="search" name="q" value=q.clone() autocomplete="off" />
            </div>
            <div class="field">
                <label for="p-categorie">"Catégorie"</label>
                <select id="p-categorie" name="categorie">
                    <option value="" selected=categorie.is_empty()>"Toutes"</option>
                    {v.categories.iter().map(|c| view! {
                        <option value=c.id.to_string() selected=c.id.to_string() == categorie>{c.name.clone()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="p-etat">"État"</label>
                <select id="p-etat" name="etat">
                    <option value="" selected=etat.is_empty()>"Tous"</option>
                    <option value="actifs" selected=etat == "actifs">"Actifs"</option>
                    <option value="inactifs" selected=etat == "inactifs">"Inactifs"</option>
                </select>
            </div>
            <button type="submit">"Rechercher"</button>
        </form>
        <p class="count">{match v.total {
            0 => "Aucun produit ne correspond.".to_owned(),
            1 => "1 produit.".to_owned(),
            n => format!("{} produits.", crate::format::count(n)),
        }}</p>
        <table class="products">
            <thead><tr>
                <th>"Code"</th><th>"Nom"</th><th>"Catégorie"</th><th>"Prix"</th><th>"Taxable"</th>
                {can_edit.then(|| view! { <th>"Entrepôt"</th> })}
                <th>"État"</th>
                {can_edit.then(|| view! { <th>"Actions"</th> })}
            </tr></thead>
            <tbody>
                {v.rows.into_iter().map(|p| {
                    let fresh = created.as_deref() == Some(p.id.to_string().as_str());
                    let (csrf, back) = (csrf.clone(), back.clone());
                    view! {
                        <tr data-product-id=p.id data-active=p.active.to_string() class:fresh=fresh>
                            <td data-label="Code" class="code">{p.code.clone()}</td>
                            <td data-label="Nom">{p.name.clone()}</td>
                            <td data-label="Catégorie">{p.category.clone()}</td>
                            <td data-label="Prix" class="num">{p.price.clone()}</td>
                            <td data-label="Taxable">{if p.taxable { "Oui" } else { "Non" }}</td>
                            {p.warehouse.map(|w| view! {
                                <td data-label="Entrepôt" class="num">{crate::format::count(i64::from(w))}</td>
                            })}
                            <td data-label="État">
                                {if p.active {
                                    view! { <span class="badge active">"Actif"</span> }.into_any()
                                } else {
                                    view! { <span class="badge inactive">"Inactif"</span> }.into_any()
                                }}
                            </td>
                            {can_edit.then(|| view! {
                                <td class="actions">
                                    <a href=format!("/produits/{}", p.id)>"Modifier"<span class="sr-only">{format!(" {}", p.name)}</span></a>
                                    <ActionForm action=set_active attr:class="inline act">
                                        <input type="hidden" name="csrf" value=csrf />
                                        <input type="hidden" name="product_id" value=p.id />
                                        <input type="hidden" name="active" value=(!p.active).to_string() />
                                        <input type="hidden" name="back" value=back />
                                        <button type="submit" class=if p.active { "secondary" } else { "ok" }>
                                            {if p.active { "Désactiver" } else { "Réactiver" }}
                                        </button>
                                    </ActionForm>
                                </td>
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <Pager
            page=v.page
            pages=v.pages
            prev=(v.page > 1).then(|| link(v.page - 1))
            next=(v.page < v.pages).then(|| link(v.page + 1))
        />
        <section id="categories" class="categories" aria-labelledby="categories-titre">
            <h2 id="categories-titre">"Catégories"</h2>
            <ul class="category-list">
                {v.categories.into_iter().map(|c| view! {
                    <li data-category-id=c.id>
                        <strong>{c.name}</strong>
                        {(!c.description.is_empty()).then(|| view! { <span>{format!(" — {}", c.description)}</span> })}
                    </li>
                }).collect_view()}
            </ul>
            {can_edit.then(|| view! {
                <ActionForm action=add_category attr:class="form category-form">
                    <h3>"Nouvelle catégorie"</h3>
                    <input type="hidden" name="csrf" value=csrf.clone() />
                    <label for="cat-name">"Nom"</label>
                    <input
                        id="cat-name"
                        name="name"
                        type="text"
                        required
                        maxlength="120"
                        value=cat_name.clone()
                        aria-invalid=cat_name_error.is_some().then_some("true")
                        aria-describedby=cat_name_error.is_some().then_some("cat-name-erreur")
                    />
                    {field_error("cat-name", cat_name_error.clone())}
                    <label for="cat-description">"Description"</label>
                    <input
                        id="cat-description"
                        name="description"
                        type="text"
                        value=cat_description.clone()
                        aria-invalid=cat_description_error.is_some().then_some("true")
                        aria-describedby=cat_description_error.is_some().then_some("cat-description-erreur")
                    />
                    {field_error("cat-description", cat_description_error.clone())}
                    <button type="submit">"Ajouter la catégorie"</button>
                </ActionForm>
            })}
        </section>
    }
}

#[component]
pub fn ProductFormPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let user = expect_context::<UserResource>();
    let create = ServerAction::<CreateProduct>::new();
    let update = ServerAction::<UpdateProduct>::new();
    let id = move || {
        params
            .read()
            .get("id")
            .and_then(|id| id.parse::<i64>().ok())
    };
    let data = Resource::new(
        move || (id(), create.version().get() + update.version().get()),
        |(id, _)| load_product_form(id),
    );
    view! {
        <p class="back"><a href="/produits">"← Produits"</a></p>
        <Transition fallback=|| ()>
            {move || {
                // tracked: problems and typed values come back in the query
                let query = query.get();
                Suspend::new(async move {
                    let csrf = user.await.ok().flatten().map(|u| u.csrf).unwrap_or_default();
                    match data.await {
                        Ok(f) => product_form(f, &query, csrf, create, update).into_any(),
                        Err(e) => view! {
                            <h1>"Produit"</h1>
                            <p class="error" role="alert">{e.to_string()}</p>
                        }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}

fn product_form(
    loaded: ProductFormView,
    query: &ParamsMap,
    csrf: String,
    create: ServerAction<CreateProduct>,
    update: ServerAction<UpdateProduct>,
) -> impl IntoView + use<> {
    let has_problems = query.get("erreur").as_deref() == Some("champs");
    // after a refusal, what the person typed; otherwise the product (or the defaults)
    let text = |field: &str, loaded: &str| {
        if has_problems {
            query.get(&format!("v_{field}")).unwrap_or_default()
        } else {
            loaded.to_owned()
        }
    };
    let flag = |field: &str, loaded: bool| {
        if has_problems {
            query.get(&format!("v_{field}")).is_some()
        } else {
            loaded
        }
    };
    let problem = |field: &str| {
        has_problems
            .then(|| query.get(&format!("f_{field}")))
            .flatten()
    };
    let code = text("code", &loaded.code);
    let name = text("name", &loaded.name);
    let description = text("description", &loaded.description);
    let price = text("price", &loaded.price);
    let category = text("category_id", &loaded.category_id);
    let quantity = text("warehouse_quantity", &loaded.warehouse_quantity);
    let taxable = flag("taxable", loaded.taxable);
    let active = flag("active", loaded.active);
    let errors = [
        ("code", problem("code")),
        ("name", problem("name")),
        ("category_id", problem("category_id")),
        ("price", problem("price")),
        ("warehouse_quantity", problem("warehouse_quantity")),
        ("description", problem("description")),
    ];
    let error_of = |field: &str| {
        errors
            .iter()
            .find(|(f, _)| *f == field)
            .and_then(|(_, e)| e.clone())
    };
    let invalid = |field: &str| error_of(field).is_some().then_some("true");
    let described = |field: &str| {
        error_of(field)
            .is_some()
            .then(|| format!("p-{field}-erreur"))
    };
    let title = match loaded.id {
        Some(_) => format!("Modifier {}", loaded.name),
        None => "Nouveau produit".to_owned(),
    };
    let notice = if query.get("enregistre").is_some() {
        Some(("notice", "Modifications enregistrées.".to_owned()))
    } else if has_problems {
        Some((
            "error",
            "Le produit n'est pas enregistré : corrigez les champs signalés.".to_owned(),
        ))
    } else if query.get("erreur").as_deref() == Some("droits") {
        Some(("error", "Réservé au siège (administrateur).".to_owned()))
    } else {
        None
    };
    let fields = view! {
        <input type="hidden" name="csrf" value=csrf />
        <div class="field">
            <label for="p-code">"Code (SKU ou code-barres)"</label>
            <input id="p-code" name="code" type="text" value=code required maxlength="64" autocomplete="off"
                aria-invalid=invalid("code") aria-describedby=described("code") />
            {field_error("p-code", error_of("code"))}
        </div>
        <div class="field">
            <label for="p-name">"Nom"</label>
            <input id="p-name" name="name" type="text" value=name required maxlength="200"
                aria-invalid=invalid("name") aria-describedby=described("name") />
            {field_error("p-name", error_of("name"))}
        </div>
        <div class="field">
            <label for="p-category_id">"Catégorie"</label>
            <select id="p-category_id" name="category_id" required
                aria-invalid=invalid("category_id") aria-describedby=described("category_id")>
                <option value="" selected=category.is_empty()>"Choisir…"</option>
                {loaded.categories.into_iter().map(|c| {
                    let selected = c.id.to_string() == category;
                    view! { <option value=c.id.to_string() selected=selected>{c.name}</option> }
                }).collect_view()}
            </select>
            {field_error("p-category_id", error_of("category_id"))}
        </div>
        <div class="field">
            <label for="p-price">"Prix avant taxes ($)"</label>
            <input id="p-price" name="price" type="text" inputmode="decimal" value=price required
                placeholder="12,50" aria-invalid=invalid("price") aria-describedby=described("price") />
            {field_error("p-price", error_of("price"))}
        </div>
        <div class="field check">
            <input id="p-taxable" name="taxable" type="checkbox" checked=taxable />
            <label for="p-taxable">"Taxable (TPS et TVQ)"</label>
        </div>
        <div class="field check">
            <input id="p-active" name="active" type="checkbox" checked=active />
            <label for="p-active">"Actif (vendu en caisse)"</label>
        </div>
        <div class="field">
            <label for="p-warehouse_quantity">
                {if loaded.id.is_some() { "Stock à l'entrepôt" } else { "Stock initial à l'entrepôt" }}
            </label>
            <input id="p-warehouse_quantity" name="warehouse_quantity" type="number" min="0" step="1"
                inputmode="numeric" value=quantity
                aria-invalid=invalid("warehouse_quantity") aria-describedby=described("warehouse_quantity") />
            {field_error("p-warehouse_quantity", error_of("warehouse_quantity"))}
        </div>
        <div class="field">
            <label for="p-description">"Description"</label>
            <textarea id="p-description" name="description" rows="3" maxlength="2000"
                aria-invalid=invalid("description") aria-describedby=described("description")>{description}</textarea>
            {field_error("p-description", error_of("description"))}
        </div>
    };
    let form = match loaded.id {
        Some(id) => view! {
            <ActionForm action=update attr:class="form product-form" attr:id="product-form">
                <input type="hidden" name="product_id" value=id />
                <input type="hidden" name="warehouse_before" value=loaded.warehouse_quantity.clone() />
                {fields}
                <button type="submit">"Enregistrer"</button>
            </ActionForm>
        }
        .into_any(),
        None => view! {
            <ActionForm action=create attr:class="form product-form" attr:id="product-form">
                {fields}
                <button type="submit">"Créer le produit"</button>
            </ActionForm>
        }
        .into_any(),
    };
    view! {
        <Title text=format!("{title} — Multi-Magasin") />
        <h1>{title}</h1>
        {notice.map(|(class, text)| view! {
            <p class=class role=if class == "error" { "alert" } else { "status" }>{text}</p>
        })}
        {form}
    }
}
