//! Life-cycle steps, each its own form with a confirmation: recognition as a full member,
//! exemption and its end, permanent or temporary transfer and the return, leaving the rolls.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::domain::{Lifecycle, MembershipKind};
use super::scope::MemberInScope;
use super::store::{self, Destination, MemberDetail, Step};
use crate::auth::scope::Keep;
use crate::codes::text_code;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{FieldErrors, Unprocessable, date_field};

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

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct ActionForm {
    on_date: String,
    reference: String,
    reason: String,
    /// Transfer: "permanent" or "temporary"; leave: "struck_off", "expelled" or "deceased".
    kind: String,
    /// Transfer: a branch id, or "elsewhere".
    target: String,
    confirm: Option<String>,
    version: i32,
}

pub struct Choice {
    pub value: String,
    pub label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "members/action.html")]
pub struct ActionPage {
    action: Action,
    member: MemberDetail,
    form: ActionForm,
    targets: Vec<Choice>,
    errors: FieldErrors,
}

impl ActionPage {
    /// Permanent or temporary transfer, the one the form names selected.
    pub fn transfer_kinds(&self) -> Vec<crate::codes::Choice> {
        crate::codes::choices(
            MembershipKind::ALL,
            &self.form.kind,
            MembershipKind::as_str,
            |k| match k {
                MembershipKind::Permanent => "Chuyển chính thức",
                MembershipKind::Temporary => "Chuyển tạm thời",
            },
        )
    }

    /// How a member leaves the rolls, the one the form names selected.
    pub fn leavings(&self) -> Vec<crate::codes::Choice> {
        crate::codes::choices(
            &[
                Lifecycle::StruckOff,
                Lifecycle::Expelled,
                Lifecycle::Deceased,
            ],
            &self.form.kind,
            Lifecycle::as_str,
            |l| match l {
                Lifecycle::Expelled => "Khai trừ",
                Lifecycle::Deceased => "Từ trần",
                _ => "Xóa tên",
            },
        )
    }
}

async fn targets(state: &AppState, action: Action, home: Uuid) -> AppResult<Vec<Choice>> {
    if action != Action::Transfer {
        return Ok(Vec::new());
    }
    let mut out: Vec<Choice> = store::transfer_targets(&state.pool, home)
        .await?
        .into_iter()
        .map(|(id, label)| Choice {
            value: id.to_string(),
            label,
        })
        .collect();
    out.push(Choice {
        value: "elsewhere".into(),
        label: "Nơi khác, ngoài hệ thống (chỉ khi chuyển chính thức)".into(),
    });
    Ok(out)
}

pub async fn form(
    State(state): State<AppState>,
    kept: MemberInScope<Keep>,
    Path((_, slug)): Path<(Uuid, String)>,
) -> AppResult<ActionPage> {
    let action = Action::parse(&slug).ok_or(AppError::NotFound)?;
    let home = kept.branch();
    let member = kept.member;
    let form = ActionForm {
        on_date: state.clock.today().format("%Y-%m-%d").to_string(),
        kind: match action {
            Action::Transfer => MembershipKind::Permanent.as_str().into(),
            Action::Leave => Lifecycle::StruckOff.as_str().into(),
            _ => String::new(),
        },
        version: member.version,
        ..Default::default()
    };
    Ok(ActionPage {
        targets: targets(&state, action, home).await?,
        action,
        member,
        form,
        errors: FieldErrors::default(),
    })
}

fn non_empty(s: &str) -> Option<&str> {
    let t = s.trim();
    (!t.is_empty()).then_some(t)
}

pub async fn submit(
    State(state): State<AppState>,
    kept: MemberInScope<Keep>,
    Path((_, slug)): Path<(Uuid, String)>,
    Form(mut form): Form<ActionForm>,
) -> AppResult<Response> {
    let action = Action::parse(&slug).ok_or(AppError::NotFound)?;
    let (id, home, user) = (kept.member.id, kept.branch(), kept.user);
    let mut errors = FieldErrors::default();
    let on_date = date_field(&form.on_date, "on_date", true, &mut errors);
    // Recognition and leaving the rolls record what has happened; a transfer or an
    // exemption may be entered ahead of its date.
    if matches!(action, Action::Recognise | Action::Leave)
        && on_date.is_some_and(|d| d > state.clock.today())
    {
        errors.add("on_date", "Ngày không thể ở tương lai.");
    }
    if form.confirm.is_none() {
        errors.add("confirm", "Vui lòng đánh dấu ô xác nhận.");
    }
    if non_empty(&form.reason).is_some_and(|r| r.chars().count() > 500)
        || non_empty(&form.reference).is_some_and(|r| r.chars().count() > 100)
    {
        errors.add(
            "reason",
            "Lý do (500 ký tự) hoặc số văn bản (100 ký tự) quá dài.",
        );
    }
    let destination = if action == Action::Transfer {
        match form.target.trim() {
            "" => {
                errors.add("target", "Vui lòng chọn nơi chuyển đến.");
                None
            }
            "elsewhere" => Some(Destination::Elsewhere),
            raw => match Uuid::parse_str(raw) {
                Ok(t) => Some(Destination::Branch(t)),
                Err(_) => {
                    errors.add("target", "Chi bộ đến không hợp lệ.");
                    None
                }
            },
        }
    } else {
        None
    };
    if let (true, Some(on_date)) = (errors.is_empty(), on_date) {
        let step = Step {
            member_id: id,
            version: form.version,
            on_date,
            reference: non_empty(&form.reference),
            reason: non_empty(&form.reason),
        };
        let actor = Some(user.id);
        let result = match action {
            Action::Recognise => store::recognise(&state.pool, actor, step).await,
            Action::Exempt => store::set_exempt(&state.pool, actor, step, true).await,
            Action::EndExemption => store::set_exempt(&state.pool, actor, step, false).await,
            Action::Return => store::end_temporary(&state.pool, actor, step).await,
            Action::Leave => match store::Leaving::parse(&form.kind) {
                Some(how) => store::leave(&state.pool, actor, step, how).await,
                None => Err(crate::error::StoreError::invalid(
                    "kind",
                    "Vui lòng chọn hình thức.",
                )),
            },
            Action::Transfer => match (MembershipKind::parse(&form.kind), destination) {
                (Some(kind), Some(to)) => {
                    let permanent = kind == MembershipKind::Permanent;
                    store::transfer(&state.pool, actor, step, to, permanent).await
                }
                _ => Err(crate::error::StoreError::invalid(
                    "kind",
                    "Vui lòng chọn chuyển chính thức hoặc tạm thời.",
                )),
            },
        };
        match result {
            // After leaving or moving away the member may be outside the user's scope: go
            // back to the branch's list, which is.
            Ok(()) => return Ok(Redirect::to(&format!("/units/{home}/members")).into_response()),
            Err(e) => errors = e.into_form_errors()?,
        }
    }
    let member = store::detail(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    form.version = member.version;
    let page = ActionPage {
        targets: targets(&state, action, home).await?,
        action,
        member,
        form,
        errors,
    };
    Ok(Unprocessable(page).into_response())
}
