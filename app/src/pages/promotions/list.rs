//! The promotions' list: current, upcoming, ended and inactive, each row with its rule, what it
//! applies to, its stores and dates, and head office's actions (edit, deactivate, reactivate).

use leptos::prelude::*;
use leptos_router::params::ParamsMap;

use super::api::{PromotionRow, PromotionsView, SetPromotionActive, codes};
use crate::components::Notice;
use crate::flash::Flash;

fn notice(flash: &Flash) -> Option<Notice> {
    if flash.fact(codes::SAVED).is_some() {
        return Some(Notice::success("Promotion enregistrée."));
    }
    if let Some(done) = flash.done_code() {
        let id = flash.fact(codes::PROMOTION).unwrap_or_default();
        return Some(Notice::success(if done == codes::DEACTIVATED {
            format!("Promotion n° {id} désactivée : elle ne s'applique plus.")
        } else {
            format!("Promotion n° {id} réactivée.")
        }));
    }
    (flash.error_code() == Some(codes::FORBIDDEN))
        .then(|| Notice::error("Réservé au siège (administrateur)."))
}

fn group(
    title: &'static str,
    key: &'static str,
    rows: Vec<PromotionRow>,
    saved: Option<String>,
    csrf: String,
    set_active: ServerAction<SetPromotionActive>,
) -> impl IntoView + use<> {
    let empty = rows.is_empty();
    view! {
        <section class="promotions-group" data-group=key>
            <h2>{format!("{title} ({})", rows.len())}</h2>
            {empty.then(|| view! { <p class="count">"Aucune."</p> })}
            {(!empty).then(|| view! {
                <table class="products promotions">
                    <thead><tr>
                        <th>"Nom"</th><th>"Règle"</th><th>"Sur"</th><th>"Magasins"</th>
                        <th>"Dates"</th><th>"Actions"</th>
                    </tr></thead>
                    <tbody>
                        {rows.into_iter().map(|p| {
                            let fresh = saved.as_deref() == Some(p.id.to_string().as_str());
                            let csrf = csrf.clone();
                            view! {
                                <tr data-promotion-id=p.id class:fresh=fresh>
                                    <td data-label="Nom">{p.name.clone()}</td>
                                    <td data-label="Règle">{p.rule}</td>
                                    <td data-label="Sur">{p.targets}</td>
                                    <td data-label="Magasins">{p.stores}</td>
                                    <td data-label="Dates">{p.period}</td>
                                    <td class="actions">
                                        <a href=format!("/promotions/{}", p.id)>"Modifier"<span class="sr-only">{format!(" {}", p.name)}</span></a>
                                        <ActionForm action=set_active attr:class="inline act">
                                            <input type="hidden" name="csrf" value=csrf />
                                            <input type="hidden" name="promotion_id" value=p.id />
                                            <input type="hidden" name="active" value=(!p.active).to_string() />
                                            <button type="submit" class=if p.active { "secondary" } else { "ok" }>
                                                {if p.active { "Désactiver" } else { "Réactiver" }}
                                            </button>
                                        </ActionForm>
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            })}
        </section>
    }
}

pub fn promotions_view(
    v: PromotionsView,
    query: &ParamsMap,
    csrf: String,
    set_active: ServerAction<SetPromotionActive>,
) -> impl IntoView + use<> {
    let flash = Flash::read(query);
    let saved = flash.fact(codes::SAVED).map(str::to_owned);
    view! {
        {notice(&flash).map(Notice::view)}
        <p class="page-actions"><a class="button" href="/promotions/nouveau">"Nouvelle promotion"</a></p>
        {group("En cours", "en-cours", v.current, saved.clone(), csrf.clone(), set_active)}
        {group("À venir", "a-venir", v.upcoming, saved.clone(), csrf.clone(), set_active)}
        {group("Terminées", "terminees", v.ended, saved.clone(), csrf.clone(), set_active)}
        {group("Inactives", "inactives", v.inactive, saved, csrf, set_active)}
    }
}
