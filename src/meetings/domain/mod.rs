//! The rules of a branch meeting (docs/rules.md §3, §9.2): who is expected, the attendance rate,
//! vote validity, duration, task completion. Pure: no database.

use chrono::NaiveDate;

use crate::codes::text_code;
use crate::members::domain::Lifecycle;
use crate::rate::Rate;

mod listing;
mod refusal;
pub use listing::{Line, Listed, Relist, list_day, relist};
pub use refusal::MeetingRefusal;

text_code! {
    /// Kinds of meeting (docs/rules.md §3.1). A combined session holds the regular and the
    /// thematic meeting one after the other and must last longer.
    pub enum MeetingKind {
        Regular = "regular",
        Thematic = "thematic",
        Combined = "combined",
        Committee = "committee",
        Extraordinary = "extraordinary",
    }
}

text_code! {
    /// Where a meeting stands: planned, held (the record is being written), closed (the
    /// minutes are final; reopening needs a reason).
    pub enum MeetingState {
        Planned = "planned",
        Held = "held",
        Closed = "closed",
    }
}

text_code! {
    /// What happened to a meeting, as its history (`meeting_events`) records it: its
    /// planning, its state changes, and the upper committee's approval of its score and
    /// the withdrawal of that approval (written by the evaluation store).
    pub enum MeetingEvent {
        Planned = "planned",
        Held = "held",
        Closed = "closed",
        Reopened = "reopened",
        Approved = "approved",
        ApprovalWithdrawn = "approval_withdrawn",
    }
}

impl MeetingEvent {
    /// The state the meeting is in after this change, when it changes it (the state on a
    /// past day is the one after the day's last such change).
    pub fn state_after(self) -> Option<MeetingState> {
        match self {
            MeetingEvent::Planned => Some(MeetingState::Planned),
            MeetingEvent::Held | MeetingEvent::Reopened => Some(MeetingState::Held),
            MeetingEvent::Closed => Some(MeetingState::Closed),
            MeetingEvent::Approved | MeetingEvent::ApprovalWithdrawn => None,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            MeetingEvent::Planned => "Lên kế hoạch",
            MeetingEvent::Held => "Xác nhận đã họp",
            MeetingEvent::Closed => "Khóa biên bản",
            MeetingEvent::Reopened => "Mở lại biên bản",
            MeetingEvent::Approved => "Cấp trên phê duyệt điểm",
            MeetingEvent::ApprovalWithdrawn => "Cấp trên hủy phê duyệt điểm",
        }
    }

    /// How the printed minutes record the event, if they do: every reopening and every
    /// withdrawal of the approval, with its day and reason (docs/rules.md §6.2).
    pub fn printed(self, on: NaiveDate, reason: Option<&str>) -> Option<String> {
        let why = reason.map(str::trim).filter(|r| !r.is_empty());
        let because = why.map(|r| format!(" vì {r}")).unwrap_or_default();
        match self {
            MeetingEvent::Reopened => Some(format!(
                "Biên bản được mở lại ngày {}{because}.",
                crate::web::vn_date(on)
            )),
            MeetingEvent::ApprovalWithdrawn => Some(format!(
                "Cấp trên hủy phê duyệt điểm ngày {}{because}.",
                crate::web::vn_date(on)
            )),
            _ => None,
        }
    }
}

/// One agenda item's minutes as the closing of the minutes sees them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRecord {
    pub title: String,
    pub minutes: Option<String>,
    pub conclusion: Option<String>,
    /// The secretary marked the item as having nothing to record.
    pub nothing_to_record: bool,
}

impl ItemRecord {
    /// Something is written for the item: who said what, or the chair's conclusion.
    pub fn is_written(&self) -> bool {
        [&self.minutes, &self.conclusion]
            .into_iter()
            .any(|t| t.as_deref().is_some_and(|t| !t.trim().is_empty()))
    }
}

/// The agenda items (numbered from 1, in the agenda's order) whose minutes are neither
/// written nor marked as having nothing to record — docs/rules.md §3.5: the minutes close
/// only once each item says what happened under it, or says explicitly that nothing did.
pub fn items_lacking_minutes(items: &[ItemRecord]) -> Vec<(usize, String)> {
    items
        .iter()
        .enumerate()
        .filter(|(_, i)| !i.nothing_to_record && !i.is_written())
        .map(|(n, i)| (n + 1, i.title.clone()))
        .collect()
}

