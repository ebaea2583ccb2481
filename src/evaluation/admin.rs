//! The rubric registry for administrators: list, import a JSON or TOML file as a draft,
//! edit a draft, preview it on a sample meeting, publish it from a date, export it.
//!
//! The editor is the file itself (TOML) beside a rendered view of the groups, criteria,
//! bands and gates: a province hands over its sheet as a file, and the same text is what an
//! administrator corrects. Every save is parsed and checked; nothing invalid is written.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::domain::RubricRefusal;
use super::forms::{MAX_FILE_BYTES, PublishForm, RubricErrors, RubricForm, RubricInput, file_text};
use super::rubric::{ALL_SOURCES, Input, Rubric, Source};
use super::scoring::{self, Entries, Entry, Facts, Scored};
use super::store::{self, StoredRubric};
use crate::auth::User;
use crate::error::{AppError, AppResult, Refusal, StoreError};
use crate::state::AppState;
use crate::web::{FieldErrors, Unprocessable};

fn admin(user: &User) -> AppResult<()> {
    if user.is_admin_anywhere() {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// May the user change rubrics of this scope (none = national: a system administrator)?
async fn may_manage(state: &AppState, user: &User, scope_path: Option<&str>) -> AppResult<bool> {
    match scope_path {
        Some(p) => Ok(user.administers(p)),
        None => crate::org::is_system_admin(state, user).await,
    }
}

/// May the user (an administrator) see rubrics of this scope: national ones, and those of
/// a unit their grant lies within or above? Another province's rubrics name nothing to them.
fn may_read(user: &User, scope_path: Option<&str>) -> bool {
    match scope_path {
        None => true,
        Some(p) => user.grants.iter().any(|g| {
            g.role == crate::auth::Role::Admin
                && match &g.unit_path {
                    None => true,
                    Some(root) => {
                        crate::auth::path_within(root, p) || crate::auth::path_within(p, root)
                    }
                }
        }),
    }
}

async fn scope_path(state: &AppState, scope: Option<Uuid>) -> AppResult<Option<String>> {
    Ok(match scope {
        Some(id) => Some(
            crate::org::store::get(&state.pool, id)
                .await?
                .ok_or(AppError::NotFound)?
                .path,
        ),
        None => None,
    })
}

/// The scopes this user may give a rubric: (value, label).
async fn scopes_for(state: &AppState, user: &User) -> AppResult<Vec<(String, String)>> {
    let mut out = Vec::new();
    if may_manage(state, user, None).await? {
        out.push((String::new(), "Toàn quốc".to_owned()));
    }
    for (id, name, path) in store::scope_choices(&state.pool).await? {
        if user.administers(&path) {
            out.push((id.to_string(), name));
        }
    }
    Ok(out)
}

#[derive(Template, WebTemplate)]
#[template(path = "evaluation/rubrics.html")]
pub struct ListPage {
    rubrics: Vec<StoredRubric>,
    scopes: Vec<(String, String)>,
    text: String,
    scope: String,
    errors: FieldErrors,
    problems: Vec<String>,
}

async fn list_page(
    state: &AppState,
    user: &User,
    text: String,
    scope: String,
    errors: FieldErrors,
    problems: Vec<String>,
) -> AppResult<ListPage> {
    let mut rubrics = Vec::new();
    for r in store::rubrics(&state.pool).await? {
        if may_read(user, scope_path(state, r.scope_unit_id).await?.as_deref()) {
            rubrics.push(r);
        }
    }
    Ok(ListPage {
        rubrics,
        scopes: scopes_for(state, user).await?,
        text,
        scope,
        errors,
        problems,
    })
}

pub async fn list(State(state): State<AppState>, user: User) -> AppResult<ListPage> {
    admin(&user)?;
    list_page(
        &state,
        &user,
        String::new(),
        String::new(),
        FieldErrors::default(),
        vec![],
    )
    .await
}

/// The scope's refusal when the user does not manage it (a unit's rubrics are its
/// administrators', the national ones a system administrator's).
async fn check_scope(
    state: &AppState,
    user: &User,
    scope: Option<Uuid>,
) -> AppResult<Result<(), RubricRefusal>> {
    let path = scope_path(state, scope).await?;
    Ok(if may_manage(state, user, path.as_deref()).await? {
        Ok(())
    } else {
        Err(RubricRefusal::ScopeNotAdministered)
    })
}

/// Imports a file (or pasted text) as a new draft.
pub async fn import(
    State(state): State<AppState>,
    user: User,
    multipart: Result<Multipart, MultipartRejection>,
) -> AppResult<Response> {
    // Who may import is settled before the body is read: anyone else gets the same 404 as
    // for any page of the registry, whatever they sent.
    admin(&user)?;
    let mut multipart = multipart.map_err(|_| AppError::BadRequest)?;
    let mut form = RubricForm::default();
    let mut errors = FieldErrors::default();
    // The route's body limit is the file's and a little for the other fields; the page
    // names the file's.
    let too_large = |e| AppError::multipart(e, MAX_FILE_BYTES);
    while let Some(field) = multipart.next_field().await.map_err(too_large)? {
        let name = field.name().unwrap_or("").to_owned();
        let bytes = field.bytes().await.map_err(too_large)?;
        match name.as_str() {
            "file" if !bytes.is_empty() => match file_text(&bytes) {
                Ok(t) => form.text = t,
                Err(m) => errors.add("text", m),
            },
            "text" if form.text.is_empty() => {
                form.text = String::from_utf8_lossy(&bytes).into_owned()
            }
            "scope" => form.scope = String::from_utf8_lossy(&bytes).into_owned(),
            _ => {}
        }
    }
    let mut problems = vec![];
    if errors.is_empty() {
        match form.parse() {
            Err(e) => (errors, problems) = (e.fields, e.problems),
            Ok(RubricInput { rubric, scope }) => match check_scope(&state, &user, scope).await? {
                Err(r) => errors.add(r.field(), r.message()),
                Ok(()) => {
                    let id = store::create_draft(&state.pool, &rubric, scope, user.id).await?;
                    return Ok(Redirect::to(&format!("/admin/rubrics/{id}")).into_response());
                }
            },
        }
    }
    let p = list_page(&state, &user, form.text, form.scope, errors, problems).await?;
    Ok(Unprocessable(p).into_response())
}

/// The sample meeting the preview scores: figures an administrator may change.
fn sample_facts(q: &HashMap<String, String>) -> (Facts, Vec<(Source, String)>) {
    let default = |s: Source| match s {
        Source::AttendanceRate => 92.0,
        Source::UnexcusedAbsences => 0.0,
        Source::ExcusedStreak => 1.0,
        Source::DurationMinutes => 95.0,
        Source::DurationPercent => 105.0,
        Source::SpeakingShare => 45.0,
        Source::TaskCompletion => 85.0,
        Source::MaterialsDaysBefore => 2.0,
        Source::NoticeDaysBefore => 3.0,
        Source::CommitteeMetBefore
        | Source::DraftResolution
        | Source::ResolutionPassed
        | Source::MinutesClosed => 1.0,
    };
    let mut facts = Facts::default();
    let mut shown = Vec::new();
    for s in ALL_SOURCES {
        let raw = q.get(s.as_str()).cloned();
        let v = raw
            .as_deref()
            .and_then(|r| r.trim().replace(',', ".").parse::<f64>().ok())
            .filter(|v| v.is_finite())
            .unwrap_or(default(s));
        facts.set(s, Some(v));
        shown.push((s, format!("{v}")));
    }
    (facts, shown)
}

/// Manual criteria at full marks, so the preview shows what the figures alone decide.
fn full_marks(r: &Rubric) -> Entries {
    r.criteria()
        .map(|c| {
            let value = match &c.input {
                Input::Check => scoring::TICKED.to_owned(),
                Input::Number => c.max.to_string(),
                Input::Choice { options } => options
                    .iter()
                    .position(|o| o.points == c.max)
                    .unwrap_or(0)
                    .to_string(),
                Input::Computed { .. } => String::new(),
            };
            (
                c.code.clone(),
                Entry {
                    value,
                    ..Entry::default()
                },
            )
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "evaluation/rubric.html")]
pub struct ShowPage {
    r: StoredRubric,
    can_manage: bool,
    sample: Vec<(Source, String)>,
    preview: Scored,
    preview_groups: Vec<super::pages::GroupView>,
    errors: FieldErrors,
    /// The publication date as typed (the draft's own date until then).
    publish_from: String,
}

impl ShowPage {
    pub fn steps(&self, input: &Input) -> String {
        match input {
            Input::Check => "Đạt: đủ điểm; không đạt: 0".into(),
            Input::Number => "Nhập điểm".into(),
            Input::Choice { options } => options
                .iter()
                .map(|o| format!("{}: {}", o.label, o.points))
                .collect::<Vec<_>>()
                .join("; "),
            Input::Computed { source, steps } => format!(
                "{} — {}",
                source.label(),
                steps
                    .iter()
                    .map(|s| format!("{}: {}", s.when.label(), s.points))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        }
    }

    pub fn gate_rule(&self, g: &super::rubric::Gate) -> String {
        match &g.rule {
            super::rubric::GateRule::FullMarks { criteria } => format!(
                "Chưa đủ điểm tối đa ở: {}",
                criteria
                    .iter()
                    .map(|c| self
                        .r
                        .rubric
                        .criterion(c)
                        .map(|x| x.title.clone())
                        .unwrap_or_else(|| c.clone()))
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
            super::rubric::GateRule::Fact { source, when } => {
                format!("{} {}", source.label(), when.label())
            }
        }
    }
}

async fn load(state: &AppState, user: &User, id: Uuid) -> AppResult<(StoredRubric, bool)> {
    admin(user)?;
    let mut r = store::rubric(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let path = scope_path(state, r.scope_unit_id).await?;
    if !may_read(user, path.as_deref()) {
        return Err(AppError::NotFound);
    }
    r.uses = Some(store::uses(&state.pool, id).await?);
    let can = may_manage(state, user, path.as_deref()).await?;
    Ok((r, can))
}

/// A rubric the user manages (its scope's administrators; a national one, a system
/// administrator). One the user reads but does not manage is refused (403): its page is
/// open to them already; one they do not read is not found (404, by [`load`]).
async fn load_managed(state: &AppState, user: &User, id: Uuid) -> AppResult<StoredRubric> {
    match load(state, user, id).await? {
        (r, true) => Ok(r),
        (_, false) => Err(AppError::Forbidden),
    }
}

async fn show_page(
    state: &AppState,
    user: &User,
    id: Uuid,
    q: &HashMap<String, String>,
    errors: FieldErrors,
) -> AppResult<ShowPage> {
    let (r, can_manage) = load(state, user, id).await?;
    let (facts, sample) = sample_facts(q);
    let entries = full_marks(&r.rubric);
    let (preview, _) = scoring::score(&r.rubric, &facts, &entries);
    let preview_groups =
        super::pages::groups(&r.rubric, &facts, &entries, &preview, &HashMap::new());
    Ok(ShowPage {
        publish_from: crate::web::vn_date(r.rubric.effective_from),
        r,
        can_manage,
        sample,
        preview,
        preview_groups,
        errors,
    })
}

pub async fn show(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<Uuid>,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<ShowPage> {
    show_page(&state, &user, id, &q, FieldErrors::default()).await
}

fn file_name(r: &StoredRubric, ext: &str) -> String {
    let code: String = r
        .rubric
        .code
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{code}-v{}.{ext}", r.version)
}

pub async fn export(
    State(state): State<AppState>,
    user: User,
    Path((id, format)): Path<(Uuid, String)>,
) -> AppResult<Response> {
    let (r, _) = load(&state, &user, id).await?;
    let (body, mime, ext) = match format.as_str() {
        "json" => (
            r.rubric.to_json(),
            "application/json; charset=utf-8",
            "json",
        ),
        "toml" => (
            r.rubric.to_toml(),
            "application/toml; charset=utf-8",
            "toml",
        ),
        _ => return Err(AppError::NotFound),
    };
    Ok((
        [
            (header::CONTENT_TYPE, mime.to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}\"", file_name(&r, ext)),
            ),
        ],
        body,
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "evaluation/rubric_edit.html")]
pub struct EditPage {
    r: StoredRubric,
    text: String,
    scope: String,
    scopes: Vec<(String, String)>,
    lock_version: String,
    problems: Vec<String>,
    errors: FieldErrors,
}

async fn edit_page(
    state: &AppState,
    user: &User,
    r: StoredRubric,
    typed: Option<RubricForm>,
    problems: Vec<String>,
    errors: FieldErrors,
) -> AppResult<EditPage> {
    let typed = typed.unwrap_or_else(|| RubricForm {
        text: r.rubric.to_toml(),
        scope: r.scope_unit_id.map(|u| u.to_string()).unwrap_or_default(),
        lock_version: r.lock_version.to_string(),
    });
    Ok(EditPage {
        text: typed.text,
        scope: typed.scope,
        lock_version: typed.lock_version,
        scopes: scopes_for(state, user).await?,
        r,
        problems,
        errors,
    })
}

pub async fn edit_form(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let r = load_managed(&state, &user, id).await?;
    if !r.is_draft() {
        return Ok(Redirect::to(&format!("/admin/rubrics/{id}")).into_response());
    }
    Ok(
        edit_page(&state, &user, r, None, vec![], FieldErrors::default())
            .await?
            .into_response(),
    )
}

pub async fn edit(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<Uuid>,
    Form(form): Form<RubricForm>,
) -> AppResult<Response> {
    load_managed(&state, &user, id).await?;
    let RubricErrors {
        fields: errors,
        problems,
    } = match form.parse_edit() {
        Err(e) => e,
        Ok((RubricInput { rubric, scope }, lock)) => {
            let written = match check_scope(&state, &user, scope).await? {
                Err(r) => Err(r.into()),
                Ok(()) => store::update_draft(&state.pool, id, &rubric, scope, lock, user.id).await,
            };
            match written {
                Ok(()) => return Ok(Redirect::to(&format!("/admin/rubrics/{id}")).into_response()),
                Err(e) => RubricErrors {
                    fields: e.into_form_errors()?,
                    problems: vec![],
                },
            }
        }
    };
    // Stale: the newer draft's lock is offered, the typed text kept.
    let fresh = store::rubric(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let mut typed = form;
    if errors.get("form").is_some() {
        typed.lock_version = fresh.lock_version.to_string();
    }
    let p = edit_page(&state, &user, fresh, Some(typed), problems, errors).await?;
    Ok(Unprocessable(p).into_response())
}

/// A new draft version from an existing rubric, to correct and publish.
pub async fn copy(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let r = load_managed(&state, &user, id).await?;
    let mut next = r.rubric.clone();
    next.effective_from = state.clock.today().max(
        r.rubric
            .effective_from
            .succ_opt()
            .unwrap_or(r.rubric.effective_from),
    );
    next.effective_to = None;
    let new_id = store::create_draft(&state.pool, &next, r.scope_unit_id, user.id).await?;
    Ok(Redirect::to(&format!("/admin/rubrics/{new_id}/edit")).into_response())
}

pub async fn publish(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<Uuid>,
    Form(form): Form<PublishForm>,
) -> AppResult<Response> {
    let r = load_managed(&state, &user, id).await?;
    let errors = match form.from_date() {
        Err(errors) => errors,
        Ok(from) => {
            let result = if !r.rubric.validate().is_empty() {
                Err(RubricRefusal::HasProblems.into())
            } else {
                match form.parse() {
                    Some(v) => {
                        store::publish(&state.pool, id, v, from, user.id, state.clock.now()).await
                    }
                    None => Err(StoreError::Stale),
                }
            };
            match result {
                Ok(()) => return Ok(Redirect::to(&format!("/admin/rubrics/{id}")).into_response()),
                Err(e) => e.into_form_errors()?,
            }
        }
    };
    let mut p = show_page(&state, &user, id, &HashMap::new(), errors).await?;
    p.publish_from = form.effective_from;
    Ok(Unprocessable(p).into_response())
}

/// How the rubric pages word a stored rubric.
impl super::store::StoredRubric {
    pub fn period_label(&self) -> String {
        let from = crate::web::vn_date(self.rubric.effective_from);
        match self.rubric.effective_to {
            Some(to) => format!("{from} – {}", crate::web::vn_date(to)),
            None => format!("từ {from}"),
        }
    }

    pub fn scope_label(&self) -> String {
        self.scope_name
            .clone()
            .unwrap_or_else(|| "Toàn quốc".into())
    }
}
