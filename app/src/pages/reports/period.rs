//! Which report a query asks for, once the UI's defaults are applied: the default store (head
//! office: the network; store staff: their store) and the period. The presets, their labels
//! and what they mean live once in `domain::reporting` ([`Preset`](domain::reporting::Preset),
//! `today_for`), shared with the REST API; the page receives them in its view.

#[cfg(feature = "ssr")]
use super::view::{PeriodChoice, ReportChoice};

/// The period picker's choices, in the domain's order.
#[cfg(feature = "ssr")]
pub fn choices() -> Vec<PeriodChoice> {
    use domain::reporting::Preset;
    Preset::ALL
        .into_iter()
        .map(|p| PeriodChoice {
            key: p.key().to_owned(),
            label: p.label().to_owned(),
            custom: p == Preset::Custom,
        })
        .collect()
}

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
) -> ReportChoice {
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
    ReportChoice {
        periode: periode
            .as_deref()
            .and_then(domain::reporting::Preset::parse)
            .unwrap_or(domain::reporting::Preset::DEFAULT)
            .key()
            .to_owned(),
        magasin: store_id.map(|id| id.to_string()).unwrap_or_default(),
        du: du.unwrap_or_default(),
        au: au.unwrap_or_default(),
    }
}

/// The period a choice means, ending `today`; chosen dates are checked by the domain.
#[cfg(feature = "ssr")]
pub fn period_of(
    choice: &ReportChoice,
    today: chrono::NaiveDate,
) -> Result<domain::reporting::Period, domain::Error> {
    use domain::reporting::Preset;
    Preset::parse(&choice.periode)
        .unwrap_or(Preset::DEFAULT)
        .period(today, &choice.du, &choice.au)
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn date(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    fn choice(periode: &str, du: &str, au: &str) -> super::super::view::ReportChoice {
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
