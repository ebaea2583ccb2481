//! Scoring a sheet: each criterion's points from the scorer's entries and the meeting's
//! figures, the total, the band it reaches and the gates that cap its class; and the entries
//! that give a stored sheet back.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::facts::Facts;
use crate::evaluation::rubric::{Criterion, GateRule, Input, Points, Rubric};

/// What the scorer typed for one criterion: the value (a tick, a number, the index of a
/// level), and for a computed criterion an overriding score and its reason.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Entry {
    pub value: String,
    pub override_points: String,
    pub reason: String,
}

pub type Entries = HashMap<String, Entry>;

/// The value of a ticked criterion, as the form's checkbox sends it.
pub const TICKED: &str = "on";

/// One criterion as scored, kept with the evaluation so that it reads the same forever.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Item {
    pub code: String,
    pub points: Points,
    /// The figure a computed criterion was read from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fact: Option<f64>,
    /// The points the steps gave, when the scorer overrode them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub computed: Option<Points>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The level chosen (index into the options).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice: Option<usize>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub items: Vec<Item>,
    pub total: Points,
    /// The class the total reaches.
    pub band: String,
    /// The class after the gates.
    pub class: String,
    /// Labels of the gates that lowered the class.
    pub capped_by: Vec<String>,
}

impl Scored {
    pub fn item(&self, code: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.code == code)
    }
}

/// Reads "7", "7,5" or "7.5" as points.
pub fn parse_points(raw: &str) -> Option<Points> {
    let t = raw.trim().replace(',', ".");
    t.parse::<f64>().ok().and_then(Points::from_f64)
}

fn in_range(c: &Criterion, raw: &str) -> Result<Points, String> {
    match parse_points(raw) {
        None => Err(format!(
            "“{}” không phải số điểm (ví dụ 7 hoặc 7,5).",
            raw.trim()
        )),
        Some(p) if p < Points(0) || p > c.max => {
            Err(format!("Điểm phải từ 0 đến {} (đã nhập {p}).", c.max))
        }
        Some(p) => Ok(p),
    }
}

/// The points the steps give a computed value.
pub fn step_points(steps: &[crate::evaluation::rubric::Step], v: f64) -> Points {
    steps
        .iter()
        .find(|s| s.when.contains(v))
        .map(|s| s.points)
        .unwrap_or_default()
}

fn score_criterion(c: &Criterion, facts: &Facts, e: &Entry) -> Result<Item, (Item, String)> {
    let mut item = Item {
        code: c.code.clone(),
        points: Points(0),
        fact: None,
        computed: None,
        reason: None,
        choice: None,
    };
    match &c.input {
        Input::Check => {
            if matches!(e.value.trim(), TICKED | "1" | "true" | "yes") {
                item.points = c.max;
            }
            Ok(item)
        }
        Input::Number => {
            if e.value.trim().is_empty() {
                return Err((item, "Chưa chấm tiêu chí này.".into()));
            }
            match in_range(c, &e.value) {
                Ok(p) => {
                    item.points = p;
                    Ok(item)
                }
                Err(m) => Err((item, m)),
            }
        }
        Input::Choice { options } => {
            match e
                .value
                .trim()
                .parse::<usize>()
                .ok()
                .filter(|i| *i < options.len())
            {
                Some(i) => {
                    item.points = options[i].points;
                    item.choice = Some(i);
                    Ok(item)
                }
                None => Err((item, "Chưa chọn mức cho tiêu chí này.".into())),
            }
        }
        Input::Computed { source, steps } => {
            item.fact = facts.get(*source);
            let computed = item.fact.map(|v| step_points(steps, v));
            item.points = computed.unwrap_or_default();
            let typed = e.override_points.trim();
            if typed.is_empty() {
                return match computed {
                    Some(_) => Ok(item),
                    None => Err((
                        item,
                        format!(
                            "Biên bản chưa đủ để tính “{}”; nhập điểm và ghi lý do.",
                            source.label()
                        ),
                    )),
                };
            }
            let p = match in_range(c, typed) {
                Ok(p) => p,
                Err(m) => return Err((item, m)),
            };
            if Some(p) == computed {
                // Typing the computed value again is not an override.
                return Ok(item);
            }
            if e.reason.trim().is_empty() {
                return Err((item, "Sửa điểm do hệ thống tính phải ghi rõ lý do.".into()));
            }
            item.computed = Some(computed.unwrap_or_default());
            item.points = p;
            item.reason = Some(e.reason.trim().to_owned());
            Ok(item)
        }
    }
}

