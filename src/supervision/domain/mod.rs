//! The supervisor's figures and the compliance alerts (docs/rules.md §9.2–§9.3). Pure: the rows
//! arrive from the store, the thresholds from the administrator.

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::store::{BranchMonth, Thresholds};
use crate::evaluation::domain::SheetState;
use crate::meetings::domain::MeetingState;
use crate::rate::Rate;

mod refusal;
pub use refusal::ModelRefusal;

/// The standard class labels, in order; a rubric with other labels adds its own after them.
pub const CLASS_ORDER: [&str; 4] = ["Tốt", "Khá", "Trung bình", "Kém"];

/// Figures over a set of branches for one month.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Figures {
    pub branches: usize,
    pub held: usize,
    pub thematic: usize,
    pub expected: i64,
    pub present: i64,
    pub unexcused: i64,
    pub scored: usize,
    pub score_sum_tenths: i64,
    /// (label, count) in CLASS_ORDER, then other labels as met.
    pub classes: Vec<(String, usize)>,
    /// Held meetings with no branch score yet.
    pub unscored: usize,
    /// Scores sent up and waiting for the committee.
    pub waiting: usize,
}

impl Figures {
    /// Present ÷ expected (the attendance base) over the held meetings.
    pub fn rate(&self) -> Option<Rate> {
        Rate::of(self.present, self.expected)
    }

    pub fn rate_label(&self) -> String {
        Rate::label(self.rate())
    }

    /// The mean of the scored branches' totals, in tenths of a point rounded half up: the
    /// one average the dashboard, the report and its workbook show.
    pub fn average_tenths(&self) -> Option<i64> {
        let n = i64::try_from(self.scored).ok().filter(|n| *n > 0)?;
        Some((2 * self.score_sum_tenths + n).div_euclid(2 * n))
    }

    pub fn average_label(&self) -> String {
        self.average_tenths()
            .map(|t| format!("{},{}", t / 10, t % 10))
            .unwrap_or_else(|| "—".into())
    }

    pub fn held_share_label(&self) -> String {
        Rate::label(Rate::of(self.held as i64, self.branches as i64))
    }

    pub fn class_count(&self, label: &str) -> usize {
        self.classes
            .iter()
            .find(|(l, _)| l == label)
            .map(|(_, n)| *n)
            .unwrap_or(0)
    }
}

pub fn figures<'a>(rows: impl IntoIterator<Item = &'a BranchMonth>) -> Figures {
    let mut f = Figures {
        classes: CLASS_ORDER.iter().map(|l| (l.to_string(), 0)).collect(),
        ..Figures::default()
    };
    for b in rows {
        f.branches += 1;
        if b.thematic_in_quarter {
            f.thematic += 1;
        }
        if !b.held() {
            continue;
        }
        f.held += 1;
        f.expected += i64::from(b.expected);
        f.present += i64::from(b.present);
        f.unexcused += i64::from(b.unexcused);
        match (&b.total_tenths, &b.class_label) {
            (Some(t), Some(label)) => {
                f.scored += 1;
                f.score_sum_tenths += i64::from(*t);
                match f.classes.iter_mut().find(|(l, _)| l == label) {
                    Some((_, n)) => *n += 1,
                    None => f.classes.push((label.clone(), 1)),
                }
            }
            _ => f.unscored += 1,
        }
        if b.sheet_state == Some(SheetState::Submitted) {
            f.waiting += 1;
        }
    }
    f
}

/// What an alert is about (kept by name in an issued report).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    NoRegularMeeting,
    NoThematicMeeting,
    TooShort,
    MaterialsLate,
    MinutesOpen,
    ScoreNotSent,
    ApprovalOverdue,
    UnexcusedMonths,
    ProbationOverdue,
    Committee,
}

pub const ALL_ALERTS: [AlertKind; 10] = [
    AlertKind::NoRegularMeeting,
    AlertKind::NoThematicMeeting,
    AlertKind::TooShort,
    AlertKind::MaterialsLate,
    AlertKind::MinutesOpen,
    AlertKind::ScoreNotSent,
    AlertKind::ApprovalOverdue,
    AlertKind::UnexcusedMonths,
    AlertKind::ProbationOverdue,
    AlertKind::Committee,
];

