//! The registry's forms as typed (every field a string, so that a refused form is shown
//! again unchanged) and their parse into the typed input the store takes: a life-cycle step,
//! a committee post and its end, a corrected import row. Pure: no database. (The member
//! record's own form is `domain::MemberForm`.)

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::domain::{COLUMNS, Destination, Leaving, MembershipKind, PostRole};
use crate::codes::text_code;
use crate::web::{FieldErrors, date_field};

/// A text field: trimmed, `None` when empty.
fn non_empty(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

text_code! {
    /// A life-cycle step on a member's record, by the slug of its page.
    pub enum Action {
        Recognise = "recognise",
        Exempt = "exempt",
        EndExemption = "end-exemption",
        Transfer = "transfer",
        Return = "return",
        Leave = "leave",
    }
}

impl Action {
    pub fn title(self) -> &'static str {
        match self {
            Action::Recognise => "Công nhận đảng viên chính thức",
            Action::Exempt => "Miễn công tác và sinh hoạt đảng",
            Action::EndExemption => "Thôi miễn sinh hoạt",
            Action::Transfer => "Chuyển sinh hoạt đảng",
            Action::Return => "Kết thúc sinh hoạt tạm thời",
            Action::Leave => "Ra khỏi danh sách (xóa tên, khai trừ, từ trần)",
        }
    }

    pub fn explain(self) -> &'static str {
        match self {
            Action::Recognise => {
                "Chỉ công nhận khi đã hết 12 tháng dự bị kể từ ngày kết nạp và chi bộ đã xét, biểu quyết."
            }
            Action::Exempt => {
                "Đảng viên được miễn không tính vào số đảng viên phải có mặt khi sinh hoạt kể từ ngày này, nhưng vẫn thuộc đảng số của chi bộ."
            }
            Action::EndExemption => "Từ ngày này đảng viên sinh hoạt lại bình thường.",
            Action::Transfer => {
                "Chuyển chính thức: đảng viên rời chi bộ này và sinh hoạt ở chi bộ đến (hoặc ra ngoài hệ thống). Chuyển tạm thời: đảng viên vẫn thuộc đảng số ở đây, sinh hoạt tạm thời ở chi bộ đến và không tính vào đảng số nơi đó."
            }
            Action::Return => "Đảng viên trở lại sinh hoạt ở chi bộ chính thức của mình.",
            Action::Leave => {
                "Đảng viên ra khỏi danh sách của chi bộ từ ngày này; hồ sơ và lịch sử vẫn được lưu."
            }
        }
    }

    pub fn reference_label(self) -> &'static str {
        match self {
            Action::Transfer | Action::Return => "Số giấy giới thiệu",
            _ => "Số quyết định",
        }
    }

    pub fn confirm_text(self) -> &'static str {
        match self {
            Action::Recognise => {
                "Tôi xác nhận chi bộ đã xét và cấp có thẩm quyền đã quyết định công nhận."
            }
            Action::Exempt => "Tôi xác nhận chi bộ đã quyết định miễn sinh hoạt cho đảng viên này.",
            Action::EndExemption => "Tôi xác nhận đảng viên sinh hoạt lại từ ngày trên.",
            Action::Transfer => "Tôi xác nhận đã có giấy giới thiệu chuyển sinh hoạt đảng.",
            Action::Return => "Tôi xác nhận đảng viên đã trở về sinh hoạt tại chi bộ.",
            Action::Leave => {
                "Tôi xác nhận có quyết định của cấp có thẩm quyền (việc này không hoàn tác được)."
            }
        }
    }
}

/// A life-cycle step's form, as typed.
#[derive(Debug, Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct ActionForm {
    pub on_date: String,
    pub reference: String,
    pub reason: String,
    /// Transfer: "permanent" or "temporary"; leave: "struck_off", "expelled" or "deceased".
    pub kind: String,
    /// Transfer: a branch id, or "elsewhere".
    pub target: String,
    pub confirm: Option<String>,
    pub version: i32,
}

