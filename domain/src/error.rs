//! The business error type every `domain` operation returns, and the translation of database
//! constraint violations into business terms (one table, so every caller gets the same answer).

use serde::Serialize;

/// One problem with one input field, as shown next to the field in the UI and in the `errors`
/// list of an API problem document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{entity} introuvable ({id})")]
    NotFound { entity: &'static str, id: String },

    #[error(
        "Stock insuffisant pour {product_name} ({product_code}) : {requested} demandé(s), \
         {available} disponible(s)"
    )]
    InsufficientStock {
        product_id: i64,
        product_code: String,
        product_name: String,
        requested: i64,
        available: i64,
    },

    #[error("Données invalides : {}", summary(.0))]
    Validation(Vec<FieldError>),

    #[error("{0}")]
    Conflict(String),

    #[error("{0}")]
    Forbidden(String),

    #[error("erreur de base de données")]
    Database(#[source] sqlx::Error),

    #[error("erreur interne : {0}")]
    Internal(String),
}

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| format!("{} : {}", e.field, e.message))
        .collect::<Vec<_>>()
        .join("; ")
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    pub fn not_found(entity: &'static str, id: impl ToString) -> Self {
        Error::NotFound {
            entity,
            id: id.to_string(),
        }
    }

    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Validation(vec![FieldError::new(field, message)])
    }

    /// True when the error is the caller's fault (as opposed to an outage or a bug).
    pub fn is_client_error(&self) -> bool {
        !matches!(self, Error::Database(_) | Error::Internal(_))
    }

    /// True when PostgreSQL is unreachable, restarting, saturated or too slow (the statement
    /// timeout fired): the request may succeed if retried later, so callers answer 503 with
    /// `Retry-After` instead of 500.
    pub fn is_unavailable(&self) -> bool {
        match self {
            Error::Database(err) => is_unavailable(err),
            _ => false,
        }
    }
}

fn is_unavailable(err: &sqlx::Error) -> bool {
    match err {
        sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::Io(_)
        | sqlx::Error::WorkerCrashed => true,
        sqlx::Error::Database(db) => db.code().is_some_and(|code| {
            // 08: connection exception; 53300: too many connections; 57014: query canceled
            // (statement_timeout); 57P01..57P03: shutdown, crash, cannot connect now;
            // 40P01 is a deadlock (retryable too)
            code.starts_with("08")
                || matches!(
                    code.as_ref(),
                    "53300" | "57014" | "57P01" | "57P02" | "57P03" | "40P01"
                )
        }),
        _ => false,
    }
}

/// What a violated constraint means to the person who caused it.
enum Meaning {
    Conflict(&'static str),
    Invalid(&'static str, &'static str),
    NotFound(&'static str),
}

/// Constraint name -> business meaning. Constraints not listed here are bugs (a rule the domain
/// should have checked first) and surface as `Error::Database`.
fn constraint_meaning(constraint: &str) -> Option<Meaning> {
    use Meaning::*;
    Some(match constraint {
        "stores_name_key" => Conflict("Un magasin porte déjà ce nom."),
        "categories_name_key" => Conflict("Une catégorie porte déjà ce nom."),
        "products_code_key" => Conflict("Un produit porte déjà ce code."),
        "employees_login_key" => Conflict("Cet identifiant est déjà utilisé."),
        "api_clients_name_key" => Conflict("Un client d'API porte déjà ce nom."),
        "registers_store_number_key" => {
            Conflict("Ce numéro de caisse existe déjà dans ce magasin.")
        }
        "register_sessions_one_open_idx" => Conflict("Cette caisse est déjà ouverte."),
        "stores_email_check" => Invalid("email", "Adresse courriel invalide."),
        "stores_name_check" => Invalid("name", "Le nom est obligatoire (120 caractères au plus)."),
        "products_code_check" => Invalid(
            "code",
            "Code invalide : lettres, chiffres, « . », « _ » ou « - », 64 au plus.",
        ),
        "products_name_check" => {
            Invalid("name", "Le nom est obligatoire (200 caractères au plus).")
        }
        "products_price_check" => Invalid("price", "Le prix ne peut pas être négatif."),
        "categories_name_check" => {
            Invalid("name", "Le nom est obligatoire (120 caractères au plus).")
        }
        "employees_login_check" => Invalid(
            "login",
            "Identifiant invalide : 2 à 40 caractères a-z, 0-9, « . », « _ », « - ».",
        ),
        "sale_lines_returned_bound" => Invalid(
            "lines",
            "On ne peut pas retourner plus que ce qui reste de la vente.",
        ),
        "products_category_id_fkey" => NotFound("Catégorie"),
        "store_stock_store_id_fkey"
        | "registers_store_id_fkey"
        | "employees_store_id_fkey"
        | "replenishment_requests_store_id_fkey" => NotFound("Magasin"),
        "store_stock_product_id_fkey" | "replenishment_requests_product_id_fkey" => {
            NotFound("Produit")
        }
        _ => return None,
    })
}

/// For a delete: a row still referenced by history (sales, movements, sessions, employees) is a
/// `Conflict`, whatever the constraint. Other errors convert as usual.
pub(crate) fn history_conflict(err: sqlx::Error, what: &str) -> Error {
    let referenced = err
        .as_database_error()
        .is_some_and(|db| db.is_foreign_key_violation());
    if referenced {
        Error::Conflict(format!(
            "{what} a un historique (ventes, mouvements ou employés) : désactivez-le plutôt."
        ))
    } else {
        err.into()
    }
}

impl From<sqlx::Error> for Error {
    fn from(err: sqlx::Error) -> Self {
        if let sqlx::Error::RowNotFound = err {
            return Error::NotFound {
                entity: "Élément",
                id: String::new(),
            };
        }
        // a value derived from valid input (a price times a quantity, a stock plus a
        // delivery) that its column cannot hold: refused as such, not an internal error
        if err
            .as_database_error()
            .is_some_and(|db| db.code().as_deref() == Some("22003"))
        {
            return Error::Conflict(
                "Valeur trop grande pour être enregistrée (montant ou quantité hors limites)."
                    .into(),
            );
        }
        // PostgreSQL's text holds no NUL character (U+0000): a form or body that carries one
        // is refused as bad input, whatever the field
        if err
            .as_database_error()
            .is_some_and(|db| db.code().as_deref() == Some("22021"))
        {
            return Error::invalid(
                "texte",
                "Un champ contient un caractère nul (U+0000) : retirez-le et réessayez.",
            );
        }
        let meaning = err
            .as_database_error()
            .and_then(|db| db.constraint())
            .and_then(constraint_meaning);
        match meaning {
            Some(Meaning::Conflict(msg)) => Error::Conflict(msg.to_owned()),
            Some(Meaning::Invalid(field, msg)) => Error::invalid(field, msg),
            Some(Meaning::NotFound(entity)) => Error::NotFound {
                entity,
                id: String::new(),
            },
            None => Error::Database(err),
        }
    }
}

/// Collects field errors and turns them into one `Error::Validation`, so a form shows every
/// problem at once instead of one per submission.
#[derive(Default)]
pub struct Validator(Vec<FieldError>);

impl Validator {
    pub fn check(&mut self, ok: bool, field: &str, message: &str) -> &mut Self {
        if !ok {
            self.0.push(FieldError::new(field, message));
        }
        self
    }

    pub fn finish(&mut self) -> Result<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(Error::Validation(std::mem::take(&mut self.0)))
        }
    }
}