impl AlertKind {
    pub fn label(self) -> &'static str {
        match self {
            AlertKind::NoRegularMeeting => "Chưa sinh hoạt thường kỳ trong tháng",
            AlertKind::NoThematicMeeting => "Chưa sinh hoạt chuyên đề trong quý",
            AlertKind::TooShort => "Buổi sinh hoạt ngắn hơn quy định",
            AlertKind::MaterialsLate => "Tài liệu không đăng trước buổi sinh hoạt",
            AlertKind::MinutesOpen => "Chưa khóa biên bản",
            AlertKind::ScoreNotSent => "Chưa gửi điểm lên cấp trên",
            AlertKind::ApprovalOverdue => "Điểm chờ cấp trên phê duyệt quá hạn",
            AlertKind::UnexcusedMonths => "Đảng viên vắng không lý do nhiều tháng trong năm",
            AlertKind::ProbationOverdue => "Quá hạn xét công nhận đảng viên chính thức",
            AlertKind::Committee => "Tổ chức chi ủy, đảng số chưa đúng quy định",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            AlertKind::NoRegularMeeting => "no_regular",
            AlertKind::NoThematicMeeting => "no_thematic",
            AlertKind::TooShort => "too_short",
            AlertKind::MaterialsLate => "materials_late",
            AlertKind::MinutesOpen => "minutes_open",
            AlertKind::ScoreNotSent => "score_not_sent",
            AlertKind::ApprovalOverdue => "approval_overdue",
            AlertKind::UnexcusedMonths => "unexcused_months",
            AlertKind::ProbationOverdue => "probation_overdue",
            AlertKind::Committee => "committee",
        }
    }
}

/// One alert: what, where, the detail, and the page where it is acted on.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    pub kind: AlertKind,
    pub branch_id: uuid::Uuid,
    pub branch: String,
    pub detail: String,
    pub href: String,
}

fn local_day(at: DateTime<Utc>) -> NaiveDate {
    at.with_timezone(&crate::clock::ZONE).date_naive()
}

/// The last day of the month starting on `month`.
pub fn month_end(month: NaiveDate) -> NaiveDate {
    month
        .checked_add_months(chrono::Months::new(1))
        .and_then(|d| d.pred_opt())
        .expect("a month has an end")
}

/// The day a month's alerts are judged on: the month's last day, or today while the month
/// runs. Nothing in a past month's alerts depends on the day it is looked at.
pub fn judged_on(month: NaiveDate, today: NaiveDate) -> NaiveDate {
    month_end(month).min(today)
}

/// The last month a quarter's thematic meeting is looked for, for the alerts of `month`:
/// the quarter's last month once the quarter is over (it is judged whole), else today's
/// month (the quarter "so far").
pub fn quarter_counted_through(month: NaiveDate, today: NaiveDate) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(month.year(), (month.month() - 1) / 3 * 3 + 1, 1)
        .expect("a quarter's first month");
    let last = first
        .checked_add_months(chrono::Months::new(2))
        .expect("a quarter's last month");
    let now = today.with_day(1).expect("day 1");
    last.min(now.max(month))
}

