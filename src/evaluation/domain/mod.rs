//! The codes of the scoring workflow (docs/rules.md §2.3 e–f) and its one path: draft →
//! agreed → submitted → returned or approved. Pure: no database.

use crate::codes::text_code;

mod applicable;
mod refusal;
pub use applicable::{Candidate, Reason, applicable};
pub use refusal::{RubricRefusal, SheetRefusal};

text_code! {
    /// Where a score sheet stands.
    pub enum SheetState {
        Draft = "draft",
        /// The branch agreed its self-score.
        Agreed = "agreed",
        /// Sent up to the committee above.
        Submitted = "submitted",
        /// Returned by the committee above, with a comment.
        Returned = "returned",
        /// Approved: every sheet of the meeting is locked.
        Approved = "approved",
    }
}

impl SheetState {
    pub fn label(self) -> &'static str {
        match self {
            SheetState::Draft => "Bản nháp",
            SheetState::Agreed => "Chi bộ đã thống nhất",
            SheetState::Submitted => "Đã gửi cấp trên",
            SheetState::Returned => "Cấp trên trả lại",
            SheetState::Approved => "Đã phê duyệt",
        }
    }

    /// The branch may still change its score.
    pub fn is_editable(self) -> bool {
        matches!(
            self,
            SheetState::Draft | SheetState::Agreed | SheetState::Returned
        )
    }
}

text_code! {
    /// Who scored a sheet.
    pub enum Scorer {
        /// The branch's own self-score (one per meeting).
        Branch = "branch",
        /// A supervisor of the committee above (one per supervisor and meeting).
        Upper = "upper",
    }
}

text_code! {
    /// What happened to a sheet, as its history lists it.
    pub enum SheetEvent {
        Saved = "saved",
        Agreed = "agreed",
        Submitted = "submitted",
        Returned = "returned",
        Approved = "approved",
        /// Changed again after the branch had agreed it.
        Reopened = "reopened",
        /// The upper committee withdrew its approval, with a reason.
        Withdrawn = "withdrawn",
    }
}

impl SheetEvent {
    pub fn label(self) -> &'static str {
        match self {
            SheetEvent::Saved => "Lưu điểm",
            SheetEvent::Agreed => "Chi bộ thống nhất điểm",
            SheetEvent::Submitted => "Gửi cấp trên",
            SheetEvent::Returned => "Cấp trên trả lại",
            SheetEvent::Approved => "Cấp trên phê duyệt",
            SheetEvent::Reopened => "Sửa lại sau khi thống nhất",
            SheetEvent::Withdrawn => "Cấp trên hủy phê duyệt",
        }
    }

    /// The sheet's state after this step (its state on a past day is the one after the
    /// day's last step): a save, or a change after agreeing, leaves a draft.
    pub fn state_after(self) -> SheetState {
        match self {
            SheetEvent::Saved | SheetEvent::Reopened => SheetState::Draft,
            SheetEvent::Agreed => SheetState::Agreed,
            SheetEvent::Submitted => SheetState::Submitted,
            // A withdrawn approval sends the sheet back to the branch, as a return does.
            SheetEvent::Returned | SheetEvent::Withdrawn => SheetState::Returned,
            SheetEvent::Approved => SheetState::Approved,
        }
    }
}

text_code! {
    /// A rubric in the registry: a draft is edited; a published one never changes.
    pub enum RubricStatus {
        Draft = "draft",
        Published = "published",
    }
}

text_code! {
    /// A step of the review, as the form sends it.
    pub enum Step {
        /// The branch agreed its score (draft → agreed).
        Agree = "agree",
        /// The secretary sends it up (agreed → submitted).
        Submit = "submit",
        /// The upper committee returns it with a comment (submitted → returned).
        Return = "return",
        /// The upper committee approves it (submitted → approved), locking every sheet.
        Approve = "approve",
        /// The upper committee withdraws its approval, with a reason (approved → returned).
        Withdraw = "withdraw",
    }
}

impl Step {
    /// The states the step starts from, the state it leads to, and the event it records.
    pub fn transition(self) -> (&'static [SheetState], SheetState, SheetEvent) {
        match self {
            Step::Agree => (&[SheetState::Draft], SheetState::Agreed, SheetEvent::Agreed),
            Step::Submit => (
                &[SheetState::Agreed],
                SheetState::Submitted,
                SheetEvent::Submitted,
            ),
            Step::Return => (
                &[SheetState::Submitted],
                SheetState::Returned,
                SheetEvent::Returned,
            ),
            Step::Approve => (
                &[SheetState::Submitted],
                SheetState::Approved,
                SheetEvent::Approved,
            ),
            // Back to "returned", not "submitted" (docs/rules.md §3.6): an approval is
            // withdrawn because the record must change, so the branch gets its sheet back to
            // correct, and sending it up again re-scores it with the corrected record and
            // needs the minutes closed again. Left "submitted", the sheet would wait for a
            // new approval scored on the record as it was.
            Step::Withdraw => (
                &[SheetState::Approved],
                SheetState::Returned,
                SheetEvent::Withdrawn,
            ),
        }
    }

    /// The review's decision steps, taken by the committee above.
    pub fn is_decision(self) -> bool {
        matches!(self, Step::Return | Step::Approve | Step::Withdraw)
    }

    /// The step must say why (the branch reads it as the committee's comment).
    pub fn needs_reason(self) -> bool {
        matches!(self, Step::Return | Step::Withdraw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheet_moves_only_along_the_review() {
        let reach = |from: SheetState| -> Vec<SheetState> {
            Step::ALL
                .iter()
                .filter(|s| s.transition().0.contains(&from))
                .map(|s| s.transition().1)
                .collect()
        };
        assert_eq!(reach(SheetState::Draft), vec![SheetState::Agreed]);
        assert_eq!(reach(SheetState::Agreed), vec![SheetState::Submitted]);
        assert_eq!(
            reach(SheetState::Submitted),
            vec![SheetState::Returned, SheetState::Approved]
        );
        assert_eq!(
            reach(SheetState::Approved),
            vec![SheetState::Returned],
            "only a withdrawal leaves an approval, and it hands the sheet back"
        );
        assert!(SheetState::Returned.is_editable());
        assert!(Step::Withdraw.is_decision() && Step::Withdraw.needs_reason());
        assert!(!Step::Approve.needs_reason());
        assert!(
            reach(SheetState::Returned).is_empty(),
            "a returned sheet is saved again first"
        );
        assert!(SheetState::Returned.is_editable() && !SheetState::Submitted.is_editable());
    }
}

/// The subject of the branch's vote adopting its self-score, as the minutes record it
/// (Quy định 17-QĐ/TU, docs/rules.md §3.6): the score proposed and its class.
pub fn adoption_subject(total: &str, class_label: &str) -> String {
    format!(
        "Thông qua kết quả tự đánh giá, xếp loại chất lượng sinh hoạt chi bộ: {total} điểm, xếp loại {class_label}"
    )
}

#[cfg(test)]
mod adoption_tests {
    #[test]
    fn the_adoption_names_the_score_and_the_class() {
        assert_eq!(
            super::adoption_subject("86,5", "Khá"),
            "Thông qua kết quả tự đánh giá, xếp loại chất lượng sinh hoạt chi bộ: 86,5 điểm, xếp loại Khá"
        );
    }
}
