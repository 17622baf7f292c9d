//! The webhook worker's settings (`WEBHOOK_*`), with production defaults: the SPEC's 5 s timeout
//! and 24 h retry window. Tests shorten them to run in seconds.

use std::time::Duration;

use domain::webhooks::RetryPolicy;

#[derive(clap::Args, Debug, Clone)]
pub struct WebhookArgs {
    /// Deliveries this instance attempts at once (0: this instance delivers none).
    #[arg(long, env = "WEBHOOK_CONCURRENCY", default_value_t = 16)]
    pub webhook_concurrency: u32,
    /// A receiver that has not answered after this long (milliseconds) has failed the attempt.
    #[arg(long, env = "WEBHOOK_TIMEOUT_MS", default_value_t = 5000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub webhook_timeout_ms: u64,
    /// A failed delivery is retried this long after its first attempt, then it is dead (the
    /// dead-letter list, from which it can be replayed).
    #[arg(long, env = "WEBHOOK_RETRY_SECS", default_value_t = 86_400,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub webhook_retry_secs: u64,
    /// A subscription whose every delivery failed for this long is disabled.
    #[arg(long, env = "WEBHOOK_DISABLE_AFTER_SECS", default_value_t = 86_400,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub webhook_disable_after_secs: u64,
    /// The first retry waits about this long (milliseconds; between half and all of it), each
    /// next one twice as long ...
    #[arg(long, env = "WEBHOOK_BACKOFF_BASE_MS", default_value_t = 5000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub webhook_backoff_base_ms: u64,
    /// ... up to this (milliseconds).
    #[arg(long, env = "WEBHOOK_BACKOFF_CAP_MS", default_value_t = 3_600_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub webhook_backoff_cap_ms: u64,
    /// How long a claimed delivery stays this instance's (milliseconds): longer than the
    /// timeout; if the instance dies, another one takes the delivery when the lease ends.
    #[arg(long, env = "WEBHOOK_LEASE_MS", default_value_t = 30_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub webhook_lease_ms: u64,
    /// How often an idle instance looks for due deliveries (milliseconds).
    #[arg(long, env = "WEBHOOK_POLL_MS", default_value_t = 1000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub webhook_poll_ms: u64,
}

/// The worker's settings, checked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WebhookSettings {
    pub concurrency: u32,
    pub timeout: Duration,
    pub lease: Duration,
    pub poll: Duration,
    pub policy: RetryPolicy,
}

impl WebhookArgs {
    /// The settings, or why they cannot work: a lease that may end before the attempt it covers
    /// would let a second instance send the same delivery at once.
    pub fn settings(&self) -> Result<WebhookSettings, String> {
        let settings = WebhookSettings {
            concurrency: self.webhook_concurrency,
            timeout: Duration::from_millis(self.webhook_timeout_ms),
            lease: Duration::from_millis(self.webhook_lease_ms),
            poll: Duration::from_millis(self.webhook_poll_ms),
            policy: RetryPolicy {
                retry_window: Duration::from_secs(self.webhook_retry_secs),
                disable_after: Duration::from_secs(self.webhook_disable_after_secs),
                backoff_base: Duration::from_millis(self.webhook_backoff_base_ms),
                backoff_cap: Duration::from_millis(self.webhook_backoff_cap_ms),
            },
        };
        if settings.lease <= settings.timeout {
            return Err(format!(
                "WEBHOOK_LEASE_MS ({}) must be longer than WEBHOOK_TIMEOUT_MS ({})",
                self.webhook_lease_ms, self.webhook_timeout_ms
            ));
        }
        if settings.policy.backoff_cap < settings.policy.backoff_base {
            return Err(format!(
                "WEBHOOK_BACKOFF_CAP_MS ({}) must not be under WEBHOOK_BACKOFF_BASE_MS ({})",
                self.webhook_backoff_cap_ms, self.webhook_backoff_base_ms
            ));
        }
        Ok(settings)
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;

    #[derive(Parser)]
    struct Cli {
        #[command(flatten)]
        webhooks: WebhookArgs,
    }

    #[test]
    fn the_defaults_are_the_spec_s() {
        let settings = Cli::parse_from(["x"]).webhooks.settings().unwrap();
        assert_eq!(settings.timeout, Duration::from_secs(5));
        assert_eq!(settings.policy, RetryPolicy::default());
        assert_eq!(settings.policy.retry_window, Duration::from_secs(24 * 3600));
        assert!(settings.lease > settings.timeout);
    }

    #[test]
    fn a_lease_shorter_than_an_attempt_is_refused() {
        let cli = Cli::parse_from(["x", "--webhook-lease-ms", "5000"]);
        assert!(
            cli.webhooks
                .settings()
                .unwrap_err()
                .contains("WEBHOOK_LEASE_MS")
        );
        let cli = Cli::parse_from([
            "x",
            "--webhook-backoff-base-ms",
            "10",
            "--webhook-backoff-cap-ms",
            "5",
        ]);
        assert!(cli.webhooks.settings().is_err());
        assert!(Cli::try_parse_from(["x", "--webhook-poll-ms", "0"]).is_err());
    }
}
