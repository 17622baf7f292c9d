//! Pass/fail rules of a run: p95 overall and per endpoint, error rate, throughput. Each profile
//! has defaults (config.rs); `LOADTEST_MAX_P95_MS`, `LOADTEST_MAX_ENDPOINT_P95_MS` (`none` to
//! drop the rule), `LOADTEST_MAX_ERROR_RATE_PCT` and `LOADTEST_MIN_RPS` override them.

use anyhow::Context;

use crate::summary::Observed;

#[derive(Clone, Debug, PartialEq)]
pub struct Thresholds {
    /// p95 of every request together, in milliseconds.
    pub max_p95_ms: f64,
    /// p95 of each endpoint on its own (a slow report hidden by many fast reads).
    pub max_endpoint_p95_ms: Option<f64>,
    /// Failed requests in percent of all requests (a refused sale for lack of stock is an
    /// answer, not a failure).
    pub max_error_rate_pct: f64,
    /// Requests per second over the whole run.
    pub min_rps: f64,
}

/// One rule and how the run did against it.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    pub rule: String,
    pub observed: String,
    pub passed: bool,
}

impl Thresholds {
    pub fn overridden(mut self, lookup: &impl Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let number = |name: &str| -> anyhow::Result<Option<f64>> {
            lookup(name)
                .map(|v| {
                    v.trim()
                        .parse::<f64>()
                        .ok()
                        .filter(|n| n.is_finite() && *n >= 0.0)
                        .with_context(|| format!("{name}: a number >= 0, not {v:?}"))
                })
                .transpose()
        };
        if let Some(v) = number("LOADTEST_MAX_P95_MS")? {
            self.max_p95_ms = v;
        }
        match lookup("LOADTEST_MAX_ENDPOINT_P95_MS")
            .as_deref()
            .map(str::trim)
        {
            Some("none") => self.max_endpoint_p95_ms = None,
            Some(_) => self.max_endpoint_p95_ms = number("LOADTEST_MAX_ENDPOINT_P95_MS")?,
            None => {}
        }
        if let Some(v) = number("LOADTEST_MAX_ERROR_RATE_PCT")? {
            self.max_error_rate_pct = v;
        }
        if let Some(v) = number("LOADTEST_MIN_RPS")? {
            self.min_rps = v;
        }
        Ok(self)
    }

    /// Judges the run; a run without any request fails every rule.
    pub fn check(&self, run: &Observed) -> Vec<Outcome> {
        let some = run.requests > 0;
        let mut outcomes = vec![
            Outcome {
                rule: format!("p95 of all requests <= {} ms", self.max_p95_ms),
                observed: format!("{:.1} ms", run.p95_ms),
                passed: some && run.p95_ms <= self.max_p95_ms,
            },
            Outcome {
                rule: format!("error rate <= {} %", self.max_error_rate_pct),
                observed: format!(
                    "{:.3} % ({} of {})",
                    run.error_rate_pct(),
                    run.failures,
                    run.requests
                ),
                passed: some && run.error_rate_pct() <= self.max_error_rate_pct,
            },
            Outcome {
                rule: format!("throughput >= {} req/s", self.min_rps),
                observed: format!("{:.1} req/s", run.rps),
                passed: some && run.rps >= self.min_rps,
            },
        ];
        if let Some(limit) = self.max_endpoint_p95_ms {
            for endpoint in &run.endpoints {
                outcomes.push(Outcome {
                    rule: format!("p95 of {} <= {limit} ms", endpoint.name),
                    observed: format!("{:.1} ms", endpoint.p95_ms),
                    passed: endpoint.p95_ms <= limit,
                });
            }
        }
        outcomes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::summary::Endpoint;

    fn limits() -> Thresholds {
        Thresholds {
            max_p95_ms: 500.0,
            max_endpoint_p95_ms: Some(1000.0),
            max_error_rate_pct: 1.0,
            min_rps: 10.0,
        }
    }

    fn run(p95: f64, failures: usize, rps: f64, slow_endpoint: f64) -> Observed {
        Observed {
            duration_secs: 10,
            requests: 1000,
            failures,
            rps,
            p95_ms: p95,
            endpoints: vec![Endpoint {
                name: "GET /api/v1/reports/sales".into(),
                requests: 10,
                p95_ms: slow_endpoint,
                ..Endpoint::default()
            }],
            ..Observed::default()
        }
    }

    fn failed(outcomes: &[Outcome]) -> Vec<&str> {
        outcomes
            .iter()
            .filter(|o| !o.passed)
            .map(|o| o.rule.as_str())
            .collect()
    }

    #[test]
    fn a_good_run_passes_every_rule() {
        assert!(failed(&limits().check(&run(120.0, 5, 50.0, 800.0))).is_empty());
    }

    #[test]
    fn each_rule_fails_on_its_own() {
        assert_eq!(
            failed(&limits().check(&run(600.0, 0, 50.0, 10.0))),
            ["p95 of all requests <= 500 ms"]
        );
        assert_eq!(
            failed(&limits().check(&run(100.0, 11, 50.0, 10.0))),
            ["error rate <= 1 %"]
        );
        assert_eq!(
            failed(&limits().check(&run(100.0, 0, 9.5, 10.0))),
            ["throughput >= 10 req/s"]
        );
        assert_eq!(
            failed(&limits().check(&run(100.0, 0, 50.0, 1200.0))),
            ["p95 of GET /api/v1/reports/sales <= 1000 ms"]
        );
    }

    #[test]
    fn a_run_without_requests_fails() {
        assert_eq!(limits().check(&Observed::default()).len(), 3);
        assert!(
            limits()
                .check(&Observed::default())
                .iter()
                .all(|o| !o.passed)
        );
    }

    #[test]
    fn the_environment_overrides_and_drops_rules() {
        let env = |name: &str| match name {
            "LOADTEST_MAX_P95_MS" => Some("2000".to_owned()),
            "LOADTEST_MAX_ENDPOINT_P95_MS" => Some("none".to_owned()),
            _ => None,
        };
        let t = limits().overridden(&env).unwrap();
        assert_eq!(t.max_p95_ms, 2000.0);
        assert_eq!(t.max_endpoint_p95_ms, None);
        let bad = |name: &str| (name == "LOADTEST_MIN_RPS").then(|| "-3".to_owned());
        assert!(limits().overridden(&bad).is_err());
    }
}
