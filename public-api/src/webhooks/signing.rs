//! The signature of a delivery: `X-Webhook-Signature: sha256=<hex HMAC-SHA256 of
//! "timestamp.body">` keyed with the subscription's secret. The timestamp (`X-Webhook-Timestamp`,
//! unix seconds) is signed with the body, so a receiver that refuses old timestamps is safe from
//! replays of a captured delivery.

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The delivery's event id.
pub const ID_HEADER: &str = "x-webhook-id";
/// When the delivery was signed, in unix seconds.
pub const TIMESTAMP_HEADER: &str = "x-webhook-timestamp";
/// `sha256=` and the hex HMAC.
pub const SIGNATURE_HEADER: &str = "x-webhook-signature";

/// The hex HMAC-SHA256 of `message` keyed with `key`.
pub fn hmac_sha256_hex(key: &[u8], message: &[u8]) -> String {
    // HMAC takes a key of any length: `new_from_slice` cannot fail for it
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        unreachable!("HMAC accepts keys of any length")
    };
    mac.update(message);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The `X-Webhook-Signature` value of `body` sent at `timestamp`.
pub fn signature(secret: &str, timestamp: i64, body: &[u8]) -> String {
    let mut signed = Vec::with_capacity(body.len() + 21);
    signed.extend_from_slice(timestamp.to_string().as_bytes());
    signed.push(b'.');
    signed.extend_from_slice(body);
    format!("sha256={}", hmac_sha256_hex(secret.as_bytes(), &signed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hmac_sha256_matches_rfc_4231() {
        // RFC 4231, test case 2
        assert_eq!(
            hmac_sha256_hex(b"Jefe", b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn the_signature_covers_the_timestamp_then_the_body() {
        // printf '%s' '1733400000.{"id":1042,"type":"sale.created"}' \
        //   | openssl dgst -sha256 -hmac 'whsec-test-0123456789'
        let body = br#"{"id":1042,"type":"sale.created"}"#;
        assert_eq!(
            signature("whsec-test-0123456789", 1_733_400_000, body),
            "sha256=34d26b024e2e67843986e5aa3499a620805d61975fb10d5df4a5ab62a7e8d180"
        );
        assert_ne!(
            signature("whsec-test-0123456789", 1_733_400_001, body),
            signature("whsec-test-0123456789", 1_733_400_000, body),
            "another time, another signature"
        );
        assert_ne!(
            signature("whsec-test-0123456789", 1_733_400_000, b"{}"),
            signature("whsec-test-0123456789", 1_733_400_000, body),
        );
    }
}
