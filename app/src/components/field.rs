//! One form field: its label, its control and the problem found in it, tied together for
//! screen readers (`for`, `aria-invalid`, `aria-describedby`). The problem sits right after
//! the control, so it is read and seen next to what it is about.

use leptos::prelude::*;

/// What ties a control to its label and to its problem: the control puts all three on itself
/// (`id=a.id aria-invalid=a.invalid aria-describedby=a.described_by`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Aria {
    pub id: String,
    /// `true` while the field has a problem (the attribute is absent otherwise).
    pub invalid: Option<&'static str>,
    /// The id of the problem's message, while there is one.
    pub described_by: Option<String>,
}

/// A labelled field. `control` draws the input, select or textarea with the [`Aria`] it is
/// given; the problem's message has the id `{id}-erreur` unless `error_id` names another.
#[component]
pub fn Field<C, V>(
    /// The control's id, which the label points at.
    #[prop(into)]
    id: String,
    #[prop(into)] label: String,
    /// The problem of this field, if any.
    #[prop(optional_no_strip)]
    error: Option<String>,
    /// The message's id, when a page has its own naming.
    #[prop(optional, into)]
    error_id: Option<String>,
    /// A label for screen readers only (where a table's heading names the column).
    #[prop(optional)]
    hidden_label: bool,
    /// The class of a `<div>` around the field; without it, the field's parts sit directly in
    /// their container (a flex form, a table cell).
    #[prop(optional)]
    class: Option<&'static str>,
    control: C,
) -> impl IntoView
where
    C: FnOnce(Aria) -> V,
    V: IntoView + 'static,
{
    let message_id = error_id.unwrap_or_else(|| format!("{id}-erreur"));
    let aria = Aria {
        id: id.clone(),
        invalid: error.is_some().then_some("true"),
        described_by: error.is_some().then(|| message_id.clone()),
    };
    let parts = view! {
        <label for=id class=hidden_label.then_some("sr-only")>{label}</label>
        {control(aria)}
        {error.map(|m| view! { <p class="field-error" id=message_id>{m}</p> })}
    };
    match class {
        Some(class) => view! { <div class=class>{parts}</div> }.into_any(),
        None => parts.into_any(),
    }
}
