//! Which rubric applies to a meeting of a unit, and why (docs/rules.md §1, §2.4): the one
//! rule the registry (`store::rubric_ids_in_force`), the page "Bộ tiêu chí áp dụng" and
//! every score sheet follow. Pure: the candidates are read by the store.

use chrono::NaiveDate;
use uuid::Uuid;

/// A published rubric whose scope covers the unit (national, or a unit above it or the
/// unit itself).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: Uuid,
    /// The depth of the scope's unit in the tree (1 = a province); `None` = national.
    pub scope_depth: Option<i32>,
    pub scope_name: Option<String>,
    pub kinds: Vec<String>,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
}

impl Candidate {
    /// Published for this kind of meeting and in force on this day.
    pub fn covers(&self, kind: &str, day: NaiveDate) -> bool {
        self.kinds.iter().any(|k| k == kind)
            && self.effective_from <= day
            && self.effective_to.is_none_or(|to| day <= to)
    }
}

/// Why the rubric chosen applies, as the page and the sheet say it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// The unit's own province (or another unit above it) has its own rubric on that day;
    /// `over_national`: a national one was in force too, and gives way.
    OwnScope {
        scope_name: String,
        over_national: bool,
    },
    /// Only the national frame covers that day.
    National,
    /// Nothing covers that kind of meeting on that day.
    Nothing,
}

impl Reason {
    pub fn label(&self) -> String {
        match self {
            Reason::OwnScope {
                scope_name,
                over_national: true,
            } => format!(
                "Bộ tiêu chí riêng của {scope_name} áp dụng cho đơn vị trực thuộc, thay cho khung toàn quốc."
            ),
            Reason::OwnScope {
                scope_name,
                over_national: false,
            } => format!("Bộ tiêu chí riêng của {scope_name} áp dụng cho đơn vị trực thuộc."),
            Reason::National => "Khung hướng dẫn toàn quốc (không có bộ tiêu chí riêng của tỉnh trong thời gian này).".into(),
            Reason::Nothing => {
                "Không có bộ tiêu chí nào áp dụng cho loại cuộc họp này vào ngày này.".into()
            }
        }
    }
}

/// The rubric that applies to a meeting of `kind` on `day`, among the unit's candidates: the
/// nearest scope wins (a province's own rubric over the national frame), then the latest
/// start; and why.
pub fn applicable<'a>(
    candidates: &'a [Candidate],
    kind: &str,
    day: NaiveDate,
) -> (Option<&'a Candidate>, Reason) {
    let covering: Vec<&Candidate> = candidates.iter().filter(|c| c.covers(kind, day)).collect();
    let pick = covering
        .iter()
        .copied()
        .max_by_key(|c| (c.scope_depth.unwrap_or(0), c.effective_from, c.id));
    let reason = match pick {
        None => Reason::Nothing,
        Some(c) => match (&c.scope_depth, &c.scope_name) {
            (Some(_), Some(name)) => Reason::OwnScope {
                scope_name: name.clone(),
                over_national: covering.iter().any(|o| o.scope_depth.is_none()),
            },
            _ => Reason::National,
        },
    };
    (pick, reason)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn rubric(
        n: u128,
        depth: Option<i32>,
        from: NaiveDate,
        to: Option<NaiveDate>,
        kinds: &[&str],
    ) -> Candidate {
        Candidate {
            id: Uuid::from_u128(n),
            scope_depth: depth,
            scope_name: depth.map(|_| "Đảng bộ tỉnh Hà Tĩnh".to_owned()),
            kinds: kinds.iter().map(|k| (*k).to_owned()).collect(),
            effective_from: from,
            effective_to: to,
        }
    }

    #[test]
    fn the_nearest_scope_wins_then_the_latest_start() {
        const K: &[&str] = &["regular", "thematic", "combined"];
        let ht1193 = rubric(1, Some(1), d(2019, 12, 5), Some(d(2023, 6, 1)), K);
        let ht17 = rubric(2, Some(1), d(2023, 6, 2), None, K);
        let hd42 = rubric(3, None, d(2025, 10, 28), None, K);
        let all = [ht1193, ht17, hd42];
        let own = |over| Reason::OwnScope {
            scope_name: "Đảng bộ tỉnh Hà Tĩnh".into(),
            over_national: over,
        };
        let table = [
            (d(2019, 12, 4), "regular", None, Reason::Nothing),
            (d(2019, 12, 5), "regular", Some(1), own(false)),
            (d(2023, 6, 1), "thematic", Some(1), own(false)),
            (d(2023, 6, 2), "regular", Some(2), own(false)),
            (d(2025, 10, 27), "combined", Some(2), own(false)),
            (d(2025, 10, 28), "regular", Some(2), own(true)),
            (d(2028, 2, 29), "regular", Some(2), own(true)),
            (d(2028, 2, 29), "committee", None, Reason::Nothing),
        ];
        for (day, kind, want, reason) in table {
            let (got, why) = applicable(&all, kind, day);
            assert_eq!(got.map(|c| c.id), want.map(Uuid::from_u128), "{day} {kind}");
            assert_eq!(why, reason, "{day} {kind}");
        }
        // Without the province's own rubrics: the national frame, said so.
        let national = [all[2].clone()];
        let (got, why) = applicable(&national, "regular", d(2026, 1, 1));
        assert_eq!(got.map(|c| c.id), Some(Uuid::from_u128(3)));
        assert_eq!(why, Reason::National);
        assert!(why.label().starts_with("Khung hướng dẫn toàn quốc"));
        // Two versions of one scope in force the same day: the later start wins.
        let v2 = rubric(4, Some(1), d(2026, 3, 1), None, K);
        let both = [all[1].clone(), v2];
        assert_eq!(
            applicable(&both, "regular", d(2026, 3, 1)).0.map(|c| c.id),
            Some(Uuid::from_u128(4))
        );
        assert_eq!(
            own(true).label(),
            "Bộ tiêu chí riêng của Đảng bộ tỉnh Hà Tĩnh áp dụng cho đơn vị trực thuộc, thay cho khung toàn quốc."
        );
        assert_eq!(
            Reason::Nothing.label(),
            "Không có bộ tiêu chí nào áp dụng cho loại cuộc họp này vào ngày này."
        );
    }
}
