//! What a monthly report states — a line per branch, the totals, the alerts counted — and
//! how an issued report differs from the record as it is now. Pure: no database.
//!
//! A report is a party document: once the committee gives it a number, what it stated is
//! kept with it (`monthly_reports.issued`) and shown as issued. A later change to the
//! record (a meeting scored after the report, a branch moved) shows beside it as a
//! difference, never inside it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::evaluation::rubric::Points;
use crate::rate::Rate;
use crate::supervision::domain::{AlertKind, Figures};
use crate::supervision::store::BranchMonth;
use crate::web::vn_date;

/// One branch's line of the report as stated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportLine {
    pub branch_id: Uuid,
    pub name: String,
    /// Đảng số: the meeting's when it met, else the branch's on the day judged.
    pub dang_so: i64,
    pub held: bool,
    pub day: Option<NaiveDate>,
    pub present: i64,
    /// The attendance base (phải có mặt), the rate's denominator.
    pub expected: i64,
    pub unexcused: i64,
    pub total_tenths: Option<i32>,
    pub class: Option<String>,
    pub remarks: Vec<String>,
    /// The unit in between that the line is grouped under (a town's report: the ward);
    /// `None` for a branch directly under the report's unit. Reports issued before it was
    /// stated read as ungrouped.
    #[serde(default)]
    pub group: Option<String>,
    /// The branch's own committee, to tell apart two branches of one name.
    #[serde(default)]
    pub parent: Option<String>,
}

impl ReportLine {
    pub fn of(b: &BranchMonth) -> Self {
        let held = b.held();
        let mut remarks = Vec::new();
        if !held {
            remarks.push("Chưa sinh hoạt thường kỳ".to_owned());
        }
        if held && b.unexcused > 0 {
            remarks.push(format!("{} đảng viên vắng không lý do", b.unexcused));
        }
        remarks.extend(b.capped_by.iter().cloned());
        if held && b.total_tenths.is_none() {
            remarks.push("Chưa chấm điểm".into());
        }
        ReportLine {
            branch_id: b.id,
            name: b.name.clone(),
            dang_so: if held {
                i64::from(b.dang_so)
            } else {
                b.members_on
            },
            held,
            day: b
                .started_at
                .filter(|_| held)
                .map(|t| t.with_timezone(&crate::clock::ZONE).date_naive()),
            present: if held { i64::from(b.present) } else { 0 },
            expected: if held { i64::from(b.expected) } else { 0 },
            unexcused: if held { i64::from(b.unexcused) } else { 0 },
            total_tenths: b.total_tenths,
            class: b.class_label.clone(),
            remarks,
            group: None,
            parent: None,
        }
    }

    pub fn rate(&self) -> Option<Rate> {
        Rate::of(self.present, self.expected).filter(|_| self.held)
    }

    pub fn day_label(&self) -> String {
        self.day.map(vn_date).unwrap_or_default()
    }

    /// "Có mặt/ phải có mặt" over the rate's own base.
    pub fn present_label(&self) -> String {
        if self.held {
            format!("{}/{}", self.present, self.expected)
        } else {
            String::new()
        }
    }

    pub fn rate_label(&self) -> String {
        self.rate().map(|r| r.to_string()).unwrap_or_default()
    }

    pub fn score_label(&self) -> String {
        self.total_tenths
            .map(|t| Points(t).to_string())
            .unwrap_or_default()
    }
}

/// The figures of a group of lines (a ward in a town's report) or of the whole report.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Subtotal {
    pub branches: usize,
    pub held: usize,
    pub dang_so: i64,
    pub present: i64,
    pub expected: i64,
    pub unexcused: i64,
    pub scored: usize,
    pub score_sum_tenths: i64,
}