/// The meeting-level alerts of one branch for `month`, judged on the month's last day (or
/// today while it runs, see [`judged_on`]); `b` carries the states of that day.
pub fn branch_alerts(
    b: &BranchMonth,
    month: NaiveDate,
    today: NaiveDate,
    t: &Thresholds,
) -> Vec<Alert> {
    let over = month_end(month) < today;
    let today = judged_on(month, today);
    let mut out = Vec::new();
    let mut add = |kind, detail: String, href: String| {
        out.push(Alert {
            kind,
            branch_id: b.id,
            branch: b.name.clone(),
            detail,
            href,
        })
    };
    let branch_href = format!("/units/{}/meetings", b.id);
    let Some(meeting) = b.meeting_id.filter(|_| b.held()) else {
        let detail = if over {
            format!(
                "Không có buổi sinh hoạt thường kỳ tháng {}.",
                month.format("%m/%Y")
            )
        } else {
            format!(
                "Tháng {} chưa có buổi sinh hoạt thường kỳ nào được ghi nhận.",
                month.format("%m/%Y")
            )
        };
        add(AlertKind::NoRegularMeeting, detail, branch_href.clone());
        if !b.thematic_in_quarter {
            add(
                AlertKind::NoThematicMeeting,
                format!(
                    "Quý {} năm {} chưa có buổi sinh hoạt chuyên đề.",
                    (month.month() - 1) / 3 + 1,
                    month.year()
                ),
                format!("/units/{}/thematic", b.id),
            );
        }
        return out;
    };
    let href = format!("/meetings/{meeting}");
    if !b.thematic_in_quarter {
        add(
            AlertKind::NoThematicMeeting,
            format!(
                "Quý {} năm {} chưa có buổi sinh hoạt chuyên đề.",
                (month.month() - 1) / 3 + 1,
                month.year()
            ),
            format!("/units/{}/thematic", b.id),
        );
    }
    if let (Some(start), Some(end), Some(kind)) = (b.started_at, b.ended_at, b.meeting_kind) {
        let minutes = (end - start).num_minutes();
        let min = kind.minimum_minutes();
        if minutes < min {
            add(
                AlertKind::TooShort,
                format!("Sinh hoạt {minutes} phút, quy định tối thiểu {min} phút."),
                format!("{href}/minutes"),
            );
        }
    }
    let day = b.started_at.map(local_day);
    if let Some(day) = day {
        let needed = i64::from(t.materials_days_before);
        match b.materials_posted_on {
            None if needed > 0 => add(
                AlertKind::MaterialsLate,
                "Chưa ghi nhận việc đăng tài liệu lên Sổ tay đảng viên.".into(),
                format!("{href}/minutes"),
            ),
            Some(posted) if (day - posted).num_days() < needed => add(
                AlertKind::MaterialsLate,
                format!(
                    "Tài liệu đăng ngày {}, chưa trước buổi sinh hoạt {needed} ngày.",
                    posted.format("%d/%m/%Y")
                ),
                format!("{href}/minutes"),
            ),
            _ => {}
        }
        let since = (today - day).num_days();
        if b.meeting_state == Some(MeetingState::Held) && since >= i64::from(t.minutes_open_days) {
            add(
                AlertKind::MinutesOpen,
                format!("Đã họp {since} ngày, biên bản chưa khóa."),
                format!("{href}/minutes"),
            );
        }
        let sent = matches!(
            b.sheet_state,
            Some(SheetState::Submitted | SheetState::Approved)
        );
        if !sent && since >= i64::from(t.score_unsent_days) {
            add(
                AlertKind::ScoreNotSent,
                match b.sheet_state {
                    None => format!("Đã họp {since} ngày, chi bộ chưa chấm điểm."),
                    Some(SheetState::Returned) => {
                        format!("Cấp trên đã trả lại; đã họp {since} ngày, chưa gửi lại.")
                    }
                    Some(_) => format!("Đã họp {since} ngày, điểm chưa gửi cấp trên."),
                },
                format!("{href}/evaluation"),
            );
        }
    }
    if b.sheet_state == Some(SheetState::Submitted)
        && let Some(at) = b.sheet_updated_at
    {
        let waiting = (today - local_day(at)).num_days();
        if waiting >= i64::from(t.approval_days) {
            add(
                AlertKind::ApprovalOverdue,
                format!("Chi bộ gửi điểm {waiting} ngày trước, cấp trên chưa phê duyệt."),
                format!("{href}/evaluation"),
            );
        }
    }
    out
}

