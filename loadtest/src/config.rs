//! What a run measures and against what: the profile, the two base URLs, the API token, the
//! think time and the thresholds, all from the environment (goose's own flags stay goose's).

use std::sync::OnceLock;
use std::time::Duration;

use anyhow::{Context, bail};

use crate::thresholds::Thresholds;

/// The shapes of load this crate knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Profile {
    /// Short mixed run (about 35 s, a few dozen users) for `make test` on debug builds.
    Ci,
    /// The chain's reference: ramp to 100, hold, to 500, hold, to 1000, hold, ramp down.
    Staged,
    /// 32 users posting 3-line sales without think time: the 1000 sales/s benchmark.
    Sales,
    /// Signed-in managers loading the dashboard (`/`) without think time.
    Dashboard,
    /// `Sales` as a store sells: each of the 32 users serves its own customer, and every 3-line
    /// sale holds a promoted product and is paid with two tenders (card, then cash with change).
    Selling,
}

impl Profile {
    pub fn parse(text: &str) -> anyhow::Result<Profile> {
        Ok(match text.trim().to_ascii_lowercase().as_str() {
            "ci" => Profile::Ci,
            "staged" => Profile::Staged,
            "sales" => Profile::Sales,
            "dashboard" => Profile::Dashboard,
            "selling" => Profile::Selling,
            other => bail!("unknown profile {other:?}: ci, staged, sales, selling or dashboard"),
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Profile::Ci => "ci",
            Profile::Staged => "staged",
            Profile::Sales => "sales",
            Profile::Dashboard => "dashboard",
            Profile::Selling => "selling",
        }
    }

    /// Mixed profiles emulate people (think time, all scenarios); the others are benchmarks.
    pub fn is_mixed(self) -> bool {
        matches!(self, Profile::Ci | Profile::Staged)
    }

    /// The benchmarks that post sales as fast as the API takes them.
    pub fn sells(self) -> bool {
        matches!(self, Profile::Sales | Profile::Selling)
    }

    fn default_thresholds(self) -> Thresholds {
        match self {
            // debug builds on a shared 2-core machine: slow is fine, wrong is not
            Profile::Ci => Thresholds {
                max_p95_ms: 1500.0,
                max_endpoint_p95_ms: Some(3000.0),
                max_error_rate_pct: 0.0,
                min_rps: 5.0,
            },
            Profile::Staged => Thresholds {
                max_p95_ms: 500.0,
                max_endpoint_p95_ms: Some(1500.0),
                max_error_rate_pct: 1.0,
                min_rps: 100.0,
            },
            Profile::Sales | Profile::Selling => Thresholds {
                max_p95_ms: 100.0,
                max_endpoint_p95_ms: None,
                max_error_rate_pct: 0.0,
                min_rps: 1000.0,
            },
            Profile::Dashboard => Thresholds {
                max_p95_ms: 500.0,
                max_endpoint_p95_ms: None,
                max_error_rate_pct: 0.0,
                min_rps: 50.0,
            },
        }
    }
}

/// Everything a run needs besides goose's own configuration.
#[derive(Clone, Debug)]
pub struct Settings {
    pub profile: Profile,
    /// Base URL of the public API, without `/api/v1` (goose's `--host` when not given).
    pub api_url: String,
    /// Base URL of the web UI.
    pub web_url: String,
    pub api_token: String,
    /// Password of the demo employees.
    pub web_password: String,
    /// Pause between two actions of one user; `None`: none (benchmarks).
    pub think: Option<(Duration, Duration)>,
    /// Goose's test plan (`users,duration;...`) for the mixed profiles.
    pub test_plan: Option<String>,
    /// Users and run time of the benchmark profiles (goose's `-u` and `-t` win).
    pub users: usize,
    pub run_time_secs: usize,
    pub thresholds: Thresholds,
    pub report_md: String,
    pub report_html: String,
}

static SETTINGS: OnceLock<Settings> = OnceLock::new();

/// The settings of this run (set once by `main` before any user starts).
pub fn settings() -> &'static Settings {
    SETTINGS
        .get()
        .expect("main installs the settings before any user starts")
}

pub fn install(settings: Settings) {
    // a second call keeps the first settings: there is one run per process
    let _ = SETTINGS.set(settings);
}

