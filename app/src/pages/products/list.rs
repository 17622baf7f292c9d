//! The catalogue's list: the search form (name or code, category, state), the count, the table
//! with head office's actions on each row, and the pages.

use leptos::prelude::*;
use leptos_router::params::ParamsMap;

use super::api::{CreateCategory, ProductsView, SetProductActive, codes};
use super::categories::categories_section;
use crate::components::{Notice, Pager};
use crate::flash::Flash;
use crate::format::count;
use crate::links::with_query;

/// `(q, categorie, etat, page)` of the list's query.
pub fn list_filters(q: &ParamsMap) -> (String, String, String, u32) {
    (
        q.get("q").unwrap_or_default(),
        q.get("categorie").unwrap_or_default(),
        q.get("etat").unwrap_or_default(),
        q.get("page")
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(1),
    )
}

/// What the last form on this page did, from its redirect.
fn notice(flash: &Flash) -> Option<Notice> {
    if flash.fact(codes::CREATED).is_some() {
        return Some(Notice::success("Produit créé."));
    }
    if let Some(done) = flash.done_code() {
        let id = flash.fact(codes::PRODUCT).unwrap_or_default();
        return Some(Notice::success(if done == codes::DEACTIVATED {
            format!("Produit n° {id} désactivé : il n'est plus vendu en caisse.")
        } else {
            format!("Produit n° {id} réactivé.")
        }));
    }
    if flash.fact(codes::CATEGORY_CREATED).is_some() {
        return Some(Notice::success("Catégorie ajoutée."));
    }
    (flash.error_code() == Some(codes::FORBIDDEN))
        .then(|| Notice::error("Réservé au siège (administrateur)."))
}

pub fn products_view(
    v: ProductsView,
    query: &ParamsMap,
    csrf: String,
    set_active: ServerAction<SetProductActive>,
    add_category: ServerAction<CreateCategory>,
) -> impl IntoView + use<> {
    let (q, categorie, etat, page) = list_filters(query);
    let flash = Flash::read(query);
    let link = {
        let (q, categorie, etat) = (q.clone(), categorie.clone(), etat.clone());
        move |page: u32| {
            let page = if page > 1 {
                page.to_string()
            } else {
                String::new()
            };
            with_query(
                "/produits",
                &[
                    ("q", &q),
                    ("categorie", &categorie),
                    ("etat", &etat),
                    ("page", &page),
                ],
            )
        }
    };
    let back = link(page);
    let created = flash.fact(codes::CREATED).map(str::to_owned);
    let can_edit = v.can_edit;
    view! {
        {notice(&flash).map(Notice::view)}
        {can_edit.then(|| view! {
            <p class="page-actions"><a class="button" href="/produits/nouveau">"Nouveau produit"</a></p>
        })}
        <form method="get" action="/produits" class="filters" role="search">
            <div class="field grow">
                <label for="p-q">"Nom ou code"</label>
                <input id="p-q" type="search" name="q" value=q.clone() autocomplete="off" />
            </div>
            <div class="field">
                <label for="p-categorie">"Catégorie"</label>
                <select id="p-categorie" name="categorie">
                    <option value="" selected=categorie.is_empty()>"Toutes"</option>
                    {v.categories.iter().map(|c| view! {
                        <option value=c.id.to_string() selected=c.id.to_string() == categorie>{c.name.clone()}</option>
                    }).collect_view()}
                </select>
            </div>
            <div class="field">
                <label for="p-etat">"État"</label>
                <select id="p-etat" name="etat">
                    <option value="" selected=etat.is_empty()>"Tous"</option>
                    <option value="actifs" selected=etat == "actifs">"Actifs"</option>
                    <option value="inactifs" selected=etat == "inactifs">"Inactifs"</option>
                </select>
            </div>
            <button type="submit">"Rechercher"</button>
        </form>
        <p class="count">{match v.total {
            0 => "Aucun produit ne correspond.".to_owned(),
            1 => "1 produit.".to_owned(),
            n => format!("{} produits.", count(n)),
        }}</p>
        <table class="products">
            <thead><tr>
                <th>"Code"</th><th>"Nom"</th><th>"Catégorie"</th><th>"Prix"</th><th>"Taxable"</th>
                {can_edit.then(|| view! { <th>"Entrepôt"</th> })}
                <th>"État"</th>
                {can_edit.then(|| view! { <th>"Actions"</th> })}
            </tr></thead>
            <tbody>
                {v.rows.into_iter().map(|p| {
                    let fresh = created.as_deref() == Some(p.id.to_string().as_str());
                    let (csrf, back) = (csrf.clone(), back.clone());
                    view! {
                        <tr data-product-id=p.id data-active=p.active.to_string() class:fresh=fresh>
                            <td data-label="Code" class="code">{p.code.clone()}</td>
                            <td data-label="Nom">{p.name.clone()}</td>
                            <td data-label="Catégorie">{p.category.clone()}</td>
                            <td data-label="Prix" class="num">{p.price.clone()}</td>
                            <td data-label="Taxable">{if p.taxable { "Oui" } else { "Non" }}</td>
                            {p.warehouse.map(|w| view! {
                                <td data-label="Entrepôt" class="num">{w}</td>
                            })}
                            <td data-label="État">
                                {if p.active {
                                    view! { <span class="badge active">"Actif"</span> }.into_any()
                                } else {
                                    view! { <span class="badge inactive">"Inactif"</span> }.into_any()
                                }}
                            </td>
                            {can_edit.then(|| view! {
                                <td class="actions">
                                    <a href=format!("/produits/{}", p.id)>"Modifier"<span class="sr-only">{format!(" {}", p.name)}</span></a>
                                    <ActionForm action=set_active attr:class="inline act">
                                        <input type="hidden" name="csrf" value=csrf />
                                        <input type="hidden" name="product_id" value=p.id />
                                        <input type="hidden" name="active" value=(!p.active).to_string() />
                                        <input type="hidden" name="back" value=back />
                                        <button type="submit" class=if p.active { "secondary" } else { "ok" }>
                                            {if p.active { "Désactiver" } else { "Réactiver" }}
                                        </button>
                                    </ActionForm>
                                </td>
                            })}
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <Pager
            page=v.page
            pages=v.pages
            prev=(v.page > 1).then(|| link(v.page - 1))
            next=(v.page < v.pages).then(|| link(v.page + 1))
        />
        {categories_section(v.categories, can_edit, &flash, csrf, add_category)}
    }
}
