//! The promotions' server functions and the views they answer: the list grouped by where each
//! promotion stands today, the form's values, and head office's changes (save, deactivate or
//! reactivate), each answered by a redirect with its [`Flash`]. Head office only: store staff
//! get the refusal page, and their posts are refused.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use super::input::PromotionForm;
use crate::error::AppError;
#[cfg(feature = "ssr")]
use crate::flash::Flash;

/// The flash codes and facts the promotions' pages share.
pub mod codes {
    /// `erreur=droits`: head office only.
    pub const FORBIDDEN: &str = "droits";
    /// `enregistree=<id>`: the promotion just saved, highlighted in the list.
    pub const SAVED: &str = "enregistree";
    /// `fait=desactivee|reactivee` with `promotion=<id>`.
    pub const DEACTIVATED: &str = "desactivee";
    pub const REACTIVATED: &str = "reactivee";
    pub const PROMOTION: &str = "promotion";
}

/// Most promotions the page lists: far more than a chain runs at once.
pub const MAX_LISTED: u32 = 500;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PromotionRow {
    pub id: i64,
    pub name: String,
    /// What it does, in words: `20 % de rabais`, `3 pour 2`.
    pub rule: String,
    /// What it applies to: `2 produits, 1 catégorie`.
    pub targets: String,
    /// `Tous les magasins` or their names.
    pub stores: String,
    /// `du 1er au 31 mars 2026`.
    pub period: String,
    pub active: bool,
}

/// The promotions in four groups: current, upcoming, ended, inactive (each newest first).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PromotionsView {
    pub current: Vec<PromotionRow>,
    pub upcoming: Vec<PromotionRow>,
    pub ended: Vec<PromotionRow>,
    pub inactive: Vec<PromotionRow>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

/// A promotion form's values, as typed (text), loaded from the promotion or the defaults.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PromotionFormView {
    pub id: Option<i64>,
    pub form: PromotionForm,
    pub categories: Vec<Choice>,
    pub stores: Vec<Choice>,
}

#[cfg(feature = "ssr")]
fn rule(p: &domain::promotions::Promotion) -> String {
    use crate::format::money;
    use domain::promotions::PromotionKind as K;
    let value = p.value.unwrap_or_default();
    match p.kind {
        K::Pourcentage => format!("{} % de rabais", value.normalize()).replace('.', ","),
        K::Montant => format!("{} de rabais par unité", money(value)),
        K::PrixFixe => format!("Prix unitaire {}", money(value)),
        K::Lot => format!(
            "{} pour {}",
            p.buy.unwrap_or_default(),
            p.pay.unwrap_or_default()
        ),
    }
}

#[cfg(feature = "ssr")]
fn plural(n: usize, one: &str, many: &str) -> Option<String> {
    match n {
        0 => None,
        1 => Some(format!("1 {one}")),
        n => Some(format!("{n} {many}")),
    }
}

