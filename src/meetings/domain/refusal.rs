//! What the meeting stores refuse, typed; worded here, next to the other labels, and shown
//! by the form under `field()`.

use chrono::NaiveDate;

use crate::web::vn_date;

/// A change to a meeting that its record does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeetingRefusal {
    /// The upper committee approved the meeting's score (at `at`, by `by`): its whole record
    /// is frozen until the approval is withdrawn (docs/rules.md §3.6).
    Approved {
        at: chrono::DateTime<chrono::Utc>,
        by: Option<String>,
    },
    /// The minutes are closed; reopening (with a reason) comes first.
    Closed,
    /// Closing the minutes with agenda items (number, title) that have neither minutes
    /// nor the mark "nothing to record".
    MinutesMissing { items: Vec<(usize, String)> },
    /// Attendance cannot change once the minutes are closed.
    AttendanceClosed,
    /// The branch did not exist (or no longer existed) in the meeting's month.
    InactiveInMonth {
        unit: String,
        month: NaiveDate,
        from: NaiveDate,
        to: Option<NaiveDate>,
    },
    /// The planned day is outside the meeting's month.
    PlannedOutsideMonth,
    /// The month already has its regular meeting (or a combined session).
    RegularTaken { month: NaiveDate },
    /// The chair or the minute-taker is not on the meeting's list.
    NotListed { field: &'static str },
    /// A task given to a member who does not belong to the branch.
    AssigneeElsewhere,
    /// A task with neither a member nor a group.
    NoAssignee,
    /// A task due before the meeting's month.
    DueBeforeMonth,
    /// A reason saved for a member not marked absent with reason.
    NotExcused,
    /// "Spoke" ticked for a member marked absent.
    SpokeWhileAbsent,
    /// The end is not after the start.
    EndNotAfterStart,
    /// Longer than any meeting is (docs/rules.md §3.3): a typing mistake.
    TooLong,
    /// More votes cast than members entitled to vote.
    TooManyVotes { cast: u32, eligible: u32 },
    /// Marked held without the start and end times.
    HeldWithoutTimes,
    /// Marked held before its start.
    NotStartedYet {
        start: chrono::DateTime<chrono::Utc>,
    },
    /// Marked held with nobody named to chair it.
    NoChair,
    /// Marked held with nobody named to keep the minutes.
    NoMinuteTaker,
    /// Marked held with members expected still unmarked.
    Unmarked { count: usize },
    /// Reopened without a reason.
    ReopenWithoutReason,
    /// A state change the meeting's life does not have.
    NoSuchTransition,
    /// An agenda template for this kind and branch type already exists.
    TemplateExists,
    /// The guest (same name, same unit) is invited already: a second click, or two people
    /// adding the same guest at once.
    GuestInvited { name: String },
    /// The guest was removed already (a second click, or someone else removed them).
    GuestGone,
    /// A preparation step dated before the previous meeting or after this one.
    PreparationOutside {
        step: super::PrepStep,
        after: NaiveDate,
        until: NaiveDate,
    },
}

