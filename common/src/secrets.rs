//! Startup checks of the secrets the binaries take from the environment (`API_TOKEN`,
//! `ADMIN_PASSWORD`): a placeholder such as `change-me`, a short value or a repetitive one stops
//! the binary before it serves anything, with a message that names the variable but never
//! echoes its value.
//!
//! Why at startup: a copied `.env.example` once ran in production with `API_TOKEN=change-me`,
//! an admin token anyone could guess. Refusing to start is the only failure an operator cannot
//! miss.

use std::fmt;

/// The API's admin token: at least this many characters (`make run` generates 48 hex digits).
pub const API_TOKEN_MIN_CHARS: usize = 32;
/// The bootstrap password of the web UI's `admin` account.
pub const ADMIN_PASSWORD_MIN_CHARS: usize = 12;

/// A value holding one of these anywhere is a placeholder someone forgot to replace.
const MARKERS: &[&str] = &[
    "changeme",
    "changezmoi",
    "replaceme",
    "placeholder",
    "remplacer",
    "yourtoken",
    "yourpassword",
    "yoursecret",
];

/// Words that make a value a placeholder when nothing but them and digits remains
/// (`password2026`, `secret-secret-secret`, `token_0000`); compared lowercase, letters and
/// digits only, so `Pass-Word` is `password`.
const WORDS: &[&str] = &[
    "motdepasse",
    "password",
    "passwd",
    "secret",
    "token",
    "example",
    "exemple",
    "admin",
    "demo",
    "test",
    "default",
    "changer",
    "change",
    "todo",
    "xxx",
    "pass",
    "apikey",
    "api",
    "key",
    "qwerty",
    "azerty",
    "letmein",
    "welcome",
    "bienvenue",
];

/// A value with fewer distinct characters than this is too repetitive (`aaaaaaaaaaaa`,
/// `abababababab`, `123123123123`).
const MIN_DISTINCT_CHARS: usize = 6;

/// Why a secret was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Weakness {
    /// Fewer characters than required (the count is given).
    TooShort(usize),
    /// A known placeholder, or only placeholder words and digits.
    Placeholder,
    /// Too few distinct characters.
    Repetitive,
}

/// A secret refused at startup; its `Display` is the message the binary exits with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WeakSecret {
    pub name: &'static str,
    pub weakness: Weakness,
    pub min_chars: usize,
}

impl fmt::Display for WeakSecret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let why = match &self.weakness {
            Weakness::TooShort(n) => format!("it has {n} characters"),
            Weakness::Placeholder => "it is a placeholder (change-me, secret, password...)".into(),
            Weakness::Repetitive => "it repeats too few distinct characters".into(),
        };
        write!(
            f,
            "{} is refused: {why}. Set a random value of at least {} characters, e.g. \
             `head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \\n'`",
            self.name, self.min_chars
        )
    }
}

impl std::error::Error for WeakSecret {}

/// The API's admin token: unset or empty is allowed (only the clients created with
/// `public-api tokens create` can then call the API); anything else must be strong.
pub fn check_api_token(value: Option<&str>) -> Result<(), WeakSecret> {
    check("API_TOKEN", value, API_TOKEN_MIN_CHARS)
}

/// The bootstrap password of `admin`: unset or empty is allowed (no account is created);
/// anything else must be strong.
pub fn check_admin_password(value: Option<&str>) -> Result<(), WeakSecret> {
    check("ADMIN_PASSWORD", value, ADMIN_PASSWORD_MIN_CHARS)
}

/// The rule behind both: at least `min_chars` characters (not bytes), no placeholder, at least
/// [`MIN_DISTINCT_CHARS`] distinct characters. `None` and `""` mean "not set" and pass.
pub fn check(name: &'static str, value: Option<&str>, min_chars: usize) -> Result<(), WeakSecret> {
    let Some(value) = value.filter(|v| !v.is_empty()) else {
        return Ok(());
    };
    let refuse = |weakness| {
        Err(WeakSecret {
            name,
            weakness,
            min_chars,
        })
    };
    if is_placeholder(value) {
        return refuse(Weakness::Placeholder);
    }
    let chars = value.chars().count();
    if chars < min_chars {
        return refuse(Weakness::TooShort(chars));
    }
    let mut distinct: Vec<char> = value.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < MIN_DISTINCT_CHARS {
        return refuse(Weakness::Repetitive);
    }
    Ok(())
}

