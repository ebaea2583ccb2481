//! The codes of the registry, stored as text (gender, status, life-cycle, membership kind,
//! committee post, history event), each with the words shown for it; how a member leaves the
//! rolls and where a transfer goes.

use uuid::Uuid;

use crate::codes::text_code;

text_code! {
    pub enum Gender {
        Male = "male",
        Female = "female",
    }
}

impl Gender {
    pub fn label(self) -> &'static str {
        match self {
            Gender::Male => "Nam",
            Gender::Female => "Nữ",
        }
    }
}

text_code! {
    /// A member's standing (docs/rules.md §4.2).
    pub enum Status {
        /// Dự bị: within the 12 months of probation.
        Probationary = "probationary",
        /// Chính thức.
        Full = "full",
    }
}

impl Status {
    /// As [`Status::parse`], also reading the codes stored before migration 0008
    /// (`chinh_thuc`, `du_bi`), so that links saved before it keep working.
    pub fn parse_or_former(code: &str) -> Option<Self> {
        Self::parse(code).or(match code.trim() {
            "chinh_thuc" => Some(Status::Full),
            "du_bi" => Some(Status::Probationary),
            _ => None,
        })
    }

    pub fn label(self) -> &'static str {
        match self {
            Status::Probationary => "Dự bị",
            Status::Full => "Chính thức",
        }
    }
}

text_code! {
    /// Where a member is in their life in the party (docs/rules.md §4.2–4.3).
    pub enum Lifecycle {
        Active = "active",
        /// Miễn công tác và sinh hoạt đảng.
        Exempt = "exempt",
        /// Sinh hoạt tạm thời at another branch.
        Away = "away",
        StruckOff = "struck_off",
        Expelled = "expelled",
        Deceased = "deceased",
        TransferredOut = "transferred_out",
    }
}

impl Lifecycle {
    pub fn label(self) -> &'static str {
        match self {
            Lifecycle::Active => "Đang sinh hoạt",
            Lifecycle::Exempt => "Miễn sinh hoạt",
            Lifecycle::Away => "Sinh hoạt tạm thời nơi khác",
            Lifecycle::StruckOff => "Đã xóa tên",
            Lifecycle::Expelled => "Đã khai trừ",
            Lifecycle::Deceased => "Đã từ trần",
            Lifecycle::TransferredOut => "Đã chuyển đi",
        }
    }

    /// Still on a branch's rolls (in đảng số).
    pub fn on_the_rolls(self) -> bool {
        matches!(
            self,
            Lifecycle::Active | Lifecycle::Exempt | Lifecycle::Away
        )
    }
}

text_code! {
    /// How a member belongs to a branch.
    pub enum MembershipKind {
        /// The member's own branch: counted in its đảng số.
        Permanent = "permanent",
        /// Attached for a time (sinh hoạt tạm thời): listed, not in đảng số.
        Temporary = "temporary",
    }
}

text_code! {
    /// A post on a branch's committee (chi ủy).
    pub enum PostRole {
        Secretary = "secretary",
        DeputySecretary = "deputy_secretary",
        CommitteeMember = "committee_member",
    }
}

impl PostRole {
    pub fn label(self) -> &'static str {
        match self {
            PostRole::Secretary => "Bí thư",
            PostRole::DeputySecretary => "Phó Bí thư",
            PostRole::CommitteeMember => "Chi ủy viên",
        }
    }
}

text_code! {
    /// What happened to a member's record, as its history lists it.
    pub enum EventKind {
        Created = "created",
        Imported = "imported",
        Edited = "edited",
        Recognised = "recognised",
        Exempted = "exempted",
        ExemptionEnded = "exemption_ended",
        Transferred = "transferred",
        TemporaryTransfer = "temporary_transfer",
        TemporaryTransferEnded = "temporary_transfer_ended",
        StruckOff = "struck_off",
        Expelled = "expelled",
        Deceased = "deceased",
    }
}

impl EventKind {
    pub fn label(self) -> &'static str {
        match self {
            EventKind::Created => "Thêm vào danh sách",
            EventKind::Imported => "Nhập từ bảng tính",
            EventKind::Edited => "Sửa thông tin",
            EventKind::Recognised => "Công nhận đảng viên chính thức",
            EventKind::Exempted => "Miễn công tác và sinh hoạt đảng",
            EventKind::ExemptionEnded => "Thôi miễn sinh hoạt",
            EventKind::Transferred => "Chuyển sinh hoạt đảng chính thức",
            EventKind::TemporaryTransfer => "Chuyển sinh hoạt đảng tạm thời",
            EventKind::TemporaryTransferEnded => "Kết thúc sinh hoạt tạm thời",
            EventKind::StruckOff => "Xóa tên",
            EventKind::Expelled => "Khai trừ",
            EventKind::Deceased => "Từ trần",
        }
    }
}

/// How a member leaves the rolls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaving {
    StruckOff,
    Expelled,
    Deceased,
}

impl Leaving {
    /// The life-cycle state it leaves the member in.
    pub fn state(self) -> Lifecycle {
        match self {
            Leaving::StruckOff => Lifecycle::StruckOff,
            Leaving::Expelled => Lifecycle::Expelled,
            Leaving::Deceased => Lifecycle::Deceased,
        }
    }

    /// The history's name for it.
    pub fn event(self) -> EventKind {
        match self {
            Leaving::StruckOff => EventKind::StruckOff,
            Leaving::Expelled => EventKind::Expelled,
            Leaving::Deceased => EventKind::Deceased,
        }
    }

    /// The life-cycle code a form sends for it.
    pub fn parse(code: &str) -> Option<Self> {
        match Lifecycle::parse(code)? {
            Lifecycle::StruckOff => Some(Leaving::StruckOff),
            Lifecycle::Expelled => Some(Leaving::Expelled),
            Lifecycle::Deceased => Some(Leaving::Deceased),
            _ => None,
        }
    }
}

/// Where a transfer goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Destination {
    /// Another branch in chibo.
    Branch(Uuid),
    /// Outside chibo (another province): the member leaves the rolls here.
    Elsewhere,
}

impl Destination {
    /// The transfer form's value for `Elsewhere` (a branch is its id).
    pub const ELSEWHERE: &'static str = "elsewhere";
}

/// A coded value of a member's record as a reader knows it, for the "Lịch sử" page
/// (`status` "probationary" → "Dự bị"); `None` for what is not a code here.
pub fn value_label(key: &str, code: &str) -> Option<&'static str> {
    match key {
        "gender" => Gender::parse(code).map(Gender::label),
        "status" => Status::parse(code).map(Status::label),
        "lifecycle_state" => Lifecycle::parse(code).map(Lifecycle::label),
        "role" => PostRole::parse(code).map(PostRole::label),
        _ => None,
    }
}

#[cfg(test)]
mod value_tests {
    use super::*;

    #[test]
    fn the_history_words_the_members_codes() {
        assert_eq!(value_label("status", "full"), Some(Status::Full.label()));
        assert_eq!(
            value_label("gender", "female"),
            Some(Gender::Female.label())
        );
        assert_eq!(value_label("status", "Nguyễn Văn A"), None);
        assert_eq!(value_label("full_name", "full"), None);
    }
}
