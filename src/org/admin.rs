//! The administrators' pages: the admin home, and creating, renaming, moving, closing and
//! merging units (each a form with a confirmation and the version it was built from).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::domain::{BranchType, UnitKind};
use super::forms::{CloseForm, MergeForm, MoveForm, NewUnitForm, RenameForm};
use super::scope::UnitInScope;
use super::store::{Link, Unit};
use crate::auth::scope::Administer;
use crate::auth::{Role, User};
use crate::codes::{Choice, choices};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{FieldErrors, Unprocessable};

use super::{domain, scope, store};

#[derive(Template, WebTemplate)]
#[template(path = "org/admin.html")]
pub(super) struct AdminPage {
    units: Vec<Link>,
    system_admin: bool,
    /// May open the installation's settings (templates, thresholds).
    installation: bool,
}

pub(super) async fn admin_home(State(state): State<AppState>, user: User) -> AppResult<AdminPage> {
    if !user.is_admin_anywhere() {
        return Err(AppError::NotFound);
    }
    let system_admin = user
        .grants
        .iter()
        .any(|g| g.role == Role::Admin && g.unit_id.is_none());
    let units = if system_admin {
        store::top_units(&state.pool).await?
    } else {
        user.grants
            .iter()
            .filter(|g| g.role == Role::Admin)
            .filter_map(|g| {
                Some(Link {
                    id: g.unit_id?,
                    name: g.unit_name.clone()?,
                })
            })
            .collect()
    };
    Ok(AdminPage {
        units,
        system_admin,
        installation: super::is_system_admin(&state, &user).await?,
    })
}

// ----- create -------------------------------------------------------------------------------

#[derive(Deserialize, Default)]
pub struct NewQuery {
    parent: Option<Uuid>,
}

#[derive(Template, WebTemplate)]
#[template(path = "org/new.html")]
pub(super) struct NewUnitPage {
    parent: Option<Unit>,
    form: NewUnitForm,
    kinds: Vec<Choice>,
    branch_types: Vec<Choice>,
    errors: FieldErrors,
}

/// The parent a new unit goes under: one the user administers, or none for a system admin.
pub(super) async fn parent_for_new(
    state: &AppState,
    user: &User,
    parent: Option<Uuid>,
) -> AppResult<Option<Unit>> {
    match parent {
        Some(id) => Ok(Some(scope::load::<Administer>(state, user, id).await?)),
        None if user
            .grants
            .iter()
            .any(|g| g.role == Role::Admin && g.unit_id.is_none()) =>
        {
            Ok(None)
        }
        None => Err(AppError::NotFound),
    }
}

/// The kinds the parent may hold, the typed one selected.
fn kind_choices(parent: Option<&Unit>, typed: &str) -> Vec<Choice> {
    choices(UnitKind::ALL, typed, UnitKind::as_str, UnitKind::label)
        .into_iter()
        .filter(|c| {
            UnitKind::parse(c.value)
                .is_some_and(|k| domain::placement_allowed(parent.map(|p| p.kind), k).is_ok())
        })
        .collect()
}

fn branch_type_choices(typed: &str) -> Vec<Choice> {
    choices(
        BranchType::ALL,
        typed,
        BranchType::as_str,
        BranchType::label,
    )
}

pub(super) async fn new_form(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<NewQuery>,
) -> AppResult<NewUnitPage> {
    let parent = parent_for_new(&state, &user, q.parent).await?;
    let form = NewUnitForm {
        parent: parent
            .as_ref()
            .map(|p| p.id.to_string())
            .unwrap_or_default(),
        valid_from: state.clock.today().format("%Y-%m-%d").to_string(),
        ..Default::default()
    };
    Ok(NewUnitPage {
        kinds: kind_choices(parent.as_ref(), &form.kind),
        branch_types: branch_type_choices(&form.branch_type),
        parent,
        form,
        errors: FieldErrors::default(),
    })
}

pub(super) async fn create(
    State(state): State<AppState>,
    user: User,
    Form(form): Form<NewUnitForm>,
) -> AppResult<Response> {
    let parent_id = form.parent_id().map_err(|_| AppError::NotFound)?;
    let parent = parent_for_new(&state, &user, parent_id).await?;
    let errors = match form.parse(parent_id) {
        Ok(new) => match store::create(&state.pool, Some(user.id), new).await {
            Ok(id) => return Ok(Redirect::to(&format!("/units/{id}")).into_response()),
            Err(e) => e.into_form_errors()?,
        },
        Err(errors) => errors,
    };
    let page = NewUnitPage {
        kinds: kind_choices(parent.as_ref(), &form.kind),
        branch_types: branch_type_choices(&form.branch_type),
        parent,
        form,
        errors,
    };
    Ok(Unprocessable(page).into_response())
}

