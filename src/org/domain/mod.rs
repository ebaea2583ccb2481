//! The organisation's vocabulary and the rules of its shape (docs/rules.md §5, §9.1). Pure:
//! no database here.

use crate::codes::text_code;

mod refusal;
pub use refusal::{OrgRefusal, Placement};

text_code! {
    /// Node types of the party organisation. The tree has no fixed depth: before 2025 a
    /// ward's branches sat under a town under the province; after 2025 communes sit directly
    /// under it.
    pub enum UnitKind {
        /// Đảng bộ tỉnh (Tỉnh ủy).
        Province = "province",
        /// Đảng bộ cấp trên cơ sở: a district or town before 2025, a commune or ward after.
        UpperCommittee = "upper_committee",
        /// Đảng bộ cơ sở: a ward or commune before 2025, an agency or enterprise.
        GrassrootsCommittee = "grassroots_committee",
        /// Đảng bộ bộ phận inside a large grassroots committee.
        PartialCommittee = "partial_committee",
        /// Chi bộ cơ sở: a branch that is itself a grassroots organisation.
        GrassrootsBranch = "grassroots_branch",
        /// Chi bộ trực thuộc.
        Branch = "branch",
        /// Tổ đảng inside a large branch.
        Cell = "cell",
    }
}

impl UnitKind {
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

text_code! {
    /// What a branch is made of: its members' place of life or work (docs/rules.md §5).
    pub enum BranchType {
        /// Thôn.
        Thon = "village",
        /// Tổ dân phố.
        ToDanPho = "residential_group",
        CoQuan = "agency",
        SuNghiep = "public_service",
        DnNhaNuoc = "state_enterprise",
        DnNgoaiNhaNuoc = "private_enterprise",
        LucLuongVuTrang = "armed_forces",
        HocSinhSinhVien = "students",
        Khac = "other",
    }
}

impl BranchType {
    /// As [`BranchType::parse`], also reading the codes stored before migration 0008
    /// (`thon`, `to_dan_pho`, …), so that links saved before it keep working.
    pub fn parse_or_former(code: &str) -> Option<Self> {
        Self::parse(code).or(match code.trim() {
            "thon" => Some(BranchType::Thon),
            "to_dan_pho" => Some(BranchType::ToDanPho),
            "co_quan" => Some(BranchType::CoQuan),
            "su_nghiep" => Some(BranchType::SuNghiep),
            "dn_nha_nuoc" => Some(BranchType::DnNhaNuoc),
            "dn_ngoai_nha_nuoc" => Some(BranchType::DnNgoaiNhaNuoc),
            "luc_luong_vu_trang" => Some(BranchType::LucLuongVuTrang),
            "hoc_sinh_sinh_vien" => Some(BranchType::HocSinhSinhVien),
            "khac" => Some(BranchType::Khac),
            _ => None,
        })
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

/// What the moved members' history says of a merge (their memberships' reference).
pub fn merge_reference(source: &str, target: &str) -> String {
    format!("Sáp nhập {source} vào {target}")
}

/// A unit name as typed: trimmed, inner spaces collapsed, 1–200 characters.
pub fn parse_name(input: &str) -> Result<String, OrgRefusal> {
    let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
    if name.is_empty() {
        Err(OrgRefusal::NameEmpty)
    } else if name.chars().count() > NAME_MAX {
        Err(OrgRefusal::NameTooLong)
    } else {
        Ok(name)
    }
}

/// May a unit of kind `child` sit directly under `parent` (`None`: at the top)?
pub fn placement_allowed(parent: Option<UnitKind>, child: UnitKind) -> Result<(), Placement> {
    match (parent, child) {
        (None, UnitKind::Province) => Ok(()),
        (None, _) => Err(Placement::OnlyProvinceOnTop),
        (Some(_), UnitKind::Province) => Err(Placement::ProvinceUnderUnit),
        (Some(p), UnitKind::Cell) if p.is_branch() => Ok(()),
        (Some(_), UnitKind::Cell) => Err(Placement::CellOutsideBranch),
        (Some(p), _) if p.is_committee() => Ok(()),
        (Some(_), _) => Err(Placement::UnderBranchOnlyCells),
    }
}

/// May `source` be merged into `target`?
pub fn merge_allowed(source: UnitKind, target: UnitKind) -> Result<(), OrgRefusal> {
    if source.family() != target.family() {
        return Err(OrgRefusal::OtherFamily);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(parse_name("  Chi bộ   Thôn 1 "), Ok("Chi bộ Thôn 1".into()));
        assert_eq!(parse_name("   "), Err(OrgRefusal::NameEmpty));
        assert_eq!(parse_name(&"a".repeat(201)), Err(OrgRefusal::NameTooLong));
        assert!(
            parse_name(&"ệ".repeat(200)).is_ok(),
            "characters, not bytes, are counted"
        );
    }

    #[test]
    fn only_provinces_stand_at_the_top_and_cells_sit_under_branches() {
        assert!(placement_allowed(None, UnitKind::Province).is_ok());
        assert_eq!(
            placement_allowed(None, UnitKind::Branch),
            Err(Placement::OnlyProvinceOnTop)
        );
        assert!(placement_allowed(Some(UnitKind::Province), UnitKind::UpperCommittee).is_ok());
        // After 2025: a branch directly under a commune committee under the province.
        assert!(placement_allowed(Some(UnitKind::UpperCommittee), UnitKind::Branch).is_ok());
        assert!(placement_allowed(Some(UnitKind::Branch), UnitKind::Cell).is_ok());
        assert_eq!(
            placement_allowed(Some(UnitKind::Branch), UnitKind::Branch),
            Err(Placement::UnderBranchOnlyCells)
        );
        assert_eq!(
            placement_allowed(Some(UnitKind::GrassrootsCommittee), UnitKind::Cell),
            Err(Placement::CellOutsideBranch)
        );
        assert_eq!(
            placement_allowed(Some(UnitKind::Cell), UnitKind::Cell),
            Err(Placement::CellOutsideBranch)
        );
        assert_eq!(
            placement_allowed(Some(UnitKind::Branch), UnitKind::Province),
            Err(Placement::ProvinceUnderUnit)
        );
    }

    #[test]
    fn merges_stay_within_a_family() {
        assert!(merge_allowed(UnitKind::Branch, UnitKind::GrassrootsBranch).is_ok());
        assert!(merge_allowed(UnitKind::GrassrootsCommittee, UnitKind::UpperCommittee).is_ok());
        assert_eq!(
            merge_allowed(UnitKind::Branch, UnitKind::GrassrootsCommittee),
            Err(OrgRefusal::OtherFamily)
        );
        assert_eq!(
            merge_allowed(UnitKind::Cell, UnitKind::Branch),
            Err(OrgRefusal::OtherFamily)
        );
    }

    #[test]
    fn kinds_and_types_round_trip_through_their_codes() {
        for &k in UnitKind::ALL {
            assert_eq!(UnitKind::parse(k.as_str()), Some(k));
        }
        for &t in BranchType::ALL {
            assert_eq!(BranchType::parse(t.as_str()), Some(t));
        }
    }
}
