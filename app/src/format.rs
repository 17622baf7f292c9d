//! How the UI writes figures for people, the Quebec French way: money (`1 234,56 $`),
//! quantities (`1 998 981`), days of cover (`25 915,0 j`), shares (`23,4 %`), dates and times
//! (`3 déc. 2026, 18 h 18`, `du 1er au 30 janvier 2025`), and `de` before a name with French
//! elision (« Quantité d'eau minérale »). Pages never format a figure themselves: one rule, one
//! place, so the same number reads the same on every screen.

use rust_decimal::{Decimal, RoundingStrategy};

#[cfg(feature = "ssr")]
pub use dates::*;

/// Non-breaking space: between groups of digits and before a unit, so a figure never splits
/// across lines.
const NBSP: char = '\u{a0}';

/// `1234.5` -> `1 234,50 $`.
pub fn money(amount: Decimal) -> String {
    let rounded = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    let negative = rounded.is_sign_negative() && !rounded.is_zero();
    let text = format!("{:.2}", rounded.abs());
    let (units, cents) = text.split_once('.').unwrap_or((&text, "00"));
    format!(
        "{}{},{cents}{NBSP}$",
        if negative { "-" } else { "" },
        group_thousands(units)
    )
}

/// Whole dollars, for a chart's axis: `1500` -> `1 500 $`.
pub fn dollars(n: i64) -> String {
    format!("{}{NBSP}$", count(n))
}

/// A count or a quantity: `12345` -> `12 345`.
pub fn count(n: impl Into<i64>) -> String {
    let n = n.into();
    let digits = n.unsigned_abs().to_string();
    format!(
        "{}{}",
        if n < 0 { "-" } else { "" },
        group_thousands(&digits)
    )
}

/// A change of quantity, always with its sign: `+12`, `-3`, `0`.
pub fn signed(n: impl Into<i64>) -> String {
    let n = n.into();
    if n > 0 {
        format!("+{}", count(n))
    } else {
        count(n)
    }
}

/// A measure with one decimal: `1234.56` -> `1 234,6`; `—` when it is not a number.
pub fn decimal1(x: f64) -> String {
    if !x.is_finite() {
        return "—".to_owned();
    }
    let text = format!("{:.1}", x.abs());
    let (units, tenths) = text.split_once('.').unwrap_or((&text, "0"));
    // `-0,0` reads as nothing: no sign once rounded to zero
    let negative = x < 0.0 && text.chars().any(|c| c.is_ascii_digit() && c != '0');
    format!(
        "{}{},{tenths}",
        if negative { "-" } else { "" },
        group_thousands(units)
    )
}

/// A part of a whole (`0.234`) as a percentage: `23,4 %`.
pub fn percent(part: f64) -> String {
    format!("{}{NBSP}%", decimal1(part * 100.0))
}

/// Days of stock left at the recent pace: `12,5 j`, or `—` when nothing sold lately.
pub fn days_of_cover(days: Option<f64>) -> String {
    days.filter(|d| d.is_finite())
        .map_or("—".to_owned(), |d| format!("{}{NBSP}j", decimal1(d)))
}

fn group_thousands(digits: &str) -> String {
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(NBSP);
        }
        out.push(c);
    }
    out
}

/// An amount typed by a person: `20`, `20,5`, `1 234,56 $` or `20.50`; `None` unless it is a
/// positive-or-zero amount with at most two decimals.
pub fn parse_money(text: &str) -> Option<Decimal> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != NBSP && *c != '$')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    if cleaned.is_empty() || !cleaned.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return None;
    }
    let amount: Decimal = cleaned.parse().ok()?;
    (amount.scale() <= 2 || amount.normalize().scale() <= 2).then(|| amount.round_dp(2))
}

/// A number typed the French or the English way (`12,50`, `12.5`, `1 234,50 $`), whatever its
/// sign and decimals: for forms whose rules (`domain`) then say what is wrong with it.
pub fn parse_decimal(text: &str) -> Option<Decimal> {
    let cleaned: String = text
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '$')
        .map(|c| if c == ',' { '.' } else { c })
        .collect();
    cleaned.parse().ok()
}

/// An amount as a person would type it again in a form: `12.5` -> `12,50` (no unit, no
/// grouping, so that [`parse_money`] and the domain read it back).
pub fn money_input(amount: Decimal) -> String {
    format!("{amount:.2}").replace('.', ",")
}

/// Words whose `h` is mute (« d'huile »), among the names a shop sells; any other `h` is
/// aspirated (« de haricots »).
const MUTE_H: [&str; 9] = [
    "herbe", "heure", "hiver", "homme", "horloge", "hôtel", "huile", "huître", "hydr",
];

