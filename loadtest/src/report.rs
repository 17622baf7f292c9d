//! The markdown summary of a run: thresholds, then per endpoint requests, throughput,
//! percentiles and errors, the business outcomes, the errors goose saw, and how it was run.

use std::fmt::Write as _;

use goose::metrics::GooseMetrics;

use crate::config::Settings;
use crate::summary::Observed;
use crate::thresholds::Outcome;

/// `N cores (CPU model)` of this machine.
pub fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let model = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, m)| m.trim().to_owned())
        })
        .unwrap_or_else(|| "unknown CPU".to_owned());
    format!("{cores} cores ({model})")
}

fn statuses(list: &[(u16, usize)]) -> String {
    list.iter()
        .map(|(code, n)| {
            if *code == 0 {
                format!("no answer: {n}")
            } else {
                format!("{code}: {n}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub fn markdown(
    settings: &Settings,
    command: &str,
    metrics: &GooseMetrics,
    run: &Observed,
    outcomes: &[Outcome],
    business: &[(&str, u64)],
) -> String {
    let passed = outcomes.iter().all(|o| o.passed);
    let mut md = String::new();
    let _ = writeln!(
        md,
        "# Load test `{}`: {}\n",
        settings.profile.name(),
        if passed { "PASSED" } else { "FAILED" }
    );
    let _ = writeln!(md, "- command: `{command}`");
    let _ = writeln!(
        md,
        "- finished: {} UTC",
        chrono::Utc::now().format("%Y-%m-%d %H:%M:%S")
    );
    let _ = writeln!(md, "- machine: {}", machine());
    let _ = writeln!(
        md,
        "- API: {} · web UI: {}",
        settings.api_url, settings.web_url
    );
    let shape = match &settings.test_plan {
        Some(plan) => format!("test plan `{plan}`"),
        None => format!(
            "{} users all started at once, run time {} s unless goose's -u / -t said otherwise",
            settings.users, settings.run_time_secs
        ),
    };
    let think = match settings.think {
        Some((min, max)) => format!("think time {}-{} ms", min.as_millis(), max.as_millis()),
        None => "no think time".to_owned(),
    };
    let _ = writeln!(
        md,
        "- load: {shape}, {think}; measured {} s, at most {} users",
        run.duration_secs, run.max_users
    );
    let _ = writeln!(
        md,
        "- times are to the first byte of the answer, as goose measures them\n"
    );

    let _ = writeln!(md, "## Thresholds\n");
    let _ = writeln!(md, "| rule | observed | result |\n|---|---:|---|");
    for o in outcomes {
        let _ = writeln!(
            md,
            "| {} | {} | {} |",
            o.rule,
            o.observed,
            if o.passed { "pass" } else { "**FAIL**" }
        );
    }

    let _ = writeln!(md, "\n## Endpoints\n");
    let _ = writeln!(
        md,
        "| endpoint | requests | req/s | p50 ms | p95 ms | p99 ms | max ms | errors | status codes |"
    );
    let _ = writeln!(md, "|---|---:|---:|---:|---:|---:|---:|---:|---|");
    for e in &run.endpoints {
        let _ = writeln!(
            md,
            "| {} | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {} | {} |",
            e.name,
            e.requests,
            e.rps,
            e.p50_ms,
            e.p95_ms,
            e.p99_ms,
            e.max_ms,
            e.failures,
            statuses(&e.statuses)
        );
    }
    let _ = writeln!(
        md,
        "| **all** | {} | {:.1} | {:.1} | {:.1} | {:.1} | {:.1} | {} | |",
        run.requests, run.rps, run.p50_ms, run.p95_ms, run.p99_ms, run.max_ms, run.failures
    );

    let _ = writeln!(md, "\n## Business outcomes\n");
    let _ = writeln!(
        md,
        "Counted over the whole run (ramp-up included). A sale refused for lack of stock is a \
         legitimate answer (409 on the API, `erreur=stock` at the till), not an error.\n"
    );
    let _ = writeln!(md, "| outcome | count |\n|---|---:|");
    for (label, value) in business {
        let _ = writeln!(md, "| {label} | {value} |");
    }

    let _ = writeln!(md, "\n## Errors\n");
    if metrics.errors.is_empty() && metrics.transaction_errors.is_empty() {
        let _ = writeln!(md, "None.");
    } else {
        let _ = writeln!(md, "| request | error | occurrences |\n|---|---|---:|");
        for e in metrics.errors.values() {
            let _ = writeln!(
                md,
                "| {} | {} | {} |",
                e.name,
                e.error.replace('|', "\\|"),
                e.occurrences
            );
        }
        for e in metrics.transaction_errors.values() {
            let _ = writeln!(
                md,
                "| {} / {} (transaction) | {} | {} |",
                e.scenario_name,
                e.transaction_label(),
                e.error.replace('|', "\\|"),
                e.occurrences
            );
        }
    }
    md
}
