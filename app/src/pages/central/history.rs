//! One request: its facts, the transitions the viewer may apply, the history of its statuses
//! (who, when, why) and the stock movements it caused.

use leptos::prelude::*;
use leptos_meta::Title;

use super::actions::{Actions, RequestActions};
use super::api::RequestDetail;
use crate::components::{Notice, RequestBadge};

pub fn request_view(
    d: RequestDetail,
    notice: Option<Notice>,
    reason_missing: bool,
    actions: Actions,
    csrf: String,
) -> AnyView {
    let r = d.request;
    let back = format!("/entrepot/demandes/{}", r.id);
    view! {
        <Title text=format!("Demande n° {} — Multi-Magasin", r.id) />
        <p class="back"><a href=d.back.clone()>{if d.back == "/entrepot" { "← Stock central" } else { "← Stock du magasin" }}</a></p>
        <h1>{format!("Demande n° {}", r.id)}</h1>
        {notice.map(Notice::view)}
        <dl class="request-facts" data-status=r.status.clone()>
            <div><dt>"Magasin"</dt><dd>{r.store_name.clone()}</dd></div>
            <div><dt>"Produit"</dt><dd><span class="code">{r.product_code.clone()}</span>" "{r.product_name.clone()}</dd></div>
            <div><dt>"Quantité"</dt><dd class="num">{r.quantity.clone()}</dd></div>
            <div><dt>"Statut"</dt><dd><RequestBadge status=r.status.clone() label=r.status_label.clone() /></dd></div>
        </dl>
        {(!r.actions.is_empty()).then(|| view! {
            <div class="request-actions">
                <RequestActions actions request=r.clone() csrf=csrf.clone() back=back.clone() reason_missing />
            </div>
        })}
        <h2>"Historique"</h2>
        <ol class="history">
            {d.steps.into_iter().map(|s| view! {
                <li data-status=s.status.clone()>
                    <strong>{s.label}</strong>
                    " le " <time>{s.at}</time>
                    " par " {s.by}
                    {s.note.map(|n| view! { <span class="note">{format!("« {n} »")}</span> })}
                </li>
            }).collect_view()}
        </ol>
        <h2>"Mouvements de stock"</h2>
        {if d.movements.is_empty() {
            view! { <p class="count">"Aucun mouvement : le stock bouge à la validation (entrepôt) et à la livraison (magasin)."</p> }.into_any()
        } else {
            view! {
                <table class="movements">
                    <thead><tr><th>"Lieu"</th><th>"Variation"</th><th>"Motif"</th><th>"Date"</th><th>"Par"</th></tr></thead>
                    <tbody>
                        {d.movements.into_iter().map(|m| view! {
                            <tr>
                                <td>{m.place}</td>
                                <td class="num">{m.delta}</td>
                                <td>{m.reason}</td>
                                <td>{m.at}</td>
                                <td>{m.by}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
    .into_any()
}