// ----- rename -------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "org/rename.html")]
pub(super) struct RenamePage {
    unit: Unit,
    name: String,
    version: i32,
    errors: FieldErrors,
}

pub(super) async fn rename_form(
    UnitInScope { unit, .. }: UnitInScope<Administer>,
) -> AppResult<RenamePage> {
    Ok(RenamePage {
        name: unit.name.clone(),
        version: unit.version,
        unit,
        errors: FieldErrors::default(),
    })
}

pub(super) async fn rename(
    State(state): State<AppState>,
    UnitInScope { unit, user, .. }: UnitInScope<Administer>,
    Form(form): Form<RenameForm>,
) -> AppResult<Response> {
    let id = unit.id;
    let errors = match form.parse() {
        Err(errors) => errors,
        Ok(name) => {
            match store::rename(
                &state.pool,
                Some(user.id),
                id,
                form.version,
                &name,
                state.clock.today(),
            )
            .await
            {
                Ok(()) => return Ok(Redirect::to(&format!("/units/{id}")).into_response()),
                Err(e) => e.into_form_errors()?,
            }
        }
    };
    let page = RenamePage {
        name: form.name,
        version: unit.version,
        unit,
        errors,
    };
    Ok(Unprocessable(page).into_response())
}

// ----- move, merge: pick another unit -------------------------------------------------------

pub struct UnitChoice {
    pub value: String,
    pub label: String,
}

/// Open units that could take `unit`: as its new parent (`for_merge` false: any committee
/// the user administers), or as the unit it merges into or hands over to (a unit of the same
/// family nearby: under the unit's grandparent, so that a province administrator picks among
/// a town's branches rather than the whole province's).
pub(super) async fn unit_choices(
    state: &AppState,
    user: &User,
    unit: &Unit,
    for_merge: bool,
) -> AppResult<Vec<UnitChoice>> {
    let admin_roots: Option<Vec<String>> = if user
        .grants
        .iter()
        .any(|g| g.role == Role::Admin && g.unit_path.is_none())
    {
        None
    } else {
        Some(
            user.grants
                .iter()
                .filter(|g| g.role == Role::Admin)
                .filter_map(|g| g.unit_path.clone())
                .collect(),
        )
    };
    let labels: Vec<&str> = unit.path.split('.').collect();
    let near = labels[..labels.len().saturating_sub(2).max(1)].join(".");
    let candidates =
        store::open_units_under(&state.pool, admin_roots.as_deref(), !for_merge).await?;
    Ok(candidates
        .into_iter()
        .filter(|(c, _)| !crate::auth::path_within(&unit.path, &c.path))
        .filter(|(c, _)| {
            if for_merge {
                crate::auth::path_within(&near, &c.path)
                    && domain::merge_allowed(unit.kind, c.kind).is_ok()
            } else {
                Some(c.id) != unit.parent_id
                    && domain::placement_allowed(Some(c.kind), unit.kind).is_ok()
            }
        })
        .map(|(c, parent_name)| UnitChoice {
            value: c.id.to_string(),
            label: if parent_name.is_empty() {
                c.name
            } else {
                format!("{} — thuộc {}", c.name, parent_name)
            },
        })
        .collect())
}

/// The picked unit must be one the user administers; otherwise it is treated as unknown.
pub(super) async fn in_admin_scope(
    state: &AppState,
    user: &User,
    id: Uuid,
    field: &'static str,
) -> AppResult<Result<Uuid, FieldErrors>> {
    match store::get(&state.pool, id).await? {
        Some(u) if user.administers(&u.path) => Ok(Ok(id)),
        _ => Ok(Err(FieldErrors::one(
            field,
            "Đơn vị đã chọn không tồn tại hoặc nằm ngoài phạm vi quản trị của bạn.",
        ))),
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "org/move.html")]
pub(super) struct MovePage {
    unit: Unit,
    choices: Vec<UnitChoice>,
    selected: String,
    version: i32,
    errors: FieldErrors,
}

pub(super) async fn move_form(
    State(state): State<AppState>,
    UnitInScope { unit, user, .. }: UnitInScope<Administer>,
) -> AppResult<MovePage> {
    let choices = unit_choices(&state, &user, &unit, false).await?;
    Ok(MovePage {
        choices,
        selected: String::new(),
        version: unit.version,
        unit,
        errors: FieldErrors::default(),
    })
}

