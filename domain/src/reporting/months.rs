//! A period cut along month boundaries, for the reports that read the monthly rollups for the
//! full months of a period and the daily rows for the days around them.

use chrono::{Datelike, Duration, Months, NaiveDate};

/// A period cut along month boundaries: the covering months (buckets of the bound), the full
/// months (`[full.0, full.1)`, exact sums from the monthly rows) and the edge days before and
/// after them (exact sums from the daily rows). An empty range has its start after its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Split {
    pub(super) covering: (NaiveDate, NaiveDate),
    pub(super) full: (NaiveDate, NaiveDate),
    pub(super) head: (NaiveDate, NaiveDate),
    pub(super) tail: (NaiveDate, NaiveDate),
}

impl Split {
    pub(super) fn of(from: NaiveDate, to: NaiveDate) -> Self {
        let month = |d: NaiveDate| d.with_day(1).expect("the first of a month exists");
        let first_full = if from.day() == 1 {
            from
        } else {
            month(from) + Months::new(1)
        };
        let after_full = month(to + Duration::days(1));
        let day = Duration::days(1);
        if first_full < after_full {
            Self {
                covering: (month(from), month(to)),
                full: (first_full, after_full),
                head: (from, first_full - day),
                tail: (after_full, to),
            }
        } else {
            Self {
                covering: (month(from), month(to)),
                full: (first_full, first_full),
                head: (from, to),
                tail: (to + day, to),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn is_empty(range: (NaiveDate, NaiveDate)) -> bool {
        range.0 > range.1
    }

    #[test]
    fn a_90_day_period_is_two_full_months_between_two_edges() {
        let s = Split::of(d(2026, 8, 27), d(2026, 11, 24));
        assert_eq!(s.covering, (d(2026, 8, 1), d(2026, 11, 1)));
        assert_eq!(s.full, (d(2026, 9, 1), d(2026, 11, 1)));
        assert_eq!(s.head, (d(2026, 8, 27), d(2026, 8, 31)));
        assert_eq!(s.tail, (d(2026, 11, 1), d(2026, 11, 24)));
    }

    #[test]
    fn whole_months_have_no_edges() {
        let s = Split::of(d(2026, 9, 1), d(2026, 10, 31));
        assert_eq!(s.full, (d(2026, 9, 1), d(2026, 11, 1)));
        assert!(is_empty(s.head) && is_empty(s.tail));
        let leap = Split::of(d(2024, 2, 1), d(2024, 2, 29));
        assert_eq!(leap.full, (d(2024, 2, 1), d(2024, 3, 1)));
        assert!(is_empty(leap.head) && is_empty(leap.tail));
        let december = Split::of(d(2025, 12, 1), d(2025, 12, 31));
        assert_eq!(december.full, (d(2025, 12, 1), d(2026, 1, 1)));
    }

    #[test]
    fn a_period_without_a_full_month_is_one_edge() {
        for (from, to) in [
            (d(2026, 1, 10), d(2026, 1, 20)),
            (d(2026, 1, 10), d(2026, 2, 20)),
            (d(2026, 3, 5), d(2026, 3, 5)),
            (d(2026, 3, 1), d(2026, 3, 30)),
            (d(2026, 3, 2), d(2026, 3, 31)),
        ] {
            let s = Split::of(from, to);
            assert_eq!(s.head, (from, to), "{from} {to}");
            assert!(is_empty(s.tail) && s.full.0 == s.full.1, "{from} {to}");
            assert_eq!(
                s.covering,
                (from.with_day(1).unwrap(), to.with_day(1).unwrap())
            );
        }
    }

    #[test]
    fn edges_on_one_side_only() {
        let s = Split::of(d(2026, 3, 1), d(2026, 4, 10));
        assert_eq!(s.full, (d(2026, 3, 1), d(2026, 4, 1)));
        assert!(is_empty(s.head));
        assert_eq!(s.tail, (d(2026, 4, 1), d(2026, 4, 10)));
        let s = Split::of(d(2026, 2, 20), d(2026, 3, 31));
        assert_eq!(s.full, (d(2026, 3, 1), d(2026, 4, 1)));
        assert_eq!(s.head, (d(2026, 2, 20), d(2026, 2, 28)));
        assert!(is_empty(s.tail));
    }
}