#[server(endpoint = "promotions_list")]
pub async fn load_promotions() -> Result<PromotionsView, AppError> {
    use crate::format::period;
    use crate::server::{failure, pool, require_session};
    use domain::promotions::{PromotionFilter, PromotionStatus, list_promotions};
    let session = require_session().await?;
    session
        .employee
        .actor()
        .ensure_head_office()
        .map_err(failure)?;
    let pool = pool()?;
    let stores = domain::stores::list_stores(&pool).await.map_err(failure)?;
    let found = list_promotions(
        &pool,
        &PromotionFilter::default(),
        domain::PageRequest::new(1, 100),
    )
    .await
    .map_err(failure)?;
    let mut items = found.items;
    for page in 2..=found.pages.min(MAX_LISTED / 100) {
        let more = list_promotions(
            &pool,
            &PromotionFilter::default(),
            domain::PageRequest::new(page, 100),
        )
        .await
        .map_err(failure)?;
        items.extend(more.items);
    }
    let today = domain::reporting::chain_today();
    let mut view = PromotionsView {
        current: Vec::new(),
        upcoming: Vec::new(),
        ended: Vec::new(),
        inactive: Vec::new(),
    };
    for p in items {
        let targets = [
            plural(p.product_ids.len(), "produit", "produits"),
            plural(p.category_ids.len(), "catégorie", "catégories"),
        ]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(", ");
        let store_names = if p.store_ids.is_empty() {
            "Tous les magasins".to_owned()
        } else {
            stores
                .iter()
                .filter(|s| p.store_ids.contains(&s.id))
                .map(|s| s.name.clone())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let row = PromotionRow {
            id: p.id,
            rule: rule(&p),
            targets,
            stores: store_names,
            period: period(p.starts_on, p.ends_on),
            active: p.active,
            name: p.name.clone(),
        };
        match p.status_on(today) {
            PromotionStatus::Current => view.current.push(row),
            PromotionStatus::Upcoming => view.upcoming.push(row),
            PromotionStatus::Ended => view.ended.push(row),
            PromotionStatus::Inactive => view.inactive.push(row),
        }
    }
    Ok(view)
}

/// The form of a new promotion (`id` absent) or of an existing one; head office only.
#[server(endpoint = "promotion_form")]
pub async fn load_promotion_form(id: Option<i64>) -> Result<PromotionFormView, AppError> {
    use crate::server::{failure, pool, require_session};
    let session = require_session().await?;
    session
        .employee
        .actor()
        .ensure_head_office()
        .map_err(failure)?;
    let pool = pool()?;
    let categories = domain::catalog::list_categories(&pool)
        .await
        .map_err(failure)?
        .into_iter()
        .map(|c| Choice {
            id: c.id,
            name: c.name,
        })
        .collect();
    let stores = domain::stores::list_stores(&pool)
        .await
        .map_err(failure)?
        .into_iter()
        .map(|s| Choice {
            id: s.id,
            name: s.name,
        })
        .collect();
    let form = match id {
        Some(id) => {
            let p = domain::promotions::get_promotion(&pool, id)
                .await
                .map_err(failure)?;
            let mut codes = Vec::new();
            for product in &p.product_ids {
                let product = domain::catalog::get_product(&pool, *product)
                    .await
                    .map_err(failure)?;
                codes.push(product.code);
            }
            let text = |ids: &[i64]| ids.iter().map(i64::to_string).collect::<Vec<_>>();
            PromotionForm {
                csrf: String::new(),
                nom: p.name,
                kind: p.kind.as_str().to_owned(),
                valeur: p.value.map(crate::format::money_input).unwrap_or_default(),
                achat: p.buy.map(|n| n.to_string()).unwrap_or_default(),
                paye: p.pay.map(|n| n.to_string()).unwrap_or_default(),
                produits: codes.join(" "),
                categorie_ids: text(&p.category_ids),
                magasin_ids: text(&p.store_ids),
                debut: p.starts_on.to_string(),
                fin: p.ends_on.to_string(),
                actif: p.active.then(|| "on".to_owned()),
            }
        }
        None => {
            let today = domain::reporting::chain_today();
            PromotionForm {
                kind: "pourcentage".into(),
                debut: today.to_string(),
                fin: today.to_string(),
                actif: Some("on".into()),
                ..Default::default()
            }
        }
    };
    Ok(PromotionFormView {
        id,
        form,
        categories,
        stores,
    })
}

/// Creates (`promotion_id` empty) or replaces a promotion with what the form says.
#[server(endpoint = "save_promotion")]
pub async fn save_promotion(
    promotion_id: String,
    #[server(flatten)] form: PromotionForm,
) -> Result<(), AppError> {
    use crate::server::{failure, pool, require_csrf};
    use domain::promotions::{self, PromotionChanges};
    let session = require_csrf(&form.csrf).await?;
    let actor = session.employee.actor();
    let id = promotion_id.trim().parse::<i64>().ok();
    let back = match id {
        Some(id) => format!("/promotions/{id}"),
        None => "/promotions/nouveau".to_owned(),
    };
    if actor.ensure_head_office().is_err() {
        Flash::error(codes::FORBIDDEN).redirect(&back);
        return Ok(());
    }
    let pool = pool()?;
    let new = match form.read(&pool).await {
        Ok(new) => new,
        Err(problems) => {
            form.refused(&problems).redirect(&back);
            return Ok(());
        }
    };
    let saved = match id {
        None => promotions::create_promotion(&pool, &actor, &new).await,
        Some(id) => {
            let changes = PromotionChanges {
                name: Some(new.name),
                kind: Some(new.kind),
                value: Some(new.value),
                buy: Some(new.buy),
                pay: Some(new.pay),
                product_ids: Some(new.product_ids),
                category_ids: Some(new.category_ids),
                store_ids: Some(new.store_ids),
                starts_on: Some(new.starts_on),
                ends_on: Some(new.ends_on),
                active: Some(new.active),
            };
            promotions::update_promotion(&pool, &actor, id, &changes).await
        }
    };
    match saved {
        Ok(p) => Flash::new()
            .with(codes::SAVED, p.id)
            .redirect("/promotions"),
        Err(domain::Error::Validation(problems)) => form.refused(&problems).redirect(&back),
        Err(e) => return Err(failure(e)),
    }
    Ok(())
}

/// Deactivates (`active=false`) or reactivates a promotion, back to the list.
#[server(endpoint = "set_promotion_active")]
pub async fn set_promotion_active(
    csrf: String,
    promotion_id: i64,
    active: bool,
) -> Result<(), AppError> {
    use crate::server::{failure, pool, require_csrf};
    use domain::promotions::PromotionChanges;
    let session = require_csrf(&csrf).await?;
    let changes = PromotionChanges {
        active: Some(active),
        ..Default::default()
    };
    let outcome = match domain::promotions::update_promotion(
        &pool()?,
        &session.employee.actor(),
        promotion_id,
        &changes,
    )
    .await
    {
        Ok(_) => Flash::done(if active {
            codes::REACTIVATED
        } else {
            codes::DEACTIVATED
        })
        .with(codes::PROMOTION, promotion_id),
        Err(domain::Error::Forbidden(_)) => Flash::error(codes::FORBIDDEN),
        Err(e) => return Err(failure(e)),
    };
    outcome.redirect("/promotions");
    Ok(())
}
