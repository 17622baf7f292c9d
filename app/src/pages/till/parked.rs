//! « Mettre en attente » and « Reprendre »: the till puts the cart (its whole address: lines,
//! customer, discounts, gift cards, tenders) aside under a name in `parked_carts`, on the
//! register's open session, and takes it back later (the parked row is then deleted).

use leptos::prelude::*;

use super::more::TillParked;
use crate::error::AppError;

/// Parks the cart `panier` under `nom` on the open session `session_id`, then shows an empty
/// till.
#[server(endpoint = "till_park")]
pub async fn till_park(
    csrf: String,
    register_id: i64,
    session_id: i64,
    panier: String,
    #[server(default)] nom: String,
) -> Result<(), AppError> {
    use super::codes;
    use crate::flash::Flash;
    use crate::server::{failure, pool, require_csrf};
    let session = require_csrf(&csrf).await?;
    let cart = super::cart::Cart::parse(&panier);
    let back = super::actions::till_url(register_id, &cart, &[]);
    if cart.is_empty() {
        Flash::error(codes::EMPTY).redirect(&back);
        return Ok(());
    }
    let kept = serde_json::json!({ "panier": cart.encode() });
    match domain::sales::park_cart(
        &pool()?,
        &session.employee.actor(),
        register_id,
        session_id,
        &nom,
        &kept,
    )
    .await
    {
        Ok(_) => leptos_axum::redirect(&format!("/caisses/{register_id}")),
        Err(e @ (domain::Error::Validation(_) | domain::Error::Conflict(_))) => {
            let why = match &e {
                domain::Error::Validation(f) => f.iter().map(|f| f.message.clone()).collect(),
                other => other.to_string(),
            };
            Flash::error(codes::PARK)
                .with(codes::REASON, why)
                .redirect(&back);
        }
        Err(e) => return Err(failure(e)),
    }
    Ok(())
}

/// Takes the parked cart `parked_id` back into the till (deleting it from the parked ones).
#[server(endpoint = "till_resume")]
pub async fn till_resume(csrf: String, register_id: i64, parked_id: i64) -> Result<(), AppError> {
    use super::codes;
    use crate::flash::Flash;
    use crate::server::{failure, pool, require_csrf};
    let session = require_csrf(&csrf).await?;
    let till = format!("/caisses/{register_id}");
    match domain::sales::resume_parked(&pool()?, &session.employee.actor(), register_id, parked_id)
        .await
    {
        Ok(kept) => {
            let cart = super::cart::Cart::parse(kept["panier"].as_str().unwrap_or_default());
            leptos_axum::redirect(&super::actions::till_url(register_id, &cart, &[]));
        }
        Err(e @ (domain::Error::NotFound { .. } | domain::Error::Conflict(_))) => {
            let why = match e {
                domain::Error::NotFound { .. } => {
                    "Ce panier en attente a déjà été repris.".to_owned()
                }
                other => other.to_string(),
            };
            Flash::error(codes::PARK)
                .with(codes::REASON, why)
                .redirect(&till);
        }
        Err(e) => return Err(failure(e)),
    }
    Ok(())
}

/// The park form (a name for the cart) and the carts parked on this session.
#[component]
pub fn Parked(
    parked: Vec<TillParked>,
    csrf: String,
    register_id: i64,
    session_id: i64,
    cart: String,
    empty: bool,
) -> impl IntoView {
    let park = ServerAction::<TillPark>::new();
    let csrf_resume = csrf.clone();
    view! {
        <section class="parked" aria-label="Paniers en attente">
            {(!empty).then(|| view! {
                <ActionForm action=park attr:class="inline park-form">
                    <input type="hidden" name="csrf" value=csrf />
                    <input type="hidden" name="register_id" value=register_id />
                    <input type="hidden" name="session_id" value=session_id />
                    <input type="hidden" name="panier" value=cart />
                    <label for="nom-attente">"Nom du panier"</label>
                    <input id="nom-attente" name="nom" maxlength="60" autocomplete="off" required
                        placeholder="ex. Mme Tremblay" />
                    <button type="submit">"Mettre en attente"</button>
                </ActionForm>
            })}
            {(!parked.is_empty()).then(|| view! {
                <h3>"Paniers en attente"</h3>
                <ul class="parked-list">
                    {parked.into_iter().map(|p| {
                        let csrf_resume = csrf_resume.clone();
                        let resume = ServerAction::<TillResume>::new();
                        view! {
                            <li data-parked-id=p.id>
                                <ActionForm action=resume attr:class="inline">
                                    <input type="hidden" name="csrf" value=csrf_resume.clone() />
                                    <input type="hidden" name="register_id" value=register_id />
                                    <input type="hidden" name="parked_id" value=p.id />
                                    <span><strong>{p.name}</strong>{format!(" · {} à {}", p.by, p.at)}</span>
                                    <button type="submit">"Reprendre"</button>
                                </ActionForm>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}