/// Months of the year up to and including `month` in which the member was absent without
/// reason, counted once each (docs/rules.md §4.2: "3 months within a year", not consecutive).
pub fn unexcused_month_count(months: &[NaiveDate], month: NaiveDate) -> usize {
    let mut seen: Vec<NaiveDate> = months
        .iter()
        .filter(|m| m.year() == month.year() && **m <= month)
        .copied()
        .collect();
    seen.sort();
    seen.dedup();
    seen.len()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meetings::domain::MeetingKind;
    use chrono::TimeZone;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn at(y: i32, m: u32, day: u32, h: u32, min: u32) -> DateTime<Utc> {
        crate::clock::ZONE
            .with_ymd_and_hms(y, m, day, h, min, 0)
            .unwrap()
            .with_timezone(&Utc)
    }

    fn thresholds() -> Thresholds {
        Thresholds {
            minutes_open_days: 3,
            score_unsent_days: 7,
            approval_days: 10,
            unexcused_months: 3,
            materials_days_before: 1,
            version: 1,
        }
    }

    /// A branch that did everything right in October 2026: 95 minutes, materials two days
    /// ahead, minutes closed, score approved, a thematic meeting in the quarter.
    fn good() -> BranchMonth {
        BranchMonth {
            id: uuid::Uuid::nil(),
            name: "Chi bộ Thôn 1".into(),
            path: "a.b".into(),
            meeting_id: Some(uuid::Uuid::from_u128(7)),
            meeting_kind: Some(MeetingKind::Regular),
            meeting_state: Some(MeetingState::Closed),
            started_at: Some(at(2026, 10, 10, 19, 30)),
            ended_at: Some(at(2026, 10, 10, 21, 5)),
            materials_posted_on: Some(d(2026, 10, 8)),
            expected: 20,
            present: 18,
            unexcused: 0,
            dang_so: 22,
            total_tenths: Some(915),
            class: Some("tot".into()),
            class_label: Some("Tốt".into()),
            sheet_state: Some(SheetState::Approved),
            sheet_updated_at: Some(at(2026, 10, 12, 8, 0)),
            thematic_in_quarter: true,
            ..BranchMonth::default()
        }
    }

    fn kinds(b: &BranchMonth, today: NaiveDate) -> Vec<AlertKind> {
        branch_alerts(b, d(2026, 10, 1), today, &thresholds())
            .into_iter()
            .map(|a| a.kind)
            .collect()
    }

    #[test]
    fn a_branch_that_did_everything_raises_nothing() {
        assert_eq!(kinds(&good(), d(2026, 11, 22)), vec![]);
    }

    #[test]
    fn no_meeting_and_no_thematic_meeting() {
        let mut b = good();
        b.meeting_id = None;
        b.meeting_state = None;
        b.thematic_in_quarter = false;
        let alerts = branch_alerts(&b, d(2026, 10, 1), d(2026, 11, 22), &thresholds());
        assert_eq!(
            alerts.iter().map(|a| a.kind).collect::<Vec<_>>(),
            vec![AlertKind::NoRegularMeeting, AlertKind::NoThematicMeeting]
        );
        assert!(
            alerts[0]
                .detail
                .contains("Không có buổi sinh hoạt thường kỳ tháng 10/2026")
        );
        assert!(alerts[1].detail.contains("Quý 4 năm 2026"));
        // A planned meeting is not a meeting held.
        let mut planned = good();
        planned.meeting_state = Some(MeetingState::Planned);
        assert_eq!(
            kinds(&planned, d(2026, 11, 22)),
            vec![AlertKind::NoRegularMeeting]
        );
    }

    #[test]
    fn short_meetings_by_kind() {
        let mut b = good();
        b.ended_at = Some(at(2026, 10, 10, 20, 59));
        assert_eq!(kinds(&b, d(2026, 11, 22)), vec![AlertKind::TooShort]);
        b.ended_at = Some(at(2026, 10, 10, 21, 0));
        assert_eq!(
            kinds(&b, d(2026, 11, 22)),
            vec![],
            "exactly 90 minutes is enough"
        );
        b.meeting_kind = Some(MeetingKind::Combined);
        b.ended_at = Some(at(2026, 10, 10, 21, 25));
        let alerts = branch_alerts(&b, d(2026, 10, 1), d(2026, 11, 22), &thresholds());
        assert_eq!(alerts[0].kind, AlertKind::TooShort);
        assert!(
            alerts[0]
                .detail
                .contains("115 phút, quy định tối thiểu 120 phút")
        );
    }

    #[test]
    fn materials_must_go_out_a_day_ahead() {
        let mut b = good();
        b.materials_posted_on = Some(d(2026, 10, 10));
        assert_eq!(kinds(&b, d(2026, 11, 22)), vec![AlertKind::MaterialsLate]);
        b.materials_posted_on = Some(d(2026, 10, 9));
        assert_eq!(kinds(&b, d(2026, 11, 22)), vec![]);
        b.materials_posted_on = None;
        assert_eq!(kinds(&b, d(2026, 11, 22)), vec![AlertKind::MaterialsLate]);
    }

    #[test]
    fn minutes_and_scores_follow_the_thresholds() {
        let mut b = good();
        b.meeting_state = Some(MeetingState::Held);
        b.sheet_state = None;
        // Two days after: nothing yet; three: the minutes; seven: the score too.
        assert_eq!(kinds(&b, d(2026, 10, 12)), vec![]);
        assert_eq!(kinds(&b, d(2026, 10, 13)), vec![AlertKind::MinutesOpen]);
        assert_eq!(
            kinds(&b, d(2026, 10, 17)),
            vec![AlertKind::MinutesOpen, AlertKind::ScoreNotSent]
        );
        b.meeting_state = Some(MeetingState::Closed);
        b.sheet_state = Some(SheetState::Returned);
        let alerts = branch_alerts(&b, d(2026, 10, 1), d(2026, 10, 20), &thresholds());
        assert!(alerts[0].detail.contains("Cấp trên đã trả lại"));
    }

    #[test]
    fn a_past_month_is_judged_on_its_last_day() {
        assert_eq!(judged_on(d(2026, 10, 1), d(2026, 12, 2)), d(2026, 10, 31));
        assert_eq!(judged_on(d(2026, 12, 1), d(2026, 12, 2)), d(2026, 12, 2));
        assert_eq!(judged_on(d(2028, 2, 1), d(2028, 3, 1)), d(2028, 2, 29));
        // Held on 10/10 with the minutes open: 21 days at the month's end, however late
        // the month is looked at.
        let mut b = good();
        b.meeting_state = Some(MeetingState::Closed);
        b.sheet_state = None;
        let alerts = branch_alerts(&b, d(2026, 10, 1), d(2027, 3, 1), &thresholds());
        assert_eq!(alerts[0].kind, AlertKind::ScoreNotSent);
        assert!(alerts[0].detail.contains("Đã họp 21 ngày"), "{alerts:?}");
    }

    #[test]
    fn a_quarter_is_judged_whole_once_over_and_so_far_while_it_runs() {
        // April seen in December: the whole of Q2.
        assert_eq!(
            quarter_counted_through(d(2026, 4, 1), d(2026, 12, 2)),
            d(2026, 6, 1)
        );
        // April seen in May: April and May so far.
        assert_eq!(
            quarter_counted_through(d(2026, 4, 1), d(2026, 5, 20)),
            d(2026, 5, 1)
        );
        // The running month.
        assert_eq!(
            quarter_counted_through(d(2026, 12, 1), d(2026, 12, 2)),
            d(2026, 12, 1)
        );
        assert_eq!(
            quarter_counted_through(d(2027, 3, 1), d(2027, 3, 31)),
            d(2027, 3, 1)
        );
    }

    #[test]
    fn a_score_waiting_too_long_for_approval() {
        let mut b = good();
        b.sheet_state = Some(SheetState::Submitted);
        b.sheet_updated_at = Some(at(2026, 10, 12, 8, 0));
        assert_eq!(kinds(&b, d(2026, 10, 21)), vec![]);
        assert_eq!(kinds(&b, d(2026, 10, 22)), vec![AlertKind::ApprovalOverdue]);
    }

    #[test]
    fn absences_without_reason_count_months_of_the_year() {
        let months = [
            d(2026, 1, 1),
            d(2026, 3, 1),
            d(2026, 3, 1),
            d(2025, 12, 1),
            d(2026, 11, 1),
        ];
        assert_eq!(
            unexcused_month_count(&months, d(2026, 10, 1)),
            2,
            "not last year, not after the month"
        );
        assert_eq!(unexcused_month_count(&months, d(2026, 11, 1)), 3);
    }

    #[test]
    fn figures_add_up_over_branches() {
        let a = good();
        let mut b = good();
        b.present = 10;
        b.expected = 20;
        b.unexcused = 2;
        b.total_tenths = Some(705);
        b.class_label = Some("Khá".into());
        b.sheet_state = Some(SheetState::Submitted);
        b.thematic_in_quarter = false;
        let mut c = good();
        c.meeting_state = None;
        c.meeting_id = None;
        let mut unscored = good();
        unscored.total_tenths = None;
        unscored.class_label = None;
        unscored.sheet_state = None;
        let f = figures([&a, &b, &c, &unscored]);
        assert_eq!((f.branches, f.held, f.thematic), (4, 3, 3));
        assert_eq!((f.expected, f.present, f.unexcused), (60, 46, 2));
        assert_eq!(f.rate_label(), "76,7%");
        assert_eq!(f.average_label(), "81,0");
        assert_eq!(
            (
                f.class_count("Tốt"),
                f.class_count("Khá"),
                f.class_count("Kém")
            ),
            (1, 1, 0)
        );
        assert_eq!((f.unscored, f.waiting), (1, 1));
        assert_eq!(f.held_share_label(), "75,0%");
    }
}