/// What the record holds when someone asks to confirm that the meeting took place, or to
/// close its minutes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HoldingRecord {
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    pub ended_at: Option<chrono::DateTime<chrono::Utc>>,
    pub chair: bool,
    pub minute_taker: bool,
    /// Members expected to attend who are not marked yet.
    pub unmarked: usize,
    /// The agenda items, in order, with their minutes.
    pub items: Vec<ItemRecord>,
    /// Now, by the application clock.
    pub now: chrono::DateTime<chrono::Utc>,
}

/// The one path a meeting takes (docs/rules.md §3.5): planned → held, once it has taken
/// place — its start has passed, start and end are written, the chair and the minute-taker
/// are named and every member expected is marked —; held → closed once every agenda item's
/// minutes are written or marked as having nothing to record; closed → held again only
/// with a reason. Anything else is refused.
pub fn transition(
    from: MeetingState,
    to: MeetingState,
    record: &HoldingRecord,
    reason: Option<&str>,
) -> Result<MeetingEvent, MeetingRefusal> {
    use MeetingState::*;
    match (from, to) {
        (Planned, Held) => {
            let (Some(start), Some(_)) = (record.started_at, record.ended_at) else {
                return Err(MeetingRefusal::HeldWithoutTimes);
            };
            if start > record.now {
                return Err(MeetingRefusal::NotStartedYet { start });
            }
            if !record.chair {
                return Err(MeetingRefusal::NoChair);
            }
            if !record.minute_taker {
                return Err(MeetingRefusal::NoMinuteTaker);
            }
            if record.unmarked > 0 {
                return Err(MeetingRefusal::Unmarked {
                    count: record.unmarked,
                });
            }
            Ok(MeetingEvent::Held)
        }
        (Held, Closed) => {
            let lacking = items_lacking_minutes(&record.items);
            if lacking.is_empty() {
                Ok(MeetingEvent::Closed)
            } else {
                Err(MeetingRefusal::MinutesMissing { items: lacking })
            }
        }
        (Closed, Held) if reason.is_none_or(|r| r.trim().is_empty()) => {
            Err(MeetingRefusal::ReopenWithoutReason)
        }
        (Closed, Held) => Ok(MeetingEvent::Reopened),
        _ => Err(MeetingRefusal::NoSuchTransition),
    }
}

/// A step of preparing a meeting (docs/rules.md §3.2), each with its date in the minutes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrepStep {
    Prepared,
    CommitteeMet,
    NoticeSent,
    MaterialsPosted,
    DraftResolution,
}

impl PrepStep {
    /// In the order of the minutes form and of `MinutesInput::prep`.
    pub const ALL: [PrepStep; 5] = [
        PrepStep::Prepared,
        PrepStep::CommitteeMet,
        PrepStep::NoticeSent,
        PrepStep::MaterialsPosted,
        PrepStep::DraftResolution,
    ];

    /// The minutes form's field for the step's date.
    pub const fn field(self) -> &'static str {
        match self {
            PrepStep::Prepared => "prepared_on",
            PrepStep::CommitteeMet => "committee_met_on",
            PrepStep::NoticeSent => "notice_sent_on",
            PrepStep::MaterialsPosted => "materials_posted_on",
            PrepStep::DraftResolution => "draft_resolution_on",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            PrepStep::Prepared => "bí thư chuẩn bị nội dung",
            PrepStep::CommitteeMet => "chi ủy họp thống nhất nội dung",
            PrepStep::NoticeSent => "thông báo cho đảng viên và cấp trên",
            PrepStep::MaterialsPosted => "đăng tài liệu lên Sổ tay đảng viên điện tử",
            PrepStep::DraftResolution => "dự thảo nghị quyết",
        }
    }
}

/// Preparation is dated after the branch's previous meeting (`after`: its day) and no later
/// than the meeting's own day (`until`) — docs/rules.md §3.2. A date outside is a typing
/// mistake (a year off) or a record of something that did not happen in that order.
pub fn check_preparation(
    prep: &[Option<NaiveDate>; 5],
    after: NaiveDate,
    until: NaiveDate,
) -> Result<(), MeetingRefusal> {
    for (step, date) in PrepStep::ALL.into_iter().zip(prep) {
        if let Some(d) = *date
            && (d <= after || d > until)
        {
            return Err(MeetingRefusal::PreparationOutside { step, after, until });
        }
    }
    Ok(())
}

/// What a meeting still lacks, for the branch home.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lack {
    Unscheduled,
    Step(PrepStep),
    Unmarked(i64),
    Times,
    NotConfirmed,
    MinutesOpen,
}