/// Which step, with what only some steps have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StepKind {
    Recognise,
    Exempt,
    EndExemption,
    Transfer { to: Destination, permanent: bool },
    Return,
    Leave(Leaving),
}

/// A life-cycle step that passed the form's checks (the store checks the member's state).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepInput {
    pub kind: StepKind,
    pub on_date: NaiveDate,
    pub reference: Option<String>,
    pub reason: Option<String>,
}

impl ActionForm {
    /// Checks the date (recognition and leaving the rolls record what has happened, so not
    /// in the future; a transfer or an exemption may be entered ahead of its date), the
    /// confirmation, the lengths and the destination; then, when all of these pass, the kind.
    pub fn parse(&self, action: Action, today: NaiveDate) -> Result<StepInput, FieldErrors> {
        let mut e = FieldErrors::control_chars(self);
        let on_date = date_field(&self.on_date, "on_date", true, &mut e);
        if matches!(action, Action::Recognise | Action::Leave) && on_date.is_some_and(|d| d > today)
        {
            e.add("on_date", "Ngày không thể ở tương lai.");
        }
        if self.confirm.is_none() {
            e.add("confirm", "Vui lòng đánh dấu ô xác nhận.");
        }
        let (reference, reason) = (non_empty(&self.reference), non_empty(&self.reason));
        if reason.is_some_and(|r| r.chars().count() > 500)
            || reference.is_some_and(|r| r.chars().count() > 100)
        {
            e.add(
                "reason",
                "Lý do (500 ký tự) hoặc số văn bản (100 ký tự) quá dài.",
            );
        }
        let destination = if action == Action::Transfer {
            match self.target.trim() {
                "" => {
                    e.add("target", "Vui lòng chọn nơi chuyển đến.");
                    None
                }
                Destination::ELSEWHERE => Some(Destination::Elsewhere),
                raw => match Uuid::parse_str(raw) {
                    Ok(t) => Some(Destination::Branch(t)),
                    Err(_) => {
                        e.add("target", "Chi bộ đến không hợp lệ.");
                        None
                    }
                },
            }
        } else {
            None
        };
        let (Some(on_date), true) = (on_date, e.is_empty()) else {
            return Err(e);
        };
        let kind = match action {
            Action::Recognise => StepKind::Recognise,
            Action::Exempt => StepKind::Exempt,
            Action::EndExemption => StepKind::EndExemption,
            Action::Return => StepKind::Return,
            Action::Leave => match Leaving::parse(&self.kind) {
                Some(how) => StepKind::Leave(how),
                None => return Err(FieldErrors::one("kind", "Vui lòng chọn hình thức.")),
            },
            Action::Transfer => match (MembershipKind::parse(&self.kind), destination) {
                (Some(kind), Some(to)) => StepKind::Transfer {
                    to,
                    permanent: kind == MembershipKind::Permanent,
                },
                _ => {
                    return Err(FieldErrors::one(
                        "kind",
                        "Vui lòng chọn chuyển chính thức hoặc tạm thời.",
                    ));
                }
            },
        };
        Ok(StepInput {
            kind,
            on_date,
            reference: reference.map(str::to_owned),
            reason: reason.map(str::to_owned),
        })
    }
}

/// A committee post given, as typed.
#[derive(Debug, Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct PostForm {
    pub member: String,
    pub role: String,
    pub term: String,
    pub valid_from: String,
    pub reference: String,
}

/// A post to give a member of the branch (the store checks that they are one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPost {
    pub member_id: Uuid,
    pub role: PostRole,
    pub term: Option<String>,
    pub valid_from: NaiveDate,
    pub reference: Option<String>,
}

