//! The model-meeting programme (sinh hoạt chi bộ điểm, docs/rules.md §3.1; seeds 000 and 002):
//! a committee plans which branch hosts in which month, rolling through all its branches,
//! records who attended from the upper level and the on-the-spot review, and sees coverage.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::forms::{ModelReviewForm, PlanForm};
use super::store::{self, Planned};
use crate::auth::User;
use crate::auth::scope::Read;
use crate::error::{AppError, AppResult, refused};
use crate::org::scope::CommitteeInScope;
use crate::org::store::Unit;
use crate::state::AppState;
use crate::web::{FieldErrors, Unprocessable};

#[derive(Template, WebTemplate)]
#[template(path = "supervision/model.html")]
pub struct ModelPage {
    unit: Unit,
    planned: Vec<Planned>,
    /// Branches that have not hosted yet come first: the programme rolls through all.
    choices: Vec<(Uuid, String, bool)>,
    hosted: usize,
    branches: usize,
    /// The plan as typed (empty on a fresh page).
    plan: PlanForm,
    /// The planned meeting whose review form came back, if one did.
    editing: String,
    errors: FieldErrors,
}

impl ModelPage {
    pub fn field(&self, name: &str) -> &str {
        match name {
            "branch" => &self.plan.branch,
            "month" => &self.plan.month,
            "editing" => &self.editing,
            _ => "",
        }
    }
}

async fn page(
    state: &AppState,
    unit: Unit,
    plan: PlanForm,
    editing: Option<Uuid>,
    errors: FieldErrors,
) -> AppResult<ModelPage> {
    let planned = store::planned(&state.pool, unit.id).await?;
    let open = crate::org::store::branches_open_between(
        &state.pool,
        unit.id,
        state.clock.today(),
        state.clock.today().succ_opt().expect("tomorrow"),
        state.clock.today(),
    )
    .await?;
    let hosted: Vec<Uuid> = planned
        .iter()
        .filter(|p| p.reviewed_at.is_some())
        .map(|p| p.branch_id)
        .collect();
    let mut choices: Vec<(Uuid, String, bool)> = open
        .iter()
        .map(|b| {
            (
                b.id,
                b.name.clone(),
                planned.iter().any(|p| p.branch_id == b.id),
            )
        })
        .collect();
    // Stable: the Vietnamese order from the database within each group.
    choices.sort_by_key(|(_, _, done)| *done);
    let branches = open.len();
    let hosted = open.iter().filter(|b| hosted.contains(&b.id)).count();
    Ok(ModelPage {
        unit,
        planned,
        choices,
        hosted,
        branches,
        plan,
        editing: editing.map(|id| id.to_string()).unwrap_or_default(),
        errors,
    })
}

fn supervisor(user: &User, unit: &Unit) -> AppResult<()> {
    if user.oversees(&unit.path) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn list(
    State(state): State<AppState>,
    CommitteeInScope { unit, .. }: CommitteeInScope<Read>,
) -> AppResult<ModelPage> {
    page(
        &state,
        unit,
        PlanForm::default(),
        None,
        FieldErrors::default(),
    )
    .await
}

/// Plans a branch to host in a month.
pub async fn plan(
    State(state): State<AppState>,
    CommitteeInScope { unit, user, .. }: CommitteeInScope<Read>,
    Form(form): Form<PlanForm>,
) -> AppResult<Response> {
    let id = unit.id;
    if unit.kind.is_branch() {
        return Err(AppError::NotFound);
    }
    supervisor(&user, &unit)?;
    let result = match form.parse(state.clock.this_month()) {
        Ok(plan) => {
            refused(store::plan(&state.pool, &unit, &plan, user.id, state.clock.now()).await)?
        }
        Err(errors) => Err(errors),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/model-meetings/{id}")).into_response()),
        Err(errors) => {
            let p = page(&state, unit, form, None, errors).await?;
            Ok(Unprocessable(p).into_response())
        }
    }
}

/// Records the on-the-spot review of a model meeting.
pub async fn review(
    State(state): State<AppState>,
    CommitteeInScope { unit, user, .. }: CommitteeInScope<Read>,
    Path((_, planned)): Path<(Uuid, Uuid)>,
    Form(form): Form<ModelReviewForm>,
) -> AppResult<Response> {
    let id = unit.id;
    supervisor(&user, &unit)?;
    let result = match form.parse(state.clock.today()) {
        Ok(r) => refused(store::review(&state.pool, unit.id, planned, user.id, &r).await)?,
        Err(errors) => Err(errors),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/model-meetings/{id}")).into_response()),
        Err(errors) => {
            let p = page(&state, unit, PlanForm::default(), Some(planned), errors).await?;
            Ok(Unprocessable(p).into_response())
        }
    }
}

impl Planned {
    pub fn month_label(&self) -> String {
        self.month.format("%m/%Y").to_string()
    }

    pub fn reviewed_label(&self) -> String {
        self.reviewed_at
            .map(crate::web::vn_date)
            .unwrap_or_default()
    }
}
