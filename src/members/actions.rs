//! Life-cycle steps, each its own form with a confirmation: recognition as a full member,
//! exemption and its end, permanent or temporary transfer and the return, leaving the rolls.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::domain::{Lifecycle, MembershipKind};
use super::forms::{Action, ActionForm, StepKind};
use super::scope::MemberInScope;
use super::store::{self, MemberDetail, Step};
use crate::auth::scope::Keep;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{FieldErrors, Unprocessable};

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
        value: crate::members::domain::Destination::ELSEWHERE.into(),
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

pub async fn submit(
    State(state): State<AppState>,
    kept: MemberInScope<Keep>,
    Path((_, slug)): Path<(Uuid, String)>,
    Form(mut form): Form<ActionForm>,
) -> AppResult<Response> {
    let action = Action::parse(&slug).ok_or(AppError::NotFound)?;
    let (id, home, user) = (kept.member.id, kept.branch(), kept.user);
    let errors = match form.parse(action, state.clock.today()) {
        Err(errors) => errors,
        Ok(input) => {
            let step = Step {
                member_id: id,
                version: form.version,
                on_date: input.on_date,
                reference: input.reference.as_deref(),
                reason: input.reason.as_deref(),
            };
            let (pool, actor) = (&state.pool, Some(user.id));
            let result = match input.kind {
                StepKind::Recognise => store::recognise(pool, actor, step).await,
                StepKind::Exempt => store::set_exempt(pool, actor, step, true).await,
                StepKind::EndExemption => store::set_exempt(pool, actor, step, false).await,
                StepKind::Return => store::end_temporary(pool, actor, step).await,
                StepKind::Leave(how) => store::leave(pool, actor, step, how).await,
                StepKind::Transfer { to, permanent } => {
                    store::transfer(pool, actor, step, to, permanent).await
                }
            };
            match crate::error::refused(result)? {
                // After leaving or moving away the member may be outside the user's scope:
                // go back to the branch's list, which is.
                Ok(()) => {
                    return Ok(Redirect::to(&format!("/units/{home}/members")).into_response());
                }
                Err(errors) => errors,
            }
        }
    };
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
