//! What a report covers and what it covers by default, for every caller: a [`Period`] of local
//! dates, a [`ReportScope`] (a period and one store or the network), the period presets of the
//! report screens ([`Preset`]), and "today" where the report is read: the store's day in its
//! own time zone, or the chain's (America/Montreal) for the network. The web UI's picker and
//! the API's default dates both come from here, so they cannot disagree.

use chrono::{Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use sqlx::PgExecutor;

use crate::error::Validator;
use crate::stores::Store;
use crate::{Error, FieldError, Result};

/// Longest period a report covers: a leap year. Longer ranges belong to an export, not to a
/// screen that aggregates on every request.
pub const MAX_PERIOD_DAYS: i64 = 366;

/// First day a report may cover: every date a request can carry lies between [`MIN_DATE`] and
/// [`MAX_DATE`] (four-digit years), far inside both chrono's and PostgreSQL's ranges, so that
/// no date arithmetic of a report can overflow.
pub const MIN_DATE: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("a valid date");
/// Last day a report may cover.
pub const MAX_DATE: NaiveDate = NaiveDate::from_ymd_opt(9999, 12, 31).expect("a valid date");

const OUT_OF_RANGE: &str = "Date hors de la plage acceptée (1900-01-01 à 9999-12-31).";

/// A range of local dates, both ends included. Each store reads it in its own time zone, so a
/// sale at 23:30 in Montreal belongs to that Montreal day whatever the server's clock says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    /// A validated period (`date_debut` <= `date_fin`, at most [`MAX_PERIOD_DAYS`] days).
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self> {
        let period = Self { from, to };
        period.validate()?;
        Ok(period)
    }

    /// Parses the `YYYY-MM-DD` dates of a form or query string, naming the faulty field.
    pub fn parse(from: &str, to: &str) -> Result<Self> {
        let parse = |s: &str| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok();
        let mut errors = Vec::new();
        let (start, end) = (parse(from), parse(to));
        if start.is_none() {
            errors.push(FieldError::new(
                "date_debut",
                "Date de début invalide (AAAA-MM-JJ).",
            ));
        }
        if end.is_none() {
            errors.push(FieldError::new(
                "date_fin",
                "Date de fin invalide (AAAA-MM-JJ).",
            ));
        }
        match (start, end) {
            (Some(from), Some(to)) => Self::new(from, to),
            _ => Err(Error::Validation(errors)),
        }
    }

    /// The `days` days ending on `last` (today's report is `Period::ending(today, 1)`); it
    /// starts on chrono's first day when that is earlier (then refused by [`Period::validate`]).
    pub fn ending(last: NaiveDate, days: u32) -> Self {
        let days = u64::from(days.max(1)) - 1;
        Self {
            from: last
                .checked_sub_days(chrono::Days::new(days))
                .unwrap_or(NaiveDate::MIN),
            to: last,
        }
    }

    /// From the first of `today`'s month to `today` (the "this month" of the report pickers).
    pub fn month_to_date(today: NaiveDate) -> Self {
        Self {
            from: today.with_day(1).unwrap_or(today),
            to: today,
        }
    }

    /// Number of days covered, both ends included.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }

    /// The fields are public (and deserializable), so every report checks again.
    pub fn validate(&self) -> Result<()> {
        let mut v = Validator::default();
        let in_range = |d: NaiveDate| (MIN_DATE..=MAX_DATE).contains(&d);
        let (from_ok, to_ok) = (in_range(self.from), in_range(self.to));
        v.check(from_ok, "date_debut", OUT_OF_RANGE);
        v.check(to_ok, "date_fin", OUT_OF_RANGE);
        if from_ok && to_ok {
            v.check(
                self.from <= self.to,
                "date_fin",
                "La date de fin précède la date de début.",
            );
            v.check(
                self.from > self.to || self.days() <= MAX_PERIOD_DAYS,
                "date_debut",
                "La période couvre au plus 366 jours.",
            );
        }
        v.finish()
    }
}

/// What a standard report covers: a period, and one store or (`None`) the whole network.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ReportScope {
    pub period: Period,
    pub store_id: Option<i64>,
}

impl ReportScope {
    pub fn new(from: NaiveDate, to: NaiveDate, store_id: Option<i64>) -> Result<Self> {
        Ok(Self {
            period: Period::new(from, to)?,
            store_id,
        })
    }

    pub fn network(period: Period) -> Self {
        Self {
            period,
            store_id: None,
        }
    }

    pub fn store(period: Period, store_id: i64) -> Self {
        Self {
            period,
            store_id: Some(store_id),
        }
    }
}

/// The chain's home time zone: network figures are read in it.
pub const CHAIN_TIME_ZONE: Tz = chrono_tz::America::Montreal;

/// Today's date in the chain's home time zone (for network figures).
pub fn chain_today() -> NaiveDate {
    Utc::now().with_timezone(&CHAIN_TIME_ZONE).date_naive()
}

