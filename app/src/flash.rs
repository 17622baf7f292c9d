//! The outcome of a form, carried by the query of the redirect that answers it. Every form
//! works without JavaScript: a server function answers a plain form post with a redirect, and
//! the page it leads to shows what happened from its address alone (once hydrated, the same
//! redirect is followed in the browser). [`Flash`] is the only writer and the only reader of
//! that query:
//!
//! | key | meaning |
//! |---|---|
//! | `fait=<code>` | what was done (`approve`, `desactive`...) |
//! | `erreur=<code>` | why the form was refused (`droits`, `champs`...) |
//! | `f_<field>=<message>` | the first problem of one field, shown next to it |
//! | `v_<field>=<text>` | what was typed in that field, so the form comes back as it was sent |
//! | any other key | a fact the message needs (`demande=12`, `statut=refusee`, `reste=5`) |
//!
//! Empty values are left out. Values are percent-encoded, except commas, so that lists of
//! numbers stay readable (`demandes=12,13`). Which codes and facts a page uses is the page's
//! business; how they travel is this module's.

use leptos_router::params::ParamsMap;

const DONE: &str = "fait";
const ERROR: &str = "erreur";
const PROBLEM: &str = "f_";
const TYPED: &str = "v_";

/// What a form's redirect says, written by a server function and read by the page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Flash {
    done: Option<String>,
    error: Option<String>,
    facts: Vec<(String, String)>,
    problems: Vec<(String, String)>,
    typed: Vec<(String, String)>,
}

impl Flash {
    /// Nothing done nor refused yet: only facts (`Flash::default().with("cree", id)`).
    pub fn new() -> Self {
        Self::default()
    }

    /// The form did what it was for: `fait=<code>`.
    pub fn done(code: &str) -> Self {
        Flash {
            done: Some(code.to_owned()),
            ..Self::default()
        }
    }

    /// The form was refused: `erreur=<code>`.
    pub fn error(code: &str) -> Self {
        Flash {
            error: Some(code.to_owned()),
            ..Self::default()
        }
    }

    /// A fact the message needs; a later value of the same key replaces the earlier one.
    pub fn with(mut self, key: &str, value: impl ToString) -> Self {
        set(&mut self.facts, key, value.to_string());
        self
    }

    /// A list of numbers, written `12,13` (the reader's [`Flash::ids`]).
    pub fn with_ids(self, key: &str, ids: &[i64]) -> Self {
        let list: Vec<String> = ids.iter().map(i64::to_string).collect();
        self.with(key, list.join(","))
    }

    /// The problem of a field; only its first problem is kept (one message per field).
    pub fn problem(mut self, field: &str, message: &str) -> Self {
        if !self.problems.iter().any(|(f, _)| f == field) {
            self.problems.push((field.to_owned(), message.to_owned()));
        }
        self
    }

    /// What was typed in a field (a ticked checkbox is `on`, an unticked one nothing).
    pub fn typed(mut self, field: &str, value: &str) -> Self {
        set(&mut self.typed, field, value.to_owned());
        self
    }

    /// `to` (a path, perhaps with a query already) with this outcome appended to its query.
    pub fn link(&self, to: &str) -> String {
        let pairs = self
            .done
            .iter()
            .map(|code| (DONE.to_owned(), code.as_str()))
            .chain(
                self.error
                    .iter()
                    .map(|code| (ERROR.to_owned(), code.as_str())),
            )
            .chain(self.facts.iter().map(|(k, v)| (k.clone(), v.as_str())))
            .chain(
                self.problems
                    .iter()
                    .map(|(f, m)| (format!("{PROBLEM}{f}"), m.as_str())),
            )
            .chain(
                self.typed
                    .iter()
                    .map(|(f, v)| (format!("{TYPED}{f}"), v.as_str())),
            )
            .filter(|(_, v)| !v.is_empty())
            .map(|(k, v)| format!("{}={}", encode(&k), encode(v)))
            .collect::<Vec<_>>();
        if pairs.is_empty() {
            return to.to_owned();
        }
        let separator = if to.contains('?') { '&' } else { '?' };
        format!("{to}{separator}{}", pairs.join("&"))
    }

    /// Answers the form with a redirect to `to` carrying this outcome.
    #[cfg(feature = "ssr")]
    pub fn redirect(&self, to: &str) {
        leptos_axum::redirect(&self.link(to));
    }

    /// The outcome in a page's query (every key it does not own is a fact).
    pub fn read(query: &ParamsMap) -> Self {
        Self::from_pairs(query.latest_values().map(|(k, v)| (k.as_ref(), v)))
    }

    /// The outcome in a query string (`a=1&b=2`, without the `?`).
    pub fn parse(query: &str) -> Self {
        let pairs: Vec<(String, String)> = form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Self::from_pairs(pairs.iter().map(|(k, v)| (k.as_str(), v.as_str())))
    }

