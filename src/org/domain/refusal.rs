//! What the organisation's rules and stores refuse, typed; worded here, next to the other
//! labels, and shown by the form under `field()`.

use chrono::NaiveDate;

use crate::web::vn_date;

/// Why a unit of one kind may not sit under another (see `placement_allowed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Only a province stands at the top.
    OnlyProvinceOnTop,
    /// A province never sits under another unit.
    ProvinceUnderUnit,
    /// A cell sits under a branch only.
    CellOutsideBranch,
    /// Only cells sit under a branch or a cell.
    UnderBranchOnlyCells,
}

impl Placement {
    /// The refusal of this placement, shown under `field` of the form that asked for it.
    pub fn on(self, field: &'static str) -> OrgRefusal {
        OrgRefusal::Misplaced { field, why: self }
    }

    fn message(self) -> &'static str {
        match self {
            Placement::OnlyProvinceOnTop => "Chỉ đảng bộ tỉnh mới đứng ở cấp cao nhất.",
            Placement::ProvinceUnderUnit => "Đảng bộ tỉnh không thể trực thuộc đơn vị khác.",
            Placement::CellOutsideBranch => "Tổ đảng chỉ trực thuộc một chi bộ.",
            Placement::UnderBranchOnlyCells => "Dưới chi bộ hoặc tổ đảng chỉ có tổ đảng.",
        }
    }
}

/// A change to the tree that its shape or its records do not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgRefusal {
    /// The name, trimmed, is empty.
    NameEmpty,
    /// The name is longer than `NAME_MAX` characters.
    NameTooLong,
    /// The unit's kind may not sit there (asked on the form's `field`).
    Misplaced { field: &'static str, why: Placement },
    /// A branch without its type, or another unit with one.
    BranchTypeMismatch,
    /// The parent of a new unit is closed.
    ParentClosed,
    /// A new unit founded before its parent.
    FoundedBeforeParent { parent_from: NaiveDate },
    /// An open unit of the same level already has the name.
    NameTaken,
    /// A rename to the name the unit has.
    SameName,
    /// A move into the unit itself or below it.
    MoveIntoItself,
    /// The new parent is closed.
    NewParentClosed,
    /// A closed unit does not move.
    MoveClosed,
    /// The unit already sits under the chosen parent.
    AlreadyUnder,
    /// The chosen parent does not exist.
    NewParentMissing,
    /// The new parent has an open unit of the same name.
    NewParentNameTaken,
    /// A closing day before the unit was founded.
    ClosedBeforeFounded { founded: NaiveDate },
    /// The unit is closed already.
    AlreadyClosed,
    /// Open units are still below the unit.
    OpenUnitsBelow { count: usize },
    /// Members still belong to the unit.
    OpenMembers { count: i64 },
    /// The chosen successor does not exist.
    SuccessorMissing,
    /// The successor is the unit itself, or closed.
    SuccessorInvalid,
    /// The unit to merge is closed.
    MergeSourceClosed,
    /// The unit to merge into does not exist.
    TargetMissing,
    /// A merge into the unit itself or below it.
    MergeIntoItself,
    /// The unit to merge into is closed.
    TargetClosed,
    /// Branch with branch, committee with committee, cell with cell only.
    OtherFamily,
    /// A merge dated before the target was founded.
    MergedBeforeTargetFounded { founded: NaiveDate },
    /// A merge dated before a member began in the source.
    MergedBeforeLatestJoin { day: NaiveDate },
}

