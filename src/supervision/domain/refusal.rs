//! What the supervision stores refuse, typed; worded here and shown by the form under
//! `field()`.

use chrono::NaiveDate;

/// A model-meeting plan the programme does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelRefusal {
    /// Not a branch, closed, or outside the programme's unit.
    NotABranchHere,
    /// The branch already hosts a model meeting in that month.
    AlreadyPlanned { month: NaiveDate },
    /// A review dated before the model meeting's month: it cannot have been drawn yet.
    ReviewBeforeMeeting { month: NaiveDate },
    /// The branch was founded after the month planned.
    BranchNotYetFounded { founded: NaiveDate },
    /// The month's meeting is already approved: its record is frozen, so it cannot become
    /// a model meeting after the fact.
    MeetingApproved { month: NaiveDate },
}

impl crate::error::Refusal for ModelRefusal {
    fn field(&self) -> &'static str {
        match self {
            ModelRefusal::NotABranchHere
            | ModelRefusal::AlreadyPlanned { .. }
            | ModelRefusal::MeetingApproved { .. } => "branch",
            ModelRefusal::BranchNotYetFounded { .. } => "month",
            ModelRefusal::ReviewBeforeMeeting { .. } => "reviewed_at",
        }
    }

    fn message(&self) -> String {
        match self {
            ModelRefusal::NotABranchHere => "Chọn một chi bộ đang hoạt động thuộc đơn vị.".into(),
            ModelRefusal::AlreadyPlanned { month } => format!(
                "Chi bộ này đã có kế hoạch sinh hoạt điểm tháng {}.",
                month.format("%m/%Y")
            ),
            ModelRefusal::ReviewBeforeMeeting { month } => format!(
                "Buổi sinh hoạt điểm được lên kế hoạch tháng {}: ngày rút kinh nghiệm không thể trước tháng đó.",
                month.format("%m/%Y")
            ),
            ModelRefusal::BranchNotYetFounded { founded } => format!(
                "Chi bộ này thành lập ngày {}: chọn tháng từ tháng {} trở đi.",
                crate::web::vn_date(*founded),
                founded.format("%m/%Y")
            ),
            ModelRefusal::MeetingApproved { month } => format!(
                "Cuộc sinh hoạt tháng {} của chi bộ này đã được phê duyệt điểm; không chọn làm sinh hoạt điểm được nữa.",
                month.format("%m/%Y")
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Refusal;

    #[test]
    fn a_refusal_names_the_branch_field_and_the_month() {
        let r = ModelRefusal::AlreadyPlanned {
            month: NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
        };
        assert_eq!(r.field(), "branch");
        assert_eq!(
            r.message(),
            "Chi bộ này đã có kế hoạch sinh hoạt điểm tháng 03/2026."
        );
        assert_eq!(ModelRefusal::NotABranchHere.field(), "branch");
        let founded = ModelRefusal::BranchNotYetFounded {
            founded: NaiveDate::from_ymd_opt(2026, 4, 15).unwrap(),
        };
        assert_eq!(founded.field(), "month");
        assert_eq!(
            founded.message(),
            "Chi bộ này thành lập ngày 15/04/2026: chọn tháng từ tháng 04/2026 trở đi."
        );
        assert_eq!(
            ModelRefusal::NotABranchHere.message(),
            "Chọn một chi bộ đang hoạt động thuộc đơn vị."
        );
    }
}
