//! Gift card codes: 16 digits, the last a Luhn check digit, so a mistyped or misread code
//! (one wrong digit, two swapped) is refused before any lookup. Printed as a barcode.

use rand::Rng;

/// Digits of a code, the check digit included.
pub const CODE_LEN: usize = 16;

/// The Luhn check digit of `payload` (digits only).
fn luhn_digit(payload: &[u8]) -> u8 {
    let sum: u32 = payload
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let d = u32::from(*d);
            if i % 2 == 0 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum();
    ((10 - sum % 10) % 10) as u8
}

/// A new random code: 15 random digits from the thread's CSPRNG and their Luhn digit.
pub fn generate_code() -> String {
    let mut rng = rand::thread_rng();
    let mut digits: Vec<u8> = (0..CODE_LEN - 1).map(|_| rng.gen_range(0..10)).collect();
    digits.push(luhn_digit(&digits));
    digits.iter().map(|d| char::from(b'0' + d)).collect()
}

/// The code as stored, from what was typed or scanned (spaces and dashes ignored), or `None`
/// when it cannot be a gift card's code (wrong length, not digits, wrong check digit).
pub fn normalize_code(input: &str) -> Option<String> {
    let code: String = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if code.len() != CODE_LEN || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let digits: Vec<u8> = code.bytes().map(|b| b - b'0').collect();
    (luhn_digit(&digits[..CODE_LEN - 1]) == digits[CODE_LEN - 1]).then_some(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_codes_are_sixteen_digits_with_a_valid_check_digit() {
        for _ in 0..200 {
            let code = generate_code();
            assert_eq!(code.len(), 16);
            assert_eq!(normalize_code(&code).as_deref(), Some(code.as_str()));
        }
        assert_ne!(generate_code(), generate_code());
    }

    #[test]
    fn the_check_digit_catches_typos() {
        // a known Luhn-valid number (a test card number)
        assert_eq!(
            normalize_code("4539 1488 0343 6467").as_deref(),
            Some("4539148803436467")
        );
        assert_eq!(
            normalize_code("4539-1488-0343-6467").as_deref(),
            Some("4539148803436467")
        );
        assert!(
            normalize_code("4539148803436468").is_none(),
            "wrong check digit"
        );
        assert!(
            normalize_code("5439148803436467").is_none(),
            "one digit changed"
        );
        assert!(
            normalize_code("4593148803436467").is_none(),
            "two digits swapped"
        );
        assert!(normalize_code("453914880343646").is_none());
        assert!(normalize_code("45391488034364a7").is_none());
        assert!(normalize_code("").is_none());
    }
}
