//! Links that carry a page's state in the query string (filters, pages, notices), written the
//! same way on the server and in the browser.

/// `path?key=value&...`, values percent-encoded, empty values left out.
pub fn with_query(path: &str, pairs: &[(&str, &str)]) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    for (key, value) in pairs.iter().filter(|(_, v)| !v.is_empty()) {
        query.append_pair(key, value);
    }
    let query = query.finish();
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// Appends encoded pairs to a link that may already have a query.
pub fn add_query(link: &str, pairs: &[(&str, &str)]) -> String {
    let extra = with_query("", pairs);
    match extra.strip_prefix('?') {
        Some(q) if link.contains('?') => format!("{link}&{q}"),
        Some(q) => format!("{link}?{q}"),
        None => link.to_owned(),
    }
}

/// A "back to" link sent by a form, kept only when it stays on this site (a path, not
/// `//other.host` nor a full URL), else `fallback`.
pub fn local_path<'a>(sent: &'a str, fallback: &'a str) -> &'a str {
    let ok = sent.starts_with('/')
        && !sent.starts_with("//")
        && !sent.contains('\\')
        && !sent.chars().any(char::is_control);
    if ok { sent } else { fallback }
}

/// The numeric route parameter `key` of the current page (0 when missing or not a number, which
/// the server functions answer as not found).
pub fn route_id(key: &'static str) -> impl Fn() -> i64 + Copy + Send + Sync + 'static {
    let params = leptos_router::hooks::use_params_map();
    move || {
        use leptos::prelude::Read;
        params
            .read()
            .get(key)
            .and_then(|id| id.parse::<i64>().ok())
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_encoded_and_empty_values_dropped() {
        assert_eq!(
            with_query("/produits", &[("q", "jus d'orange"), ("page", "")]),
            "/produits?q=jus+d%27orange"
        );
        assert_eq!(with_query("/produits", &[("q", "")]), "/produits");
        assert_eq!(
            add_query("/entrepot?statut=validee", &[("fait", "approve")]),
            "/entrepot?statut=validee&fait=approve"
        );
        assert_eq!(add_query("/entrepot", &[("a", "1")]), "/entrepot?a=1");
    }

    #[test]
    fn back_links_stay_on_the_site() {
        assert_eq!(local_path("/entrepot?page=2", "/"), "/entrepot?page=2");
        for bad in [
            "//evil.example",
            "https://evil.example",
            "/\\evil",
            "",
            "/a\nb",
        ] {
            assert_eq!(local_path(bad, "/entrepot"), "/entrepot", "{bad:?}");
        }
    }
}
