//! The report's form: period, store (or the whole network) and dates, a GET form that works
//! without JavaScript; once hydrated, typing a date picks "Dates choisies".

use leptos::prelude::*;
use leptos_router::components::Form;

use super::view::{PeriodChoice, ReportChoice, StoreChoice};
use crate::components::Field;

#[component]
pub fn ReportFilters(
    choice: ReportChoice,
    stores: Vec<StoreChoice>,
    network_allowed: bool,
    /// `(du|au, message)`: dates to fix.
    errors: Vec<(String, String)>,
    /// The period picker's choices (the domain's presets).
    periods: Vec<PeriodChoice>,
) -> impl IntoView {
    let periode = NodeRef::<leptos::html::Select>::new();
    let custom_key = StoredValue::new(
        periods
            .iter()
            .find(|p| p.custom)
            .map(|p| p.key.clone())
            .unwrap_or_default(),
    );
    // typing a date means "these dates" (in the browser; without JavaScript, pick it in the list)
    let custom = move |_| {
        if let Some(select) = periode.get() {
            select.set_value(&custom_key.get_value());
        }
    };
    let error_of = |field: &str| {
        errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
    };
    let magasin = choice.magasin.clone();
    let date = |field: &'static str, label: &'static str, value: String| {
        view! {
            <Field id=field label=label class="field" error=error_of(field) error_id=format!("{field}-error")
                control=move |a| view! {
                    <input id=a.id name=field type="date" value=value on:change=custom
                        aria-invalid=a.invalid aria-describedby=a.described_by />
                } />
        }
    };
    let (du, au) = (
        date("du", "Du", choice.du.clone()),
        date("au", "Au", choice.au.clone()),
    );
    view! {
        <Form method="GET" action="/rapports" attr:class="report-filters">
            <div class="field">
                <label for="periode">"Période"</label>
                <select id="periode" name="periode" node_ref=periode>
                    {periods.into_iter().map(|p| {
                        let selected = choice.periode == p.key;
                        view! { <option value=p.key selected=selected>{p.label}</option> }
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="magasin">"Magasin"</label>
                <select id="magasin" name="magasin">
                    {network_allowed.then(|| view! {
                        <option value="" selected=magasin.is_empty()>"Tout le réseau"</option>
                    })}
                    {stores.into_iter().map(|s| {
                        let selected = magasin == s.id.to_string();
                        view! { <option value=s.id selected=selected>{s.name}</option> }
                    }).collect_view()}
                </select>
            </div>
            {du}
            {au}
            <div class="actions">
                <button type="submit">"Afficher"</button>
                <p class="hint">"Les dates servent avec « Dates choisies »."</p>
            </div>
        </Form>
    }
}
