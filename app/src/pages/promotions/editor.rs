//! The promotion form, to create a promotion or edit one: each problem right under its field,
//! what was typed kept after a refusal, else the promotion's values (or the defaults). The
//! value fields of every kind are shown; the kind says which ones count.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::params::ParamsMap;

use super::api::{PromotionFormView, SavePromotion, codes};
use super::input::FIELDS_REFUSED;
use crate::components::{Field, Notice};
use crate::flash::Flash;

const KINDS: [(&str, &str); 4] = [
    ("pourcentage", "Pourcentage de rabais (%)"),
    ("montant", "Montant de rabais par unité ($)"),
    ("prix_fixe", "Prix unitaire fixe ($)"),
    ("lot", "Lot : acheter X, payer Y"),
];

fn notice(flash: &Flash) -> Option<Notice> {
    match flash.error_code() {
        Some(FIELDS_REFUSED) => Some(Notice::error(
            "La promotion n'est pas enregistrée : corrigez les champs signalés.",
        )),
        Some(codes::FORBIDDEN) => Some(Notice::error("Réservé au siège (administrateur).")),
        _ => None,
    }
}

pub fn promotion_form(
    loaded: PromotionFormView,
    query: &ParamsMap,
    csrf: String,
    save: ServerAction<SavePromotion>,
) -> impl IntoView + use<> {
    let flash = Flash::read(query);
    let refused = flash.error_code() == Some(FIELDS_REFUSED);
    let f = loaded.form;
    let text = |field: &str, loaded: &str| {
        if refused {
            flash.typed_of(field).unwrap_or_default().to_owned()
        } else {
            loaded.to_owned()
        }
    };
    let list = |field: &str, loaded: &[String]| -> Vec<String> {
        if refused {
            flash
                .typed_of(field)
                .unwrap_or_default()
                .split(',')
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        } else {
            loaded.to_vec()
        }
    };
    let problem = |field: &str| {
        refused
            .then(|| flash.problem_of(field).map(str::to_owned))
            .flatten()
    };
    let name = text("nom", &f.nom);
    let kind = text("type", &f.kind);
    let value = text("valeur", &f.valeur);
    let buy = text("achat", &f.achat);
    let pay = text("paye", &f.paye);
    let products = text("produits", &f.produits);
    let starts = text("debut", &f.debut);
    let ends = text("fin", &f.fin);
    let active = if refused {
        flash.typed_of("actif").is_some()
    } else {
        f.actif.is_some()
    };
    let chosen_categories = list("categorie_ids", &f.categorie_ids);
    let chosen_stores = list("magasin_ids", &f.magasin_ids);
    let problem_nom = problem("nom");
    let problem_type = problem("type");
    let problem_valeur = problem("valeur");
    let problem_achat = problem("achat");
    let problem_paye = problem("paye");
    let problem_produit_ids = problem("produit_ids");
    let problem_debut = problem("debut");
    let problem_fin = problem("fin");
    let category_problem = problem("categorie_ids");
    let category_described = category_problem.is_some().then_some("pr-categories-erreur");
    let store_described = problem("magasin_ids")
        .is_some()
        .then_some("pr-magasins-erreur");
    let store_problem = problem("magasin_ids");
    let title = match loaded.id {
        Some(_) => format!("Modifier {}", f.nom),
        None => "Nouvelle promotion".to_owned(),
    };
    let boxes = |name: &'static str,
                 prefix: &'static str,
                 choices: Vec<super::api::Choice>,
                 chosen: Vec<String>| {
        choices
            .into_iter()
            .map(|c| {
                let id = format!("{prefix}-{}", c.id);
                let checked = chosen.contains(&c.id.to_string());
                view! {
                    <div class="field check">
                        <input id=id.clone() type="checkbox" name=name value=c.id.to_string() checked=checked />
                        <label for=id>{c.name}</label>
                    </div>
                }
            })
            .collect_view()
    };
    let categories = boxes(
        "categorie_ids[]",
        "pr-cat",
        loaded.categories,
        chosen_categories,
    );
    let stores = boxes("magasin_ids[]", "pr-mag", loaded.stores, chosen_stores);
    view! {
        <Title text=format!("{title} — Multi-Magasin") />
        <h1>{title}</h1>
        {notice(&flash).map(Notice::view)}
        <ActionForm action=save attr:class="form product-form promotion-form" attr:id="promotion-form">
            <input type="hidden" name="promotion_id" value=loaded.id.map(|id| id.to_string()).unwrap_or_default() />
            <input type="hidden" name="csrf" value=csrf />
            <Field id="pr-nom" label="Nom (imprimé sur le reçu)" class="field" error=problem_nom control=move |a| view! {
                <input id=a.id name="nom" type="text" value=name required maxlength="120"
                    aria-invalid=a.invalid aria-describedby=a.described_by />
            } />
            <Field id="pr-type" label="Type" class="field" error=problem_type control=move |a| view! {
                <select id=a.id name="type" aria-invalid=a.invalid aria-describedby=a.described_by>
                    {KINDS.iter().map(|(code, label)| view! {
                        <option value=*code selected=kind == *code>{*label}</option>
                    }).collect_view()}
                </select>
            } />
            <Field id="pr-valeur" label="Valeur (% ou $ ; pas pour un lot)" class="field" error=problem_valeur control=move |a| view! {
                <input id=a.id name="valeur" type="text" inputmode="decimal" value=value placeholder="20 ou 0,50"
                    aria-invalid=a.invalid aria-describedby=a.described_by />
            } />
            <Field id="pr-achat" label="Lot : unités achetées" class="field" error=problem_achat control=move |a| view! {
                <input id=a.id name="achat" type="number" min="2" step="1" inputmode="numeric" value=buy
                    aria-invalid=a.invalid aria-describedby=a.described_by />
            } />
            <Field id="pr-paye" label="Lot : unités payées" class="field" error=problem_paye control=move |a| view! {
                <input id=a.id name="paye" type="number" min="1" step="1" inputmode="numeric" value=pay
                    aria-invalid=a.invalid aria-describedby=a.described_by />
            } />
            <Field id="pr-produits" label="Produits (codes séparés par des espaces)" class="field" error=problem_produit_ids control=move |a| view! {
                <textarea id=a.id name="produits" rows="2" placeholder="ALI001 ALI002" autocomplete="off"
                    aria-invalid=a.invalid aria-describedby=a.described_by>{products}</textarea>
            } />
            <fieldset class="field choices" aria-describedby=category_described>
                <legend>"Catégories"</legend>
                {categories}
                {category_problem.map(|m| view! { <p class="field-error" id="pr-categories-erreur">{m}</p> })}
            </fieldset>
            <fieldset class="field choices" aria-describedby=store_described>
                <legend>"Magasins (aucun coché : tous)"</legend>
                {stores}
                {store_problem.map(|m| view! { <p class="field-error" id="pr-magasins-erreur">{m}</p> })}
            </fieldset>
            <Field id="pr-debut" label="Premier jour" class="field" error=problem_debut control=move |a| view! {
                <input id=a.id name="debut" type="date" value=starts required
                    aria-invalid=a.invalid aria-describedby=a.described_by />
            } />
            <Field id="pr-fin" label="Dernier jour (inclus)" class="field" error=problem_fin control=move |a| view! {
                <input id=a.id name="fin" type="date" value=ends required
                    aria-invalid=a.invalid aria-describedby=a.described_by />
            } />
            <div class="field check">
                <input id="pr-actif" name="actif" type="checkbox" checked=active />
                <label for="pr-actif">"Active"</label>
            </div>
            <button type="submit">{if loaded.id.is_some() { "Enregistrer" } else { "Créer la promotion" }}</button>
        </ActionForm>
    }
}
