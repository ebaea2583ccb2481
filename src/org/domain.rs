//! The organisation's vocabulary and the rules of its shape (docs/rules.md §5, §9.1). Pure:
//! no database here.

use serde::{Deserialize, Serialize};

/// Node types of the party organisation. The tree has no fixed depth: before 2025 a ward's
/// branches sat under a town under the province; after 2025 communes sit directly under it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnitKind {
    /// Đảng bộ tỉnh (Tỉnh ủy).
    Province,
    /// Đảng bộ cấp trên cơ sở: a district or town before 2025, a commune or ward after.
    UpperCommittee,
    /// Đảng bộ cơ sở: a ward or commune before 2025, an agency or enterprise.
    GrassrootsCommittee,
    /// Đảng bộ bộ phận inside a large grassroots committee.
    PartialCommittee,
    /// Chi bộ cơ sở: a branch that is itself a grassroots organisation.
    GrassrootsBranch,
    /// Chi bộ trực thuộc.
    Branch,
    /// Tổ đảng inside a large branch.
    Cell,
}

pub const ALL_KINDS: [UnitKind; 7] = [
    UnitKind::Province,
    UnitKind::UpperCommittee,
    UnitKind::GrassrootsCommittee,
    UnitKind::PartialCommittee,
    UnitKind::GrassrootsBranch,
    UnitKind::Branch,
    UnitKind::Cell,
];

impl UnitKind {
    pub fn as_str(self) -> &'static str {
        match self {
            UnitKind::Province => "province",
            UnitKind::UpperCommittee => "upper_committee",
            UnitKind::GrassrootsCommittee => "grassroots_committee",
            UnitKind::PartialCommittee => "partial_committee",
            UnitKind::GrassrootsBranch => "grassroots_branch",
            UnitKind::Branch => "branch",
            UnitKind::Cell => "cell",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        ALL_KINDS.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            UnitKind::Province => "Đảng bộ tỉnh",
            UnitKind::UpperCommittee => "Đảng bộ cấp trên cơ sở",
            UnitKind::GrassrootsCommittee => "Đảng bộ cơ sở",
            UnitKind::PartialCommittee => "Đảng bộ bộ phận",
            UnitKind::GrassrootsBranch => "Chi bộ cơ sở",
            UnitKind::Branch => "Chi bộ trực thuộc",
            UnitKind::Cell => "Tổ đảng",
        }
    }

    /// A branch holds members and meetings; a committee supervises the units below it.
    pub fn is_branch(self) -> bool {
        matches!(self, UnitKind::GrassrootsBranch | UnitKind::Branch)
    }

    pub fn is_committee(self) -> bool {
        !self.is_branch() && self != UnitKind::Cell
    }

    /// Units that can be merged into each other: branch with branch, committee with
    /// committee, cell with cell.
    fn family(self) -> u8 {
        if self.is_branch() {
            1
        } else if self == UnitKind::Cell {
            2
        } else {
            0
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BranchType {
    Thon,
    ToDanPho,
    CoQuan,
    SuNghiep,
    DnNhaNuoc,
    DnNgoaiNhaNuoc,
    LucLuongVuTrang,
    HocSinhSinhVien,
    Khac,
}

pub const ALL_BRANCH_TYPES: [BranchType; 9] = [
    BranchType::Thon,
    BranchType::ToDanPho,
    BranchType::CoQuan,
    BranchType::SuNghiep,
    BranchType::DnNhaNuoc,
    BranchType::DnNgoaiNhaNuoc,
    BranchType::LucLuongVuTrang,
    BranchType::HocSinhSinhVien,
    BranchType::Khac,
];

impl BranchType {
    pub fn as_str(self) -> &'static str {
        match self {
            BranchType::Thon => "thon",
            BranchType::ToDanPho => "to_dan_pho",
            BranchType::CoQuan => "co_quan",
            BranchType::SuNghiep => "su_nghiep",
            BranchType::DnNhaNuoc => "dn_nha_nuoc",
            BranchType::DnNgoaiNhaNuoc => "dn_ngoai_nha_nuoc",
            BranchType::LucLuongVuTrang => "luc_luong_vu_trang",
            BranchType::HocSinhSinhVien => "hoc_sinh_sinh_vien",
            BranchType::Khac => "khac",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        ALL_BRANCH_TYPES.into_iter().find(|k| k.as_str() == s)
    }

    pub fn label(self) -> &'static str {
        match self {
            BranchType::Thon => "Thôn",
            BranchType::ToDanPho => "Tổ dân phố",
            BranchType::CoQuan => "Cơ quan hành chính",
            BranchType::SuNghiep => "Đơn vị sự nghiệp, trường học",
            BranchType::DnNhaNuoc => "Doanh nghiệp nhà nước",
            BranchType::DnNgoaiNhaNuoc => "Doanh nghiệp ngoài nhà nước",
            BranchType::LucLuongVuTrang => "Lực lượng vũ trang",
            BranchType::HocSinhSinhVien => "Học sinh, sinh viên",
            BranchType::Khac => "Khác",
        }
    }
}

pub const NAME_MAX: usize = 200;

/// A unit name as typed: trimmed, inner spaces collapsed, 1–200 characters.
pub fn parse_name(input: &str) -> Result<String, &'static str> {
    let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        Err("Tên đơn vị không được để trống.")
    } else if name.chars().count() > NAME_MAX {
        Err("Tên đơn vị không được dài quá 200 ký tự.")
    } else {
        Ok(name)
    }
}

