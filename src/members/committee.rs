//! The branch committee: who holds which post, from when; the rules as warnings.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::domain::{self, Post, PostRole};
use super::store::{self, NewPost, PostRow};
use crate::auth::scope::{Keep, Read};
use crate::codes::{Choice, choices};
use crate::error::AppResult;
use crate::org::scope::BranchInScope;
use crate::org::store::Unit;
use crate::state::AppState;
use crate::web::{FieldErrors, Unprocessable, date_field, vn_date};

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct PostForm {
    member: String,
    role: String,
    term: String,
    valid_from: String,
    reference: String,
}

pub struct Candidate {
    pub id: String,
    pub label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "members/committee.html")]
pub struct CommitteePage {
    unit: Unit,
    posts: Vec<PostRow>,
    warnings: Vec<String>,
    candidates: Vec<Candidate>,
    form: PostForm,
    errors: FieldErrors,
    end_date: String,
}

impl CommitteePage {
    pub fn since(&self, p: &PostRow) -> String {
        vn_date(p.valid_from)
    }

    /// The post choices, the one the form names selected.
    pub fn roles(&self) -> Vec<Choice> {
        choices(
            PostRole::ALL,
            &self.form.role,
            PostRole::as_str,
            PostRole::label,
        )
    }
}

async fn render(
    state: &AppState,
    unit: Unit,
    form: PostForm,
    errors: FieldErrors,
) -> AppResult<CommitteePage> {
    let (roster, counts, _) = super::pages::branch_summary(state, &unit).await?;
    let posts = store::posts(&state.pool, unit.id).await?;
    let warnings = domain::committee_warnings(
        counts.chinh_thuc,
        &posts
            .iter()
            .map(|p| Post {
                role: p.role,
                holder: &p.full_name,
                holder_status: p.status,
            })
            .collect::<Vec<_>>(),
    );
    let candidates = roster
        .iter()
        .filter(|r| r.permanent && r.role.is_none())
        .map(|r| Candidate {
            id: r.id.to_string(),
            label: format!("{} ({})", r.full_name, r.status_label().to_lowercase()),
        })
        .collect();
    Ok(CommitteePage {
        unit,
        posts,
        warnings,
        candidates,
        form,
        errors,
        end_date: state.clock.today().format("%Y-%m-%d").to_string(),
    })
}

pub async fn page(
    State(state): State<AppState>,
    BranchInScope { unit, .. }: BranchInScope<Read>,
) -> AppResult<CommitteePage> {
    let form = PostForm {
        valid_from: state.clock.today().format("%Y-%m-%d").to_string(),
        ..Default::default()
    };
    render(&state, unit, form, FieldErrors::default()).await
}

pub async fn add(
    State(state): State<AppState>,
    BranchInScope { unit, user, .. }: BranchInScope<Keep>,
    Form(form): Form<PostForm>,
) -> AppResult<Response> {
    let id = unit.id;
    let mut errors = FieldErrors::default();
    let member = Uuid::parse_str(form.member.trim()).ok();
    if member.is_none() {
        errors.add("member", "Vui lòng chọn đảng viên.");
    }
    let from = date_field(&form.valid_from, "valid_from", true, &mut errors);
    let role = PostRole::parse(&form.role);
    if role.is_none() {
        errors.add("role", "Vui lòng chọn chức vụ.");
    }
    if let (true, Some(member_id), Some(valid_from), Some(role)) =
        (errors.is_empty(), member, from, role)
    {
        let new = NewPost {
            unit_id: unit.id,
            member_id,
            role,
            term: Some(form.term.trim()).filter(|t| !t.is_empty()),
            valid_from,
            reference: Some(form.reference.trim()).filter(|t| !t.is_empty()),
        };
        match store::add_post(&state.pool, Some(user.id), new).await {
            Ok(()) => return Ok(Redirect::to(&format!("/units/{id}/committee")).into_response()),
            Err(e) => errors = e.into_form_errors()?,
        }
    }
    let page = render(&state, unit, form, errors).await?;
    Ok(Unprocessable(page).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EndForm {
    on_date: String,
}

pub async fn end(
    State(state): State<AppState>,
    BranchInScope { unit, user, .. }: BranchInScope<Keep>,
    Path((_, post)): Path<(Uuid, Uuid)>,
    Form(form): Form<EndForm>,
) -> AppResult<Response> {
    let id = unit.id;
    let mut errors = FieldErrors::default();
    if let Some(on_date) = date_field(&form.on_date, "on_date", true, &mut errors) {
        match store::end_post(&state.pool, Some(user.id), unit.id, post, on_date).await {
            Ok(()) => return Ok(Redirect::to(&format!("/units/{id}/committee")).into_response()),
            Err(e) => errors = e.into_form_errors()?,
        }
    }
    let page = render(&state, unit, PostForm::default(), errors).await?;
    Ok(Unprocessable(page).into_response())
}
