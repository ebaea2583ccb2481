//! The branch committee: who holds which post, from when; the rules as warnings.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::domain::{self, Post, PostRole};
use super::forms::{EndForm, PostForm};
use super::store::{self, PostRow};
use crate::auth::scope::{Keep, Read};
use crate::codes::{Choice, choices};
use crate::error::AppResult;
use crate::org::scope::BranchInScope;
use crate::org::store::Unit;
use crate::state::AppState;
use crate::web::{FieldErrors, Unprocessable, vn_date};

pub struct Candidate {
    pub id: String,
    pub label: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "members/committee.html")]
pub struct CommitteePage {
    unit: Unit,
    /// May the user write this branch's records (a supervisor above only reads them).
    keeps: bool,
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
    keeps: bool,
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
        keeps,
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
    BranchInScope { unit, user, .. }: BranchInScope<Read>,
) -> AppResult<CommitteePage> {
    let keeps = user.keeps(&unit.path);
    let form = PostForm {
        valid_from: state.clock.today().format("%Y-%m-%d").to_string(),
        ..Default::default()
    };
    render(&state, unit, keeps, form, FieldErrors::default()).await
}

pub async fn add(
    State(state): State<AppState>,
    BranchInScope { unit, user, .. }: BranchInScope<Keep>,
    Form(form): Form<PostForm>,
) -> AppResult<Response> {
    let id = unit.id;
    let result = match form.parse() {
        Ok(new) => store::add_post(&state.pool, Some(user.id), unit.id, &new).await,
        Err(errors) => return refuse(&state, unit, form, errors).await,
    };
    match crate::error::refused(result)? {
        Ok(()) => Ok(Redirect::to(&format!("/units/{id}/committee")).into_response()),
        Err(errors) => refuse(&state, unit, form, errors).await,
    }
}

/// The committee page again, with the form as typed and the messages by field.
async fn refuse(
    state: &AppState,
    unit: Unit,
    form: PostForm,
    errors: FieldErrors,
) -> AppResult<Response> {
    // Only a keeper's write is refused for its content.
    let page = render(state, unit, true, form, errors).await?;
    Ok(Unprocessable(page).into_response())
}

pub async fn end(
    State(state): State<AppState>,
    BranchInScope { unit, user, .. }: BranchInScope<Keep>,
    Path((_, post)): Path<(Uuid, Uuid)>,
    Form(form): Form<EndForm>,
) -> AppResult<Response> {
    let id = unit.id;
    let result = match form.parse() {
        Ok(on_date) => store::end_post(&state.pool, Some(user.id), unit.id, post, on_date).await,
        Err(errors) => return refuse(&state, unit, PostForm::default(), errors).await,
    };
    match crate::error::refused(result)? {
        Ok(()) => Ok(Redirect::to(&format!("/units/{id}/committee")).into_response()),
        Err(errors) => refuse(&state, unit, PostForm::default(), errors).await,
    }
}