fn is_placeholder(value: &str) -> bool {
    let normalised: String = value
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect();
    if MARKERS.iter().any(|m| normalised.contains(m)) {
        return true;
    }
    // strip every placeholder word (longest first, as WORDS is ordered), then the digits
    let mut rest = normalised.clone();
    for word in WORDS {
        rest = rest.replace(word, "");
    }
    let found_word = rest.len() < normalised.len();
    rest.retain(|c| !c.is_ascii_digit());
    found_word && rest.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    const STRONG_TOKEN: &str = "9f3b2c7d1e8a4f60b5c2d9e7a1f3b8c4d6e0f2a7";

    fn weakness(r: Result<(), WeakSecret>) -> Option<Weakness> {
        r.err().map(|e| e.weakness)
    }

    #[test]
    fn unset_or_empty_passes() {
        assert_eq!(check_api_token(None), Ok(()));
        assert_eq!(check_api_token(Some("")), Ok(()));
        assert_eq!(check_admin_password(None), Ok(()));
        assert_eq!(check_admin_password(Some("")), Ok(()));
    }

    #[test]
    fn placeholders_are_refused_whatever_their_length() {
        for v in [
            "change-me",
            "changeme",
            "CHANGE_ME",
            "secret",
            "password",
            "token",
            "example",
            "Pass-Word-2026",
            "secret-secret-secret-secret-secret",
            "token_00000000000000000000000000000000",
            "change-me-9f3b2c7d1e8a4f60b5c2d9e7a1f3b8",
            "please-replace-me-with-a-real-token-now",
            "motdepasse2026",
        ] {
            assert_eq!(
                weakness(check_api_token(Some(v))),
                Some(Weakness::Placeholder),
                "{v}"
            );
        }
        assert_eq!(
            weakness(check_admin_password(Some("admin-password"))),
            Some(Weakness::Placeholder)
        );
    }

    #[test]
    fn short_values_are_refused_counting_characters_not_bytes() {
        assert_eq!(
            weakness(check_api_token(Some("bin-token-7f3a9c"))),
            Some(Weakness::TooShort(16))
        );
        assert_eq!(
            weakness(check_api_token(Some(&STRONG_TOKEN[..31]))),
            Some(Weakness::TooShort(31))
        );
        assert_eq!(
            weakness(check_admin_password(Some("Kx7#pq2!Zr9"))),
            Some(Weakness::TooShort(11))
        );
        // 12 characters, 13 bytes
        assert_eq!(check_admin_password(Some("Chaîne-2026!")), Ok(()));
    }

    #[test]
    fn repetitive_values_are_refused() {
        assert_eq!(
            weakness(check_admin_password(Some("aaaaaaaaaaaaaaaa"))),
            Some(Weakness::Repetitive)
        );
        assert_eq!(
            weakness(check_api_token(Some(&"12ab".repeat(10)))),
            Some(Weakness::Repetitive)
        );
    }

    #[test]
    fn random_values_pass() {
        assert_eq!(check_api_token(Some(STRONG_TOKEN)), Ok(()));
        assert_eq!(check_api_token(Some(&STRONG_TOKEN[..32])), Ok(()));
        assert_eq!(
            check_api_token(Some("ops-0123456789abcdef0123456789abcdef")),
            Ok(())
        );
        assert_eq!(check_admin_password(Some("Vélo rouge 42 Lyon")), Ok(()));
        assert_eq!(check_admin_password(Some("correct-horse-battery")), Ok(()));
    }

    #[test]
    fn the_message_names_the_variable_and_never_the_value() {
        let e = check_api_token(Some("change-me")).unwrap_err().to_string();
        assert!(
            e.starts_with("API_TOKEN is refused: it is a placeholder"),
            "{e}"
        );
        assert!(e.contains("at least 32 characters"), "{e}");
        let e = check_admin_password(Some("Kx7#pq2!Zr9"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("ADMIN_PASSWORD is refused: it has 11 characters"),
            "{e}"
        );
        assert!(!e.contains("Kx7#pq2!Zr9"), "{e}");
    }
}