    fn from_pairs<'a>(pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Self {
        let mut flash = Flash::default();
        for (key, value) in pairs.filter(|(_, v)| !v.is_empty()) {
            if key == DONE {
                flash.done = Some(value.to_owned());
            } else if key == ERROR {
                flash.error = Some(value.to_owned());
            } else if let Some(field) = key.strip_prefix(PROBLEM) {
                set(&mut flash.problems, field, value.to_owned());
            } else if let Some(field) = key.strip_prefix(TYPED) {
                set(&mut flash.typed, field, value.to_owned());
            } else {
                set(&mut flash.facts, key, value.to_owned());
            }
        }
        flash
    }

    /// `fait`: what was done.
    pub fn done_code(&self) -> Option<&str> {
        self.done.as_deref()
    }

    /// `erreur`: why the form was refused.
    pub fn error_code(&self) -> Option<&str> {
        self.error.as_deref()
    }

    pub fn fact(&self, key: &str) -> Option<&str> {
        get(&self.facts, key)
    }

    /// The numbers of a list written by [`Flash::with_ids`] (what does not read is skipped).
    pub fn ids(&self, key: &str) -> Vec<i64> {
        self.fact(key)
            .unwrap_or_default()
            .split(',')
            .filter_map(|id| id.trim().parse().ok())
            .collect()
    }

    /// The problem of a field, to show next to it.
    pub fn problem_of(&self, field: &str) -> Option<&str> {
        get(&self.problems, field)
    }

    /// What was typed in a field before the form was refused.
    pub fn typed_of(&self, field: &str) -> Option<&str> {
        get(&self.typed, field)
    }
}

fn set(pairs: &mut Vec<(String, String)>, key: &str, value: String) {
    match pairs.iter_mut().find(|(k, _)| k == key) {
        Some(pair) => pair.1 = value,
        None => pairs.push((key.to_owned(), value)),
    }
}

fn get<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// `application/x-www-form-urlencoded`, with commas kept (they are allowed in a query).
fn encode(text: &str) -> String {
    form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace("%2C", ",")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_outcome_is_written_after_the_page_s_own_query() {
        let flash = Flash::done("approve").with("demande", 12);
        assert_eq!(flash.link("/entrepot"), "/entrepot?fait=approve&demande=12");
        assert_eq!(
            flash.link("/entrepot?statut=en_attente"),
            "/entrepot?statut=en_attente&fait=approve&demande=12"
        );
        assert_eq!(Flash::new().link("/produits"), "/produits");
        assert_eq!(
            Flash::error("vide").with("raison", "").link("/a"),
            "/a?erreur=vide",
            "empty values are left out"
        );
    }

    #[test]
    fn values_are_encoded_but_lists_stay_readable() {
        let flash = Flash::new()
            .with_ids("demandes", &[12, 13])
            .with("code", "jus d'orange & co");
        assert_eq!(
            flash.link("/m"),
            "/m?demandes=12,13&code=jus+d%27orange+%26+co"
        );
        let back = Flash::parse("demandes=12,13&code=jus+d%27orange+%26+co");
        assert_eq!(back.ids("demandes"), [12, 13]);
        assert_eq!(back.fact("code"), Some("jus d'orange & co"));
        assert_eq!(back.ids("absent"), Vec::<i64>::new());
    }

    #[test]
    fn field_problems_and_typed_values_come_back_as_written() {
        let written = Flash::error("champs")
            .problem("price", "Indiquez un prix comme 12,50.")
            .problem("price", "a second problem of the same field is not shown")
            .problem("name", "Le nom est obligatoire.")
            .typed("price", "abc")
            .typed("taxable", "on")
            .typed("active", "");
        let link = written.link("/produits/nouveau");
        assert_eq!(
            link,
            "/produits/nouveau?erreur=champs&f_price=Indiquez+un+prix+comme+12,50.\
             &f_name=Le+nom+est+obligatoire.&v_price=abc&v_taxable=on"
        );
        let Some((_, query)) = link.split_once('?') else {
            panic!("no query in {link}");
        };
        let read = Flash::parse(query);
        assert_eq!(read.error_code(), Some("champs"));
        assert_eq!(read.done_code(), None);
        assert_eq!(
            read.problem_of("price"),
            Some("Indiquez un prix comme 12,50.")
        );
        assert_eq!(read.problem_of("name"), Some("Le nom est obligatoire."));
        assert_eq!(read.problem_of("code"), None);
        assert_eq!(read.typed_of("price"), Some("abc"));
        assert_eq!(read.typed_of("taxable"), Some("on"));
        assert_eq!(read.typed_of("active"), None, "an unticked box is absent");
        assert_eq!(
            read.link("/produits/nouveau"),
            link,
            "read back, written the same"
        );
    }

    #[test]
    fn the_latest_value_of_a_key_wins_as_in_the_router() {
        // a stale transition on a filtered list: the filter and the fact share `statut`
        let link = Flash::error("etat")
            .with("statut", "refusee")
            .link("/entrepot?statut=en_attente");
        let Some((_, query)) = link.split_once('?') else {
            panic!("no query in {link}");
        };
        assert_eq!(Flash::parse(query).fact("statut"), Some("refusee"));
        let mut params = ParamsMap::new();
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            params.insert(k.into_owned(), v.into_owned());
        }
        assert_eq!(Flash::read(&params), Flash::parse(query));
    }
}