impl PostForm {
    pub fn parse(&self) -> Result<NewPost, FieldErrors> {
        let mut e = FieldErrors::control_chars(self);
        let member = Uuid::parse_str(self.member.trim()).ok();
        if member.is_none() {
            e.add("member", "Vui lòng chọn đảng viên.");
        }
        let from = date_field(&self.valid_from, "valid_from", true, &mut e);
        let role = PostRole::parse(&self.role);
        if role.is_none() {
            e.add("role", "Vui lòng chọn chức vụ.");
        }
        match (member, from, role) {
            (Some(member_id), Some(valid_from), Some(role)) if e.is_empty() => Ok(NewPost {
                member_id,
                role,
                term: non_empty(&self.term).map(str::to_owned),
                valid_from,
                reference: non_empty(&self.reference).map(str::to_owned),
            }),
            _ => Err(e),
        }
    }
}

/// The end of a post, as typed.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct EndForm {
    pub on_date: String,
}

impl EndForm {
    pub fn parse(&self) -> Result<NaiveDate, FieldErrors> {
        let mut e = FieldErrors::default();
        date_field(&self.on_date, "on_date", true, &mut e).ok_or(e)
    }
}

/// A row of an import corrected on the preview: its cells as typed, in column order (the
/// form repeats a `cell` field per column).
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(from = "Vec<(String, String)>")]
pub struct RowForm {
    pub cells: Vec<String>,
}

impl From<Vec<(String, String)>> for RowForm {
    fn from(pairs: Vec<(String, String)>) -> Self {
        RowForm {
            cells: pairs
                .into_iter()
                .filter(|(k, _)| k == "cell")
                .map(|(_, v)| v)
                .collect(),
        }
    }
}