/// `de` before a name inside a sentence, elided before a vowel or a mute h, the name's first
/// letter in lower case (it is a common noun there) unless it starts an acronym:
/// `Eau minérale` -> `d'eau minérale`, `Pain` -> `de pain`, `TV 4K` -> `de TV 4K`.
pub fn de(name: &str) -> String {
    let name = name.trim();
    let mut chars = name.chars();
    let Some(first) = chars.next() else {
        return "de".to_owned();
    };
    let acronym = chars.next().is_some_and(char::is_uppercase) && first.is_uppercase();
    let noun = if acronym {
        name.to_owned()
    } else {
        first.to_lowercase().chain(name.chars().skip(1)).collect()
    };
    let lower = noun.to_lowercase();
    let elided = lower.starts_with(|c: char| "aàâäeéèêëiîïoôöuùûüœæ".contains(c))
        || MUTE_H.iter().any(|word| lower.starts_with(word));
    if elided {
        format!("d'{noun}")
    } else {
        format!("de {noun}")
    }
}

/// Dates and times, on the server (where pages read the database and know the store's time
/// zone); the browser receives them already written.
#[cfg(feature = "ssr")]
mod dates {
    use chrono::{DateTime, Datelike, NaiveDate, TimeZone, Timelike};

    use super::NBSP;

    const MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    const MONTHS_SHORT: [&str; 12] = [
        "janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.",
        "déc.",
    ];
    const WEEKDAYS: [&str; 7] = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."];

    /// `1er`, `2`, ... `31`: French writes the first day of a month as an ordinal.
    fn day_number(d: &impl Datelike) -> String {
        if d.day() == 1 {
            "1er".to_owned()
        } else {
            d.day().to_string()
        }
    }

    /// `15 janvier 2025`.
    pub fn long_date(d: NaiveDate) -> String {
        format!(
            "{} {} {}",
            day_number(&d),
            MONTHS[d.month0() as usize],
            d.year()
        )
    }

    /// `le 15 janvier 2025`, `du 1er au 30 janvier 2025`, `du 20 décembre 2024 au 5 janvier 2025`.
    pub fn period(from: NaiveDate, to: NaiveDate) -> String {
        if from == to {
            format!("le {}", long_date(to))
        } else if from.year() != to.year() {
            format!("du {} au {}", long_date(from), long_date(to))
        } else if from.month() != to.month() {
            format!(
                "du {} {} au {}",
                day_number(&from),
                MONTHS[from.month0() as usize],
                long_date(to)
            )
        } else {
            format!("du {} au {}", day_number(&from), long_date(to))
        }
    }

    /// Under a chart's axis: `15/01`.
    pub fn day_month(d: NaiveDate) -> String {
        d.format("%d/%m").to_string()
    }

    /// A day with its weekday: `mer. 15 janv. 2025`.
    pub fn day_with_weekday(d: NaiveDate) -> String {
        format!(
            "{} {} {} {}",
            WEEKDAYS[d.weekday().num_days_from_monday() as usize],
            day_number(&d),
            MONTHS_SHORT[d.month0() as usize],
            d.year()
        )
    }

    /// A time of day: `18 h 18`, `8 h 02` (no-break spaces: a time never splits).
    pub fn time<Tz: TimeZone>(at: &DateTime<Tz>) -> String {
        format!("{}{NBSP}h{NBSP}{:02}", at.hour(), at.minute())
    }

