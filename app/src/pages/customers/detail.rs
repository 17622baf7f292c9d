//! A customer's page: the loyalty card's code printed big, the balances, the edit form, the
//! managers' adjustments, the latest movements and sales, and head office's anonymisation
//! behind a confirmation box.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::params::ParamsMap;

use super::actions::{AdjustBalance, AnonymizeCustomer, UpdateCustomer};
use super::api::{CustomerView, MovementRow, card_display, codes};
use super::list::{FormValues, customer_fields};
use crate::components::{Field, Notice};
use crate::flash::Flash;
use crate::format::count;

/// The page's server actions.
#[derive(Clone, Copy)]
pub struct Actions {
    pub update: ServerAction<UpdateCustomer>,
    pub adjust: ServerAction<AdjustBalance>,
    pub anonymize: ServerAction<AnonymizeCustomer>,
}

fn notice(flash: &Flash) -> Option<Notice> {
    let balance = flash.fact(codes::BALANCE).unwrap_or_default();
    if flash.fact(codes::CREATED).is_some() {
        return Some(Notice::success(
            "Client créé : sa carte de fidélité est prête.",
        ));
    }
    if flash.fact(codes::SAVED).is_some() {
        return Some(Notice::success("Modifications enregistrées."));
    }
    match flash.done_code() {
        Some(codes::POINTS) => {
            return Some(Notice::success(format!(
                "Points ajustés : nouveau solde {balance} points."
            )));
        }
        Some(codes::CREDIT) => {
            return Some(Notice::success(format!(
                "Crédit ajusté : nouveau solde {balance}."
            )));
        }
        Some(codes::ANONYMIZE) => {
            return Some(Notice::success(
                "Client anonymisé : ses données personnelles sont effacées, ses ventes et soldes conservés.",
            ));
        }
        _ => {}
    }
    Some(Notice::error(match flash.error_code()? {
        codes::FIELDS_REFUSED => "Le client n'est pas enregistré : corrigez les champs signalés.",
        codes::FORBIDDEN => "Vous n'avez pas les droits pour cette opération.",
        codes::ADJUST_REFUSED => "L'ajustement n'est pas enregistré : voir ci-dessous.",
        codes::NOT_CONFIRMED => "Cochez la case de confirmation pour anonymiser le client.",
        codes::ANONYMIZED => {
            "Ce client a été anonymisé : ses données ne peuvent plus être modifiées."
        }
        _ => return None,
    }))
}

