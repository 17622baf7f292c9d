//! The one error type of the server functions: what went wrong for people (a French message,
//! never a technical prefix) and its kind, which gives the HTTP status of the answer and tells
//! the pages what to do (show a refusal page, stop polling).

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// What kind of failure: each has its HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ErrorKind {
    /// No session (signed out, expired): 401.
    SignedOut,
    /// The employee may not do or see this: 403.
    Forbidden,
    /// Missing, or another store's: 404.
    NotFound,
    /// The input breaks a rule: 422.
    Invalid,
    /// The state of things forbids it (already closed, out of stock): 409.
    Conflict,
    /// Too many attempts: 429.
    TooMany,
    /// The server or the network is unavailable for now: 503.
    Unavailable,
    /// Anything else: 500.
    Failed,
}

/// A server function's failure as the pages show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppError {
    pub kind: ErrorKind,
    /// In French, for people.
    pub message: String,
}

/// Said when nothing better can be said (the details go to the server's logs).
pub const UNEXPECTED: &str = "Une erreur inattendue est survenue. Rechargez la page et réessayez.";
/// Said when the server cannot be reached.
pub const UNREACHABLE: &str =
    "Le serveur ne répond pas. Vérifiez la connexion et réessayez dans un instant.";

impl AppError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    /// Any failure without a kind of its own (500).
    pub fn failed(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::Failed, message)
    }

    pub fn signed_out() -> Self {
        Self::new(ErrorKind::SignedOut, "Veuillez vous connecter.")
    }

    /// The HTTP status of an answer with this error.
    pub fn status(&self) -> u16 {
        match self.kind {
            ErrorKind::SignedOut => 401,
            ErrorKind::Forbidden => 403,
            ErrorKind::NotFound => 404,
            ErrorKind::Conflict => 409,
            ErrorKind::Invalid => 422,
            ErrorKind::TooMany => 429,
            ErrorKind::Unavailable => 503,
            ErrorKind::Failed => 500,
        }
    }

    /// The page may not be shown at all to this employee (403 or 404).
    pub fn is_refusal(&self) -> bool {
        matches!(self.kind, ErrorKind::Forbidden | ErrorKind::NotFound)
    }

    /// Asking again cannot succeed: refused, missing, or signed out. Pages that poll stop.
    pub fn is_final(&self) -> bool {
        self.is_refusal() || self.kind == ErrorKind::SignedOut
    }
}

impl std::fmt::Display for AppError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for AppError {}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    /// Failures of the plumbing (network, encoding) never show their technical text.
    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Request(_) => Self::new(ErrorKind::Unavailable, UNREACHABLE),
            ServerFnErrorErr::Args(_) | ServerFnErrorErr::MissingArg(_) => Self::new(
                ErrorKind::Invalid,
                "Formulaire incomplet ou mal rempli : rechargez la page et recommencez.",
            ),
            _ => Self::failed(UNEXPECTED),
        }
    }
}

impl From<ServerFnErrorErr> for AppError {
    fn from(value: ServerFnErrorErr) -> Self {
        Self::from_server_fn_error(value)
    }
}

impl From<ServerFnError> for AppError {
    fn from(value: ServerFnError) -> Self {
        match value {
            ServerFnError::Request(_) => Self::new(ErrorKind::Unavailable, UNREACHABLE),
            _ => Self::failed(UNEXPECTED),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_carry_no_technical_prefix_and_kinds_their_status() {
        let refused = AppError::new(
            ErrorKind::Forbidden,
            "Vous ne travaillez pas dans ce magasin.",
        );
        assert_eq!(
            refused.to_string(),
            "Vous ne travaillez pas dans ce magasin."
        );
        assert_eq!(refused.status(), 403);
        assert!(refused.is_final());
        let plumbing = AppError::from(ServerFnError::ServerError("boom".into()));
        assert_eq!(plumbing.to_string(), UNEXPECTED);
        let network = AppError::from_server_fn_error(ServerFnErrorErr::Request("x".into()));
        assert!(!network.is_final() && network.status() == 503);
        let bytes = refused.ser();
        assert_eq!(AppError::de(bytes), refused);
    }
}