    /// A moment, in the zone `at` is given in (the store's, where the page knows it):
    /// `3 déc. 2026, 18 h 18`. A narrow column breaks it after the comma only.
    pub fn date_time<Tz: TimeZone>(at: &DateTime<Tz>) -> String {
        format!(
            "{}{NBSP}{}{NBSP}{}, {}",
            day_number(at),
            MONTHS_SHORT[at.month0() as usize],
            at.year(),
            time(at)
        )
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use chrono::{FixedOffset, Utc};

        fn date(y: i32, m: u32, d: u32) -> NaiveDate {
            NaiveDate::from_ymd_opt(y, m, d).unwrap()
        }

        #[test]
        fn periods_read_in_french() {
            assert_eq!(
                period(date(2025, 1, 1), date(2025, 1, 30)),
                "du 1er au 30 janvier 2025"
            );
            assert_eq!(
                period(date(2025, 1, 15), date(2025, 1, 15)),
                "le 15 janvier 2025"
            );
            assert_eq!(
                period(date(2025, 2, 20), date(2025, 3, 5)),
                "du 20 février au 5 mars 2025"
            );
            assert_eq!(
                period(date(2024, 12, 20), date(2025, 1, 5)),
                "du 20 décembre 2024 au 5 janvier 2025"
            );
            assert_eq!(day_month(date(2025, 1, 5)), "05/01");
            assert_eq!(day_with_weekday(date(2025, 1, 15)), "mer. 15 janv. 2025");
            assert_eq!(day_with_weekday(date(2025, 6, 1)), "dim. 1er juin 2025");
        }

        #[test]
        fn moments_are_written_in_the_zone_they_are_given_in() {
            let at = Utc.with_ymd_and_hms(2026, 12, 3, 23, 18, 40).unwrap();
            let montreal = FixedOffset::west_opt(5 * 3600).unwrap();
            let plain = |text: String| text.replace(NBSP, " ");
            assert_eq!(
                plain(date_time(&at.with_timezone(&montreal))),
                "3 déc. 2026, 18 h 18"
            );
            assert_eq!(plain(date_time(&at)), "3 déc. 2026, 23 h 18");
            let morning = Utc.with_ymd_and_hms(2026, 3, 1, 8, 2, 0).unwrap();
            assert_eq!(time(&morning), "8\u{a0}h\u{a0}02");
            assert_eq!(
                date_time(&morning),
                "1er\u{a0}mars\u{a0}2026, 8\u{a0}h\u{a0}02"
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn money_is_written_the_quebec_way() {
        assert_eq!(money(d("1.2")), "1,20\u{a0}$");
        assert_eq!(money(d("1234.5")), "1\u{a0}234,50\u{a0}$");
        assert_eq!(money(d("1234567.891")), "1\u{a0}234\u{a0}567,89\u{a0}$");
        assert_eq!(money(d("-0.5")), "-0,50\u{a0}$");
        assert_eq!(money(d("0")), "0,00\u{a0}$");
        assert_eq!(dollars(1500), "1\u{a0}500\u{a0}$");
        assert_eq!(money_input(d("12.5")), "12,50");
        assert_eq!(money_input(d("1234")), "1234,00");
    }

    #[test]
    fn quantities_are_grouped_by_thousands() {
        assert_eq!(count(12345), "12\u{a0}345");
        assert_eq!(count(1_998_981_i32), "1\u{a0}998\u{a0}981");
        assert_eq!(count(999), "999");
        assert_eq!(count(-4500), "-4\u{a0}500");
        assert_eq!(signed(12), "+12");
        assert_eq!(signed(-3), "-3");
        assert_eq!(signed(0), "0");
        assert_eq!(signed(2500), "+2\u{a0}500");
    }

    #[test]
    fn measures_have_one_decimal_and_a_unit() {
        assert_eq!(days_of_cover(Some(25915.0)), "25\u{a0}915,0\u{a0}j");
        assert_eq!(days_of_cover(Some(12.46)), "12,5\u{a0}j");
        assert_eq!(days_of_cover(None), "—");
        assert_eq!(days_of_cover(Some(f64::INFINITY)), "—");
        assert_eq!(decimal1(0.04), "0,0");
        assert_eq!(decimal1(-0.04), "0,0");
        assert_eq!(decimal1(-1234.56), "-1\u{a0}234,6");
        assert_eq!(percent(0.234), "23,4\u{a0}%");
        assert_eq!(percent(1.0), "100,0\u{a0}%");
    }

    #[test]
    fn amounts_typed_at_the_till_are_read_in_either_style() {
        assert_eq!(parse_money("20"), Some(d("20")));
        assert_eq!(parse_money("20,5"), Some(d("20.5")));
        assert_eq!(parse_money(" 1 234,56 $"), Some(d("1234.56")));
        assert_eq!(parse_money("20.50"), Some(d("20.50")));
        assert_eq!(parse_money("1\u{a0}000,00\u{a0}$"), Some(d("1000")));
        for bad in ["", "abc", "-5", "1,234", "2.345", "+3", "1e3"] {
            assert_eq!(parse_money(bad), None, "{bad}");
        }
        // a product's price is read whatever it is; the catalogue's rules judge it
        assert_eq!(parse_decimal("-3"), Some(d("-3")));
        assert_eq!(parse_decimal("1,234"), Some(d("1.234")));
        assert_eq!(parse_decimal("1 234,50 $"), Some(d("1234.50")));
        assert_eq!(parse_decimal("abc"), None);
    }

    #[test]
    fn de_elides_before_vowels_and_a_mute_h() {
        assert_eq!(de("Eau minérale"), "d'eau minérale");
        assert_eq!(de("Pain"), "de pain");
        assert_eq!(de("Oeufs"), "d'oeufs");
        assert_eq!(de("Œufs bio"), "d'œufs bio");
        assert_eq!(de("Écouteurs"), "d'écouteurs");
        assert_eq!(de("Île flottante"), "d'île flottante");
        assert_eq!(de("Ananas"), "d'ananas");
        assert_eq!(de("Unité centrale"), "d'unité centrale");
        assert_eq!(de("Jus d'orange"), "de jus d'orange");
        assert_eq!(de("Yogourt"), "de yogourt");
        assert_eq!(de("Huile d'olive"), "d'huile d'olive");
        assert_eq!(de("Haricots verts"), "de haricots verts");
        // an acronym keeps its capitals, and its first letter says how it is read
        assert_eq!(de("TV 4K"), "de TV 4K");
        assert_eq!(de("USB-C"), "d'USB-C");
        assert_eq!(de("OEM"), "d'OEM");
        assert_eq!(de(""), "de");
    }
}