impl RowForm {
    /// The cells, trimmed; `None` unless there is one per column (no form of ours sends
    /// another count).
    pub fn parse(&self) -> Option<Vec<String>> {
        (self.cells.len() == COLUMNS.len())
            .then(|| self.cells.iter().map(|c| c.trim().to_owned()).collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    const TODAY: (i32, u32, u32) = (2026, 11, 22);

    fn today() -> NaiveDate {
        d(TODAY.0, TODAY.1, TODAY.2)
    }

    fn step(on_date: &str) -> ActionForm {
        ActionForm {
            on_date: on_date.into(),
            confirm: Some("on".into()),
            ..Default::default()
        }
    }

    #[test]
    fn a_step_needs_a_date_and_the_confirmation() {
        let input = step("01/11/2026")
            .parse(Action::Recognise, today())
            .unwrap();
        assert_eq!(input.kind, StepKind::Recognise);
        assert_eq!(input.on_date, d(2026, 11, 1));
        assert_eq!((input.reference, input.reason), (None, None));

        let mut f = step("");
        f.confirm = None;
        let e = f.parse(Action::Exempt, today()).unwrap_err();
        assert!(e.get("on_date").is_some());
        assert_eq!(e.get("confirm"), Some("Vui lòng đánh dấu ô xác nhận."));
    }

    #[test]
    fn only_recognition_and_leaving_refuse_a_future_date() {
        let future = "01/12/2026";
        let e = step(future).parse(Action::Recognise, today()).unwrap_err();
        assert_eq!(e.get("on_date"), Some("Ngày không thể ở tương lai."));
        let mut leave = step(future);
        leave.kind = "deceased".into();
        assert!(leave.parse(Action::Leave, today()).is_err());
        assert!(step(future).parse(Action::Exempt, today()).is_ok());
    }

    #[test]
    fn texts_are_trimmed_and_their_lengths_checked() {
        let mut f = step("01/11/2026");
        f.reference = "  QĐ 12 ".into();
        f.reason = " ".into();
        let input = f.parse(Action::Exempt, today()).unwrap();
        assert_eq!(input.reference.as_deref(), Some("QĐ 12"));
        assert_eq!(input.reason, None);
        f.reason = "x".repeat(501);
        assert!(
            f.parse(Action::Exempt, today())
                .unwrap_err()
                .get("reason")
                .is_some()
        );
    }

    #[test]
    fn a_transfer_names_where_it_goes_and_how() {
        let branch = Uuid::now_v7();
        let mut f = step("01/11/2026");
        f.kind = "temporary".into();
        f.target = branch.to_string();
        assert_eq!(
            f.parse(Action::Transfer, today()).unwrap().kind,
            StepKind::Transfer {
                to: Destination::Branch(branch),
                permanent: false
            }
        );
        f.target = "elsewhere".into();
        f.kind = "permanent".into();
        assert_eq!(
            f.parse(Action::Transfer, today()).unwrap().kind,
            StepKind::Transfer {
                to: Destination::Elsewhere,
                permanent: true
            }
        );
        f.target = String::new();
        assert_eq!(
            f.parse(Action::Transfer, today())
                .unwrap_err()
                .get("target"),
            Some("Vui lòng chọn nơi chuyển đến.")
        );
        f.target = "chi-bo".into();
        assert_eq!(
            f.parse(Action::Transfer, today())
                .unwrap_err()
                .get("target"),
            Some("Chi bộ đến không hợp lệ.")
        );
        f.target = "elsewhere".into();
        f.kind = "struck_off".into();
        assert_eq!(
            f.parse(Action::Transfer, today()).unwrap_err().get("kind"),
            Some("Vui lòng chọn chuyển chính thức hoặc tạm thời.")
        );
    }

    #[test]
    fn the_kind_is_checked_only_once_the_rest_passes() {
        let mut f = step("01/11/2026");
        f.kind = "permanent".into(); // not a way of leaving
        assert_eq!(
            f.parse(Action::Leave, today()).unwrap_err().get("kind"),
            Some("Vui lòng chọn hình thức.")
        );
        f.confirm = None;
        let e = f.parse(Action::Leave, today()).unwrap_err();
        assert!(e.get("confirm").is_some() && e.get("kind").is_none());
        f.confirm = Some("on".into());
        f.kind = "expelled".into();
        assert_eq!(
            f.parse(Action::Leave, today()).unwrap().kind,
            StepKind::Leave(Leaving::Expelled)
        );
    }

    #[test]
    fn a_post_needs_a_member_a_role_and_a_date() {
        let member = Uuid::now_v7();
        let f = PostForm {
            member: member.to_string(),
            role: "secretary".into(),
            term: " 2025–2030 ".into(),
            valid_from: "01/10/2025".into(),
            reference: String::new(),
        };
        assert_eq!(
            f.parse().unwrap(),
            NewPost {
                member_id: member,
                role: PostRole::Secretary,
                term: Some("2025–2030".into()),
                valid_from: d(2025, 10, 1),
                reference: None,
            }
        );
        let e = PostForm::default().parse().unwrap_err();
        assert_eq!(e.get("member"), Some("Vui lòng chọn đảng viên."));
        assert!(e.get("valid_from").is_some());
        assert_eq!(e.get("role"), Some("Vui lòng chọn chức vụ."));
        assert_eq!(
            EndForm {
                on_date: "2026-01-05".into()
            }
            .parse()
            .unwrap(),
            d(2026, 1, 5)
        );
        assert!(
            EndForm::default()
                .parse()
                .unwrap_err()
                .get("on_date")
                .is_some()
        );
    }

    #[test]
    fn a_corrected_row_has_one_cell_per_column() {
        let mut pairs: Vec<(String, String)> = (0..COLUMNS.len())
            .map(|i| ("cell".to_owned(), format!(" {i} ")))
            .collect();
        pairs.push(("csrf".into(), "x".into()));
        let cells = RowForm::from(pairs.clone()).parse().unwrap();
        assert_eq!(cells.len(), COLUMNS.len());
        assert_eq!(cells[0], "0");
        pairs.remove(0);
        assert_eq!(RowForm::from(pairs).parse(), None);
    }
}
