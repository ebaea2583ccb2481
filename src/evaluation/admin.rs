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
use axum::extract::{Multipart, Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::rubric::{ALL_SOURCES, Input, Rubric, Source};
use super::scoring::{self, Entries, Entry, Facts, Scored};
use super::store::{self, StoredRubric};
use crate::auth::User;
use crate::error::{AppError, AppResult, StoreError};
use crate::state::AppState;
use crate::web::{FieldErrors, Unprocessable};

/// Rubric files are small; a sheet of a few hundred criteria is well under this.
pub const MAX_FILE_BYTES: usize = 256 * 1024;

fn admin(user: &User) -> AppResult<()> {
    if user.is_admin_anywhere() {
        Ok(())
    } else {
        Err(AppError::NotFound)
    }
}

/// May the user change rubrics of this scope (none = national: a system administrator)?
fn may_manage(user: &User, scope_path: Option<&str>) -> bool {
    match scope_path {
        Some(p) => user.administers(p),
        None => user
            .grants
            .iter()
            .any(|g| g.role == crate::auth::Role::Admin && g.unit_path.is_none()),
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
    if may_manage(user, None) {
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
    Ok(ListPage {
        rubrics: store::rubrics(&state.pool).await?,
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

/// Parses and checks a rubric text: the rubric, or the messages to show.
fn check(text: &str) -> Result<Rubric, Vec<String>> {
    let r = Rubric::parse_file(text).map_err(|e| vec![e])?;
    let problems = r.validate();
    if problems.is_empty() {
        Ok(r)
    } else {
        Err(problems.iter().map(ToString::to_string).collect())
    }
}

fn parse_scope(raw: &str) -> Result<Option<Uuid>, ()> {
    if raw.trim().is_empty() {
        Ok(None)
    } else {
        raw.trim().parse().map(Some).map_err(|_| ())
    }
}

/// Imports a file (or pasted text) as a new draft.
pub async fn import(
    State(state): State<AppState>,
    user: User,
    mut multipart: Multipart,
) -> AppResult<Response> {
    admin(&user)?;
    let (mut text, mut scope) = (String::new(), String::new());
    let mut errors = FieldErrors::default();
    while let Some(field) = multipart.next_field().await.map_err(|e| {
        tracing::debug!("rubric form: {e}");
        AppError::BadRequest
    })? {
        let name = field.name().unwrap_or("").to_owned();
        let bytes = field.bytes().await.map_err(|e| {
            tracing::debug!("rubric file: {e}");
            AppError::BadRequest
        })?;
        match name.as_str() {
            "file" if !bytes.is_empty() => {
                if bytes.len() > MAX_FILE_BYTES {
                    errors.add(
                        "text",
                        "Tệp lớn quá 256 KB; đây không phải tệp bộ tiêu chí.",
                    );
                } else {
                    match String::from_utf8(bytes.to_vec()) {
                        Ok(t) => text = t,
                        Err(_) => {
                            errors.add("text", "Tệp không phải văn bản UTF-8 (JSON hoặc TOML).")
                        }
                    }
                }
            }
            "text" if text.is_empty() => text = String::from_utf8_lossy(&bytes).into_owned(),
            "scope" => scope = String::from_utf8_lossy(&bytes).into_owned(),
            _ => {}
        }
    }
    let mut problems = vec![];
    if errors.is_empty() {
        match (check(&text), parse_scope(&scope)) {
            (_, Err(())) => errors.add("scope", "Phạm vi áp dụng không hợp lệ."),
            (Err(p), _) => problems = p,
            (Ok(r), Ok(scope_id)) => {
                let path = scope_path(&state, scope_id).await?;
                if !may_manage(&user, path.as_deref()) {
                    errors.add("scope", "Đồng chí không quản trị phạm vi này.");
                } else {
                    let id = store::create_draft(&state.pool, &r, scope_id, user.id).await;
                    match id {
                        Ok(id) => {
                            return Ok(
                                Redirect::to(&format!("/admin/rubrics/{id}")).into_response()
                            );
                        }
                        Err(e) => errors = e.into_form_errors()?,
                    }
                }
            }
        }
    }
    if errors.is_empty() && problems.is_empty() {
        errors.add("text", "Chọn tệp hoặc dán nội dung bộ tiêu chí.");
    }
    let p = list_page(&state, &user, text, scope, errors, problems).await?;
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
                Input::Check => "on".to_owned(),
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
    r.uses = Some(store::uses(&state.pool, id).await?);
    let path = scope_path(state, r.scope_unit_id).await?;
    let can = may_manage(user, path.as_deref());
    Ok((r, can))
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

/// What the administrator typed into the editor, kept when it comes back with messages.
struct Typed {
    text: String,
    scope: String,
    lock_version: String,
}

async fn edit_page(
    state: &AppState,
    user: &User,
    r: StoredRubric,
    typed: Option<Typed>,
    problems: Vec<String>,
    errors: FieldErrors,
) -> AppResult<EditPage> {
    let typed = typed.unwrap_or_else(|| Typed {
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
    let (r, can) = load(&state, &user, id).await?;
    if !can {
        return Err(AppError::Forbidden);
    }
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
    Form(f): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let (_, can) = load(&state, &user, id).await?;
    if !can {
        return Err(AppError::Forbidden);
    }
    let text = f.get("text").cloned().unwrap_or_default();
    let scope = f.get("scope").cloned().unwrap_or_default();
    let lock = f.get("lock_version").cloned().unwrap_or_default();
    let mut errors = FieldErrors::default();
    let mut problems = vec![];
    match (
        check(&text),
        parse_scope(&scope),
        lock.trim().parse::<i32>(),
    ) {
        (_, Err(()), _) => errors.add("scope", "Phạm vi áp dụng không hợp lệ."),
        (_, _, Err(_)) => errors.add("form", "Biểu mẫu thiếu số phiên bản; tải lại trang."),
        (Err(p), _, _) => problems = p,
        (Ok(parsed), Ok(scope_id), Ok(v)) => {
            let path = scope_path(&state, scope_id).await?;
            if !may_manage(&user, path.as_deref()) {
                errors.add("scope", "Đồng chí không quản trị phạm vi này.");
            } else {
                match store::update_draft(&state.pool, id, &parsed, scope_id, v, user.id).await {
                    Ok(()) => {
                        return Ok(Redirect::to(&format!("/admin/rubrics/{id}")).into_response());
                    }
                    Err(e) => errors = e.into_form_errors()?,
                }
            }
        }
    }
    // Stale: the newer draft's lock is offered, the typed text kept.
    let fresh = store::rubric(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let lock = if errors.get("form").is_some() {
        fresh.lock_version.to_string()
    } else {
        lock
    };
    let typed = Typed {
        text,
        scope,
        lock_version: lock,
    };
    let p = edit_page(&state, &user, fresh, Some(typed), problems, errors).await?;
    Ok(Unprocessable(p).into_response())
}

/// A new draft version from an existing rubric, to correct and publish.
pub async fn copy(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<Uuid>,
) -> AppResult<Response> {
    let (r, can) = load(&state, &user, id).await?;
    if !can {
        return Err(AppError::Forbidden);
    }
    let mut next = r.rubric.clone();
    next.effective_from = state.clock.today().max(
        r.rubric
            .effective_from
            .succ_opt()
            .unwrap_or(r.rubric.effective_from),
    );
    next.effective_to = None;
    let new_id = store::create_draft(&state.pool, &next, r.scope_unit_id, user.id)
        .await
        .map_err(|e| match e {
            StoreError::Db(e) => AppError::from(e),
            _ => AppError::Conflict("Không tạo được phiên bản mới.".into()),
        })?;
    Ok(Redirect::to(&format!("/admin/rubrics/{new_id}/edit")).into_response())
}

pub async fn publish(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<Uuid>,
    Form(f): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let (r, can) = load(&state, &user, id).await?;
    if !can {
        return Err(AppError::Forbidden);
    }
    let problems = r.rubric.validate();
    let result = if !problems.is_empty() {
        Err(StoreError::invalid(
            "effective_from",
            "Bộ tiêu chí còn lỗi; sửa rồi mới ban hành.",
        ))
    } else {
        match f
            .get("lock_version")
            .and_then(|v| v.trim().parse::<i32>().ok())
        {
            Some(v) => store::publish(&state.pool, id, v, user.id).await,
            None => Err(StoreError::Stale),
        }
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/admin/rubrics/{id}")).into_response()),
        Err(e) => {
            let errors = e.into_form_errors()?;
            let p = show_page(&state, &user, id, &HashMap::new(), errors).await?;
            Ok(Unprocessable(p).into_response())
        }
    }
}