pub(super) async fn move_unit(
    State(state): State<AppState>,
    UnitInScope { unit, user, .. }: UnitInScope<Administer>,
    Form(form): Form<MoveForm>,
) -> AppResult<Response> {
    let id = unit.id;
    let picked = match form.parse() {
        Ok(parent) => in_admin_scope(&state, &user, parent, "parent").await?,
        Err(errors) => Err(errors),
    };
    let errors = match picked {
        Ok(parent) => {
            match store::move_to(
                &state.pool,
                Some(user.id),
                id,
                form.version,
                parent,
                state.clock.today(),
            )
            .await
            {
                Ok(()) => return Ok(Redirect::to(&format!("/units/{id}")).into_response()),
                Err(e) => e.into_form_errors()?,
            }
        }
        Err(errors) => errors,
    };
    let choices = unit_choices(&state, &user, &unit, false).await?;
    let page = MovePage {
        choices,
        selected: form.parent,
        version: unit.version,
        unit,
        errors,
    };
    Ok(Unprocessable(page).into_response())
}

/// What the merge and close forms show: the unit, the units to pick from, and the values
/// as typed (kept when the form comes back with a message).
pub struct UnitPick {
    pub unit: Unit,
    pub choices: Vec<UnitChoice>,
    pub selected: String,
    pub date: String,
    pub version: i32,
    pub errors: FieldErrors,
}

impl UnitPick {
    /// A fresh form: nothing picked, dated today.
    async fn blank(state: &AppState, user: &User, unit: Unit) -> AppResult<Self> {
        let date = state.clock.today().format("%Y-%m-%d").to_string();
        Self::with_input(
            state,
            user,
            unit,
            String::new(),
            date,
            FieldErrors::default(),
        )
        .await
    }

    /// The form again, with what the user typed and the messages, at the unit's current
    /// version (so a stale form can be re-sent once checked).
    async fn with_input(
        state: &AppState,
        user: &User,
        unit: Unit,
        selected: String,
        date: String,
        errors: FieldErrors,
    ) -> AppResult<Self> {
        let choices = unit_choices(state, user, &unit, true).await?;
        Ok(Self {
            version: unit.version,
            unit,
            choices,
            selected,
            date,
            errors,
        })
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "org/merge.html")]
pub(super) struct MergePage {
    pick: UnitPick,
}

pub(super) async fn merge_form(
    State(state): State<AppState>,
    UnitInScope { unit, user, .. }: UnitInScope<Administer>,
) -> AppResult<MergePage> {
    let pick = UnitPick::blank(&state, &user, unit).await?;
    Ok(MergePage { pick })
}

pub(super) async fn merge(
    State(state): State<AppState>,
    UnitInScope { unit, user, .. }: UnitInScope<Administer>,
    Form(form): Form<MergeForm>,
) -> AppResult<Response> {
    let id = unit.id;
    let picked = match form.parse() {
        Ok((target, date)) => in_admin_scope(&state, &user, target, "target")
            .await?
            .map(|target| (target, date)),
        Err(errors) => Err(errors),
    };
    let errors = match picked {
        Ok((target, date)) => {
            match store::merge(&state.pool, Some(user.id), id, form.version, target, date).await {
                Ok(_) => return Ok(Redirect::to(&format!("/units/{target}")).into_response()),
                Err(e) => e.into_form_errors()?,
            }
        }
        Err(errors) => errors,
    };
    let pick = UnitPick::with_input(&state, &user, unit, form.target, form.date, errors).await?;
    let page = MergePage { pick };
    Ok(Unprocessable(page).into_response())
}

// ----- close --------------------------------------------------------------------------------

#[derive(Template, WebTemplate)]
#[template(path = "org/close.html")]
pub(super) struct ClosePage {
    pick: UnitPick,
}

pub(super) async fn close_form(
    State(state): State<AppState>,
    UnitInScope { unit, user, .. }: UnitInScope<Administer>,
) -> AppResult<ClosePage> {
    let pick = UnitPick::blank(&state, &user, unit).await?;
    Ok(ClosePage { pick })
}

pub(super) async fn close(
    State(state): State<AppState>,
    UnitInScope { unit, user, .. }: UnitInScope<Administer>,
    Form(form): Form<CloseForm>,
) -> AppResult<Response> {
    let id = unit.id;
    let picked = match form.parse() {
        Ok((date, None)) => Ok((date, None)),
        Ok((date, Some(successor))) => in_admin_scope(&state, &user, successor, "successors")
            .await?
            .map(|s| (date, Some(s))),
        Err(errors) => Err(errors),
    };
    let errors = match picked {
        Err(errors) => errors,
        Ok((date, successor)) => {
            let successors: Vec<Uuid> = successor.into_iter().collect();
            let closed = store::close(
                &state.pool,
                Some(user.id),
                id,
                form.version,
                date,
                &successors,
            )
            .await;
            match closed {
                Ok(()) => return Ok(Redirect::to(&format!("/units/{id}")).into_response()),
                Err(e) => e.into_form_errors()?,
            }
        }
    };
    let pick = UnitPick::with_input(&state, &user, unit, form.successor, form.date, errors).await?;
    let page = ClosePage { pick };
    Ok(Unprocessable(page).into_response())
}