/// The entries that give back a stored sheet: to show it in the form again, or to score it
/// again with fresh figures when it is sent up.
pub fn entries_from(r: &Rubric, items: &[Item]) -> Entries {
    items
        .iter()
        .filter_map(|i| {
            let c = r.criterion(&i.code)?;
            let e = match &c.input {
                Input::Check => Entry {
                    value: if i.points == c.max {
                        TICKED.into()
                    } else {
                        String::new()
                    },
                    ..Entry::default()
                },
                Input::Number => Entry {
                    value: i.points.to_string(),
                    ..Entry::default()
                },
                Input::Choice { .. } => Entry {
                    value: i.choice.map(|c| c.to_string()).unwrap_or_default(),
                    ..Entry::default()
                },
                Input::Computed { .. } => Entry {
                    override_points: if i.computed.is_some() || i.fact.is_none() {
                        i.points.to_string()
                    } else {
                        String::new()
                    },
                    reason: i.reason.clone().unwrap_or_default(),
                    ..Entry::default()
                },
            };
            Some((i.code.clone(), e))
        })
        .collect()
}

/// The judged criteria of an earlier sheet (ticks, numbers, levels), to start a new month's
/// sheet from: what the committee judged usually holds from month to month. Computed
/// criteria are left out with their overrides and reasons: they come from this meeting's
/// own record.
pub fn judged_entries_from(r: &Rubric, items: &[Item]) -> Entries {
    let mut entries = entries_from(r, items);
    entries.retain(|code, _| {
        r.criterion(code)
            .is_some_and(|c| !matches!(c.input, Input::Computed { .. }))
    });
    entries
}

/// Scores every criterion; the errors name criteria by code. The totals are those of the
/// entries as they stand (a wrong entry counts 0), so a form can show a running total.
pub fn score(r: &Rubric, facts: &Facts, entries: &Entries) -> (Scored, Vec<(String, String)>) {
    let empty = Entry::default();
    let mut items = Vec::new();
    let mut errors = Vec::new();
    for c in r.criteria() {
        match score_criterion(c, facts, entries.get(&c.code).unwrap_or(&empty)) {
            Ok(i) => items.push(i),
            Err((mut i, m)) => {
                i.points = Points(0);
                errors.push((c.code.clone(), m));
                items.push(i);
            }
        }
    }
    let total = Points(items.iter().map(|i| i.points.0).sum());
    let (band, class, capped_by) = classify(r, facts, &items, total);
    (
        Scored {
            items,
            total,
            band,
            class,
            capped_by,
        },
        errors,
    )
}

