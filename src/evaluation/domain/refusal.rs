//! What the scoring workflow and the rubric registry refuse, typed; worded here, next to
//! the other labels, and shown by the form under `field()`.

use chrono::NaiveDate;

use super::SheetState;
use crate::web::vn_date;

/// A change to a meeting's score sheets that the review does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetRefusal {
    /// The committee above approved the meeting's score: every sheet is locked.
    Approved,
    /// The branch's sheet waits at the committee above.
    AwaitingReview,
    /// The step does not start from the sheet's state.
    WrongState { state: SheetState },
    /// No self-score of the branch to review.
    NotScored,
    /// A member of the branch's committee cannot decide on the branch's own score.
    OwnBranch,
    /// The minutes must be closed before the score is sent up.
    MinutesOpen,
    /// Scored again with the record's figures, a criterion no longer scores.
    RescoreNeeded,
    /// Returned without saying why.
    ReturnWithoutReason,
    /// An approval withdrawn without saying why.
    WithdrawWithoutReason,
    /// The minutes were reopened after the score was sent up: the record the approval
    /// would freeze is not final.
    MinutesReopened,
    /// The branch's vote did not adopt the proposed score (not more than half of the base).
    AdoptionNotPassed { votes_for: u32, eligible: u32 },
    /// Sent up before the branch voted to adopt the score.
    NotAdopted,
    /// Only the committee directly above the branch decides on its score.
    NotDirectlyAbove { committee: String },
}

impl crate::error::Refusal for SheetRefusal {
    fn field(&self) -> &'static str {
        match self {
            SheetRefusal::ReturnWithoutReason | SheetRefusal::WithdrawWithoutReason => "comment",
            SheetRefusal::AdoptionNotPassed { .. } => "votes_for",
            _ => "state",
        }
    }

    fn message(&self) -> String {
        use SheetRefusal::*;
        match self {
            Approved => {
                "Điểm của buổi sinh hoạt đã được cấp trên phê duyệt; không sửa được nữa.".into()
            }
            AwaitingReview => {
                "Điểm đã gửi cấp trên; chờ cấp trên phê duyệt hoặc trả lại rồi mới sửa.".into()
            }
            WrongState { state } => format!(
                "Điểm đang ở trạng thái “{}”; không thực hiện được bước này.",
                state.label()
            ),
            NotScored => "Chi bộ chưa chấm điểm buổi sinh hoạt này.".into(),
            OwnBranch => "Đồng chí giữ chức vụ trong chi ủy của chi bộ này nên không thể tự phê duyệt, trả lại hoặc hủy phê duyệt điểm của chi bộ mình; việc này do cấp ủy cấp trên thực hiện.".into(),
            MinutesOpen => "Khóa biên bản buổi sinh hoạt trước khi gửi điểm lên cấp trên.".into(),
            RescoreNeeded => "Có tiêu chí cần chấm lại theo số liệu mới của biên bản; lưu lại bảng điểm rồi gửi.".into(),
            ReturnWithoutReason => "Ghi rõ lý do trả lại để chi bộ biết cần sửa gì.".into(),
            WithdrawWithoutReason => {
                "Ghi rõ lý do hủy phê duyệt; lý do được lưu trong quá trình xét duyệt và in trên biên bản.".into()
            }
            AdoptionNotPassed { votes_for, eligible } => format!(
                "Chi bộ chưa thông qua điểm đề xuất: {votes_for} phiếu tán thành trên {eligible} đảng viên có quyền biểu quyết, cần hơn một nửa. Chi ủy xem lại điểm rồi đưa ra biểu quyết lại."
            ),
            NotAdopted => "Chi bộ chưa biểu quyết thông qua điểm tự chấm; ghi kết quả biểu quyết của chi bộ rồi mới gửi cấp trên.".into(),
            NotDirectlyAbove { committee } => format!(
                "Điểm của chi bộ do cấp ủy cấp trên trực tiếp ({committee}) xem xét, phê duyệt hoặc trả lại."
            ),
            MinutesReopened => "Chi bộ đang mở lại biên bản buổi sinh hoạt; chờ chi bộ khóa biên bản rồi mới phê duyệt.".into(),
        }
    }
}