impl Lack {
    pub fn label(self) -> String {
        match self {
            Lack::Unscheduled => "Chưa định thời gian họp".to_owned(),
            Lack::Step(step) => format!("Chưa ghi ngày: {}", step.label()),
            Lack::Unmarked(n) => format!("Còn {n} đảng viên chưa điểm danh"),
            Lack::Times => "Chưa ghi giờ bắt đầu, kết thúc".to_owned(),
            Lack::NotConfirmed => "Chưa xác nhận đã họp".to_owned(),
            Lack::MinutesOpen => "Biên bản chưa khóa".to_owned(),
        }
    }
}

impl MeetingState {
    pub fn label(self) -> &'static str {
        match self {
            MeetingState::Planned => "Đã lên kế hoạch",
            MeetingState::Held => "Đã họp",
            MeetingState::Closed => "Đã khóa biên bản",
        }
    }
}

/// The kind a branch holds every month.
impl Default for MeetingKind {
    fn default() -> Self {
        MeetingKind::Regular
    }
}

impl MeetingKind {
    /// A committee meeting (họp chi ủy) lists the branch's committee — its posts on the
    /// meeting's day — and nobody else; every other kind lists the whole branch.
    pub fn lists_committee_only(self) -> bool {
        self == MeetingKind::Committee
    }

    pub fn label(self) -> &'static str {
        match self {
            MeetingKind::Regular => "Sinh hoạt thường kỳ",
            MeetingKind::Thematic => "Sinh hoạt chuyên đề",
            MeetingKind::Combined => "Sinh hoạt thường kỳ kết hợp chuyên đề",
            MeetingKind::Committee => "Họp chi ủy",
            MeetingKind::Extraordinary => "Sinh hoạt bất thường",
        }
    }

    /// How the printed minutes name the meeting: "BIÊN BẢN SINH HOẠT CHI BỘ …".
    pub fn minutes_title(self) -> &'static str {
        match self {
            MeetingKind::Thematic => "CHUYÊN ĐỀ",
            MeetingKind::Combined => "THƯỜNG KỲ KẾT HỢP CHUYÊN ĐỀ",
            _ => "ĐỊNH KỲ",
        }
    }

    /// Counts as the month's regular meeting (one per branch and month).
    pub fn is_regular(self) -> bool {
        matches!(self, MeetingKind::Regular | MeetingKind::Combined)
    }

    /// Counts as the quarter's thematic meeting.
    pub fn is_thematic(self) -> bool {
        matches!(self, MeetingKind::Thematic | MeetingKind::Combined)
    }

    /// The minimum length under HD 42: 90 minutes, 120 for a combined session.
    pub fn minimum_minutes(self) -> i64 {
        match self {
            MeetingKind::Combined => 120,
            _ => 90,
        }
    }
}

text_code! {
    /// Where a member stands for a meeting, from the registry on the meeting's date.
    pub enum Category {
        /// Must attend: counted in the base of the attendance rate.
        Expected = "expected",
        /// Exempt from activity: shown apart, not in the base (counts if they come and vote).
        Exempt = "exempt",
        /// On temporary transfer elsewhere: shown apart, not in the base.
        Away = "away",
        /// Attached here temporarily: recorded, reported separately, not in đảng số.
        Attached = "attached",
    }
}

impl Category {
    /// The heading of the attendance sheet's section.
    pub fn heading(self) -> &'static str {
        match self {
            Category::Expected => "Đảng viên phải có mặt",
            Category::Exempt => "Miễn sinh hoạt",
            Category::Away => "Đang sinh hoạt tạm thời nơi khác",
            Category::Attached => "Sinh hoạt tạm thời tại chi bộ (không tính vào đảng số)",
        }
    }

    /// From the member's life-cycle state and whether their membership here is temporary.
    pub fn of(lifecycle: Lifecycle, temporary_here: bool) -> Self {
        if temporary_here {
            Category::Attached
        } else {
            match lifecycle {
                Lifecycle::Exempt => Category::Exempt,
                Lifecycle::Away => Category::Away,
                _ => Category::Expected,
            }
        }
    }
}

text_code! {
    /// How a member attended.
    pub enum Presence {
        Present = "present",
        Late = "late",
        AbsentExcused = "absent_excused",
        AbsentUnexcused = "absent_unexcused",
    }
}

