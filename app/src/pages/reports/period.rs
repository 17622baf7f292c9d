//! Which report a query asks for, once defaults are applied: the period's presets (today, 7
//! days, 30 days, this month, chosen dates), the default store (head office: the network; store
//! staff: their store), and "today" in the store's time zone (Montreal's for the network).
//! The presets are named here for the form; what they mean is computed in [`period_of`].

/// The period picker's choices, in order: `(value in the URL, label)`.
pub const PERIODS: [(&str, &str); 5] = [
    ("jour", "Aujourd'hui"),
    ("7j", "7 derniers jours"),
    ("30j", "30 derniers jours"),
    ("mois", "Ce mois-ci"),
    (CUSTOM, "Dates choisies"),
];

/// The period when the URL names none.
pub const DEFAULT_PERIOD: &str = "30j";

/// The typed dates (`du`, `au`) only count with this choice.
pub const CUSTOM: &str = "perso";

/// The choice a query makes, after defaults: a known period, and the store to report on
/// (empty for the network) among those the employee may read by default.
#[cfg(feature = "ssr")]
pub fn chosen(
    periode: Option<String>,
    magasin: Option<String>,
    du: Option<String>,
    au: Option<String>,
    network_allowed: bool,
    own_store: Option<i64>,
) -> super::api::ReportChoice {
    // no store named: head office sees the network, store staff their own store
    let store_id = match magasin.as_deref().map(str::trim) {
        Some("") => None,
        Some(id) => match id.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) if network_allowed => None,
            Err(_) => own_store,
        },
        None if network_allowed => None,
        None => own_store,
    };
    super::api::ReportChoice {
        periode: periode
            .filter(|p| PERIODS.iter().any(|(v, _)| v == p))
            .unwrap_or_else(|| DEFAULT_PERIOD.to_owned()),
        magasin: store_id.map(|id| id.to_string()).unwrap_or_default(),
        du: du.unwrap_or_default(),
        au: au.unwrap_or_default(),
    }
}

/// Today in the store's time zone, or the chain's for the network.
#[cfg(feature = "ssr")]
pub fn today_at(store: Option<&domain::stores::Store>) -> chrono::NaiveDate {
    store.map_or_else(domain::reporting::chain_today, |s| {
        chrono::Utc::now().with_timezone(&s.tz()).date_naive()
    })
}

/// The period a choice means, ending `today`; chosen dates are checked by the domain.
#[cfg(feature = "ssr")]
pub fn period_of(
    choice: &super::api::ReportChoice,
    today: chrono::NaiveDate,
) -> Result<domain::reporting::Period, domain::Error> {
    use domain::reporting::Period;
    match choice.periode.as_str() {
        "jour" => Ok(Period::ending(today, 1)),
        "7j" => Ok(Period::ending(today, 7)),
        "mois" => Ok(Period::month_to_date(today)),
        CUSTOM => Period::parse(&choice.du, &choice.au),
        _ => Ok(Period::ending(today, 30)),
    }
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn choice(periode: &str, du: &str, au: &str) -> super::super::api::ReportChoice {
        chosen(
            Some(periode.into()),
            None,
            Some(du.into()),
            Some(au.into()),
            true,
            None,
        )
    }

    #[test]
    fn presets_end_today() {
        let today = date(2025, 3, 12);
        let period = |p: &str, du: &str, au: &str| period_of(&choice(p, du, au), today);
        assert_eq!(period("jour", "", "").unwrap().days(), 1);
        assert_eq!(period("7j", "", "").unwrap().from, date(2025, 3, 6));
        assert_eq!(period("mois", "", "").unwrap().from, date(2025, 3, 1));
        assert_eq!(period("?", "", "").unwrap().days(), 30);
        assert!(period("perso", "2025-03-10", "2025-03-01").is_err());
    }

    #[test]
    fn head_office_defaults_to_the_network_and_staff_to_their_store() {
        let pick = |magasin: Option<&str>, network_allowed: bool| {
            chosen(
                None,
                magasin.map(str::to_owned),
                None,
                None,
                network_allowed,
                Some(3).filter(|_| !network_allowed),
            )
            .magasin
        };
        assert_eq!(pick(None, true), "");
        assert_eq!(pick(None, false), "3");
        assert_eq!(pick(Some("2"), false), "2", "the domain then refuses it");
        assert_eq!(pick(Some("x"), false), "3");
        assert_eq!(pick(Some(""), false), "", "the network, refused to staff");
        assert_eq!(chosen(None, None, None, None, true, None).periode, "30j");
    }
}
