//! Cartes-cadeaux: any employee checks a gift card's balance and its movements by typing or
//! scanning its code. A plain GET form (`/cartes-cadeaux?code=...`), so it works without
//! JavaScript and the result can be bookmarked; an unknown code is said next to the field.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;
use serde::{Deserialize, Serialize};

use crate::components::{Failure, Field};
use crate::error::AppError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MovementRow {
    /// `3 déc. 2026, 18 h 18`.
    pub at: String,
    pub reason: String,
    /// Signed, written: `-7,50 $`.
    pub amount: String,
    /// `/ventes/12` or `/retours/4`, when the movement came from one.
    pub link: Option<(String, String)>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CardView {
    pub code: String,
    pub balance: String,
    pub initial: String,
    pub store: String,
    pub created: String,
    pub movements: Vec<MovementRow>,
}

/// What the page shows for the code in its query.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Lookup {
    pub code: String,
    pub card: Option<CardView>,
    /// Why no card is shown for a typed code.
    pub problem: Option<String>,
}

#[server(endpoint = "gift_card_lookup")]
pub async fn load_gift_card(code: String) -> Result<Lookup, AppError> {
    use crate::format::{date_time, money};
    use crate::server::{failure, pool, require_session};
    let session = require_session().await?;
    let code = code.trim().to_owned();
    if code.is_empty() {
        return Ok(Lookup {
            code,
            card: None,
            problem: None,
        });
    }
    let pool = pool()?;
    let history = match domain::gift_cards::gift_card_history(
        &pool,
        &session.employee.actor(),
        &code,
    )
    .await
    {
        Ok(history) => history,
        Err(domain::Error::NotFound { .. }) => {
            return Ok(Lookup {
                code,
                card: None,
                problem: Some(
                    "Aucune carte-cadeau ne porte ce code : vérifiez les 16 chiffres.".into(),
                ),
            });
        }
        Err(e) => return Err(failure(e)),
    };
    let store = domain::stores::get_store(&pool, history.card.store_id)
        .await
        .map_err(failure)?;
    let tz = store.tz();
    let movements = history
        .movements
        .iter()
        .map(|m| MovementRow {
            at: date_time(&m.created_at.with_timezone(&tz)),
            reason: m.reason_label().to_owned(),
            amount: money(m.delta),
            link: m
                .sale_id
                .map(|id| (format!("/ventes/{id}"), format!("Vente n° {id}")))
                .or_else(|| {
                    m.return_id
                        .map(|id| (format!("/retours/{id}"), format!("Retour n° {id}")))
                }),
        })
        .collect();
    let card = history.card;
    Ok(Lookup {
        code,
        card: Some(CardView {
            code: card.code,
            balance: money(card.balance),
            initial: money(card.initial_amount),
            store: store.name,
            created: date_time(&card.created_at.with_timezone(&tz)),
            movements,
        }),
        problem: None,
    })
}

fn card_view(card: CardView) -> impl IntoView {
    view! {
        <section class="gift-card" data-code=card.code.clone()>
            <h2>{format!("Carte {}", card.code)}</h2>
            <dl class="facts">
                <dt>"Solde"</dt><dd class="balance">{card.balance}</dd>
                <dt>"Montant initial"</dt><dd>{card.initial}</dd>
                <dt>"Vendue à"</dt><dd>{card.store}</dd>
                <dt>"Le"</dt><dd>{card.created}</dd>
            </dl>
            <table class="products gift-movements">
                <thead><tr><th>"Date"</th><th>"Mouvement"</th><th>"Montant"</th><th>"Origine"</th></tr></thead>
                <tbody>
                    {card.movements.into_iter().map(|m| view! {
                        <tr>
                            <td data-label="Date">{m.at}</td>
                            <td data-label="Mouvement">{m.reason}</td>
                            <td data-label="Montant" class="num">{m.amount}</td>
                            <td data-label="Origine">{m.link.map(|(href, label)| view! { <a href=href>{label}</a> })}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
}

#[component]
pub fn GiftCardsPage() -> impl IntoView {
    let query = use_query_map();
    let data = Resource::new(
        move || query.read().get("code").unwrap_or_default(),
        load_gift_card,
    );
    view! {
        <Title text="Cartes-cadeaux — Multi-Magasin" />
        <h1>"Cartes-cadeaux"</h1>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(found) => {
                        let Lookup { code, card, problem } = found;
                        view! {
                            <form method="get" action="/cartes-cadeaux" class="filters" role="search">
                                <Field id="gc-code" label="Code de la carte (16 chiffres)" class="field grow" error=problem control=move |a| view! {
                                    <input id=a.id name="code" type="text" inputmode="numeric" autocomplete="off"
                                        value=code aria-invalid=a.invalid aria-describedby=a.described_by />
                                } />
                                <button type="submit">"Vérifier le solde"</button>
                            </form>
                            {card.map(card_view)}
                        }.into_any()
                    }
                    Err(e) => view! { <Failure error=e /> }.into_any(),
                }
            })}
        </Transition>
    }
}
