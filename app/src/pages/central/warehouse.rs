//! The warehouse's levels on the central page, alerts first.

use leptos::prelude::*;

use super::api::{WAREHOUSE_ROWS, WarehouseRow};
use crate::components::StockBadge;
use crate::format::count;

pub fn warehouse_section(rows: Vec<WarehouseRow>, total: i64) -> AnyView {
    view! {
        <section class="central-stock" aria-labelledby="entrepot">
            <h2 id="entrepot">"Niveaux de l'entrepôt"</h2>
            <p class="count">{if total > i64::from(WAREHOUSE_ROWS) {
                format!("Les {WAREHOUSE_ROWS} premiers produits sur {}, alertes d'abord.", count(total))
            } else {
                "Alertes d'abord.".to_owned()
            }}</p>
            <table class="stock warehouse">
                <thead><tr>
                    <th>"Produit"</th><th>"Quantité"</th><th>"Seuil"</th><th>"État"</th><th>"Couverture"</th>
                </tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| view! {
                        <tr data-product-id=r.product_id data-status=r.status.clone()>
                            <td><span class="code">{r.code}</span>" "{r.name}</td>
                            <td class="num">{r.quantity}</td>
                            <td class="num">{r.threshold}</td>
                            <td><StockBadge status=r.status.clone() /></td>
                            <td class="num">{r.cover}</td>
                        </tr>
                    }).collect_view()}
                </tbody>
            </table>
        </section>
    }
    .into_any()
}
