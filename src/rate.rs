//! The one way chibo states a rate: a part of a whole in percent, to one decimal, rounded
//! half up once, here. Every page, print, chart, workbook and score fact that shows or
//! uses a rate (attendance = present ÷ the attendance base, tasks done, meetings held) goes
//! through [`Rate`], so the same month never reads 88 % on one page and 88,2 % on another.

use std::fmt;

/// A share in tenths of a percent (882 is 88,2 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rate(i64);

impl Rate {
    /// `part` ÷ `whole` in percent, rounded half up to one decimal; none when the whole is
    /// empty (nobody was expected: there is no rate, not a rate of 0).
    pub fn of(part: i64, whole: i64) -> Option<Rate> {
        if whole <= 0 {
            return None;
        }
        // Integer arithmetic, so 2/3 is 66,7 and 1/8 is 12,5 on every machine: tenths of a
        // percent are part × 1000 ÷ whole, rounded half up by adding half the divisor.
        let part = part.max(0);
        Some(Rate((part * 2000 + whole) / (2 * whole)))
    }

    /// The same from a share already computed as a fraction of one (a weighted count such
    /// as "partly done counts half"), rounded the same way.
    pub fn of_fraction(share: f64) -> Option<Rate> {
        share
            .is_finite()
            .then(|| Rate((share.max(0.0) * 1000.0 + 0.5).floor() as i64))
    }

    /// In percent, as scoring rules compare it (the figure the page shows, not a more
    /// precise one: a branch shown 90,0 % meets "từ 90 %").
    pub fn percent(self) -> f64 {
        self.0 as f64 / 10.0
    }

    pub fn tenths(self) -> i64 {
        self.0
    }

    /// "88,2%", or a dash when there is no rate.
    pub fn label(rate: Option<Rate>) -> String {
        rate.map(|r| r.to_string()).unwrap_or_else(|| "—".into())
    }
}

impl fmt::Display for Rate {
    /// Vietnamese style: a decimal comma, one decimal always ("75,0%").
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{}%", self.0 / 10, self.0 % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_is_rounded_half_up_to_one_decimal() {
        assert_eq!(
            Rate::of(15, 17).map(|r| r.to_string()),
            Some("88,2%".into())
        );
        assert_eq!(Rate::of(2, 3).map(|r| r.to_string()), Some("66,7%".into()));
        assert_eq!(Rate::of(1, 8).map(|r| r.to_string()), Some("12,5%".into()));
        // 1/16 = 6,25 → 6,3 (half up), 1/3 = 33,33 → 33,3.
        assert_eq!(Rate::of(1, 16).map(|r| r.tenths()), Some(63));
        assert_eq!(Rate::of(1, 3).map(|r| r.tenths()), Some(333));
        assert_eq!(Rate::of(3, 4).map(|r| r.to_string()), Some("75,0%".into()));
        assert_eq!(
            Rate::of(20, 20).map(|r| r.to_string()),
            Some("100,0%".into())
        );
        assert_eq!(Rate::of(0, 20).map(|r| r.to_string()), Some("0,0%".into()));
    }

    #[test]
    fn nobody_expected_is_no_rate() {
        assert_eq!(Rate::of(0, 0), None);
        assert_eq!(Rate::label(Rate::of(3, 0)), "—");
    }

    #[test]
    fn the_score_compares_the_figure_shown() {
        // 899 of 1000 is 89,9 % shown and 89.9 compared; 8996 of 10000 shows 90,0 % and
        // is compared as 90.
        assert_eq!(Rate::of(899, 1000).map(Rate::percent), Some(89.9));
        assert_eq!(Rate::of(8996, 10000).map(Rate::percent), Some(90.0));
    }

    #[test]
    fn a_fraction_rounds_the_same_way() {
        assert_eq!(Rate::of_fraction(2.0 / 3.0), Rate::of(2, 3));
        assert_eq!(Rate::of_fraction(0.0625), Rate::of(1, 16));
        assert_eq!(Rate::of_fraction(f64::NAN), None);
    }
}