/// May a unit of kind `child` sit directly under `parent` (`None`: at the top)?
pub fn placement_allowed(parent: Option<UnitKind>, child: UnitKind) -> Result<(), &'static str> {
    match (parent, child) {
        (None, UnitKind::Province) => Ok(()),
        (None, _) => Err("Chỉ đảng bộ tỉnh mới đứng ở cấp cao nhất."),
        (Some(_), UnitKind::Province) => Err("Đảng bộ tỉnh không thể trực thuộc đơn vị khác."),
        (Some(p), UnitKind::Cell) if p.is_branch() => Ok(()),
        (Some(_), UnitKind::Cell) => Err("Tổ đảng chỉ trực thuộc một chi bộ."),
        (Some(p), _) if p.is_committee() => Ok(()),
        (Some(_), _) => Err("Dưới chi bộ hoặc tổ đảng chỉ có tổ đảng."),
    }
}

/// May `source` be merged into `target`?
pub fn merge_allowed(source: UnitKind, target: UnitKind) -> Result<(), &'static str> {
    if source.family() != target.family() {
        return Err("Chỉ sáp nhập chi bộ vào chi bộ, đảng bộ vào đảng bộ, tổ đảng vào tổ đảng.");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(parse_name("  Chi bộ   Thôn 1 "), Ok("Chi bộ Thôn 1".into()));
        assert!(parse_name("   ").is_err());
        assert!(parse_name(&"a".repeat(201)).is_err());
        assert!(
            parse_name(&"ệ".repeat(200)).is_ok(),
            "characters, not bytes, are counted"
        );
    }

    #[test]
    fn only_provinces_stand_at_the_top_and_cells_sit_under_branches() {
        assert!(placement_allowed(None, UnitKind::Province).is_ok());
        assert!(placement_allowed(None, UnitKind::Branch).is_err());
        assert!(placement_allowed(Some(UnitKind::Province), UnitKind::UpperCommittee).is_ok());
        // After 2025: a branch directly under a commune committee under the province.
        assert!(placement_allowed(Some(UnitKind::UpperCommittee), UnitKind::Branch).is_ok());
        assert!(placement_allowed(Some(UnitKind::Branch), UnitKind::Cell).is_ok());
        assert!(placement_allowed(Some(UnitKind::Branch), UnitKind::Branch).is_err());
        assert!(placement_allowed(Some(UnitKind::GrassrootsCommittee), UnitKind::Cell).is_err());
        assert!(placement_allowed(Some(UnitKind::Cell), UnitKind::Cell).is_err());
        assert!(placement_allowed(Some(UnitKind::Branch), UnitKind::Province).is_err());
    }

    #[test]
    fn merges_stay_within_a_family() {
        assert!(merge_allowed(UnitKind::Branch, UnitKind::GrassrootsBranch).is_ok());
        assert!(merge_allowed(UnitKind::GrassrootsCommittee, UnitKind::UpperCommittee).is_ok());
        assert!(merge_allowed(UnitKind::Branch, UnitKind::GrassrootsCommittee).is_err());
        assert!(merge_allowed(UnitKind::Cell, UnitKind::Branch).is_err());
    }

    #[test]
    fn kinds_and_types_round_trip_through_their_codes() {
        for k in ALL_KINDS {
            assert_eq!(UnitKind::parse(k.as_str()), Some(k));
        }
        for t in ALL_BRANCH_TYPES {
            assert_eq!(BranchType::parse(t.as_str()), Some(t));
        }
    }
}
