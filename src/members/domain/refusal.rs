//! What the registry's stores refuse, typed: the facts (names, dates, card numbers) the
//! refusal is about, worded here next to the other labels, and shown by the form under
//! `field()`.

use chrono::NaiveDate;

use super::PostRole;
use crate::web::vn_date;

/// The earlier date a life-cycle step (or a post) cannot precede, by what it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Milestone {
    /// Probation's 12 months ended (recognition).
    ProbationEnd,
    /// The member's previous change of state: every step that changes it (exemption and its
    /// end, a temporary transfer, a transfer out of chibo, leaving the rolls) follows it.
    PreviousChange,
    /// The member joined their current branch (a transfer).
    CurrentBranchJoined,
    /// The branch the member moves to was founded.
    TargetFounded,
    /// The temporary transfer began (the return from it).
    TemporaryStart,
    /// The member joined the branch (leaving the rolls, a committee post).
    BranchJoined,
}

impl Milestone {
    pub fn label(self) -> &'static str {
        match self {
            Milestone::ProbationEnd => "ngày hết 12 tháng dự bị",
            Milestone::PreviousChange => "lần thay đổi trước",
            Milestone::CurrentBranchJoined => "ngày bắt đầu sinh hoạt ở chi bộ hiện tại",
            Milestone::TargetFounded => "ngày thành lập chi bộ đến",
            Milestone::TemporaryStart => "ngày bắt đầu sinh hoạt tạm thời",
            Milestone::BranchJoined => "ngày bắt đầu sinh hoạt ở chi bộ",
        }
    }
}