impl crate::error::Refusal for OrgRefusal {
    fn field(&self) -> &'static str {
        use OrgRefusal::*;
        match self {
            NameEmpty | NameTooLong | NameTaken | SameName => "name",
            Misplaced { field, .. } => field,
            BranchTypeMismatch => "branch_type",
            FoundedBeforeParent { .. } => "valid_from",
            ParentClosed | MoveIntoItself | NewParentClosed | MoveClosed | AlreadyUnder
            | NewParentMissing | NewParentNameTaken => "parent",
            ClosedBeforeFounded { .. }
            | AlreadyClosed
            | OpenUnitsBelow { .. }
            | OpenMembers { .. }
            | MergedBeforeTargetFounded { .. }
            | MergedBeforeLatestJoin { .. } => "date",
            SuccessorMissing | SuccessorInvalid => "successors",
            MergeSourceClosed | TargetMissing | MergeIntoItself | TargetClosed | OtherFamily => {
                "target"
            }
        }
    }

    fn message(&self) -> String {
        use OrgRefusal::*;
        match self {
            NameEmpty => "Tên đơn vị không được để trống.".into(),
            NameTooLong => "Tên đơn vị không được dài quá 200 ký tự.".into(),
            Misplaced { why, .. } => why.message().into(),
            BranchTypeMismatch => "Chi bộ phải có loại hình; đơn vị khác thì không.".into(),
            ParentClosed => "Đơn vị cấp trên đã ngừng hoạt động.".into(),
            FoundedBeforeParent { parent_from } => format!(
                "Ngày thành lập không thể trước ngày thành lập của đơn vị cấp trên ({}).",
                vn_date(*parent_from)
            ),
            NameTaken => "Đã có đơn vị đang hoạt động cùng tên ở cấp này.".into(),
            SameName => "Tên mới trùng với tên hiện tại.".into(),
            MoveIntoItself => {
                "Không thể chuyển một đơn vị vào chính nó hoặc vào đơn vị trực thuộc nó.".into()
            }
            NewParentClosed => "Đơn vị cấp trên mới đã ngừng hoạt động.".into(),
            MoveClosed => "Đơn vị đã ngừng hoạt động, không chuyển được.".into(),
            AlreadyUnder => "Đơn vị đã trực thuộc đơn vị này.".into(),
            NewParentMissing => "Không tìm thấy đơn vị cấp trên mới.".into(),
            NewParentNameTaken => "Đơn vị cấp trên mới đã có đơn vị cùng tên.".into(),
            ClosedBeforeFounded { founded } => format!(
                "Ngày ngừng hoạt động không thể trước ngày thành lập ({}).",
                vn_date(*founded)
            ),
            AlreadyClosed => "Đơn vị đã ngừng hoạt động từ trước.".into(),
            OpenUnitsBelow { count } => format!(
                "Còn {count} đơn vị trực thuộc đang hoạt động: hãy chuyển hoặc sáp nhập chúng trước."
            ),
            OpenMembers { count } => format!(
                "Còn {count} đảng viên đang sinh hoạt: hãy sáp nhập đơn vị (đảng viên được chuyển theo) hoặc chuyển sinh hoạt cho họ trước."
            ),
            SuccessorMissing => "Không tìm thấy đơn vị kế thừa.".into(),
            SuccessorInvalid => "Đơn vị kế thừa phải là đơn vị khác, đang hoạt động.".into(),
            MergeSourceClosed => "Đơn vị này đã ngừng hoạt động.".into(),
            TargetMissing => "Không tìm thấy đơn vị nhận sáp nhập.".into(),
            MergeIntoItself => {
                "Không thể sáp nhập một đơn vị vào chính nó hoặc vào đơn vị trực thuộc nó.".into()
            }
            TargetClosed => "Đơn vị nhận sáp nhập đã ngừng hoạt động.".into(),
            OtherFamily => {
                "Chỉ sáp nhập chi bộ vào chi bộ, đảng bộ vào đảng bộ, tổ đảng vào tổ đảng.".into()
            }
            MergedBeforeTargetFounded { founded } => format!(
                "Ngày sáp nhập không thể trước ngày thành lập của đơn vị nhận ({}).",
                vn_date(*founded)
            ),
            MergedBeforeLatestJoin { day } => format!(
                "Ngày sáp nhập không thể trước ngày {} (có đảng viên bắt đầu sinh hoạt ngày đó).",
                vn_date(*day)
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Refusal;

    #[test]
    fn a_refusal_names_its_field_and_the_facts_it_is_about() {
        let day = NaiveDate::from_ymd_opt(2026, 5, 4).unwrap();
        let r = OrgRefusal::FoundedBeforeParent { parent_from: day };
        assert_eq!(r.field(), "valid_from");
        assert_eq!(
            r.message(),
            "Ngày thành lập không thể trước ngày thành lập của đơn vị cấp trên (04/05/2026)."
        );
        let r = OrgRefusal::OpenMembers { count: 12 };
        assert_eq!(r.field(), "date");
        assert!(r.message().starts_with("Còn 12 đảng viên đang sinh hoạt"));
        let r = Placement::CellOutsideBranch.on("target");
        assert_eq!(r.field(), "target");
        assert_eq!(r.message(), "Tổ đảng chỉ trực thuộc một chi bộ.");
    }
}
