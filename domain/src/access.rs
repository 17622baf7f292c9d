//! API clients: external systems identified by a random token, of which only the SHA-256 hash is
//! stored. Each client has scopes: `read` (GETs), `write` (creates, updates, sales) and `admin`
//! (deletes, cache, clients).

use chrono::{DateTime, Utc};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{FromRow, PgPool};

use crate::error::Validator;
use crate::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Scope {
    Read,
    Write,
    Admin,
}

impl Scope {
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Read => "read",
            Scope::Write => "write",
            Scope::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Scope> {
        match s.trim() {
            "read" => Some(Scope::Read),
            "write" => Some(Scope::Write),
            "admin" => Some(Scope::Admin),
            _ => None,
        }
    }

    /// Parses a comma-separated list such as `read,write`.
    pub fn parse_list(s: &str) -> Result<Vec<Scope>> {
        let mut scopes = Vec::new();
        for part in s.split(',').filter(|p| !p.trim().is_empty()) {
            let scope = Scope::parse(part).ok_or_else(|| {
                Error::invalid(
                    "scopes",
                    format!("portée inconnue « {} » (read, write, admin)", part.trim()),
                )
            })?;
            if !scopes.contains(&scope) {
                scopes.push(scope);
            }
        }
        if scopes.is_empty() {
            return Err(Error::invalid(
                "scopes",
                "au moins une portée : read, write ou admin",
            ));
        }
        scopes.sort();
        Ok(scopes)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, FromRow)]
pub struct ApiClient {
    pub id: i64,
    pub name: String,
    pub scopes: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
    /// The stores this client is limited to; `None`: the whole chain.
    pub store_ids: Option<Vec<i64>>,
}

impl ApiClient {
    pub fn scopes(&self) -> Vec<Scope> {
        self.scopes.iter().filter_map(|s| Scope::parse(s)).collect()
    }

    /// `admin` implies every scope.
    pub fn has_scope(&self, scope: Scope) -> bool {
        let scopes = self.scopes();
        scopes.contains(&Scope::Admin) || scopes.contains(&scope)
    }
}

/// Hex SHA-256 of a token, the only form stored. On every request of a client (its key in the
/// instance's memory): written into one string, not a string per byte.
pub fn hash_token(token: &str) -> String {
    use std::fmt::Write;
    let digest = Sha256::digest(token.as_bytes());
    let mut hex = String::with_capacity(64);
    for b in digest {
        let _ = write!(hex, "{b:02x}");
    }
    hex
}

/// The prefix of every client token.
const TOKEN_PREFIX: &str = "mm_";
/// Hex digits after the prefix (32 random bytes).
const TOKEN_HEX_LEN: usize = 64;

/// A new random token: 32 bytes from the OS generator, hex, with a recognisable prefix.
pub fn generate_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{TOKEN_PREFIX}{hex}")
}

/// True for a string shaped like a [`generate_token`] token: anything else is refused without
/// being hashed or looked up, whatever its length.
pub fn looks_like_token(token: &str) -> bool {
    token.len() == TOKEN_PREFIX.len() + TOKEN_HEX_LEN
        && token.starts_with(TOKEN_PREFIX)
        && token[TOKEN_PREFIX.len()..]
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

const CLIENT_COLUMNS: &str = "id, name, scopes, created_at, last_used_at, revoked_at, store_ids";

/// Creates a client of the whole chain and returns it with its token, which is never stored
/// nor shown again.
pub async fn create_client(
    db: &PgPool,
    name: &str,
    scopes: &[Scope],
) -> Result<(ApiClient, String)> {
    create_client_for(db, name, scopes, None).await
}

/// Parses a comma-separated list of store ids such as `1,3`.
pub fn parse_store_list(s: &str) -> Result<Vec<i64>> {
    let mut stores = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let id: i64 = part.parse().ok().filter(|id| *id > 0).ok_or_else(|| {
            Error::invalid("stores", format!("magasin « {part} » : un id attendu"))
        })?;
        if !stores.contains(&id) {
            stores.push(id);
        }
    }
    if stores.is_empty() {
        return Err(Error::invalid("stores", "au moins un magasin"));
    }
    stores.sort_unstable();
    Ok(stores)
}

