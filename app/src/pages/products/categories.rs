//! The catalogue's categories: their list, and head office's form to add one (its problem next
//! to the field, what was typed kept).

use leptos::prelude::*;

use super::api::{CategoryRow, CreateCategory, codes};
use crate::components::Field;
use crate::flash::Flash;

pub fn categories_section(
    categories: Vec<CategoryRow>,
    can_edit: bool,
    flash: &Flash,
    csrf: String,
    add_category: ServerAction<CreateCategory>,
) -> impl IntoView + use<> {
    // after a refusal, the problems and what was typed; otherwise an empty form
    let refused = flash.error_code() == Some(codes::CATEGORY_REFUSED);
    let problem = |field: &str| {
        refused
            .then(|| flash.problem_of(field).map(str::to_owned))
            .flatten()
    };
    let typed = |field: &str| {
        refused
            .then(|| flash.typed_of(field))
            .flatten()
            .unwrap_or_default()
            .to_owned()
    };
    let (name, description) = (typed("cat_name"), typed("cat_description"));
    let (name_error, description_error) = (problem("cat_name"), problem("cat_description"));
    view! {
        <section id="categories" class="categories" aria-labelledby="categories-titre">
            <h2 id="categories-titre">"Catégories"</h2>
            <ul class="category-list">
                {categories.into_iter().map(|c| view! {
                    <li data-category-id=c.id>
                        <strong>{c.name}</strong>
                        {(!c.description.is_empty()).then(|| view! { <span>{format!(" — {}", c.description)}</span> })}
                    </li>
                }).collect_view()}
            </ul>
            {can_edit.then(move || view! {
                <ActionForm action=add_category attr:class="form category-form">
                    <h3>"Nouvelle catégorie"</h3>
                    <input type="hidden" name="csrf" value=csrf />
                    <Field id="cat-name" label="Nom" error=name_error control=move |a| view! {
                        <input id=a.id name="name" type="text" required maxlength="120" value=name
                            aria-invalid=a.invalid aria-describedby=a.described_by />
                    } />
                    <Field id="cat-description" label="Description" error=description_error control=move |a| view! {
                        <input id=a.id name="description" type="text" value=description
                            aria-invalid=a.invalid aria-describedby=a.described_by />
                    } />
                    <button type="submit">"Ajouter la catégorie"</button>
                </ActionForm>
            })}
        </section>
    }
}