/// A change to the rubric registry that it does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RubricRefusal {
    /// A published rubric is never edited.
    Published,
    /// A draft keeps its code.
    CodeChanged { code: String },
    /// Published already.
    AlreadyPublished,
    /// A version of the same code and scope is in force from `from`, on or after this one.
    LaterVersion { from: NaiveDate },
    /// The rubric does not pass its checks.
    HasProblems,
    /// Published from a day after its own end date.
    EndsBeforeStart { from: NaiveDate, to: NaiveDate },
    /// The scope is not one the administrator manages.
    ScopeNotAdministered,
}

impl crate::error::Refusal for RubricRefusal {
    fn field(&self) -> &'static str {
        use RubricRefusal::*;
        match self {
            Published | CodeChanged { .. } => "text",
            AlreadyPublished | LaterVersion { .. } | HasProblems | EndsBeforeStart { .. } => {
                "effective_from"
            }
            ScopeNotAdministered => "scope",
        }
    }

    fn message(&self) -> String {
        use RubricRefusal::*;
        match self {
            Published => "Bộ tiêu chí đã ban hành không sửa được; hãy tạo phiên bản mới.".into(),
            CodeChanged { code } => {
                format!("Mã bộ tiêu chí là “{code}”; muốn đổi mã thì nhập thành bộ tiêu chí mới.")
            }
            AlreadyPublished => "Bộ tiêu chí này đã được ban hành.".into(),
            LaterVersion { from } => format!(
                "Đã có phiên bản có hiệu lực từ {}; phiên bản mới phải có hiệu lực sau ngày đó.",
                vn_date(*from)
            ),
            HasProblems => "Bộ tiêu chí còn lỗi; sửa rồi mới ban hành.".into(),
            EndsBeforeStart { from, to } => format!(
                "Bản nháp hết hiệu lực ngày {}; không ban hành từ {} được. Sửa ngày hết hiệu lực hoặc chọn ngày sớm hơn.",
                vn_date(*to),
                vn_date(*from)
            ),
            ScopeNotAdministered => "Đồng chí không quản trị phạm vi này.".into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Refusal;

    #[test]
    fn a_refusal_names_its_field_and_the_facts_it_is_about() {
        let r = SheetRefusal::WrongState {
            state: SheetState::Submitted,
        };
        assert_eq!(r.field(), "state");
        assert_eq!(
            r.message(),
            "Điểm đang ở trạng thái “Đã gửi cấp trên”; không thực hiện được bước này."
        );
        assert_eq!(SheetRefusal::ReturnWithoutReason.field(), "comment");
        let r = SheetRefusal::WithdrawWithoutReason;
        assert_eq!(r.field(), "comment");
        assert!(r.message().starts_with("Ghi rõ lý do hủy phê duyệt"));
        assert_eq!(SheetRefusal::MinutesReopened.field(), "state");
        assert!(SheetRefusal::OwnBranch.message().contains("hủy phê duyệt"));
        let r = RubricRefusal::LaterVersion {
            from: NaiveDate::from_ymd_opt(2026, 7, 1).unwrap(),
        };
        assert_eq!(r.field(), "effective_from");
        assert!(
            r.message()
                .starts_with("Đã có phiên bản có hiệu lực từ 01/07/2026;")
        );
        let r = RubricRefusal::CodeChanged {
            code: "HD42-KHUNG".into(),
        };
        assert_eq!(
            (r.field(), r.message().as_str()),
            (
                "text",
                "Mã bộ tiêu chí là “HD42-KHUNG”; muốn đổi mã thì nhập thành bộ tiêu chí mới."
            )
        );
    }
}
