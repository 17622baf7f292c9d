//! A manager's approval at the till: the login and password of a `gerant` of the store (or an
//! admin) typed on the cashier's screen, so that a discount above the cashier's limit names
//! who allowed it (`sales.discount_approved_by`). Wrong passwords count against the manager's
//! login as at sign-in (`throttle`), so a till cannot be used to guess a manager's password.

use sqlx::PgPool;

use super::authenticate;
use super::throttle::{self, Scope, ThrottlePolicy};
use crate::{Error, Result, Role};

/// The approver's employee id when `login`/`password` are those of an active manager of
/// `store_id` or an admin. The password is checked by [`authenticate`] (argon2, the same time
/// for an unknown login) unless the login is locked by too many failures (sign-in's lock, which
/// a failure here also feeds); every refusal says so in French without telling which of the
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
    let key = throttle::login_subject(login);
    if throttle::locked(db, &key, None).await?.is_some() {
        return Err(Error::Forbidden(
            "Approbation refusée : trop d'essais pour cet identifiant, réessayez dans quelques minutes."
                .into(),
        ));
    }
    let Some(employee) = authenticate(db, login, password).await? else {
        throttle::record_failure(db, &ThrottlePolicy::default(), Scope::Login, &key).await?;
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