impl Subtotal {
    pub fn of<'a>(lines: impl IntoIterator<Item = &'a ReportLine>) -> Self {
        let mut t = Subtotal::default();
        for l in lines {
            t.branches += 1;
            t.dang_so += l.dang_so;
            if l.held {
                t.held += 1;
                t.present += l.present;
                t.expected += l.expected;
                t.unexcused += l.unexcused;
            }
            if let Some(s) = l.total_tenths {
                t.scored += 1;
                t.score_sum_tenths += i64::from(s);
            }
        }
        t
    }

    pub fn rate_label(&self) -> String {
        Rate::label(Rate::of(self.present, self.expected))
    }

    /// The mean score, as the report's total gives it (`Figures::average_label`).
    pub fn average_label(&self) -> String {
        Figures {
            scored: self.scored,
            score_sum_tenths: self.score_sum_tenths,
            ..Figures::default()
        }
        .average_label()
    }

    pub fn held_label(&self) -> String {
        format!("{}/{}", self.held, self.branches)
    }

    pub fn present_label(&self) -> String {
        format!("{}/{}", self.present, self.expected)
    }
}

/// The report's lines under one unit in between, numbered through the whole report.
#[derive(Debug)]
pub struct Group<'a> {
    pub name: Option<&'a str>,
    /// (the line's number in the report, the line, its name as printed).
    pub lines: Vec<(usize, &'a ReportLine, String)>,
    pub subtotal: Subtotal,
}

/// The lines in groups, in the order given (the statement's: groups by name, then the
/// branches by name), each with its subtotal. A name met twice in the report is told apart
/// by its own committee ("Chi bộ Văn phòng (Đảng bộ phường A)").
pub fn groups(lines: &[ReportLine]) -> Vec<Group<'_>> {
    let mut seen: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for l in lines {
        *seen.entry(l.name.as_str()).or_default() += 1;
    }
    let mut out: Vec<Group<'_>> = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let twice = seen.get(l.name.as_str()).is_some_and(|n| *n > 1);
        let name = match (&l.parent, twice) {
            (Some(p), true) => format!("{} ({p})", l.name),
            _ => l.name.clone(),
        };
        let group = l.group.as_deref();
        match out.last_mut() {
            Some(g) if g.name == group => g.lines.push((i + 1, l, name)),
            _ => out.push(Group {
                name: group,
                lines: vec![(i + 1, l, name)],
                subtotal: Subtotal::default(),
            }),
        }
    }
    for g in &mut out {
        g.subtotal = Subtotal::of(g.lines.iter().map(|(_, l, _)| *l));
    }
    out
}

/// A monthly report's content as stated on the day it was judged.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Statement {
    /// The day the month was judged (its last day, or the day of issue while it ran).
    pub judged_on: NaiveDate,
    /// The committee's name and its upper committee's, as on that day.
    pub unit_name: String,
    pub parent_name: String,
    pub lines: Vec<ReportLine>,
    pub total: Figures,
    pub alerts: Vec<(AlertKind, usize)>,
}

/// What of a report's figures changed since it was issued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// The branch is in the report now and was not when issued.
    Added,
    /// The branch was in the issued report and is not now.
    Removed,
    Name,
    DangSo,
    Day,
    Present,
    Rate,
    Score,
    Class,
    /// A total of the report: branches met, the average rate, the average score.
    Held,
    TotalRate,
    Average,
}

impl Field {
    pub fn label(self) -> &'static str {
        match self {
            Field::Added => "có trong số liệu hiện nay, không có khi chốt",
            Field::Removed => "có khi chốt, không còn trong số liệu hiện nay",
            Field::Name => "Tên",
            Field::DangSo => "Đảng số",
            Field::Day => "Ngày sinh hoạt",
            Field::Present => "Có mặt/ phải có mặt",
            Field::Rate => "Tỷ lệ dự",
            Field::Score => "Điểm",
            Field::Class => "Xếp loại",
            Field::Held => "Số chi bộ đã sinh hoạt",
            Field::TotalRate => "Tỷ lệ dự bình quân",
            Field::Average => "Điểm bình quân",
        }
    }
}

