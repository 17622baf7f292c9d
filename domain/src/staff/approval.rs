//! A manager's approval at the till: the login and password of a `gerant` of the store (or an
//! admin) typed on the cashier's screen, so that a discount above the cashier's limit names
//! who allowed it (`sales.discount_approved_by`).

use sqlx::PgPool;

use super::authenticate;
use crate::{Error, Result, Role};

/// The approver's employee id when `login`/`password` are those of an active manager of
/// `store_id` or an admin. The password is checked by [`authenticate`] (argon2, the same time
/// for an unknown login), and every refusal says so in French without telling which of the
/// login or the password was wrong.
pub async fn approve_discount(
    db: &PgPool,
    store_id: i64,
    login: &str,
    password: &str,
) -> Result<i64> {
    if login.trim().is_empty() || password.is_empty() {
        return Err(Error::Forbidden(
            "Approbation refusée : saisissez l'identifiant et le mot de passe d'un gérant.".into(),
        ));
    }
    let Some(employee) = authenticate(db, login, password).await? else {
        return Err(Error::Forbidden(
            "Approbation refusée : identifiant ou mot de passe incorrect.".into(),
        ));
    };
    match employee.role() {
        Role::Admin => Ok(employee.id),
        Role::Gerant if employee.store_id == Some(store_id) => Ok(employee.id),
        Role::Gerant => Err(Error::Forbidden(
            "Approbation refusée : ce gérant n'est pas gérant de ce magasin.".into(),
        )),
        Role::Caissier => Err(Error::Forbidden(
            "Approbation refusée : seul un gérant du magasin ou un administrateur peut approuver une remise."
                .into(),
        )),
    }
}