impl Settings {
    pub fn from_env() -> anyhow::Result<Settings> {
        Settings::from_lookup(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads the settings through `lookup` (the environment, or a map in tests).
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> anyhow::Result<Settings> {
        let profile = Profile::parse(&lookup("LOADTEST_PROFILE").unwrap_or_else(|| "ci".into()))?;
        let trim = |url: String| url.trim().trim_end_matches('/').to_owned();
        let api_url =
            trim(lookup("LOADTEST_API_URL").unwrap_or_else(|| "http://127.0.0.1:8000".into()));
        let web_url =
            trim(lookup("LOADTEST_WEB_URL").unwrap_or_else(|| "http://127.0.0.1:8080".into()));
        let api_token = lookup("LOADTEST_API_TOKEN")
            .or_else(|| lookup("API_TOKEN"))
            .unwrap_or_default();
        let web_password = lookup("LOADTEST_WEB_PASSWORD").unwrap_or_else(|| "demo".into());
        let ms = |name: &str, default: u64| -> anyhow::Result<u64> {
            match lookup(name) {
                Some(v) => v
                    .trim()
                    .parse()
                    .with_context(|| format!("{name}: a number of milliseconds")),
                None => Ok(default),
            }
        };
        let think = if profile.is_mixed() {
            let (min, max) = (
                ms("LOADTEST_THINK_MIN_MS", 500)?,
                ms("LOADTEST_THINK_MAX_MS", 2000)?,
            );
            if min > max {
                bail!("LOADTEST_THINK_MIN_MS ({min}) is over LOADTEST_THINK_MAX_MS ({max})");
            }
            (max > 0).then(|| (Duration::from_millis(min), Duration::from_millis(max)))
        } else {
            None
        };
        let test_plan = match profile {
            Profile::Ci => {
                Some(lookup("LOADTEST_TEST_PLAN").unwrap_or_else(|| "24,5s;24,25s;0,3s".into()))
            }
            Profile::Staged => Some(lookup("LOADTEST_TEST_PLAN").unwrap_or_else(|| {
                staged_plan(
                    &lookup("LOADTEST_RAMP").unwrap_or_else(|| "1m".into()),
                    &lookup("LOADTEST_HOLD").unwrap_or_else(|| "3m".into()),
                )
            })),
            Profile::Sales | Profile::Selling | Profile::Dashboard => None,
        };
        let count = |name: &str, default: usize| -> anyhow::Result<usize> {
            match lookup(name) {
                Some(v) => v
                    .trim()
                    .parse()
                    .with_context(|| format!("{name}: a whole number")),
                None => Ok(default),
            }
        };
        let users = count("LOADTEST_USERS", if profile.sells() { 32 } else { 16 })?;
        let run_time_secs = count("LOADTEST_RUN_TIME_SECS", 30)?;
        let thresholds = profile.default_thresholds().overridden(&lookup)?;
        Ok(Settings {
            profile,
            api_url,
            web_url,
            api_token,
            web_password,
            think,
            test_plan,
            users,
            run_time_secs,
            thresholds,
            report_md: lookup("LOADTEST_REPORT_MD")
                .unwrap_or_else(|| "target/loadtest/report.md".into()),
            report_html: lookup("LOADTEST_REPORT_HTML")
                .unwrap_or_else(|| "target/loadtest/report.html".into()),
        })
    }
}

/// 100, 500 then 1000 users, each reached in `ramp` and held for `hold`, then down in `ramp`.
pub fn staged_plan(ramp: &str, hold: &str) -> String {
    format!("100,{ramp};100,{hold};500,{ramp};500,{hold};1000,{ramp};1000,{hold};0,{ramp}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn with(pairs: &[(&str, &str)]) -> anyhow::Result<Settings> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        Settings::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn defaults_are_the_ci_profile_on_the_local_ports() {
        let s = with(&[]).unwrap();
        assert_eq!(s.profile, Profile::Ci);
        assert_eq!(s.api_url, "http://127.0.0.1:8000");
        assert_eq!(s.web_url, "http://127.0.0.1:8080");
        assert_eq!(s.test_plan.as_deref(), Some("24,5s;24,25s;0,3s"));
        assert!(s.think.is_some());
        assert_eq!(s.thresholds.max_error_rate_pct, 0.0);
    }

    #[test]
    fn the_staged_plan_takes_its_ramp_and_hold_from_the_environment() {
        let s = with(&[
            ("LOADTEST_PROFILE", "staged"),
            ("LOADTEST_RAMP", "10s"),
            ("LOADTEST_HOLD", "20s"),
        ])
        .unwrap();
        assert_eq!(
            s.test_plan.as_deref(),
            Some("100,10s;100,20s;500,10s;500,20s;1000,10s;1000,20s;0,10s")
        );
    }

    #[test]
    fn benchmarks_have_no_think_time_and_thresholds_can_be_overridden() {
        let s = with(&[
            ("LOADTEST_PROFILE", "sales"),
            ("LOADTEST_MIN_RPS", "250"),
            ("LOADTEST_API_URL", "http://api:9000/"),
        ])
        .unwrap();
        assert!(s.think.is_none());
        assert_eq!(s.users, 32);
        assert_eq!(s.thresholds.min_rps, 250.0);
        assert_eq!(s.api_url, "http://api:9000");
    }

    #[test]
    fn bad_values_are_refused_with_their_name() {
        assert_eq!(with(&[("LOADTEST_PROFILE", "Selling")]).unwrap().users, 32);
        let err = with(&[("LOADTEST_PROFILE", "soak")]).unwrap_err();
        assert!(err.to_string().contains("soak"));
        let err = with(&[("LOADTEST_MAX_P95_MS", "fast")]).unwrap_err();
        assert!(format!("{err:#}").contains("LOADTEST_MAX_P95_MS"));
    }
}