/// Creates a client, limited to `stores` when given (each must exist; such a client cannot
/// have the `admin` scope, which acts on the whole chain), and returns it with its token.
pub async fn create_client_for(
    db: &PgPool,
    name: &str,
    scopes: &[Scope],
    stores: Option<&[i64]>,
) -> Result<(ApiClient, String)> {
    if let Some(stores) = stores {
        Validator::default()
            .check(
                !stores.is_empty() && stores.len() <= 1000,
                "stores",
                "De 1 à 1000 magasins.",
            )
            .check(
                !scopes.contains(&Scope::Admin),
                "scopes",
                "Un client limité à des magasins ne peut pas avoir la portée admin.",
            )
            .finish()?;
        let known: Vec<i64> = sqlx::query_scalar("SELECT id FROM stores WHERE id = ANY($1)")
            .bind(stores)
            .fetch_all(db)
            .await?;
        if let Some(missing) = stores.iter().find(|id| !known.contains(id)) {
            return Err(Error::invalid(
                "stores",
                format!("le magasin {missing} n'existe pas"),
            ));
        }
    }
    let name = name.trim();
    Validator::default()
        .check(
            !name.is_empty() && name.chars().count() <= 120,
            "name",
            "Le nom est obligatoire (120 caractères au plus).",
        )
        .check(
            !scopes.is_empty(),
            "scopes",
            "Au moins une portée : read, write ou admin.",
        )
        .finish()?;
    let token = generate_token();
    let scopes: Vec<&str> = scopes.iter().map(|s| s.as_str()).collect();
    let client = sqlx::query_as(&format!(
        "INSERT INTO api_clients (name, token_hash, scopes, store_ids) VALUES ($1, $2, $3, $4)
         RETURNING {CLIENT_COLUMNS}"
    ))
    .bind(name)
    .bind(hash_token(&token))
    .bind(&scopes)
    .bind(stores)
    .fetch_one(db)
    .await?;
    Ok((client, token))
}

pub async fn list_clients(db: &PgPool) -> Result<Vec<ApiClient>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {CLIENT_COLUMNS} FROM api_clients ORDER BY id"
    ))
    .fetch_all(db)
    .await?)
}

/// Revokes a client by id or name; its token stops working at once.
pub async fn revoke_client(db: &PgPool, id_or_name: &str) -> Result<ApiClient> {
    let id: Option<i64> = id_or_name.trim().parse().ok();
    sqlx::query_as(&format!(
        "UPDATE api_clients SET revoked_at = COALESCE(revoked_at, now())
         WHERE id = $1 OR name = $2 RETURNING {CLIENT_COLUMNS}"
    ))
    .bind(id)
    .bind(id_or_name.trim())
    .fetch_optional(db)
    .await?
    .ok_or_else(|| Error::not_found("Client d'API", id_or_name))
}

/// The active (not revoked) client holding this token.
pub async fn find_by_token(db: &PgPool, token: &str) -> Result<Option<ApiClient>> {
    Ok(sqlx::query_as(&format!(
        "SELECT {CLIENT_COLUMNS} FROM api_clients WHERE token_hash = $1 AND revoked_at IS NULL"
    ))
    .bind(hash_token(token))
    .fetch_optional(db)
    .await?)
}

/// Records that a client was seen (callers throttle this to once a minute or so).
pub async fn touch(db: &PgPool, id: i64) -> Result<()> {
    sqlx::query("UPDATE api_clients SET last_used_at = now() WHERE id = $1")
        .bind(id)
        .execute(db)
        .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_sha256_hex() {
        assert_eq!(
            hash_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let token = generate_token();
        assert!(token.starts_with("mm_") && token.len() == 67);
        assert_ne!(token, generate_token());
        assert!(looks_like_token(&token));
    }

    #[test]
    fn only_token_shaped_strings_look_like_tokens() {
        let hex = "0123456789abcdef".repeat(4);
        assert!(looks_like_token(&format!("mm_{hex}")));
        for bad in [
            String::new(),
            "mm_".into(),
            format!("mm_{}", &hex[1..]),
            format!("mm_{hex}0"),
            format!("xx_{hex}"),
            format!("mm_{}", hex.to_uppercase()),
            format!("mm_{}é", &hex[2..]),
            "a".repeat(100_000),
        ] {
            assert!(!looks_like_token(&bad), "{bad:.80}");
        }
    }

    #[test]
    fn scope_lists() {
        assert_eq!(
            Scope::parse_list("write, read,read").unwrap(),
            vec![Scope::Read, Scope::Write]
        );
        assert!(Scope::parse_list("read,root").is_err());
        assert!(Scope::parse_list("").is_err());
    }
}