/// A change to the registry that the database's state does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MemberRefusal {
    /// Members belong to branches only, not to a committee or a party organisation above.
    NotABranch { field: &'static str },
    /// The branch has been dissolved or merged.
    BranchClosed { field: &'static str, branch: String },
    /// The card number belongs to someone else (card numbers are unique in the Party): the
    /// holder as the check before the write found them, or `None` when the unique index
    /// caught it (two saves of one number at once), which cannot say who holds it.
    CardTaken {
        card: String,
        holder: Option<String>,
    },
    /// A date before the milestone it must follow.
    Before {
        field: &'static str,
        milestone: Milestone,
        earliest: NaiveDate,
    },
    /// The member has no open membership of a branch any more.
    NoBranch { field: &'static str },
    /// Recognition of a member who is a full member already.
    AlreadyFull,
    /// Recognition of a member who is not active (exempt, or off the rolls).
    RecogniseInactive,
    /// An import batch committed already (a second click, another tab).
    AlreadyImported,
    /// Exemption of a member who is not active as usual.
    ExemptInactive,
    /// The end of an exemption for a member who is not exempt.
    NotExempt,
    /// An exemption without its reason.
    ExemptionReasonMissing,
    /// A transfer of a member who is exempt (temporary) or away already.
    TransferInactive,
    /// A transfer without its letter of introduction.
    LetterMissing,
    /// A transfer to the member's own branch.
    SameBranch,
    /// The branch to transfer to does not exist.
    TargetNotFound,
    /// A temporary transfer out of chibo.
    TemporaryElsewhere,
    /// A second temporary transfer while one is open.
    AwayAlready,
    /// A return from a temporary transfer that is not open.
    NotAway,
    /// Leaving the rolls, for a member who left them already.
    LeftAlready,
    /// Leaving the rolls (struck off, expelled) without the decision's number.
    DecisionMissing,
    /// A post for someone who is not a permanent member of the branch.
    NotBranchMember,
    /// A second post for the same member; the post held, when known.
    HoldsPost { role: Option<PostRole> },
    /// A second secretary at once.
    SecretaryTaken,
    /// The end of a post before it began.
    EndBeforeStart { since: NaiveDate },
    /// One row of an import refused: nothing of the import is written.
    ImportRow {
        line: usize,
        refusal: Box<MemberRefusal>,
    },
}

impl crate::error::Refusal for MemberRefusal {
    fn field(&self) -> &'static str {
        use MemberRefusal::*;
        match self {
            NotABranch { field }
            | BranchClosed { field, .. }
            | Before { field, .. }
            | NoBranch { field } => field,
            CardTaken { .. } => "card_no",
            AlreadyFull
            | RecogniseInactive
            | ExemptInactive
            | NotExempt
            | NotAway
            | EndBeforeStart { .. } => "on_date",
            ExemptionReasonMissing => "reason",
            TransferInactive | SameBranch | TargetNotFound | TemporaryElsewhere | AwayAlready => {
                "target"
            }
            LetterMissing | DecisionMissing => "reference",
            LeftAlready => "kind",
            NotBranchMember | HoldsPost { .. } => "member",
            SecretaryTaken => "role",
            ImportRow { .. } | AlreadyImported => "form",
        }
    }

    fn message(&self) -> String {
        use MemberRefusal::*;
        match self {
            NotABranch { .. } => "Chỉ chi bộ mới có đảng viên sinh hoạt.".into(),
            BranchClosed { branch, .. } => format!("{branch} đã ngừng hoạt động."),
            CardTaken {
                card,
                holder: Some(holder),
            } => format!("Số thẻ {card} đã được cấp cho đảng viên {holder}."),
            CardTaken { card, holder: None } => {
                format!("Số thẻ {card} đã được cấp cho một đảng viên khác.")
            }
            Before {
                milestone,
                earliest,
                ..
            } => format!(
                "Ngày không thể trước {} ({}).",
                milestone.label(),
                vn_date(*earliest)
            ),
            NoBranch { .. } => "Đảng viên không còn sinh hoạt ở chi bộ nào.".into(),
            AlreadyFull => "Đảng viên này đã là đảng viên chính thức.".into(),
            RecogniseInactive => "Chỉ công nhận chính thức cho đảng viên đang sinh hoạt.".into(),
            AlreadyImported => {
                "Đã nhập lô này: các đảng viên trong danh sách đã được thêm vào chi bộ.".into()
            }
            ExemptInactive => {
                "Chỉ miễn sinh hoạt cho đảng viên đang sinh hoạt bình thường.".into()
            }
            NotExempt => "Đảng viên này không đang được miễn sinh hoạt.".into(),
            ExemptionReasonMissing => "Vui lòng ghi lý do miễn sinh hoạt.".into(),
            TransferInactive => "Chỉ chuyển sinh hoạt cho đảng viên đang sinh hoạt (không miễn, không đang sinh hoạt tạm thời nơi khác).".into(),
            LetterMissing => "Vui lòng ghi số giấy giới thiệu.".into(),
            SameBranch => "Không thể chuyển sinh hoạt đến chính chi bộ hiện tại.".into(),
            TargetNotFound => "Không tìm thấy chi bộ đến trong danh sách có thể chọn.".into(),
            TemporaryElsewhere => "Sinh hoạt tạm thời phải chọn chi bộ đến.".into(),
            AwayAlready => "Đảng viên này đang sinh hoạt tạm thời ở một chi bộ khác; hãy kết thúc lần sinh hoạt tạm thời đó trước.".into(),
            NotAway => "Đảng viên không đang sinh hoạt tạm thời ở đâu.".into(),
            LeftAlready => "Đảng viên này đã ra khỏi danh sách từ trước.".into(),
            DecisionMissing => "Vui lòng ghi số quyết định.".into(),
            NotBranchMember => "Người được chọn không phải đảng viên của chi bộ này.".into(),
            HoldsPost { role: Some(role) } => format!(
                "Đảng viên này đang giữ chức {}; hãy kết thúc chức vụ đó trước.",
                role.label()
            ),
            HoldsPost { role: None } => {
                "Đảng viên này đang giữ một chức vụ; hãy kết thúc chức vụ đó trước.".into()
            }
            SecretaryTaken => {
                "Chi bộ đang có bí thư; hãy kết thúc nhiệm vụ của bí thư hiện tại trước.".into()
            }
            EndBeforeStart { since } => format!(
                "Ngày kết thúc không thể trước ngày nhận chức ({}).",
                vn_date(*since)
            ),
            ImportRow { line, refusal } => format!("Dòng {line}: {}", refusal.message()),
        }
    }
}

/// Refuses `date` before `earliest`, naming what `earliest` is; the message goes under
/// `field`.
pub fn not_before(
    field: &'static str,
    date: NaiveDate,
    earliest: NaiveDate,
    milestone: Milestone,
) -> Result<(), MemberRefusal> {
    if date < earliest {
        return Err(MemberRefusal::Before {
            field,
            milestone,
            earliest,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Refusal;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_refusal_names_its_field_and_the_facts_it_is_about() {
        let card = MemberRefusal::CardTaken {
            card: "12345678".into(),
            holder: Some("Chu Thị Nghiệm".into()),
        };
        assert_eq!(card.field(), "card_no");
        assert_eq!(
            card.message(),
            "Số thẻ 12345678 đã được cấp cho đảng viên Chu Thị Nghiệm."
        );
        let raced = MemberRefusal::CardTaken {
            card: "12345678".into(),
            holder: None,
        };
        assert_eq!(raced.field(), "card_no");
        assert_eq!(
            raced.message(),
            "Số thẻ 12345678 đã được cấp cho một đảng viên khác."
        );
        let closed = MemberRefusal::BranchClosed {
            field: "target",
            branch: "Chi bộ thôn 1".into(),
        };
        assert_eq!(closed.field(), "target");
        assert_eq!(closed.message(), "Chi bộ thôn 1 đã ngừng hoạt động.");
        assert_eq!(
            MemberRefusal::HoldsPost {
                role: Some(PostRole::Secretary)
            }
            .message(),
            "Đảng viên này đang giữ chức Bí thư; hãy kết thúc chức vụ đó trước."
        );
        assert_eq!(
            MemberRefusal::EndBeforeStart {
                since: d(2026, 3, 4)
            }
            .message(),
            "Ngày kết thúc không thể trước ngày nhận chức (04/03/2026)."
        );
    }

    #[test]
    fn a_date_before_its_milestone_is_refused_on_the_field_named() {
        assert_eq!(
            not_before(
                "on_date",
                d(2026, 1, 1),
                d(2026, 1, 1),
                Milestone::ProbationEnd
            ),
            Ok(())
        );
        let r = not_before(
            "valid_from",
            d(2025, 12, 31),
            d(2026, 1, 1),
            Milestone::BranchJoined,
        )
        .unwrap_err();
        assert_eq!(r.field(), "valid_from");
        assert_eq!(
            r.message(),
            "Ngày không thể trước ngày bắt đầu sinh hoạt ở chi bộ (01/01/2026)."
        );
    }

    #[test]
    fn an_import_row_refusal_says_its_line() {
        let r = MemberRefusal::ImportRow {
            line: 7,
            refusal: Box::new(MemberRefusal::NotABranch { field: "form" }),
        };
        assert_eq!(r.field(), "form");
        assert_eq!(
            r.message(),
            "Dòng 7: Chỉ chi bộ mới có đảng viên sinh hoạt."
        );
    }
}
