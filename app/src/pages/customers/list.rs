//! The customers' list: one search box (name, phone, email or card), the count, the table and
//! its pages, and the form to create a customer (its problems next to its fields).

use leptos::prelude::*;
use leptos_router::params::ParamsMap;

use super::actions::CreateCustomer;
use super::api::{CustomersView, card_display, codes};
use crate::components::{Field, Notice, Pager};
use crate::flash::Flash;
use crate::format::count;
use crate::links::with_query;

pub fn customers_view(
    v: CustomersView,
    query: &ParamsMap,
    csrf: String,
    create: ServerAction<CreateCustomer>,
) -> impl IntoView + use<> {
    let q = query.get("q").unwrap_or_default();
    let flash = Flash::read(query);
    let link = {
        let q = q.clone();
        move |page: u32| {
            let page = if page > 1 {
                page.to_string()
            } else {
                String::new()
            };
            with_query("/clients", &[("q", &q), ("page", &page)])
        }
    };
    let refused = flash.error_code() == Some(codes::FIELDS_REFUSED);
    let values = FormValues::read(&flash, refused, ["", "", ""], false);
    view! {
        {refused.then(|| Notice::error("Le client n'est pas créé : corrigez les champs signalés.").view())}
        <form method="get" action="/clients" class="filters" role="search">
            <div class="field grow">
                <label for="c-q">"Nom, téléphone, courriel ou carte"</label>
                <input id="c-q" type="search" name="q" value=q.clone() autocomplete="off" />
            </div>
            <button type="submit">"Rechercher"</button>
        </form>
        <p class="count">{match v.total {
            0 => "Aucun client ne correspond.".to_owned(),
            1 => "1 client.".to_owned(),
            n => format!("{} clients.", count(n)),
        }}</p>
        <table class="products customers">
            <thead><tr>
                <th>"Nom"</th><th>"Téléphone"</th><th>"Courriel"</th><th>"Carte"</th>
                <th>"Points"</th><th>"Crédit"</th>
            </tr></thead>
            <tbody>
                {v.rows.into_iter().map(|c| view! {
                    <tr data-customer-id=c.id class:anonymized=c.anonymized>
                        <td data-label="Nom"><a href=format!("/clients/{}", c.id)>{c.name}</a></td>
                        <td data-label="Téléphone">{c.phone}</td>
                        <td data-label="Courriel">{c.email}</td>
                        <td data-label="Carte" class="code">{card_display(&c.card)}</td>
                        <td data-label="Points" class="num">{c.points}</td>
                        <td data-label="Crédit" class="num">{c.credit}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <Pager
            page=v.page
            pages=v.pages
            prev=(v.page > 1).then(|| link(v.page - 1))
            next=(v.page < v.pages).then(|| link(v.page + 1))
        />
        <section id="nouveau-client" aria-labelledby="nouveau-client-titre">
            <h2 id="nouveau-client-titre">"Nouveau client"</h2>
            <p class="muted">"Chaque champ est facultatif ; une carte de fidélité est créée avec le client."</p>
            <ActionForm action=create attr:class="form narrow customer-form">
                <input type="hidden" name="csrf" value=csrf />
                {customer_fields("n", values)}
                <button type="submit">"Créer le client"</button>
            </ActionForm>
        </section>
    }
}

/// What the customer form shows: the values and each field's problem.
pub struct FormValues {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub consent: bool,
    /// The problems of `name`, `email` and `phone`.
    pub problems: [Option<String>; 3],
}

impl FormValues {
    /// The values after a refusal (what was typed, with the problems) or `loaded`.
    pub fn read(flash: &Flash, refused: bool, loaded: [&str; 3], consent: bool) -> Self {
        let typed = |field: &str, loaded: &str| {
            if refused {
                flash.typed_of(field).unwrap_or_default().to_owned()
            } else {
                loaded.to_owned()
            }
        };
        let problem = |field: &str| {
            refused
                .then(|| flash.problem_of(field).map(str::to_owned))
                .flatten()
        };
        FormValues {
            name: typed("name", loaded[0]),
            email: typed("email", loaded[1]),
            phone: typed("phone", loaded[2]),
            consent: if refused {
                flash.typed_of("marketing_consent").is_some()
            } else {
                consent
            },
            problems: [problem("name"), problem("email"), problem("phone")],
        }
    }
}

/// The name, email, phone and consent fields of the create and edit forms; `prefix` keeps
/// their ids apart.
pub fn customer_fields(prefix: &'static str, v: FormValues) -> impl IntoView + use<> {
    let FormValues {
        name,
        email,
        phone,
        consent,
        problems: [name_error, email_error, phone_error],
    } = v;
    let consent_id = format!("{prefix}-marketing_consent");
    view! {
        <Field id=format!("{prefix}-name") label="Nom" error=name_error control=move |a| view! {
            <input id=a.id name="name" type="text" value=name maxlength="200" autocomplete="off"
                aria-invalid=a.invalid aria-describedby=a.described_by />
        } />
        <Field id=format!("{prefix}-phone") label="Téléphone" error=phone_error control=move |a| view! {
            <input id=a.id name="phone" type="tel" value=phone inputmode="tel" placeholder="514 555-1234"
                autocomplete="off" aria-invalid=a.invalid aria-describedby=a.described_by />
        } />
        <Field id=format!("{prefix}-email") label="Courriel" error=email_error control=move |a| view! {
            <input id=a.id name="email" type="email" value=email autocomplete="off"
                aria-invalid=a.invalid aria-describedby=a.described_by />
        } />
        <div class="field check">
            <input id=consent_id.clone() name="marketing_consent" type="checkbox" checked=consent />
            <label for=consent_id>"Accepte de recevoir les offres (consentement marketing)"</label>
        </div>
    }
}
