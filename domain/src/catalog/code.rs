//! Product codes (barcodes and SKUs) as they are stored and looked up.

/// A product code as it is stored: without the spaces around it, and only when it can be a
/// code at all (1 to 64 letters, digits, `.`, `_` or `-`). Writes store codes this way and
/// lookups read them this way, so `ALI001 ` names `ALI001` everywhere, and a cache keyed by
/// the normalised code has one entry per product.
pub fn normalize_code(code: &str) -> Option<&str> {
    let code = code.trim();
    let valid = (1..=64).contains(&code.len())
        && code
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    valid.then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_lose_their_spaces_and_nothing_else() {
        assert_eq!(normalize_code("ALI001"), Some("ALI001"));
        assert_eq!(normalize_code(" ALI001\t"), Some("ALI001"));
        assert_eq!(normalize_code("a.b_c-9"), Some("a.b_c-9"));
        assert_eq!(
            normalize_code(&"x".repeat(64)),
            Some("x".repeat(64).as_str())
        );
        for bad in ["", "   ", "AL I001", "ALI001!", "café", "ALI/001"] {
            assert_eq!(normalize_code(bad), None, "{bad:?}");
        }
        assert_eq!(normalize_code(&"x".repeat(65)), None);
    }
}
