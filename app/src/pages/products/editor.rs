//! The product form, to create a product or edit one: each problem right under its field and
//! what was typed kept after a refusal, else the product's values (or the defaults).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::params::ParamsMap;

use super::api::{CreateProduct, ProductFormView, UpdateProduct, codes};
use super::input::FIELDS_REFUSED;
use crate::components::{Field, Notice};
use crate::flash::Flash;

fn notice(flash: &Flash) -> Option<Notice> {
    if flash.fact(codes::SAVED).is_some() {
        Some(Notice::success("Modifications enregistrées."))
    } else {
        match flash.error_code() {
            Some(FIELDS_REFUSED) => Some(Notice::error(
                "Le produit n'est pas enregistré : corrigez les champs signalés.",
            )),
            Some(codes::FORBIDDEN) => Some(Notice::error("Réservé au siège (administrateur).")),
            _ => None,
        }
    }
}

pub fn product_form(
    loaded: ProductFormView,
    query: &ParamsMap,
    csrf: String,
    create: ServerAction<CreateProduct>,
    update: ServerAction<UpdateProduct>,
) -> impl IntoView + use<> {
    let flash = Flash::read(query);
    let refused = flash.error_code() == Some(FIELDS_REFUSED);
    // after a refusal, what the person typed; otherwise the product (or the defaults)
    let text = |field: &str, loaded: &str| {
        if refused {
            flash.typed_of(field).unwrap_or_default().to_owned()
        } else {
            loaded.to_owned()
        }
    };
    let flag = |field: &str, loaded: bool| {
        if refused {
            flash.typed_of(field).is_some()
        } else {
            loaded
        }
    };
    let problem = |field: &str| {
        refused
            .then(|| flash.problem_of(field).map(str::to_owned))
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
    let title = match loaded.id {
        Some(_) => format!("Modifier {}", loaded.name),
        None => "Nouveau produit".to_owned(),
    };
    let quantity_label = if loaded.id.is_some() {
        "Stock à l'entrepôt"
    } else {
        "Stock initial à l'entrepôt"
    };
    let categories = loaded.categories;
    let fields = view! {
        <input type="hidden" name="csrf" value=csrf />
        <Field id="p-code" label="Code (SKU ou code-barres)" class="field" error=problem("code") control=move |a| view! {
            <input id=a.id name="code" type="text" value=code required maxlength="64" autocomplete="off"
                aria-invalid=a.invalid aria-describedby=a.described_by />
        } />
        <Field id="p-name" label="Nom" class="field" error=problem("name") control=move |a| view! {
            <input id=a.id name="name" type="text" value=name required maxlength="200"
                aria-invalid=a.invalid aria-describedby=a.described_by />
        } />
        <Field id="p-category_id" label="Catégorie" class="field" error=problem("category_id") control=move |a| view! {
            <select id=a.id name="category_id" required aria-invalid=a.invalid aria-describedby=a.described_by>
                <option value="" selected=category.is_empty()>"Choisir…"</option>
                {categories.into_iter().map(|c| {
                    let selected = c.id.to_string() == category;
                    view! { <option value=c.id.to_string() selected=selected>{c.name}</option> }
                }).collect_view()}
            </select>
        } />
        <Field id="p-price" label="Prix avant taxes ($)" class="field" error=problem("price") control=move |a| view! {
            <input id=a.id name="price" type="text" inputmode="decimal" value=price required placeholder="12,50"
                aria-invalid=a.invalid aria-describedby=a.described_by />
        } />
        <div class="field check">
            <input id="p-taxable" name="taxable" type="checkbox" checked=taxable />
            <label for="p-taxable">"Taxable (TPS et TVQ)"</label>
        </div>
        <div class="field check">
            <input id="p-active" name="active" type="checkbox" checked=active />
            <label for="p-active">"Actif (vendu en caisse)"</label>
        </div>
        <Field id="p-warehouse_quantity" label=quantity_label class="field" error=problem("warehouse_quantity")
            control=move |a| view! {
                <input id=a.id name="warehouse_quantity" type="number" min="0" step="1" inputmode="numeric"
                    value=quantity aria-invalid=a.invalid aria-describedby=a.described_by />
            } />
        <Field id="p-description" label="Description" class="field" error=problem("description") control=move |a| view! {
            <textarea id=a.id name="description" rows="3" maxlength="2000"
                aria-invalid=a.invalid aria-describedby=a.described_by>{description}</textarea>
        } />
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
        {notice(&flash).map(Notice::view)}
        {form}
    }
}
