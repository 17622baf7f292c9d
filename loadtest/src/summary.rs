//! The numbers a run is judged on, per endpoint and overall, read from goose's metrics.

use goose::metrics::{GooseMetrics, GooseRequestMetricTimingData};
use serde::Serialize;

/// One endpoint (goose's request name, e.g. `POST /api/v1/stores/{id}/sales`).
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Endpoint {
    pub name: String,
    pub requests: usize,
    pub failures: usize,
    pub rps: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// `(status, count)`, most frequent first; `0` is a request without an answer.
    pub statuses: Vec<(u16, usize)>,
}

/// The whole run.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Observed {
    pub duration_secs: usize,
    pub max_users: usize,
    pub requests: usize,
    /// Failed requests, plus transactions that failed a check of their own (an answer of the
    /// wrong shape, a sale that was not recorded).
    pub failures: usize,
    pub rps: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Sorted by name.
    pub endpoints: Vec<Endpoint>,
}

impl Observed {
    pub fn error_rate_pct(&self) -> f64 {
        if self.requests == 0 {
            0.0
        } else {
            self.failures as f64 * 100.0 / self.requests as f64
        }
    }
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

/// Reads goose's metrics (response times are to the first byte, as goose measures them).
pub fn observe(metrics: &GooseMetrics) -> Observed {
    let duration = metrics.duration.max(1);
    let per_second = |n: usize| n as f64 / duration as f64;
    let mut all = GooseRequestMetricTimingData::default();
    let mut endpoints: Vec<Endpoint> = metrics
        .requests
        .iter()
        .map(|(name, request)| {
            let raw = &request.raw_data;
            for (&bucket, &count) in raw.times_us.iter() {
                let before = all.times_us.get(&bucket).copied().unwrap_or(0);
                all.times_us.insert(bucket, before + count);
            }
            if raw.counter > 0 && (all.counter == 0 || raw.minimum_time_us < all.minimum_time_us) {
                all.minimum_time_us = raw.minimum_time_us;
            }
            all.maximum_time_us = all.maximum_time_us.max(raw.maximum_time_us);
            all.total_time_us += raw.total_time_us;
            all.counter += raw.counter;
            let requests = request.success_count + request.fail_count;
            let mut statuses: Vec<(u16, usize)> = request
                .status_code_counts
                .iter()
                .map(|(&code, &count)| (code, count))
                .collect();
            statuses.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            Endpoint {
                name: name.clone(),
                requests,
                failures: request.fail_count,
                rps: per_second(requests),
                p50_ms: ms(raw.percentile_us(0.50)),
                p95_ms: ms(raw.percentile_us(0.95)),
                p99_ms: ms(raw.percentile_us(0.99)),
                max_ms: ms(raw.maximum_time_us),
                statuses,
            }
        })
        .collect();
    endpoints.sort_by(|a, b| a.name.cmp(&b.name));
    let requests = endpoints.iter().map(|e| e.requests).sum();
    Observed {
        duration_secs: metrics.duration,
        max_users: metrics.maximum_users,
        requests,
        failures: endpoints.iter().map(|e| e.failures).sum::<usize>()
            + metrics
                .transaction_errors
                .values()
                .map(|e| e.occurrences)
                .sum::<usize>(),
        rps: per_second(requests),
        p50_ms: ms(all.percentile_us(0.50)),
        p95_ms: ms(all.percentile_us(0.95)),
        p99_ms: ms(all.percentile_us(0.99)),
        max_ms: ms(all.maximum_time_us),
        endpoints,
    }
}

/// The run in JSON: overall figures, each endpoint, the 5xx answers and the business outcomes.
pub fn to_json(observed: &Observed, outcomes: &[(&'static str, u64)]) -> serde_json::Value {
    let server_errors: usize = observed
        .endpoints
        .iter()
        .flat_map(|e| e.statuses.iter())
        .filter(|(status, _)| *status >= 500)
        .map(|(_, n)| n)
        .sum();
    let mut json = serde_json::to_value(observed).unwrap_or_default();
    json["server_errors"] = server_errors.into();
    json["outcomes"] = outcomes
        .iter()
        .map(|(label, n)| serde_json::json!({"label": label, "count": n}))
        .collect();
    json
}