/// Today where a report is read: the store's day in its time zone, or the chain's for the
/// network (`None`). At 20:00 in Montreal it is already tomorrow in UTC, and still today in
/// Vancouver.
pub fn today_for(store: Option<&Store>) -> NaiveDate {
    match store {
        Some(store) => Utc::now().with_timezone(&store.tz()).date_naive(),
        None => chain_today(),
    }
}

/// [`today_for`] a store named by its id. A store that does not exist reads the chain's day:
/// the report itself then refuses the store, as it would with any dates.
pub async fn report_today(db: impl PgExecutor<'_>, store_id: Option<i64>) -> Result<NaiveDate> {
    let Some(id) = store_id else {
        return Ok(chain_today());
    };
    match crate::stores::get_store(db, id).await {
        Ok(store) => Ok(today_for(Some(&store))),
        Err(Error::NotFound { .. }) => Ok(chain_today()),
        Err(other) => Err(other),
    }
}

/// The period choices of the report screens, in the order they are offered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Preset {
    Today,
    Last7Days,
    Last30Days,
    /// From the first of the month to today.
    MonthToDate,
    /// Dates typed by the reader.
    Custom,
}

impl Preset {
    pub const ALL: [Preset; 5] = [
        Preset::Today,
        Preset::Last7Days,
        Preset::Last30Days,
        Preset::MonthToDate,
        Preset::Custom,
    ];

    /// What a report covers when nothing is chosen (the API's default dates too).
    pub const DEFAULT: Preset = Preset::Last30Days;

    /// The value in a URL or a form (`periode=7j`).
    pub fn key(self) -> &'static str {
        match self {
            Preset::Today => "jour",
            Preset::Last7Days => "7j",
            Preset::Last30Days => "30j",
            Preset::MonthToDate => "mois",
            Preset::Custom => "perso",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Preset::Today => "Aujourd'hui",
            Preset::Last7Days => "7 derniers jours",
            Preset::Last30Days => "30 derniers jours",
            Preset::MonthToDate => "Ce mois-ci",
            Preset::Custom => "Dates choisies",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.key() == key.trim())
    }

    /// The period of a preset ending on `last`; `None` for [`Preset::Custom`], which has no
    /// dates of its own.
    pub fn ending_on(self, last: NaiveDate) -> Option<Period> {
        Some(match self {
            Preset::Today => Period::ending(last, 1),
            Preset::Last7Days => Period::ending(last, 7),
            Preset::Last30Days => Period::ending(last, 30),
            Preset::MonthToDate => Period::month_to_date(last),
            Preset::Custom => return None,
        })
    }

    /// The period this choice means on `today` (see [`today_for`]); [`Preset::Custom`] parses
    /// the typed `YYYY-MM-DD` dates, naming the faulty field.
    pub fn period(self, today: NaiveDate, from: &str, to: &str) -> Result<Period> {
        match self.ending_on(today) {
            Some(period) => Ok(period),
            None => Period::parse(from, to),
        }
    }
}

