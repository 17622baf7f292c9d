//! The customer's personal fields as typed and as stored: a name trimmed to 1..200 characters,
//! an email of the shape the table's CHECK accepts, a phone number kept as its digits (10 to 15),
//! a blank field meaning "none". Checked here first so a form shows every problem at once, with
//! the database's unique indexes turned into a problem on the field they are about.

use crate::Error;
use crate::error::{FieldError, Validator};

pub(crate) const NAME_PROBLEM: &str = "Le nom va de 1 à 200 caractères.";
pub(crate) const EMAIL_PROBLEM: &str = "Adresse courriel invalide (exemple : nom@domaine.ca).";
pub(crate) const PHONE_PROBLEM: &str =
    "Numéro de téléphone invalide : 10 à 15 chiffres (exemple : 514 555-1234).";
pub(crate) const EMAIL_TAKEN: &str = "Un autre client utilise déjà ce courriel.";
pub(crate) const PHONE_TAKEN: &str = "Un autre client utilise déjà ce numéro de téléphone.";

/// A blank field is no value at all (the column is NULL, not an empty string).
fn present(text: &str) -> Option<&str> {
    Some(text.trim()).filter(|t| !t.is_empty())
}

/// The trimmed name, `None` when blank; beyond 200 characters, the problem.
pub fn normalize_name(name: &str) -> Result<Option<String>, &'static str> {
    match present(name) {
        None => Ok(None),
        // a control character (NUL above all, which PostgreSQL's text refuses) is no name
        Some(n) if n.chars().count() <= 200 && !n.chars().any(char::is_control) => {
            Ok(Some(n.to_owned()))
        }
        Some(_) => Err(NAME_PROBLEM),
    }
}

/// The trimmed email, `None` when blank; the problem unless it has the shape `local@domain.tld` (the
/// table's CHECK: no space, one `@`, a dot inside the domain) and at most 254 characters.
pub fn normalize_email(email: &str) -> Result<Option<String>, &'static str> {
    let Some(email) = present(email) else {
        return Ok(None);
    };
    let (local, domain) = email.split_once('@').ok_or(EMAIL_PROBLEM)?;
    let domain_ok = domain
        .char_indices()
        .any(|(i, c)| c == '.' && i > 0 && i + 1 < domain.len());
    let ok = email.len() <= 254
        && !local.is_empty()
        && !domain.contains('@')
        && domain_ok
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(Some(email.to_owned()))
    } else {
        Err(EMAIL_PROBLEM)
    }
}

/// The phone number's digits, `None` when blank: `+1 (514) 555-1234` is `15145551234`. Only
/// digits, spaces, `+`, `-`, `.`, `(` and `)` may be typed; 10 to 15 digits.
pub fn normalize_phone(phone: &str) -> Result<Option<String>, &'static str> {
    let Some(phone) = present(phone) else {
        return Ok(None);
    };
    if !phone
        .chars()
        .all(|c| c.is_ascii_digit() || matches!(c, ' ' | '+' | '-' | '.' | '(' | ')'))
    {
        return Err(PHONE_PROBLEM);
    }
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    if (10..=15).contains(&digits.len()) {
        Ok(Some(digits))
    } else {
        Err(PHONE_PROBLEM)
    }
}

/// The personal fields once checked: `None` leaves a field as it is (an update), `Some(None)`
/// blanks it.
#[derive(Debug, Default)]
pub(crate) struct Checked {
    pub name: Option<Option<String>>,
    pub email: Option<Option<String>>,
    pub phone: Option<Option<String>>,
}

/// Checks the fields given (`None`: not part of this change), every problem at once.
pub(crate) fn check(
    name: Option<&str>,
    email: Option<&str>,
    phone: Option<&str>,
) -> crate::Result<Checked> {
    let mut v = Validator::default();
    let name = name.map(normalize_name);
    let email = email.map(normalize_email);
    let phone = phone.map(normalize_phone);
    v.check(!matches!(name, Some(Err(_))), "name", NAME_PROBLEM)
        .check(!matches!(email, Some(Err(_))), "email", EMAIL_PROBLEM)
        .check(!matches!(phone, Some(Err(_))), "phone", PHONE_PROBLEM)
        .finish()?;
    Ok(Checked {
        name: name.and_then(Result::ok),
        email: email.and_then(Result::ok),
        phone: phone.and_then(Result::ok),
    })
}

/// An email or phone already used by another customer is a problem of that field (the unique
/// indexes `customers_email_key` and `customers_phone_key`); other errors convert as usual.
pub(crate) fn unique_problem(err: sqlx::Error) -> Error {
    let field = err
        .as_database_error()
        .and_then(|db| db.constraint())
        .and_then(|c| match c {
            "customers_email_key" => Some(("email", EMAIL_TAKEN)),
            "customers_phone_key" => Some(("phone", PHONE_TAKEN)),
            _ => None,
        });
    match field {
        Some((field, message)) => Error::Validation(vec![FieldError::new(field, message)]),
        None => err.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_keep_their_digits() {
        assert_eq!(
            normalize_phone("+1 (514) 555-1234"),
            Ok(Some("15145551234".into()))
        );
        assert_eq!(
            normalize_phone("514.555.1234"),
            Ok(Some("5145551234".into()))
        );
        assert_eq!(normalize_phone("  "), Ok(None));
        for bad in [
            "555-1234",
            "1234567890123456",
            "514-555-12x4",
            "514 555 1234 poste 2",
        ] {
            assert_eq!(normalize_phone(bad), Err(PHONE_PROBLEM), "{bad}");
        }
    }

    #[test]
    fn emails_have_the_shape_the_table_accepts() {
        assert_eq!(
            normalize_email(" Marie@Exemple.ca "),
            Ok(Some("Marie@Exemple.ca".into()))
        );
        assert_eq!(normalize_email(""), Ok(None));
        for bad in [
            "marie",
            "marie@",
            "@exemple.ca",
            "marie@exemple",
            "ma rie@x.ca",
            "a@b@c.ca",
            "a@.ca",
            "a@b.",
        ] {
            assert_eq!(normalize_email(bad), Err(EMAIL_PROBLEM), "{bad}");
        }
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(normalize_name("  Marie Roy "), Ok(Some("Marie Roy".into())));
        assert_eq!(normalize_name(" "), Ok(None));
        assert_eq!(
            normalize_name(&"é".repeat(200)).map(|n| n.is_some()),
            Ok(true)
        );
        assert_eq!(normalize_name(&"é".repeat(201)), Err(NAME_PROBLEM));
        assert_eq!(normalize_name("Marie\0Roy"), Err(NAME_PROBLEM));
        assert_eq!(normalize_email("a\0@b.ca"), Err(EMAIL_PROBLEM));
    }

    #[test]
    fn every_problem_is_named_at_once() {
        match check(Some(&"x".repeat(300)), Some("pas-un-courriel"), Some("12")) {
            Err(Error::Validation(errors)) => {
                let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
                assert_eq!(fields, ["name", "email", "phone"]);
            }
            other => panic!("{other:?}"),
        }
    }
}
