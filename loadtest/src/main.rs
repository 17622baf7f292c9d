//! `loadtest`: load tests of the public API and the web UI with goose. The profile
//! (`LOADTEST_PROFILE`: ci, staged, sales, selling, dashboard) chooses the scenarios, the load shape and
//! the thresholds; goose's own flags (`--help`) still apply and win over the profile's defaults.
//! Exits 1 when a threshold fails, 2 when the run could not be made.

mod api;
mod config;
mod outcomes;
mod report;
mod summary;
mod thresholds;
mod web;

use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use goose::prelude::*;

use crate::api::{
    discover, list_products, product_by_code, product_detail, report_kpis, report_sales, sale,
    store_stock,
};
use crate::config::{Profile, Settings};
use crate::web::{cashier_start, dashboard, manager_start, till_sale};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("loadtest: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn goose(e: GooseError) -> anyhow::Error {
    anyhow::anyhow!("goose: {e}")
}

fn named(
    name: &str,
    weight: usize,
    think: Option<(Duration, Duration)>,
) -> anyhow::Result<Scenario> {
    let mut scenario = scenario!(name).set_weight(weight).map_err(goose)?;
    if let Some((min, max)) = think {
        scenario = scenario.set_wait_time(min, max).map_err(goose)?;
    }
    Ok(scenario)
}

fn weighted(t: Transaction, weight: usize) -> anyhow::Result<Transaction> {
    t.set_weight(weight).map_err(goose)
}

/// The scenarios of a profile: the mixed ones run all four, weighted like a day at the chain
/// (partners reading most, selling some; managers watching; cashiers selling).
fn scenarios(settings: &Settings) -> anyhow::Result<Vec<Scenario>> {
    let think = settings.think;
    let api_sales = |weight| -> anyhow::Result<Scenario> {
        Ok(named("ApiSales", weight, think)?
            .register_transaction(transaction!(discover).set_on_start())
            .register_transaction(transaction!(sale).set_name("sale")))
    };
    let dashboard = |weight| -> anyhow::Result<Scenario> {
        Ok(named("WebDashboard", weight, think)?
            .register_transaction(transaction!(manager_start).set_on_start())
            .register_transaction(transaction!(dashboard).set_name("dashboard")))
    };
    Ok(match settings.profile {
        Profile::Sales | Profile::Selling => vec![api_sales(1)?],
        Profile::Dashboard => vec![dashboard(1)?],
        Profile::Ci | Profile::Staged => vec![
            named("ApiReads", 5, think)?
                .register_transaction(transaction!(discover).set_on_start())
                .register_transaction(weighted(transaction!(list_products), 3)?)
                .register_transaction(weighted(transaction!(product_detail), 3)?)
                .register_transaction(weighted(transaction!(product_by_code), 2)?)
                .register_transaction(weighted(transaction!(store_stock), 2)?)
                .register_transaction(transaction!(report_kpis))
                .register_transaction(transaction!(report_sales)),
            api_sales(2)?,
            dashboard(2)?,
            named("WebTill", 1, think)?
                .register_transaction(transaction!(cashier_start).set_on_start())
                .register_transaction(transaction!(till_sale).set_name("till sale")),
        ],
    })
}

fn make_parent(path: &str) -> anyhow::Result<()> {
    if let Some(dir) = Path::new(path)
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
    {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    Ok(())
}

async fn run() -> anyhow::Result<bool> {
    let settings = Settings::from_env()?;
    config::install(settings.clone());
    make_parent(&settings.report_md)?;
    make_parent(&settings.report_html)?;

    let mut attack = *GooseAttack::initialize()
        .map_err(goose)?
        .set_default(GooseDefault::Host, settings.api_url.as_str())
        .map_err(goose)?
        .set_default(GooseDefault::ReportFile, settings.report_html.as_str())
        .map_err(goose)?;
    attack = match &settings.test_plan {
        Some(plan) => *attack
            .set_default(GooseDefault::TestPlan, plan.as_str())
            .map_err(goose)?,
        // benchmarks: every user at once, then measured for the run time
        None => *attack
            .set_default(GooseDefault::Users, settings.users)
            .map_err(goose)?
            .set_default(
                GooseDefault::IncreaseRate,
                settings.users.to_string().as_str(),
            )
            .map_err(goose)?
            .set_default(GooseDefault::RunTime, settings.run_time_secs)
            .map_err(goose)?,
    };
    for scenario in scenarios(&settings)? {
        attack = attack.register_scenario(scenario);
    }
    let metrics = attack.execute().await.map_err(goose)?;

    let observed = summary::observe(&metrics);
    let outcomes = settings.thresholds.check(&observed);
    println!("\nthresholds of profile {}:", settings.profile.name());
    for o in &outcomes {
        println!(
            "  {}  {} (observed {})",
            if o.passed { "pass" } else { "FAIL" },
            o.rule,
            o.observed
        );
    }
    let command = format!(
        "LOADTEST_PROFILE={} {}",
        settings.profile.name(),
        std::env::args().collect::<Vec<_>>().join(" ")
    );
    let md = report::markdown(
        &settings,
        &command,
        &metrics,
        &observed,
        &outcomes,
        &outcomes::snapshot(),
    );
    std::fs::write(&settings.report_md, md)
        .with_context(|| format!("writing {}", settings.report_md))?;
    println!(
        "reports: {} (markdown), {} (goose, HTML)",
        settings.report_md, settings.report_html
    );
    // the figures `make bench` (loadtest/bench.sh) reads back
    if let Ok(path) = std::env::var("LOADTEST_REPORT_JSON") {
        make_parent(&path)?;
        let json = summary::to_json(&observed, &outcomes::snapshot());
        std::fs::write(&path, json.to_string()).with_context(|| format!("writing {path}"))?;
    }
    let passed = outcomes.iter().all(|o| o.passed);
    println!("{}", if passed { "PASSED" } else { "FAILED" });
    Ok(passed)
}