impl Presence {
    /// The short label of the attendance button.
    pub fn tap_label(self) -> &'static str {
        match self {
            Presence::Present => "Có mặt",
            Presence::Late => "Muộn",
            Presence::AbsentExcused => "Vắng có lý do",
            Presence::AbsentUnexcused => "Vắng không lý do",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Presence::Present => "Có mặt",
            Presence::Late => "Đến muộn",
            Presence::AbsentExcused => "Vắng có lý do",
            Presence::AbsentUnexcused => "Vắng không lý do",
        }
    }

    pub fn attended(self) -> bool {
        matches!(self, Presence::Present | Presence::Late)
    }
}

text_code! {
    /// Why a member is absent with reason, as the sheet offers it; the free text beside it
    /// (`attendance.reason`) gives the detail, and is the whole reason for `Other`.
    pub enum AbsenceReason {
        Illness = "illness",
        Work = "work",
        Family = "family",
        Other = "other",
    }
}

impl AbsenceReason {
    pub fn label(self) -> &'static str {
        match self {
            AbsenceReason::Illness => "Ốm",
            AbsenceReason::Work => "Công tác",
            AbsenceReason::Family => "Việc gia đình",
            AbsenceReason::Other => "Khác",
        }
    }

    /// Only "other" says nothing by itself: its text is required.
    pub fn needs_detail(self) -> bool {
        self == AbsenceReason::Other
    }
}

/// An excused absence's reason as the sheet and the minutes word it: the code's label, then
/// the detail ("Ốm, sốt cao"); a row written before codes existed has its text alone.
pub fn excuse_label(code: Option<AbsenceReason>, detail: Option<&str>) -> Option<String> {
    match (code, detail) {
        (Some(c), Some(d)) => Some(format!("{}, {d}", c.label())),
        (Some(c), None) => Some(c.label().to_owned()),
        (None, Some(d)) => Some(d.to_owned()),
        (None, None) => None,
    }
}

/// One row of a meeting's attendance.
#[derive(Debug, Clone, Copy)]
pub struct Mark {
    pub category: Category,
    /// Dự bị members attend but cannot vote.
    pub full_member: bool,
    pub presence: Option<Presence>,
}

/// The figures of the minutes and of scoring (docs/rules.md §9.2).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Summary {
    /// Đảng số: every member whose permanent branch this is.
    pub dang_so: usize,
    /// Expected at the meeting: đảng số less the exempt and those away.
    pub base: usize,
    /// Expected members who came (late included).
    pub present: usize,
    pub late: usize,
    pub absent_excused: usize,
    pub absent_unexcused: usize,
    /// Expected members not yet marked.
    pub unmarked: usize,
    /// Exempt or away members who came anyway.
    pub others_present: usize,
    /// Temporarily attached members who came (reported apart).
    pub attached_present: usize,
    pub attached: usize,
}

impl Summary {
    /// present ÷ base; none when nobody is expected.
    pub fn rate(&self) -> Option<Rate> {
        Rate::of(self.present as i64, self.base as i64)
    }
}

pub fn summarise(marks: &[Mark]) -> Summary {
    let mut s = Summary::default();
    for m in marks {
        match m.category {
            Category::Attached => {
                s.attached += 1;
                if m.presence.is_some_and(Presence::attended) {
                    s.attached_present += 1;
                }
            }
            Category::Exempt | Category::Away => {
                s.dang_so += 1;
                if m.presence.is_some_and(Presence::attended) {
                    s.others_present += 1;
                }
            }
            Category::Expected => {
                s.dang_so += 1;
                s.base += 1;
                match m.presence {
                    None => s.unmarked += 1,
                    Some(Presence::Present) => s.present += 1,
                    Some(Presence::Late) => {
                        s.present += 1;
                        s.late += 1;
                    }
                    Some(Presence::AbsentExcused) => s.absent_excused += 1,
                    Some(Presence::AbsentUnexcused) => s.absent_unexcused += 1,
                }
            }
        }
    }
    s
}

/// Who may vote on a resolution (docs/rules.md §3.5): full members of the branch, less those on
/// temporary transfer elsewhere and the exempt who are not there (an exempt member who
/// attends counts). Probationers and temporarily attached members do not vote here.
pub fn eligible_voters(marks: &[Mark]) -> usize {
    marks
        .iter()
        .filter(|m| m.full_member)
        .filter(|m| match m.category {
            Category::Expected => true,
            Category::Exempt => m.presence.is_some_and(Presence::attended),
            Category::Away | Category::Attached => false,
        })
        .count()
}