impl ReportScope {
    /// A scope whose dates may be left out: the last day defaults to `today` (see
    /// [`today_for`]), the first to the [`Preset::DEFAULT`] period ending on the last day.
    pub fn with_defaults(
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        store_id: Option<i64>,
        today: NaiveDate,
    ) -> Result<Self> {
        let to = to.unwrap_or(today);
        if from.is_none() && !(MIN_DATE..=MAX_DATE).contains(&to) {
            // the first day would be computed from it: only the last day is wrong
            return Err(Error::invalid("date_fin", OUT_OF_RANGE));
        }
        let from = from.unwrap_or_else(|| {
            Preset::DEFAULT
                .ending_on(to)
                .map_or(to, |period| period.from)
        });
        Self::new(from, to, store_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
    }

    fn fields(err: Error) -> Vec<String> {
        match err {
            Error::Validation(errors) => errors.into_iter().map(|e| e.field).collect(),
            other => panic!("expected a validation error, got {other:?}"),
        }
    }

    #[test]
    fn a_period_runs_forward_for_at_most_a_leap_year() {
        assert_eq!(
            Period::new(date(2024, 1, 1), date(2024, 12, 31))
                .unwrap()
                .days(),
            366
        );
        assert_eq!(
            Period::new(date(2026, 5, 1), date(2026, 5, 1))
                .unwrap()
                .days(),
            1
        );
        assert_eq!(
            fields(Period::new(date(2026, 5, 2), date(2026, 5, 1)).unwrap_err()),
            ["date_fin"]
        );
        assert_eq!(
            fields(Period::new(date(2024, 1, 1), date(2025, 1, 1)).unwrap_err()),
            ["date_debut"]
        );
    }

    #[test]
    fn dates_outside_the_range_are_refused_without_overflowing() {
        let far = NaiveDate::from_ymd_opt(-262_143, 1, 1).unwrap();
        assert_eq!(
            fields(Period::new(far, date(2026, 1, 1)).unwrap_err()),
            ["date_debut"]
        );
        assert_eq!(
            fields(
                ReportScope::with_defaults(None, Some(far), None, date(2026, 1, 1)).unwrap_err()
            ),
            ["date_fin"]
        );
        assert_eq!(
            fields(
                ReportScope::with_defaults(None, Some(NaiveDate::MIN), None, date(2026, 1, 1))
                    .unwrap_err()
            ),
            ["date_fin"]
        );
        assert_eq!(
            fields(Period::new(date(2026, 1, 1), NaiveDate::MAX).unwrap_err()),
            ["date_fin"]
        );
        assert_eq!(
            fields(
                ReportScope::with_defaults(
                    Some(far),
                    Some(date(2026, 1, 1)),
                    None,
                    date(2026, 1, 1)
                )
                .unwrap_err()
            ),
            ["date_debut"]
        );
        assert!(Period::new(MIN_DATE, MIN_DATE).is_ok());
        assert!(Period::new(MAX_DATE, MAX_DATE).is_ok());
        assert_eq!(
            Period::ending(NaiveDate::MIN, 30).from,
            NaiveDate::MIN,
            "saturates instead of panicking"
        );
    }

    #[test]
    fn parsing_names_the_bad_date() {
        assert_eq!(
            Period::parse("2026-01-01", "2026-01-31").unwrap().days(),
            31
        );
        assert_eq!(
            fields(Period::parse("hier", "2026-13-01").unwrap_err()),
            ["date_debut", "date_fin"]
        );
        assert_eq!(
            Period::ending(date(2026, 3, 31), 7),
            Period {
                from: date(2026, 3, 25),
                to: date(2026, 3, 31)
            }
        );
        assert_eq!(
            Period::month_to_date(date(2026, 2, 17)),
            Period {
                from: date(2026, 2, 1),
                to: date(2026, 2, 17)
            }
        );
        assert_eq!(Period::month_to_date(date(2026, 2, 1)).days(), 1);
    }

    #[test]
    fn presets_end_on_today_and_read_back_from_their_keys() {
        let today = date(2025, 3, 12);
        let on = |p: Preset| p.period(today, "", "").unwrap();
        assert_eq!(on(Preset::Today), Period::ending(today, 1));
        assert_eq!(on(Preset::Last7Days).from, date(2025, 3, 6));
        assert_eq!(on(Preset::Last30Days).days(), 30);
        assert_eq!(on(Preset::MonthToDate).from, date(2025, 3, 1));
        assert_eq!(
            Preset::Custom
                .period(today, "2025-03-01", "2025-03-10")
                .unwrap()
                .days(),
            10
        );
        assert_eq!(
            fields(
                Preset::Custom
                    .period(today, "2025-03-10", "2025-03-01")
                    .unwrap_err()
            ),
            ["date_fin"]
        );
        for preset in Preset::ALL {
            assert_eq!(Preset::parse(preset.key()), Some(preset));
        }
        assert_eq!(Preset::parse("?"), None);
        assert_eq!(Preset::DEFAULT, Preset::Last30Days);
    }

    #[test]
    fn missing_dates_default_to_the_default_preset_ending_today() {
        let today = date(2026, 11, 23);
        let scope = ReportScope::with_defaults(None, None, Some(3), today).unwrap();
        assert_eq!(
            scope,
            ReportScope::store(Preset::DEFAULT.ending_on(today).unwrap(), 3)
        );
        let ending = ReportScope::with_defaults(None, Some(date(2026, 2, 28)), None, today)
            .unwrap()
            .period;
        assert_eq!((ending.from, ending.days()), (date(2026, 1, 30), 30));
        let from = ReportScope::with_defaults(Some(date(2026, 11, 1)), None, None, today)
            .unwrap()
            .period;
        assert_eq!((from.from, from.to), (date(2026, 11, 1), today));
        assert_eq!(
            fields(
                ReportScope::with_defaults(Some(date(2026, 12, 1)), None, None, today).unwrap_err()
            ),
            ["date_fin"]
        );
    }

    #[test]
    fn today_is_the_store_s_own_day() {
        let store = |tz: &str| Store {
            id: 1,
            name: "Test".into(),
            address: String::new(),
            phone: String::new(),
            email: None,
            time_zone: tz.into(),
            gst_number: String::new(),
            qst_number: String::new(),
            created_at: Utc::now(),
            updated_at: Utc::now(),
        };
        let now = Utc::now();
        let in_tz = |tz: Tz| now.with_timezone(&tz).date_naive();
        // the clock may cross midnight between two reads: accept either side of it
        let near = |day: NaiveDate, expected: NaiveDate| (day - expected).num_days().abs() <= 1;
        assert!(near(today_for(None), in_tz(CHAIN_TIME_ZONE)));
        assert!(near(
            today_for(Some(&store("Pacific/Kiritimati"))),
            in_tz(chrono_tz::Pacific::Kiritimati)
        ));
        assert!(near(
            today_for(Some(&store("Pacific/Pago_Pago"))),
            in_tz(chrono_tz::Pacific::Pago_Pago)
        ));
        // UTC+14 and UTC-11 are always on different days
        assert_ne!(
            today_for(Some(&store("Pacific/Kiritimati"))),
            today_for(Some(&store("Pacific/Pago_Pago")))
        );
    }
}
