//! The annual roll-up of a branch: its months' scores and classes against the rubric's
//! annual levels.

use chrono::NaiveDate;

use crate::evaluation::rubric::{Points, Rubric};

/// One month of a branch's year, for the roll-up.
#[derive(Debug, Clone, PartialEq)]
pub struct Month {
    pub month: NaiveDate,
    pub held: bool,
    pub total: Option<Points>,
    pub class: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Annual {
    pub average: Option<Points>,
    /// Months by class, in band order: (code, label, count).
    pub counts: Vec<(String, String, usize)>,
    pub months_held: usize,
    pub months_scored: usize,
    pub class: Option<String>,
}

/// The annual class by the rubric's levels (docs/rules.md §2.3 b): the first level whose every
/// condition holds, else the lowest band. No class before any month is scored.
pub fn annual(r: &Rubric, months: &[Month], thematic_every_quarter: bool) -> Annual {
    let scored: Vec<&Month> = months.iter().filter(|m| m.total.is_some()).collect();
    let average = (!scored.is_empty()).then(|| {
        let sum: i64 = scored.iter().map(|m| i64::from(m.total.unwrap().0)).sum();
        Points((sum as f64 / scored.len() as f64).round() as i32)
    });
    let count_of = |code: &str| {
        months
            .iter()
            .filter(|m| m.class.as_deref() == Some(code))
            .count()
    };
    let counts = r
        .bands_desc()
        .iter()
        .map(|b| (b.code.clone(), b.label.clone(), count_of(&b.code)))
        .collect();
    let class = average.map(|avg| {
        let worst = months
            .iter()
            .filter_map(|m| m.class.as_deref().and_then(|c| r.rank(c)))
            .max();
        r.annual
            .iter()
            .find(|level| {
                level.min_average.is_none_or(|m| avg >= m)
                    && match (level.min_months, &level.months_class) {
                        (Some(n), Some(c)) => count_of(c) >= n as usize,
                        _ => true,
                    }
                    && level
                        .no_month_below
                        .as_deref()
                        .is_none_or(|floor| worst.is_none_or(|w| Some(w) <= r.rank(floor)))
                    && (!level.every_month_held || months.iter().all(|m| m.held))
                    && (!level.thematic_every_quarter || thematic_every_quarter)
            })
            .map(|level| level.class.clone())
            .unwrap_or_else(|| {
                r.bands_desc()
                    .last()
                    .map(|b| b.code.clone())
                    .unwrap_or_default()
            })
    });
    Annual {
        average,
        counts,
        months_held: months.iter().filter(|m| m.held).count(),
        months_scored: scored.len(),
        class,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::rubric::tests::sample;

    fn month(m: u32, total: Option<i32>, class: Option<&str>) -> Month {
        Month {
            month: NaiveDate::from_ymd_opt(2026, m, 1).unwrap(),
            held: total.is_some(),
            total: total.map(Points),
            class: class.map(str::to_owned),
        }
    }

    #[test]
    fn annual_roll_up_follows_the_levels() {
        let r = sample();
        let all_tot: Vec<Month> = (1..=12).map(|m| month(m, Some(190), Some("tot"))).collect();
        assert_eq!(annual(&r, &all_tot, true).class.as_deref(), Some("tot"));
        // A quarter without its thematic meeting: not Tốt, Khá by average.
        assert_eq!(annual(&r, &all_tot, false).class.as_deref(), Some("kha"));
        // Ten Tốt and two Khá months: still Tốt.
        let mut ten = all_tot.clone();
        ten[0] = month(1, Some(200), Some("kha"));
        ten[1] = month(2, Some(200), Some("kha"));
        assert_eq!(annual(&r, &ten, true).class.as_deref(), Some("tot"));
        // Nine Tốt months: Khá.
        let mut nine = ten.clone();
        nine[2] = month(3, Some(200), Some("kha"));
        assert_eq!(annual(&r, &nine, true).class.as_deref(), Some("kha"));
        // One month not held: not Tốt.
        let mut gap = all_tot.clone();
        gap[5] = month(6, None, None);
        let a = annual(&r, &gap, true);
        assert_eq!((a.class.as_deref(), a.months_held), (Some("kha"), 11));
        // A TB month forbids Tốt even with a high average.
        let mut tb = all_tot.clone();
        tb[11] = month(12, Some(190), Some("tb"));
        assert_eq!(annual(&r, &tb, true).class.as_deref(), Some("kha"));
        // Low average: the lowest band.
        let low: Vec<Month> = (1..=12).map(|m| month(m, Some(50), Some("kem"))).collect();
        let a = annual(&r, &low, true);
        assert_eq!(
            (a.class.as_deref(), a.average),
            (Some("kem"), Some(Points(50)))
        );
        assert_eq!(a.counts.last().unwrap().2, 12);
        assert_eq!(annual(&r, &[], true).class, None);
    }
}
