//! Loyalty card codes: 13 digits, an EAN-13 in the restricted in-store range (prefix `29`, which
//! no manufacturer's product carries) with its check digit, so the card's barcode scans like any
//! product's and a mistyped code is caught by the digit.

use rand::Rng;

/// The in-store prefix of every card.
pub const CARD_PREFIX: &str = "29";

/// The EAN-13 check digit of the first 12 digits: weights 1 and 3 alternating from the left.
pub fn check_digit(first12: &[u8; 12]) -> u8 {
    let sum: u32 = first12
        .iter()
        .enumerate()
        .map(|(i, d)| u32::from(*d) * if i % 2 == 0 { 1 } else { 3 })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// A new random card code (uniqueness is the table's; the caller retries on a collision).
pub fn generate() -> String {
    let mut rng = rand::thread_rng();
    let mut digits = [0u8; 12];
    for (i, d) in CARD_PREFIX.bytes().enumerate() {
        digits[i] = d - b'0';
    }
    for d in digits.iter_mut().skip(CARD_PREFIX.len()) {
        *d = rng.gen_range(0..10);
    }
    let check = check_digit(&digits);
    digits
        .iter()
        .chain(std::iter::once(&check))
        .map(|d| char::from(b'0' + d))
        .collect()
}

/// True for 13 digits whose last one is the EAN-13 check digit of the others.
pub fn is_valid(code: &str) -> bool {
    let bytes = code.as_bytes();
    if bytes.len() != 13 || !bytes.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let mut first = [0u8; 12];
    for (d, b) in first.iter_mut().zip(bytes) {
        *d = b - b'0';
    }
    check_digit(&first) == bytes[12] - b'0'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_check_digit_is_ean_13_s() {
        // a real EAN-13: 4006381333931
        assert!(is_valid("4006381333931"));
        assert!(!is_valid("4006381333932"));
        assert!(!is_valid("400638133393"));
        assert!(!is_valid("40063813339a1"));
    }

    #[test]
    fn generated_codes_are_valid_in_store_codes() {
        for _ in 0..200 {
            let code = generate();
            assert!(code.starts_with(CARD_PREFIX) && is_valid(&code), "{code}");
        }
        assert_ne!(generate(), generate());
    }
}