impl crate::error::Refusal for MeetingRefusal {
    fn field(&self) -> &'static str {
        use MeetingRefusal::*;
        match self {
            Approved { .. } | Closed | AttendanceClosed | HeldWithoutTimes | NoSuchTransition => {
                "form"
            }
            MinutesMissing { .. } => "form",
            NotStartedYet { .. } | NoChair | NoMinuteTaker | Unmarked { .. } => "form",
            InactiveInMonth { .. } => "month",
            PlannedOutsideMonth => "planned_at",
            RegularTaken { .. } => "kind",
            TemplateExists => "branch_type",
            GuestInvited { .. } => "name",
            GuestGone => "form",
            PreparationOutside { step, .. } => step.field(),
            NotListed { field } => field,
            AssigneeElsewhere | NoAssignee => "member",
            DueBeforeMonth => "due_on",
            ReopenWithoutReason => "reason",
            NotExcused => "reason_code",
            SpokeWhileAbsent => "spoke",
            EndNotAfterStart | TooLong => "ended_at",
            TooManyVotes { .. } => "votes_for",
        }
    }

    fn message(&self) -> String {
        use MeetingRefusal::*;
        match self {
            Approved { at, by } => format!(
                "Điểm của buổi sinh hoạt đã được cấp trên phê duyệt ngày {}{}: biên bản, điểm danh, chương trình, biểu quyết và nhiệm vụ đã chốt, không sửa được. Muốn sửa, đề nghị cấp ủy cấp trên hủy phê duyệt (có ghi lý do).",
                vn_date(at.with_timezone(&crate::clock::ZONE).date_naive()),
                by.as_deref().map(|b| format!(" ({b})")).unwrap_or_default()
            ),
            MinutesMissing { items } => {
                // The first three by number and title; the rest counted.
                let named: Vec<String> = items
                    .iter()
                    .take(3)
                    .map(|(n, title)| format!("{n}. {title}"))
                    .collect();
                let more = items.len().saturating_sub(3);
                format!(
                    "Chưa ghi biên bản của nội dung: {}{}. Ghi diễn biến, kết luận hoặc đánh dấu “Không có nội dung ghi” cho từng nội dung rồi mới khóa biên bản.",
                    named.join("; "),
                    if more > 0 {
                        format!(" và {more} nội dung khác")
                    } else {
                        String::new()
                    }
                )
            }
            Closed => "Biên bản đã khóa: muốn sửa phải mở lại biên bản (có ghi lý do).".into(),
            AttendanceClosed => "Biên bản đã khóa: không sửa được điểm danh.".into(),
            InactiveInMonth {
                unit,
                month,
                from,
                to,
            } => format!(
                "{unit} không hoạt động trong tháng {} (thành lập {}{}).",
                month.format("%m/%Y"),
                vn_date(*from),
                to.map(|t| format!(", ngừng hoạt động {}", vn_date(t)))
                    .unwrap_or_default()
            ),
            PlannedOutsideMonth => "Ngày họp phải nằm trong tháng của buổi sinh hoạt.".into(),
            RegularTaken { month } => format!(
                "Tháng {} chi bộ đã có buổi sinh hoạt thường kỳ.",
                month.format("%m/%Y")
            ),
            NotListed { .. } => {
                "Người được chọn không có trong danh sách của buổi sinh hoạt.".into()
            }
            AssigneeElsewhere => "Chỉ giao nhiệm vụ cho đảng viên sinh hoạt ở chi bộ này.".into(),
            NoAssignee => "Vui lòng chọn đảng viên hoặc ghi tên nhóm.".into(),
            DueBeforeMonth => "Thời hạn không thể trước tháng của buổi sinh hoạt.".into(),
            NotExcused => {
                "Chỉ ghi lý do cho đảng viên vắng có lý do: vui lòng chọn \"Vắng có lý do\" trước."
                    .into()
            }
            SpokeWhileAbsent => {
                "Đảng viên đang được ghi vắng mặt: không ghi phát biểu được.".into()
            }
            EndNotAfterStart => "Giờ kết thúc phải sau giờ bắt đầu.".into(),
            TooLong => {
                "Một buổi sinh hoạt không kéo dài quá 12 giờ; vui lòng kiểm tra lại giờ.".into()
            }
            TooManyVotes { cast, eligible } => format!(
                "Tổng số phiếu ({cast}) nhiều hơn số đảng viên có quyền biểu quyết ({eligible})."
            ),
            HeldWithoutTimes => {
                "Vui lòng ghi giờ bắt đầu và giờ kết thúc trước khi xác nhận đã họp.".into()
            }
            NotStartedYet { start } => format!(
                "Buổi sinh hoạt ghi bắt đầu lúc {}, chưa đến giờ: chỉ xác nhận đã họp sau khi buổi sinh hoạt đã diễn ra.",
                crate::web::vn_datetime(*start)
            ),
            NoChair => "Vui lòng chọn người chủ trì trước khi xác nhận đã họp.".into(),
            NoMinuteTaker => {
                "Vui lòng chọn thư ký (người ghi biên bản) trước khi xác nhận đã họp.".into()
            }
            Unmarked { count } => format!(
                "Còn {count} đảng viên chưa điểm danh: vui lòng điểm danh đủ trước khi xác nhận đã họp."
            ),
            ReopenWithoutReason => "Mở lại biên bản cần ghi lý do.".into(),
            NoSuchTransition => "Không chuyển được trạng thái này.".into(),
            PreparationOutside { after, until, .. } => format!(
                "Ngày chuẩn bị phải sau buổi sinh hoạt trước ({}) và không muộn hơn ngày họp ({}).",
                vn_date(*after),
                vn_date(*until)
            ),
            TemplateExists => {
                "Đã có chương trình mẫu cho loại buổi và loại hình chi bộ này.".into()
            }
            GuestInvited { name } => format!("{name} đã có trong danh sách khách mời."),
            GuestGone => {
                "Khách mời này đã được bỏ khỏi danh sách (có thể người khác vừa bỏ).".into()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Refusal;

    #[test]
    fn a_refusal_names_its_field_and_the_facts_it_is_about() {
        let r = MeetingRefusal::InactiveInMonth {
            unit: "Chi bộ thôn 1".into(),
            month: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            from: NaiveDate::from_ymd_opt(2026, 5, 4).unwrap(),
            to: None,
        };
        assert_eq!(r.field(), "month");
        assert_eq!(
            r.message(),
            "Chi bộ thôn 1 không hoạt động trong tháng 03/2026 (thành lập 04/05/2026)."
        );
        let votes = MeetingRefusal::TooManyVotes {
            cast: 12,
            eligible: 10,
        };
        assert_eq!(votes.field(), "votes_for");
        assert!(votes.message().contains("(12)") && votes.message().contains("(10)"));
        assert_eq!(
            MeetingRefusal::NotListed { field: "chair_id" }.field(),
            "chair_id"
        );
        let invited = MeetingRefusal::GuestInvited {
            name: "Nguyễn Văn Khách".into(),
        };
        assert_eq!(invited.field(), "name");
        assert_eq!(
            invited.message(),
            "Nguyễn Văn Khách đã có trong danh sách khách mời."
        );
        assert_eq!(MeetingRefusal::GuestGone.field(), "form");
        assert_eq!(MeetingRefusal::NotExcused.field(), "reason_code");
        assert!(
            MeetingRefusal::NotExcused
                .message()
                .contains("Vắng có lý do")
        );
        assert_eq!(MeetingRefusal::SpokeWhileAbsent.field(), "spoke");
    }

    #[test]
    fn an_approved_record_names_the_day_and_the_approver_and_the_way_out() {
        // 23:30 UTC on 1 December is 06:30 on 2 December in Vietnam.
        let at = NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(23, 30, 0)
            .unwrap()
            .and_utc();
        let r = MeetingRefusal::Approved {
            at,
            by: Some("Đảng ủy phường Sông Trí".into()),
        };
        assert_eq!(r.field(), "form");
        assert_eq!(
            r.message(),
            "Điểm của buổi sinh hoạt đã được cấp trên phê duyệt ngày 02/12/2026 (Đảng ủy phường Sông Trí): biên bản, điểm danh, chương trình, biểu quyết và nhiệm vụ đã chốt, không sửa được. Muốn sửa, đề nghị cấp ủy cấp trên hủy phê duyệt (có ghi lý do)."
        );
        assert!(
            MeetingRefusal::Approved { at, by: None }
                .message()
                .starts_with("Điểm của buổi sinh hoạt đã được cấp trên phê duyệt ngày 02/12/2026:")
        );
    }

    #[test]
    fn closing_without_minutes_names_the_first_items_lacking_them() {
        let one = MeetingRefusal::MinutesMissing {
            items: vec![(3, "Báo cáo tình hình thu, nộp đảng phí".into())],
        };
        assert_eq!(one.field(), "form");
        assert_eq!(
            one.message(),
            "Chưa ghi biên bản của nội dung: 3. Báo cáo tình hình thu, nộp đảng phí. Ghi diễn biến, kết luận hoặc đánh dấu “Không có nội dung ghi” cho từng nội dung rồi mới khóa biên bản."
        );
        let many = MeetingRefusal::MinutesMissing {
            items: (1..=5).map(|n| (n, format!("Mục {n}"))).collect(),
        };
        assert!(many.message().starts_with(
            "Chưa ghi biên bản của nội dung: 1. Mục 1; 2. Mục 2; 3. Mục 3 và 2 nội dung khác."
        ));
    }
}