fn movements_table(
    caption: &'static str,
    rows: Vec<MovementRow>,
    total: i64,
) -> impl IntoView + use<> {
    let shown = rows.len() as i64;
    view! {
        <h3>{caption}</h3>
        {if rows.is_empty() {
            view! { <p class="muted">"Aucun mouvement."</p> }.into_any()
        } else {
            view! {
                <table class="list movements">
                    <thead><tr>
                        <th>"Date"</th><th>"Motif"</th><th class="num">"Variation"</th><th>"Par"</th><th>"Note"</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|m| view! {
                            <tr>
                                <td>{m.when}</td>
                                <td>{m.reason}{m.sale_id.map(|id| view! {
                                    " " <a href=format!("/ventes/{id}")>{format!("vente n° {id}")}</a>
                                })}</td>
                                <td class="num">{m.delta}</td>
                                <td>{m.who}</td>
                                <td>{m.note}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
                {(total > shown).then(|| view! {
                    <p class="muted">{format!("Les {} plus récents sur {}.", count(shown), count(total))}</p>
                })}
            }
            .into_any()
        }}
    }
}

pub fn customer_view(
    c: CustomerView,
    query: &ParamsMap,
    csrf: String,
    actions: Actions,
) -> impl IntoView + use<> {
    let flash = Flash::read(query);
    let refused = flash.error_code() == Some(codes::FIELDS_REFUSED);
    let adjust_refused = flash.error_code() == Some(codes::ADJUST_REFUSED);
    let values = FormValues::read(
        &flash,
        refused,
        [&c.name, &c.email, &c.phone],
        c.marketing_consent,
    );
    let adjust_problem = |field: &str| {
        adjust_refused
            .then(|| flash.problem_of(field).map(str::to_owned))
            .flatten()
    };
    let adjust_typed = |field: &str| {
        adjust_refused
            .then(|| flash.typed_of(field))
            .flatten()
            .unwrap_or_default()
            .to_owned()
    };
    let credit_chosen = adjust_refused && flash.fact("solde_type") == Some(codes::CREDIT);
    let (delta_error, note_error) = (adjust_problem("delta"), adjust_problem("note"));
    let (delta, note) = (adjust_typed("delta"), adjust_typed("note"));
    let title = if c.anonymized.is_some() {
        "Client anonymisé".to_owned()
    } else if c.name.is_empty() {
        format!("Client n° {}", c.id)
    } else {
        c.name.clone()
    };
    let id = c.id;
    let anonymized = c.anonymized.is_some();
    let (csrf_edit, csrf_adjust, csrf_anon) = (csrf.clone(), csrf.clone(), csrf);
    view! {
        <Title text=format!("{title} — Multi-Magasin") />
        <h1>{title}</h1>
        {notice(&flash).map(Notice::view)}
        <section class="panel customer-card" aria-labelledby="carte-titre">
            <h2 id="carte-titre">"Carte de fidélité"</h2>
            <p class="loyalty-card" data-card=c.card.clone()>{card_display(&c.card)}</p>
            <dl class="figures">
                <div class="figure"><dt>"Points"</dt><dd data-points>{c.points.clone()}</dd></div>
                <div class="figure"><dt>"Crédit en magasin"</dt><dd data-credit>{c.credit.clone()}</dd></div>
            </dl>
            <p class="muted">{format!("Client depuis le {}", c.created)}
                {c.anonymized.clone().map(|at| format!(" ; anonymisé le {at}"))}</p>
        </section>

        {(!anonymized).then(|| view! {
            <section aria-labelledby="coordonnees-titre">
                <h2 id="coordonnees-titre">"Coordonnées"</h2>
                <ActionForm action=actions.update attr:class="form narrow customer-form" attr:id="customer-form">
                    <input type="hidden" name="customer_id" value=id />
                    <input type="hidden" name="csrf" value=csrf_edit />
                    {customer_fields("e", values)}
                    <button type="submit">"Enregistrer"</button>
                </ActionForm>
            </section>
        })}

        {c.can_adjust.then(|| view! {
            <section id="ajuster" aria-labelledby="ajuster-titre">
                <h2 id="ajuster-titre">"Ajuster un solde"</h2>
                <ActionForm action=actions.adjust attr:class="form narrow adjust-form">
                    <input type="hidden" name="csrf" value=csrf_adjust />
                    <input type="hidden" name="customer_id" value=id />
                    <div class="field">
                        <label for="a-what">"Solde"</label>
                        <select id="a-what" name="what">
                            <option value=codes::POINTS selected=!credit_chosen>"Points"</option>
                            <option value=codes::CREDIT selected=credit_chosen>"Crédit en magasin ($)"</option>
                        </select>
                    </div>
                    <Field id="a-delta" label="Variation (négative pour retirer)" error=delta_error control=move |a| view! {
                        <input id=a.id name="delta" type="text" inputmode="decimal" value=delta required placeholder="100 ou -12,50"
                            aria-invalid=a.invalid aria-describedby=a.described_by />
                    } />
                    <Field id="a-note" label="Raison" error=note_error control=move |a| view! {
                        <input id=a.id name="note" type="text" value=note required maxlength="500"
                            aria-invalid=a.invalid aria-describedby=a.described_by />
                    } />
                    <button type="submit">"Ajuster"</button>
                </ActionForm>
            </section>
        })}

        <section aria-labelledby="historique-titre">
            <h2 id="historique-titre">"Historique"</h2>
            {movements_table("Points", c.points_moves, c.points_moves_total)}
            {movements_table("Crédit en magasin", c.credit_moves, c.credit_moves_total)}
            <h3>"Achats"</h3>
            {if c.sales.is_empty() {
                view! { <p class="muted">"Aucun achat."</p> }.into_any()
            } else {
                let shown = c.sales.len() as i64;
                let total = c.sales_total;
                view! {
                    <table class="list customer-sales">
                        <thead><tr>
                            <th>"Vente"</th><th>"Date"</th><th>"Magasin"</th><th class="num">"Articles"</th>
                            <th class="num">"Total"</th><th class="num">"Points"</th>
                        </tr></thead>
                        <tbody>
                            {c.sales.into_iter().map(|s| view! {
                                <tr data-sale-id=s.id>
                                    <td><a href=format!("/ventes/{}", s.id)>{format!("n° {}", s.id)}</a></td>
                                    <td>{s.when}</td>
                                    <td>{s.store}</td>
                                    <td class="num">{s.items}</td>
                                    <td class="num">{s.total}</td>
                                    <td class="num">{s.points}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    {(total > shown).then(|| view! {
                        <p class="muted">{format!("Les {} plus récents sur {}.", count(shown), count(total))}</p>
                    })}
                }
                .into_any()
            }}
        </section>

        {(c.can_anonymize && !anonymized).then(|| view! {
            <section id="anonymiser" class="danger-zone" aria-labelledby="anonymiser-titre">
                <h2 id="anonymiser-titre">"Anonymiser"</h2>
                <p>"Sur demande du client : son nom, son courriel, son téléphone et son consentement sont effacés définitivement. Ses achats, ses points et son crédit sont conservés."</p>
                <ActionForm action=actions.anonymize attr:class="form narrow">
                    <input type="hidden" name="csrf" value=csrf_anon />
                    <input type="hidden" name="customer_id" value=id />
                    <div class="field check">
                        <input id="anon-confirm" name="confirm" type="checkbox" required />
                        <label for="anon-confirm">"Je confirme l'effacement des données personnelles de ce client."</label>
                    </div>
                    <button type="submit" class="danger">"Anonymiser"</button>
                </ActionForm>
            </section>
        })}
    }
}
