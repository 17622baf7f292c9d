//! The delay before a failed delivery's next attempt: exponential, capped, with jitter, so that
//! a receiver coming back up is not hit by every instance's retries at the same instant.

use std::time::Duration;

use rand::Rng;

use super::RetryPolicy;

/// The delay after `failed` failed attempts (1 after the first): `base × 2^(failed−1)`, at most
/// `cap`, of which the upper half is random ("equal jitter"): between half and all of it. Never
/// zero for a non-zero base, so a failing receiver is never retried in a busy loop. `unit` is
/// the random draw, in `[0, 1]` (clamped).
pub fn backoff(failed: u32, base: Duration, cap: Duration, unit: f64) -> Duration {
    let exponent = failed.saturating_sub(1).min(64);
    let full = base
        .as_millis()
        .saturating_mul(1u128 << exponent.min(127))
        .min(cap.as_millis());
    let half = full / 2;
    let unit = if unit.is_nan() {
        0.0
    } else {
        unit.clamp(0.0, 1.0)
    };
    let jitter = ((full - half) as f64 * unit) as u128;
    Duration::from_millis(u64::try_from(half + jitter).unwrap_or(u64::MAX))
}

/// [`backoff`] under `policy`, with a fresh random draw.
pub fn next_delay(failed: u32, policy: &RetryPolicy) -> Duration {
    let unit: f64 = rand::thread_rng().r#gen();
    backoff(failed, policy.backoff_base, policy.backoff_cap, unit)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: Duration = Duration::from_secs(5);
    const CAP: Duration = Duration::from_secs(3600);

    #[test]
    fn doubles_from_the_base_between_half_and_all_of_it() {
        for failed in 1..=8u32 {
            let full = BASE * 2u32.pow(failed - 1);
            assert_eq!(backoff(failed, BASE, CAP, 0.0), full / 2, "{failed}");
            assert_eq!(backoff(failed, BASE, CAP, 1.0), full, "{failed}");
            let middle = backoff(failed, BASE, CAP, 0.5);
            assert!(middle > full / 2 && middle < full, "{failed}: {middle:?}");
        }
    }

    #[test]
    fn is_capped_and_never_overflows() {
        assert_eq!(backoff(11, BASE, CAP, 1.0), CAP, "5 s × 2^10 > 1 h");
        for failed in [12, 40, 64, 65, 1000, u32::MAX] {
            assert_eq!(backoff(failed, BASE, CAP, 1.0), CAP);
            assert_eq!(backoff(failed, BASE, CAP, 0.0), CAP / 2);
        }
        // saturates (at u64::MAX milliseconds) instead of overflowing
        let huge = Duration::from_secs(u64::MAX / 4);
        assert!(backoff(u32::MAX, huge, huge, 1.0) <= huge);
    }

    #[test]
    fn the_first_attempt_and_a_bad_draw_stay_within_bounds() {
        assert_eq!(
            backoff(0, BASE, CAP, 1.0),
            BASE,
            "no attempt yet counts as one"
        );
        assert_eq!(backoff(1, BASE, CAP, 7.0), BASE, "clamped above");
        assert_eq!(backoff(1, BASE, CAP, -3.0), BASE / 2, "clamped below");
        assert_eq!(backoff(1, BASE, CAP, f64::NAN), BASE / 2);
        assert_eq!(backoff(3, Duration::ZERO, CAP, 0.9), Duration::ZERO);
    }

    #[test]
    fn random_draws_stay_between_half_and_all_and_spread() {
        let policy = RetryPolicy::default();
        let mut seen = std::collections::HashSet::new();
        for _ in 0..1000 {
            let delay = next_delay(3, &policy);
            assert!(
                delay >= Duration::from_secs(10) && delay <= Duration::from_secs(20),
                "{delay:?}"
            );
            seen.insert(delay);
        }
        assert!(seen.len() > 100, "jittered: {} distinct delays", seen.len());
    }
}