/// One difference: whose (a branch's name, or the report's totals when `None`), what,
/// as issued and as now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub branch: Option<String>,
    pub field: Field,
    pub issued: String,
    pub now: String,
}

/// The differences between an issued report and the same month read now, branch by
/// branch (matched by id, in the issued order, then the branches new to the month), then
/// the totals.
pub fn differences(issued: &Statement, now: &Statement) -> Vec<Difference> {
    let mut out = Vec::new();
    let mut push = |branch: Option<&str>, field: Field, was: String, is: String| {
        if was != is {
            out.push(Difference {
                branch: branch.map(str::to_owned),
                field,
                issued: was,
                now: is,
            });
        }
    };
    for old in &issued.lines {
        let Some(new) = now.lines.iter().find(|l| l.branch_id == old.branch_id) else {
            push(Some(&old.name), Field::Removed, "có".into(), "không".into());
            continue;
        };
        let who = Some(old.name.as_str());
        push(who, Field::Name, old.name.clone(), new.name.clone());
        push(
            who,
            Field::DangSo,
            old.dang_so.to_string(),
            new.dang_so.to_string(),
        );
        push(who, Field::Day, old.day_label(), new.day_label());
        push(
            who,
            Field::Present,
            old.present_label(),
            new.present_label(),
        );
        push(who, Field::Rate, old.rate_label(), new.rate_label());
        push(who, Field::Score, old.score_label(), new.score_label());
        push(
            who,
            Field::Class,
            old.class.clone().unwrap_or_default(),
            new.class.clone().unwrap_or_default(),
        );
    }
    for new in &now.lines {
        if !issued.lines.iter().any(|l| l.branch_id == new.branch_id) {
            push(Some(&new.name), Field::Added, "không".into(), "có".into());
        }
    }
    let (a, b) = (&issued.total, &now.total);
    push(
        None,
        Field::Held,
        format!("{}/{}", a.held, a.branches),
        format!("{}/{}", b.held, b.branches),
    );
    push(None, Field::TotalRate, a.rate_label(), b.rate_label());
    push(None, Field::Average, a.average_label(), b.average_label());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(id: u128, name: &str, present: i64, expected: i64, score: Option<i32>) -> ReportLine {
        ReportLine {
            branch_id: Uuid::from_u128(id),
            name: name.into(),
            dang_so: expected + 2,
            held: true,
            day: NaiveDate::from_ymd_opt(2026, 11, 10),
            present,
            expected,
            unexcused: expected - present,
            total_tenths: score,
            class: score.map(|_| "Tốt".into()),
            remarks: vec![],
            group: None,
            parent: None,
        }
    }

    fn in_ward(mut l: ReportLine, ward: &str) -> ReportLine {
        l.group = Some(ward.into());
        l.parent = Some(ward.into());
        l
    }

    #[test]
    fn lines_group_by_ward_with_subtotals_and_a_name_met_twice_names_its_ward() {
        let lines = vec![
            in_ward(
                line(1, "Chi bộ Văn phòng", 9, 10, Some(900)),
                "Đảng bộ phường A",
            ),
            in_ward(line(2, "Chi bộ Thôn 1", 8, 10, None), "Đảng bộ phường A"),
            in_ward(line(3, "Chi bộ Văn phòng", 5, 5, Some(800)), "Đảng bộ xã B"),
        ];
        let g = groups(&lines);
        assert_eq!(g.len(), 2);
        assert_eq!(g[0].name, Some("Đảng bộ phường A"));
        assert_eq!(g[0].lines[0].2, "Chi bộ Văn phòng (Đảng bộ phường A)");
        assert_eq!(g[0].lines[1].2, "Chi bộ Thôn 1");
        assert_eq!(g[1].lines[0].0, 3, "numbered through the report");
        assert_eq!(g[1].lines[0].2, "Chi bộ Văn phòng (Đảng bộ xã B)");
        let a = &g[0].subtotal;
        assert_eq!((a.branches, a.held, a.dang_so), (2, 2, 24));
        assert_eq!(a.present_label(), "17/20");
        assert_eq!(a.rate_label(), "85,0%");
        assert_eq!(a.average_label(), "90,0");
        assert_eq!(g[1].subtotal.average_label(), "80,0");
    }

    #[test]
    fn a_subtotal_counts_a_branch_that_did_not_meet_in_its_dang_so_only() {
        let mut absent = line(1, "Chi bộ 1", 0, 0, None);
        absent.held = false;
        absent.dang_so = 7;
        let t = Subtotal::of([&absent, &line(2, "Chi bộ 2", 9, 10, Some(855))]);
        assert_eq!(t.held_label(), "1/2");
        assert_eq!(t.dang_so, 19);
        assert_eq!(t.present_label(), "9/10");
        assert_eq!(t.average_label(), "85,5");
        assert_eq!(Subtotal::default().average_label(), "—");
    }

    fn statement(lines: Vec<ReportLine>) -> Statement {
        let mut total = Figures {
            branches: lines.len(),
            ..Figures::default()
        };
        for l in &lines {
            total.held += 1;
            total.present += l.present;
            total.expected += l.expected;
            if let Some(t) = l.total_tenths {
                total.scored += 1;
                total.score_sum_tenths += i64::from(t);
            }
        }
        Statement {
            judged_on: NaiveDate::from_ymd_opt(2026, 11, 30).expect("a day"),
            unit_name: "Đảng ủy xã A".into(),
            parent_name: "Huyện ủy B".into(),
            lines,
            total,
            alerts: vec![],
        }
    }

    #[test]
    fn an_unchanged_month_has_no_differences() {
        let s = statement(vec![line(1, "Chi bộ 1", 15, 17, Some(900))]);
        assert!(differences(&s, &s.clone()).is_empty());
    }

    #[test]
    fn a_later_score_and_a_moved_branch_show_as_differences() {
        let issued = statement(vec![
            line(1, "Chi bộ 1", 15, 17, None),
            line(2, "Chi bộ 2", 10, 10, Some(800)),
        ]);
        let now = statement(vec![
            line(1, "Chi bộ Một", 15, 17, Some(925)),
            line(3, "Chi bộ 3", 9, 10, None),
        ]);
        let d = differences(&issued, &now);
        let seen: Vec<(Option<&str>, Field, &str, &str)> = d
            .iter()
            .map(|d| {
                (
                    d.branch.as_deref(),
                    d.field,
                    d.issued.as_str(),
                    d.now.as_str(),
                )
            })
            .collect();
        assert!(seen.contains(&(Some("Chi bộ 1"), Field::Name, "Chi bộ 1", "Chi bộ Một")));
        assert!(seen.contains(&(Some("Chi bộ 1"), Field::Score, "", "92,5")));
        assert!(seen.contains(&(Some("Chi bộ 1"), Field::Class, "", "Tốt")));
        assert!(seen.contains(&(Some("Chi bộ 2"), Field::Removed, "có", "không")));
        assert!(seen.contains(&(Some("Chi bộ 3"), Field::Added, "không", "có")));
        assert!(seen.contains(&(None, Field::TotalRate, "92,6%", "88,9%")));
        assert!(seen.contains(&(None, Field::Average, "80,0", "92,5")));
        assert!(!seen.iter().any(|s| s.1 == Field::Held), "2/2 both times");
    }

    #[test]
    fn a_statement_reads_back_as_it_was_written() {
        let mut s = statement(vec![line(1, "Chi bộ 1", 15, 17, Some(900))]);
        s.alerts = vec![(AlertKind::ProbationOverdue, 2)];
        let json = serde_json::to_value(&s).expect("serialises");
        let back: Statement = serde_json::from_value(json).expect("deserialises");
        assert_eq!(back, s);
    }
}