/// A coded value of a meeting's record as a reader knows it, for the "Lịch sử" page
/// (`presence` "absent_excused" → "Vắng có lý do"); `None` for what is not a code here.
pub fn value_label(key: &str, code: &str) -> Option<&'static str> {
    match key {
        "presence" => Presence::parse(code).map(Presence::label),
        "reason_code" => AbsenceReason::parse(code).map(AbsenceReason::label),
        "review" => Review::parse(code).map(Review::label),
        "state" => MeetingState::parse(code).map(MeetingState::label),
        "kind" => MeetingKind::parse(code).map(MeetingKind::label),
        _ => None,
    }
}

/// The eligible voters who are at the meeting (present or late): what a show of hands
/// counts when everyone there agrees, offered as the "tán thành" figure of a new vote.
pub fn voters_present(marks: &[Mark]) -> usize {
    marks
        .iter()
        .filter(|m| m.full_member && m.presence.is_some_and(Presence::attended))
        .filter(|m| matches!(m.category, Category::Expected | Category::Exempt))
        .count()
}

/// A vote as recorded: refused when it cannot be true; passed when more than half of the
/// eligible base approved.
pub fn vote_outcome(
    votes_for: u32,
    against: u32,
    abstain: u32,
    eligible: u32,
) -> Result<bool, MeetingRefusal> {
    // Saturating: counts a form could send must not wrap into a small, plausible sum.
    let cast = votes_for.saturating_add(against).saturating_add(abstain);
    if cast > eligible {
        return Err(MeetingRefusal::TooManyVotes { cast, eligible });
    }
    Ok(2 * u64::from(votes_for) > u64::from(eligible))
}

/// The title of a branch type's variant of a kind's agenda template.
pub fn template_title(kind: MeetingKind, branch_type: crate::org::domain::BranchType) -> String {
    format!("{} — {}", kind.label(), branch_type.label())
}

/// Minutes between start and end; refused when the end is not after the start.
pub fn duration_minutes(
    start: chrono::NaiveDateTime,
    end: chrono::NaiveDateTime,
) -> Result<i64, MeetingRefusal> {
    let minutes = (end - start).num_minutes();
    if minutes <= 0 {
        return Err(MeetingRefusal::EndNotAfterStart);
    }
    if minutes > 12 * 60 {
        return Err(MeetingRefusal::TooLong);
    }
    Ok(minutes)
}

text_code! {
    /// How the next meeting judged a task.
    pub enum Review {
        Done = "done",
        Partly = "partly",
        NotDone = "not_done",
    }
}

impl Review {
    pub fn label(self) -> &'static str {
        match self {
            Review::Done => "Hoàn thành",
            Review::Partly => "Hoàn thành một phần",
            Review::NotDone => "Chưa hoàn thành",
        }
    }
}