/// The band of the total, then the gates (docs/rules.md §9.2).
pub fn classify(
    r: &Rubric,
    facts: &Facts,
    items: &[Item],
    total: Points,
) -> (String, String, Vec<String>) {
    let bands = r.bands_desc();
    let band = bands
        .iter()
        .find(|b| total >= b.min)
        .or(bands.last())
        .map(|b| b.code.clone())
        .unwrap_or_default();
    let mut class = band.clone();
    let mut capped_by = Vec::new();
    for g in &r.gates {
        let closes = match &g.rule {
            GateRule::FullMarks { criteria } => criteria.iter().any(|code| {
                let max = r.criterion(code).map(|c| c.max);
                let got = items.iter().find(|i| &i.code == code).map(|i| i.points);
                max != got
            }),
            GateRule::Fact { source, when } => facts.get(*source).is_some_and(|v| when.contains(v)),
        };
        if closes && r.rank(&g.cap) > r.rank(&band) {
            capped_by.push(g.label.clone());
            if r.rank(&g.cap) > r.rank(&class) {
                class = g.cap.clone();
            }
        }
    }
    (band, class, capped_by)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::rubric::Source;
    use crate::evaluation::rubric::tests::sample;

    fn facts(rate: f64, unexcused: f64, duration: f64) -> Facts {
        let mut f = Facts::default();
        f.set(Source::AttendanceRate, Some(rate));
        f.set(Source::UnexcusedAbsences, Some(unexcused));
        f.set(Source::DurationPercent, Some(duration));
        f
    }

    fn entries(list: &[(&str, &str)]) -> Entries {
        list.iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    Entry {
                        value: v.to_string(),
                        ..Entry::default()
                    },
                )
            })
            .collect()
    }

    #[test]
    fn a_new_sheet_takes_the_judged_criteria_of_an_earlier_one_and_none_computed() {
        let r = sample();
        let mut earlier = entries(&[
            ("noi_dung", "4,5"),
            ("phe_binh", TICKED),
            ("quy_trinh", "1"),
        ]);
        earlier.insert(
            "ty_le".into(),
            Entry {
                override_points: "4".into(),
                reason: "Hai đồng chí đi viện".into(),
                ..Entry::default()
            },
        );
        let (scored, errors) = score(&r, &facts(60.0, 0.0, 100.0), &earlier);
        assert!(errors.is_empty(), "{errors:?}");
        let next = judged_entries_from(&r, &scored.items);
        let mut codes: Vec<&str> = next.keys().map(String::as_str).collect();
        codes.sort_unstable();
        assert_eq!(codes, ["noi_dung", "phe_binh", "quy_trinh"]);
        assert_eq!(next["noi_dung"].value, "4,5");
        assert_eq!(next["phe_binh"].value, TICKED);
        assert_eq!(next["quy_trinh"].value, "1");
        // Scored on this month's record, the sheet gives the earlier judgement back.
        let (again, _) = score(&r, &facts(60.0, 0.0, 100.0), &next);
        let judged =
            |s: &Scored, code: &str| s.items.iter().find(|i| i.code == code).map(|i| i.points);
        for code in ["noi_dung", "phe_binh", "quy_trinh"] {
            assert_eq!(judged(&again, code), judged(&scored, code), "{code}");
        }
        assert_ne!(
            judged(&again, "ty_le"),
            judged(&scored, "ty_le"),
            "the override stays behind"
        );
    }

    /// Hand-worked sheets on the sample rubric (20 points; Tốt ≥ 18, Khá ≥ 14, TB ≥ 10).
    /// Columns: rate, unexcused, duration %, nội dung, phê bình ticked, quy trình level →
    /// total in tenths, band, class, gates that capped.
    #[test]
    fn hand_worked_sheets() {
        #[allow(clippy::type_complexity)]
        let cases: &[(f64, f64, f64, &str, bool, &str, i32, &str, &str, &[&str])] = &[
            // 4 + 2 + 4 + 5.5 + 1.5 + 3 = 20: everything full.
            (95.0, 0.0, 100.0, "5,5", true, "0", 200, "tot", "tot", &[]),
            // 4 + 2 + 4 + 5 + 0 + 3 = 18: exactly the Tốt threshold.
            (90.0, 0.0, 120.0, "5", false, "0", 180, "tot", "tot", &[]),
            // 3 + 2 + 4 + 5.5 + 1.5 + 3 = 19, but attendance below full marks caps at Khá.
            (
                89.9,
                0.0,
                100.0,
                "5.5",
                true,
                "0",
                190,
                "tot",
                "kha",
                &["Tốt cần đủ điểm tỷ lệ dự và thời lượng"],
            ),
            // 4 + 0 + 4 + 5.5 + 1.5 + 3 = 18 with one unexcused absence: capped at Khá.
            (
                92.0,
                1.0,
                100.0,
                "5,5",
                true,
                "0",
                180,
                "tot",
                "kha",
                &["Có đảng viên vắng không lý do"],
            ),
            // Both gates at once still cap at Khá, both are named.
            (80.0, 2.0, 100.0, "5,5", true, "0", 170, "kha", "kha", &[]),
            // 4 + 2 + 2 + 5.5 + 1.5 + 3 = 18; duration 60 %: capped by the full-marks gate.
            (
                100.0,
                0.0,
                60.0,
                "5,5",
                true,
                "0",
                180,
                "tot",
                "kha",
                &["Tốt cần đủ điểm tỷ lệ dự và thời lượng"],
            ),
            // 3 + 2 + 4 + 4 + 0 + 1 = 14: exactly Khá.
            (80.0, 0.0, 100.0, "4", false, "1", 140, "kha", "kha", &[]),
            // 3 + 2 + 4 + 3,9 + 0 + 1 = 13,9: just under Khá.
            (80.0, 0.0, 100.0, "3,9", false, "1", 139, "tb", "tb", &[]),
            // 1 + 2 + 4 + 5.5 + 1.5 + 3 = 17 (Khá by total), attendance 50 %: capped at TB.
            (
                50.0,
                0.0,
                100.0,
                "5,5",
                true,
                "0",
                170,
                "kha",
                "tb",
                &["Tỷ lệ dự không quá 50%"],
            ),
            // 1 + 0 + 0 + 0 + 0 + 1 = 2, duration 40 % earns nothing: Kém; gates cannot raise.
            (40.0, 3.0, 40.0, "0", false, "1", 20, "kem", "kem", &[]),
            // 3 + 2 + 2 + 2 + 1.5 + 1 = 11.5: TB.
            (75.0, 0.0, 50.0, "2", true, "1", 115, "tb", "tb", &[]),
        ];
        let r = sample();
        for (i, (rate, unexc, dur, noi_dung, ticked, level, total, band, class, gates)) in
            cases.iter().enumerate()
        {
            let mut e = entries(&[("noi_dung", noi_dung), ("quy_trinh", level)]);
            if *ticked {
                e.insert(
                    "phe_binh".into(),
                    Entry {
                        value: "on".into(),
                        ..Entry::default()
                    },
                );
            }
            let (s, errors) = score(&r, &facts(*rate, *unexc, *dur), &e);
            assert!(errors.is_empty(), "case {i}: {errors:?}");
            assert_eq!(s.total, Points(*total), "case {i} total");
            assert_eq!(s.band, *band, "case {i} band");
            assert_eq!(s.class, *class, "case {i} class");
            if !gates.is_empty() {
                assert_eq!(s.capped_by, *gates, "case {i} gates");
            }
        }
    }

    #[test]
    fn a_gate_on_a_khá_meeting_caps_nothing_further() {
        // Case "both gates" above: 17 points is Khá already; both gates close but lower
        // nothing, so none is reported as having capped the class.
        let r = sample();
        let e = entries(&[("noi_dung", "5,5"), ("quy_trinh", "0"), ("phe_binh", "on")]);
        let (s, _) = score(&r, &facts(80.0, 2.0, 100.0), &e);
        assert_eq!((s.band.as_str(), s.class.as_str()), ("kha", "kha"));
        assert!(s.capped_by.is_empty());
    }

    #[test]
    fn wrong_entries_are_named_and_count_nothing() {
        let r = sample();
        let e = entries(&[("noi_dung", "6"), ("quy_trinh", "7")]);
        let (s, errors) = score(&r, &facts(95.0, 0.0, 100.0), &e);
        let msg: HashMap<_, _> = errors.into_iter().collect();
        assert!(msg["noi_dung"].contains("từ 0 đến 5,5"), "{msg:?}");
        assert!(msg["quy_trinh"].contains("Chưa chọn mức"));
        assert_eq!(s.total, Points(100));
        let (_, errors) = score(
            &r,
            &facts(95.0, 0.0, 100.0),
            &entries(&[("noi_dung", "-1")]),
        );
        assert!(
            errors
                .iter()
                .any(|(c, m)| c == "noi_dung" && m.contains("từ 0"))
        );
        let (_, errors) = score(&r, &facts(95.0, 0.0, 100.0), &entries(&[("noi_dung", "")]));
        assert!(
            errors
                .iter()
                .any(|(c, m)| c == "noi_dung" && m.contains("Chưa chấm"))
        );
    }

    #[test]
    fn overriding_a_computed_value_needs_a_reason_and_keeps_both() {
        let r = sample();
        let mut e = entries(&[("noi_dung", "5"), ("quy_trinh", "0")]);
        e.insert(
            "ty_le".into(),
            Entry {
                override_points: "4".into(),
                ..Entry::default()
            },
        );
        let (_, errors) = score(&r, &facts(80.0, 0.0, 100.0), &e);
        assert!(
            errors
                .iter()
                .any(|(c, m)| c == "ty_le" && m.contains("lý do"))
        );
        e.get_mut("ty_le").unwrap().reason = "Hai đồng chí ốm đã báo trước".into();
        let (s, errors) = score(&r, &facts(80.0, 0.0, 100.0), &e);
        assert!(errors.is_empty());
        let item = s.item("ty_le").unwrap();
        assert_eq!(
            (item.points, item.computed, item.fact),
            (Points(40), Some(Points(30)), Some(80.0))
        );
        assert_eq!(item.reason.as_deref(), Some("Hai đồng chí ốm đã báo trước"));
    }

    #[test]
    fn a_figure_the_record_cannot_give_must_be_entered() {
        let r = sample();
        let mut f = facts(95.0, 0.0, 100.0);
        f.set(Source::DurationPercent, None);
        let e = entries(&[("noi_dung", "5"), ("quy_trinh", "0")]);
        let (_, errors) = score(&r, &f, &e);
        assert!(
            errors
                .iter()
                .any(|(c, m)| c == "thoi_luong" && m.contains("Thời lượng"))
        );
    }

    #[test]
    fn a_stored_sheet_gives_back_its_entries() {
        let r = sample();
        let mut e = entries(&[("noi_dung", "4,5"), ("quy_trinh", "1"), ("phe_binh", "on")]);
        e.insert(
            "ty_le".into(),
            Entry {
                override_points: "4".into(),
                reason: "Hai đồng chí ốm đã báo trước".into(),
                ..Entry::default()
            },
        );
        let f = facts(80.0, 0.0, 100.0);
        let (s, errors) = score(&r, &f, &e);
        assert!(errors.is_empty());
        let (again, errors) = score(&r, &f, &entries_from(&r, &s.items));
        assert!(errors.is_empty());
        assert_eq!(again, s);
    }
}
