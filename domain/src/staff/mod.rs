//! Employees: accounts with an argon2 password hash and a role, sign-in, web sessions, and the
//! first admin of a production install (its password comes from the environment).

mod approval;
mod sessions;
mod sign_in;
mod throttle;

pub use approval::approve_discount;
pub use sessions::*;
pub use sign_in::*;
pub use throttle::{ThrottlePolicy, address_subject, login_subject, purge_sign_in_throttle};

use argon2::Argon2;
use argon2::password_hash::{
    PasswordHash, PasswordHasher, PasswordVerifier, SaltString, rand_core::OsRng,
};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, PgExecutor, PgPool};

use crate::error::Validator;
use crate::{Actor, Error, Result, Role};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct Employee {
    pub id: i64,
    pub login: String,
    pub full_name: String,
    #[sqlx(try_from = "String")]
    pub role: RoleText,
    pub store_id: Option<i64>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
}

/// The role as stored, decoded once from its text column.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RoleText(pub Role);

impl TryFrom<String> for RoleText {
    type Error = String;
    fn try_from(s: String) -> std::result::Result<Self, String> {
        Role::parse(&s)
            .map(RoleText)
            .ok_or_else(|| format!("unknown role {s}"))
    }
}

impl Employee {
    pub fn role(&self) -> Role {
        self.role.0
    }

    /// The actor this employee acts as.
    pub fn actor(&self) -> Actor {
        Actor::Employee {
            id: self.id,
            role: self.role(),
            store_id: self.store_id,
        }
    }
}

const EMPLOYEE_COLUMNS: &str = "id, login, full_name, role, store_id, active, created_at";

pub async fn get_employee(db: impl PgExecutor<'_>, id: i64) -> Result<Employee> {
    sqlx::query_as(&format!(
        "SELECT {EMPLOYEE_COLUMNS} FROM employees WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(db)
    .await?
    .ok_or_else(|| Error::not_found("Employé", id))
}

pub async fn list_employees(db: impl PgExecutor<'_>) -> Result<Vec<Employee>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {EMPLOYEE_COLUMNS} FROM employees ORDER BY role, login"
    ))
    .fetch_all(db)
    .await?)
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewEmployee {
    pub login: String,
    pub full_name: String,
    pub password: String,
    pub role: Role,
    pub store_id: Option<i64>,
}

/// Characters a new password needs at least (the demo accounts' `demo` predates the rule and
/// stays: see [`crate::demo::create_demo_employee`]).
pub const MIN_PASSWORD_LEN: usize = 12;

fn password_message() -> String {
    format!("Le mot de passe doit compter au moins {MIN_PASSWORD_LEN} caractères.")
}

/// Hashes a password with argon2id (default parameters, random salt), off the async threads.
pub async fn hash_password(password: &str) -> Result<String> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| Error::Internal(format!("hachage du mot de passe : {e}")))
    })
    .await
    .map_err(|e| Error::Internal(format!("hachage du mot de passe : {e}")))?
}

/// One argon2 verification, on the calling thread (about 19 MiB and tens of milliseconds).
fn verify_blocking(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

async fn verify_password(password: &str, hash: &str) -> bool {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || verify_blocking(&password, &hash))
        .await
        .unwrap_or(false)
}

pub async fn create_employee(db: &PgPool, actor: &Actor, new: &NewEmployee) -> Result<Employee> {
    insert_employee(db, actor, new, MIN_PASSWORD_LEN).await
}

/// Creates an account of the demo data set (or of a test): like [`create_employee`], but the
/// password may be as short as `demo`. Demo passwords are public; the web UI and the bootstrap
/// admin never come here.
pub async fn create_demo_employee(db: &PgPool, new: &NewEmployee) -> Result<Employee> {
    insert_employee(db, &Actor::System, new, 1).await
}

/// [`create_employee`] with a shorter minimum password length (the demo data set's accounts).
async fn insert_employee(
    db: &PgPool,
    actor: &Actor,
    new: &NewEmployee,
    min_password_len: usize,
) -> Result<Employee> {
    actor.ensure_head_office()?;
    let login = new.login.trim().to_lowercase();
    let mut v = Validator::default();
    v.check(
        (2..=40).contains(&login.len())
            && login
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c)),
        "login",
        "Identifiant invalide : 2 à 40 caractères a-z, 0-9, « . », « _ », « - ».",
    );
    v.check(
        !new.full_name.trim().is_empty(),
        "full_name",
        "Le nom est obligatoire.",
    );
    v.check(
        new.password.chars().count() >= min_password_len,
        "password",
        &password_message(),
    );
    v.check(
        (new.role == Role::Admin) == new.store_id.is_none(),
        "store_id",
        "Un caissier ou un gérant appartient à un magasin ; un administrateur à aucun.",
    );
    v.finish()?;
    let hash = hash_password(&new.password).await?;
    Ok(sqlx::query_as(&format!(
        "INSERT INTO employees (login, full_name, password_hash, role, store_id)
         VALUES ($1, $2, $3, $4, $5) RETURNING {EMPLOYEE_COLUMNS}"
    ))
    .bind(&login)
    .bind(new.full_name.trim())
    .bind(hash)
    .bind(new.role.as_str())
    .bind(new.store_id)
    .fetch_one(db)
    .await?)
}

/// Checks a login and password; `None` for an unknown login, a wrong password or an inactive
/// account (the caller says the same thing in all three cases). Neither throttled nor bounded:
/// requests from the network go through [`sign_in`].
pub async fn authenticate(db: &PgPool, login: &str, password: &str) -> Result<Option<Employee>> {
    let row: Option<(String, bool)> =
        sqlx::query_as("SELECT password_hash, active FROM employees WHERE login = $1")
            .bind(login.trim().to_lowercase())
            .fetch_optional(db)
            .await?;
    let Some((hash, active)) = row else {
        // Spend the same time as a real check so response times do not reveal logins.
        let _ = verify_password(password, DUMMY_HASH).await;
        return Ok(None);
    };
    // an inactive account spends the verification too: timing does not tell it apart
    if !verify_password(password, &hash).await || !active {
        return Ok(None);
    }
    let employee = sqlx::query_as(&format!(
        "SELECT {EMPLOYEE_COLUMNS} FROM employees WHERE login = $1"
    ))
    .bind(login.trim().to_lowercase())
    .fetch_optional(db)
    .await?;
    Ok(employee)
}

/// An argon2 hash of a random string, used to keep sign-in timing uniform.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$1Hfz4YjQxeLA0wVYUHXDr4lDuNqo3tF2VYQvZtVJwbc";

/// Production bootstrap: creates the `admin` account with the given password when the database
/// has no admin yet. Returns true when it created one. A password shorter than
/// [`MIN_PASSWORD_LEN`] is refused even when an admin exists: the setting itself is unsafe.
pub async fn ensure_admin(db: &PgPool, password: &str) -> Result<bool> {
    if password.chars().count() < MIN_PASSWORD_LEN {
        return Err(Error::invalid("ADMIN_PASSWORD", password_message()));
    }
    let exists: bool =
        sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM employees WHERE role = 'admin')")
            .fetch_one(db)
            .await?;
    if exists {
        return Ok(false);
    }
    create_employee(
        db,
        &Actor::System,
        &NewEmployee {
            login: "admin".into(),
            full_name: "Administrateur".into(),
            password: password.into(),
            role: Role::Admin,
            store_id: None,
        },
    )
    .await?;
    Ok(true)
}