/// Share of last meeting's tasks carried out: done counts 1, partly ½. None when no task was
/// reviewed.
pub fn completion_rate(reviews: &[Option<Review>]) -> Option<Rate> {
    let reviewed: Vec<Review> = reviews.iter().flatten().copied().collect();
    if reviewed.is_empty() {
        return None;
    }
    let score: f64 = reviewed
        .iter()
        .map(|r| match r {
            Review::Done => 1.0,
            Review::Partly => 0.5,
            Review::NotDone => 0.0,
        })
        .sum();
    Rate::of_fraction(score / reviewed.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excused_absence_reads_as_its_code_then_its_detail() {
        assert_eq!(
            excuse_label(Some(AbsenceReason::Illness), Some("sốt cao")).as_deref(),
            Some("Ốm, sốt cao")
        );
        assert_eq!(
            excuse_label(Some(AbsenceReason::Work), None).as_deref(),
            Some("Công tác")
        );
        // A row from before the codes: its text alone.
        assert_eq!(
            excuse_label(None, Some("Đi viện")).as_deref(),
            Some("Đi viện")
        );
        assert_eq!(excuse_label(None, None), None);
        assert_eq!(AbsenceReason::parse("family"), Some(AbsenceReason::Family));
        assert_eq!(AbsenceReason::parse("om"), None);
        assert!(AbsenceReason::Other.needs_detail() && !AbsenceReason::Illness.needs_detail());
    }

    fn mark(category: Category, full_member: bool, presence: Option<Presence>) -> Mark {
        Mark {
            category,
            full_member,
            presence,
        }
    }

    /// A branch of 12: 8 expected full members, 2 expected probationers, 1 exempt (came),
    /// 1 away; plus 2 attached temporarily (1 came).
    fn branch() -> Vec<Mark> {
        use Category::*;
        use Presence::*;
        vec![
            mark(Expected, true, Some(Present)),
            mark(Expected, true, Some(Present)),
            mark(Expected, true, Some(Present)),
            mark(Expected, true, Some(Present)),
            mark(Expected, true, Some(Late)),
            mark(Expected, true, Some(AbsentExcused)),
            mark(Expected, true, Some(AbsentUnexcused)),
            mark(Expected, true, None),
            mark(Expected, false, Some(Present)),
            mark(Expected, false, Some(Present)),
            mark(Exempt, true, Some(Present)),
            mark(Away, true, None),
            mark(Attached, true, Some(Present)),
            mark(Attached, true, Some(AbsentExcused)),
        ]
    }

    #[test]
    fn the_attendance_base_leaves_out_the_exempt_the_away_and_the_attached() {
        let s = summarise(&branch());
        assert_eq!(s.dang_so, 12);
        assert_eq!(s.base, 10);
        assert_eq!(s.present, 7, "5 full (1 late) + 2 probationers");
        assert_eq!(
            (s.late, s.absent_excused, s.absent_unexcused, s.unmarked),
            (1, 1, 1, 1)
        );
        assert_eq!(
            (s.others_present, s.attached, s.attached_present),
            (1, 2, 1)
        );
        assert_eq!(s.rate().map(|r| r.to_string()), Some("70,0%".into()));
        assert_eq!(summarise(&[]).rate(), None);
    }

    #[test]
    fn probationers_and_guests_do_not_vote_but_a_present_exempt_member_does() {
        // 8 expected full + the exempt member who came.
        assert_eq!(eligible_voters(&branch()), 9);
        let mut marks = branch();
        marks[10].presence = None;
        assert_eq!(eligible_voters(&marks), 8);
    }

    #[test]
    fn a_vote_passes_with_more_than_half_of_the_eligible() {
        assert_eq!(vote_outcome(5, 3, 1, 9), Ok(true));
        assert_eq!(
            vote_outcome(4, 0, 0, 8),
            Ok(false),
            "exactly half is not more than half"
        );
        assert_eq!(vote_outcome(4, 0, 0, 9), Ok(false));
        assert_eq!(
            vote_outcome(8, 2, 0, 9),
            Err(MeetingRefusal::TooManyVotes {
                cast: 10,
                eligible: 9
            })
        );
        // Counts that would wrap a u32 sum into a small one are still too many.
        assert!(matches!(
            vote_outcome(1, u32::MAX, 1, 9),
            Err(MeetingRefusal::TooManyVotes { .. })
        ));
    }

    #[test]
    fn durations_and_their_minimum() {
        let at = |h, m| {
            chrono::NaiveDate::from_ymd_opt(2026, 11, 5)
                .unwrap()
                .and_hms_opt(h, m, 0)
                .unwrap()
        };
        assert_eq!(duration_minutes(at(19, 30), at(21, 5)), Ok(95));
        assert_eq!(
            duration_minutes(at(19, 30), at(19, 30)),
            Err(MeetingRefusal::EndNotAfterStart)
        );
        assert_eq!(
            duration_minutes(at(20, 0), at(19, 0)),
            Err(MeetingRefusal::EndNotAfterStart)
        );
        assert_eq!(
            duration_minutes(at(7, 0), at(19, 30)),
            Err(MeetingRefusal::TooLong)
        );
        assert_eq!(MeetingKind::Regular.minimum_minutes(), 90);
        assert_eq!(MeetingKind::Combined.minimum_minutes(), 120);
    }

    #[test]
    fn task_completion_counts_partly_as_half() {
        use Review::*;
        assert_eq!(
            completion_rate(&[Some(Done), Some(Partly), Some(NotDone), None]),
            Rate::of(1, 2)
        );
        assert_eq!(completion_rate(&[None]), None);
    }

    #[test]
    fn the_history_words_the_records_codes_and_leaves_the_rest() {
        assert_eq!(
            value_label("presence", "absent_excused"),
            Some("Vắng có lý do")
        );
        assert_eq!(value_label("reason_code", "illness"), Some("Ốm"));
        assert_eq!(
            value_label("state", "closed"),
            MeetingState::parse("closed").map(MeetingState::label)
        );
        assert_eq!(value_label("presence", "sốt cao"), None);
        assert_eq!(
            value_label("reason", "illness"),
            None,
            "free text stays as typed"
        );
    }

    #[test]
    fn the_voters_present_are_the_full_members_there_of_the_branch() {
        let mark = |category, full_member, presence| Mark {
            category,
            full_member,
            presence,
        };
        let marks = [
            mark(Category::Expected, true, Some(Presence::Present)),
            mark(Category::Expected, true, Some(Presence::Late)),
            mark(Category::Expected, true, Some(Presence::AbsentExcused)),
            mark(Category::Expected, true, None),
            mark(Category::Expected, false, Some(Presence::Present)),
            mark(Category::Exempt, true, Some(Presence::Present)),
            mark(Category::Exempt, true, None),
            mark(Category::Attached, true, Some(Presence::Present)),
            mark(Category::Away, true, Some(Presence::Present)),
        ];
        assert_eq!(voters_present(&marks), 3);
        assert_eq!(eligible_voters(&marks), 5);
    }

    /// A meeting held this morning 07:00–08:30, all named and marked, asked at 09:00.
    fn ready() -> HoldingRecord {
        let at = |h, m| {
            chrono::NaiveDate::from_ymd_opt(2026, 12, 2)
                .unwrap()
                .and_hms_opt(h, m, 0)
                .unwrap()
                .and_utc()
        };
        HoldingRecord {
            started_at: Some(at(0, 0)),
            ended_at: Some(at(1, 30)),
            chair: true,
            minute_taker: true,
            unmarked: 0,
            items: vec![item(
                "Thông qua chương trình",
                Some("Chi bộ thống nhất"),
                None,
                false,
            )],
            now: at(2, 0),
        }
    }

    fn item(
        title: &str,
        minutes: Option<&str>,
        conclusion: Option<&str>,
        nothing_to_record: bool,
    ) -> ItemRecord {
        ItemRecord {
            title: title.into(),
            minutes: minutes.map(Into::into),
            conclusion: conclusion.map(Into::into),
            nothing_to_record,
        }
    }

    #[test]
    fn the_minutes_close_only_once_every_item_is_written_or_marked_empty() {
        use MeetingState::*;
        let items = vec![
            item(
                "Tuyên bố lý do",
                Some("Đồng chí bí thư tuyên bố lý do"),
                None,
                false,
            ),
            item("Điểm danh", None, Some("Có mặt 9/10"), false),
            item("Báo cáo đảng phí", None, None, false),
            item("Thông tin thời sự", Some("   "), None, false),
            item("Phát triển đảng viên", None, None, true),
        ];
        assert_eq!(
            items_lacking_minutes(&items),
            vec![
                (3, "Báo cáo đảng phí".into()),
                (4, "Thông tin thời sự".into())
            ],
            "blank text is not minutes; the item marked empty is done"
        );
        let close = |items: Vec<ItemRecord>| {
            transition(Held, Closed, &HoldingRecord { items, ..ready() }, None)
        };
        assert_eq!(
            close(items.clone()),
            Err(MeetingRefusal::MinutesMissing {
                items: vec![
                    (3, "Báo cáo đảng phí".into()),
                    (4, "Thông tin thời sự".into())
                ]
            })
        );
        let mut done = items;
        done[2].nothing_to_record = true;
        done[3].minutes = Some("Phổ biến nghị quyết của đảng ủy phường".into());
        assert_eq!(close(done), Ok(MeetingEvent::Closed));
        assert_eq!(
            close(vec![]),
            Ok(MeetingEvent::Closed),
            "no agenda, nothing to write"
        );
        // Reopening and confirming held do not look at the minutes.
        let bare = HoldingRecord {
            items: vec![item("Báo cáo đảng phí", None, None, false)],
            ..ready()
        };
        assert_eq!(
            transition(Planned, Held, &bare, None),
            Ok(MeetingEvent::Held)
        );
        assert_eq!(
            transition(Closed, Held, &bare, Some("Bổ sung")),
            Ok(MeetingEvent::Reopened)
        );
    }

    #[test]
    fn the_printed_minutes_record_each_reopening_and_withdrawal() {
        let on = NaiveDate::from_ymd_opt(2026, 12, 2).unwrap();
        assert_eq!(
            MeetingEvent::Reopened
                .printed(on, Some("bổ sung ý kiến phát biểu"))
                .as_deref(),
            Some("Biên bản được mở lại ngày 02/12/2026 vì bổ sung ý kiến phát biểu.")
        );
        assert_eq!(
            MeetingEvent::ApprovalWithdrawn
                .printed(on, Some("Chi bộ điểm danh sai"))
                .as_deref(),
            Some("Cấp trên hủy phê duyệt điểm ngày 02/12/2026 vì Chi bộ điểm danh sai.")
        );
        for e in [
            MeetingEvent::Planned,
            MeetingEvent::Held,
            MeetingEvent::Closed,
            MeetingEvent::Approved,
        ] {
            assert_eq!(e.printed(on, None), None, "{e}");
        }
        for &e in MeetingEvent::ALL {
            assert_eq!(MeetingEvent::parse(e.as_str()), Some(e));
        }
    }

    #[test]
    fn a_meeting_goes_planned_held_closed_and_reopens_only_with_a_reason() {
        use MeetingState::*;
        let r = ready();
        assert_eq!(transition(Planned, Held, &r, None), Ok(MeetingEvent::Held));
        assert_eq!(transition(Held, Closed, &r, None), Ok(MeetingEvent::Closed));
        assert_eq!(
            transition(Closed, Held, &r, Some("  ")),
            Err(MeetingRefusal::ReopenWithoutReason)
        );
        assert_eq!(
            transition(Closed, Held, &r, Some("Sửa số phiếu")),
            Ok(MeetingEvent::Reopened)
        );
        for (from, to) in [
            (Planned, Closed),
            (Held, Planned),
            (Closed, Planned),
            (Held, Held),
        ] {
            assert!(
                transition(from, to, &r, Some("x")).is_err(),
                "{from} → {to}"
            );
        }
    }

    #[test]
    fn a_meeting_is_held_only_once_it_has_taken_place_and_its_record_is_complete() {
        use MeetingState::*;
        let held = |r: HoldingRecord| transition(Planned, Held, &r, None);
        assert_eq!(
            held(HoldingRecord {
                ended_at: None,
                ..ready()
            }),
            Err(MeetingRefusal::HeldWithoutTimes)
        );
        let early = HoldingRecord {
            now: ready().started_at.unwrap() - chrono::Duration::minutes(1),
            ..ready()
        };
        assert_eq!(
            held(early),
            Err(MeetingRefusal::NotStartedYet {
                start: ready().started_at.unwrap()
            })
        );
        assert_eq!(
            held(HoldingRecord {
                chair: false,
                ..ready()
            }),
            Err(MeetingRefusal::NoChair)
        );
        assert_eq!(
            held(HoldingRecord {
                minute_taker: false,
                ..ready()
            }),
            Err(MeetingRefusal::NoMinuteTaker)
        );
        assert_eq!(
            held(HoldingRecord {
                unmarked: 3,
                ..ready()
            }),
            Err(MeetingRefusal::Unmarked { count: 3 })
        );
        // Reopening a closed meeting does not ask again.
        assert_eq!(
            transition(
                Closed,
                Held,
                &HoldingRecord {
                    unmarked: 3,
                    ..ready()
                },
                Some("Bổ sung")
            ),
            Ok(MeetingEvent::Reopened)
        );
    }

    #[test]
    fn preparation_lies_between_the_previous_meeting_and_this_one() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let (after, until) = (d(11, 20), d(12, 22));
        let mut prep = [None; 5];
        prep[0] = Some(d(12, 15));
        prep[2] = Some(d(12, 22));
        assert_eq!(check_preparation(&prep, after, until), Ok(()));
        for (bad, when) in [
            (d(12, 23), "after the meeting"),
            (d(11, 20), "on the previous meeting's day"),
        ] {
            prep[3] = Some(bad);
            assert_eq!(
                check_preparation(&prep, after, until),
                Err(MeetingRefusal::PreparationOutside {
                    step: PrepStep::MaterialsPosted,
                    after,
                    until
                }),
                "{when}"
            );
        }
        prep[3] = NaiveDate::from_ymd_opt(1990, 12, 1);
        assert!(check_preparation(&prep, after, until).is_err(), "1990");
    }

    #[test]
    fn categories_follow_the_registry() {
        assert_eq!(Category::of(Lifecycle::Active, false), Category::Expected);
        assert_eq!(Category::of(Lifecycle::Exempt, false), Category::Exempt);
        assert_eq!(Category::of(Lifecycle::Away, false), Category::Away);
        assert_eq!(Category::of(Lifecycle::Active, true), Category::Attached);
        for &k in MeetingKind::ALL {
            assert_eq!(MeetingKind::parse(k.as_str()), Some(k));
        }
        assert!(MeetingKind::Combined.is_regular() && MeetingKind::Combined.is_thematic());
    }
}
