//! The record of a meeting: times, chair and minute-taker, preparation, minutes per agenda
//! item, votes, tasks, the resolution; holding, closing and reopening; the printed minutes.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::domain::MeetingState;
use super::forms::{ReviewForm, StateForm, TaskForm, VoteForm};
use super::pages::Counts;
use super::scope::MeetingInScope;
use super::store::{self, AgendaItem, AttendanceRow, Meeting, TaskRow, VoteRow};
use crate::auth::scope::{Keep, Read};
use crate::error::{AppResult, refused};
use crate::org::store::Unit;
use crate::state::AppState;
use crate::web::{FieldErrors, Unprocessable, form_text as text, parse_vn_date};

/// The form as typed: one value per field name (agenda items as `minutes-<id>` and
/// `conclusion-<id>`).
type Fields = HashMap<String, String>;

fn iso_local(at: Option<DateTime<Utc>>) -> String {
    at.map(|t| {
        t.with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    })
    .unwrap_or_default()
}

fn iso_date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

const PREP: [(&str, &str); 5] = [
    ("prepared_on", "Bí thư chuẩn bị nội dung"),
    (
        "committee_met_on",
        "Chi ủy (bí thư, phó bí thư) họp thống nhất nội dung",
    ),
    (
        "notice_sent_on",
        "Thông báo thời gian, địa điểm, nội dung cho đảng viên và cấp trên",
    ),
    (
        "materials_posted_on",
        "Đăng tài liệu lên Sổ tay đảng viên điện tử",
    ),
    ("draft_resolution_on", "Dự thảo nghị quyết"),
];

pub struct PrepField {
    pub name: &'static str,
    pub label: &'static str,
    pub value: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/minutes.html")]
pub struct MinutesPage {
    unit: Unit,
    meeting: Meeting,
    agenda: Vec<AgendaItem>,
    people: Vec<AttendanceRow>,
    fields: Fields,
    prep: Vec<PrepField>,
    votes: Vec<VoteRow>,
    tasks: Vec<TaskRow>,
    previous: Vec<TaskRow>,
    completion: String,
    counts: Counts,
    errors: FieldErrors,
}

/// "67%" of last meeting's tasks done (partly counts half), or a dash.
pub fn completion_label(tasks: &[TaskRow]) -> String {
    let reviews: Vec<Option<super::domain::Review>> = tasks.iter().map(|t| t.review).collect();
    super::domain::completion_rate(&reviews)
        .map(|r| format!("{r:.0}%"))
        .unwrap_or_else(|| "—".into())
}

impl MinutesPage {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }

    pub fn item_field(&self, kind: &str, item: &Uuid) -> &str {
        self.field(&format!("{kind}-{item}"))
    }

    pub fn is_selected(&self, name: &str, member: &Uuid) -> bool {
        self.field(name) == member.to_string()
    }
}

async fn current_fields(state: &AppState, m: &Meeting) -> AppResult<Fields> {
    let rec = store::minutes(&state.pool, m.id).await?;
    let mut f = Fields::new();
    f.insert("version".into(), m.version.to_string());
    f.insert("started_at".into(), iso_local(rec.started_at));
    f.insert("ended_at".into(), iso_local(rec.ended_at));
    f.insert(
        "chair_id".into(),
        rec.chair_id.map(|u| u.to_string()).unwrap_or_default(),
    );
    f.insert(
        "secretary_id".into(),
        rec.secretary_id.map(|u| u.to_string()).unwrap_or_default(),
    );
    f.insert("resolution".into(), rec.resolution.unwrap_or_default());
    for (name, value) in PREP.iter().map(|(n, _)| *n).zip([
        rec.prepared_on,
        rec.committee_met_on,
        rec.notice_sent_on,
        rec.materials_posted_on,
        rec.draft_resolution_on,
    ]) {
        f.insert(name.into(), iso_date(value));
    }
    for item in store::item_minutes(&state.pool, m.id).await? {
        f.insert(
            format!("minutes-{}", item.id),
            item.minutes.unwrap_or_default(),
        );
        f.insert(
            format!("conclusion-{}", item.id),
            item.conclusion.unwrap_or_default(),
        );
    }
    Ok(f)
}

async fn page(
    state: &AppState,
    meeting: Meeting,
    unit: Unit,
    fields: Option<Fields>,
    errors: FieldErrors,
) -> AppResult<MinutesPage> {
    let fields = match fields {
        Some(f) => f,
        None => current_fields(state, &meeting).await?,
    };
    let people = store::attendance(&state.pool, meeting.id).await?;
    let previous = store::previous_tasks(&state.pool, &meeting).await?;
    let prep = PREP
        .iter()
        .map(|(name, label)| PrepField {
            name,
            label,
            value: fields.get(*name).cloned().unwrap_or_default(),
        })
        .collect();
    Ok(MinutesPage {
        agenda: store::agenda(&state.pool, meeting.id).await?,
        votes: store::votes(&state.pool, meeting.id).await?,
        tasks: store::tasks(&state.pool, meeting.id).await?,
        completion: completion_label(&previous),
        previous,
        counts: Counts::of(&people),
        people,
        fields,
        prep,
        unit,
        meeting,
        errors,
    })
}

pub async fn form(
    State(state): State<AppState>,
    MeetingInScope {
        meeting: m, unit, ..
    }: MeetingInScope<Read>,
) -> AppResult<MinutesPage> {
    page(&state, m, unit, None, FieldErrors::default()).await
}

pub async fn save(
    State(state): State<AppState>,
    MeetingInScope {
        meeting: m, unit, ..
    }: MeetingInScope<Keep>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let id = m.id;
    let fields: Fields = fields.into_iter().collect();
    let mut errors = FieldErrors::default();
    let when = |name: &'static str, errors: &mut FieldErrors| {
        let raw = fields.get(name).map(String::as_str).unwrap_or("").trim();
        if raw.is_empty() {
            return None;
        }
        let t = chrono::NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M").ok();
        if t.is_none() {
            errors.add(name, "Thời gian không hợp lệ.");
        }
        t
    };
    let started_at = when("started_at", &mut errors);
    let ended_at = when("ended_at", &mut errors);
    let person = |name: &str| {
        fields
            .get(name)
            .and_then(|v| Uuid::parse_str(v.trim()).ok())
    };
    let mut prep = [None; 5];
    for (slot, (name, _)) in prep.iter_mut().zip(PREP) {
        let raw = fields.get(name).map(String::as_str).unwrap_or("").trim();
        if !raw.is_empty() {
            *slot = parse_vn_date(raw);
            if slot.is_none() {
                errors.add(name, "Ngày không hợp lệ.");
            }
        }
    }
    let items = store::item_minutes(&state.pool, id)
        .await?
        .into_iter()
        .map(|i| {
            (
                i.id,
                text(&fields, &format!("minutes-{}", i.id), 10_000),
                text(&fields, &format!("conclusion-{}", i.id), 4_000),
            )
        })
        .collect();
    if errors.is_empty() {
        let input = store::MinutesInput {
            version: fields
                .get("version")
                .and_then(|v| v.parse().ok())
                .unwrap_or(-1),
            started_at,
            ended_at,
            chair_id: person("chair_id"),
            secretary_id: person("secretary_id"),
            resolution: text(&fields, "resolution", 20_000),
            prep,
            items,
        };
        match store::save_minutes(&state.pool, id, input).await {
            Ok(()) => return Ok(Redirect::to(&format!("/meetings/{id}/minutes")).into_response()),
            Err(e) => errors = e.into_form_errors()?,
        }
    }
    let mut fields = fields;
    let current = store::get(&state.pool, id)
        .await?
        .map(|m| m.version)
        .unwrap_or(m.version);
    fields.insert("version".into(), current.to_string());
    let p = page(&state, m, unit, Some(fields), errors).await?;
    Ok(Unprocessable(p).into_response())
}

/// After a change: back to the minutes, or the minutes again (read afresh) with the message.
async fn back_with(
    state: &AppState,
    unit: Unit,
    id: Uuid,
    result: Result<(), FieldErrors>,
) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/meetings/{id}/minutes")).into_response()),
        Err(errors) => {
            let m = store::get(&state.pool, id)
                .await?
                .ok_or(crate::error::AppError::NotFound)?;
            let p = page(state, m, unit, None, errors).await?;
            Ok(Unprocessable(p).into_response())
        }
    }
}

pub async fn add_vote(
    State(state): State<AppState>,
    MeetingInScope { meeting, unit, .. }: MeetingInScope<Keep>,
    Form(form): Form<VoteForm>,
) -> AppResult<Response> {
    let id = meeting.id;
    let result = match form.parse() {
        Ok(vote) => refused(store::add_vote(&state.pool, id, &vote).await)?,
        Err(errors) => Err(errors),
    };
    back_with(&state, unit, id, result).await
}

pub async fn add_task(
    State(state): State<AppState>,
    MeetingInScope { meeting, unit, .. }: MeetingInScope<Keep>,
    Form(form): Form<TaskForm>,
) -> AppResult<Response> {
    let id = meeting.id;
    let result = match form.parse() {
        Ok(task) => refused(store::add_task(&state.pool, id, &task).await)?,
        Err(errors) => Err(errors),
    };
    back_with(&state, unit, id, result).await
}

pub async fn review_task(
    State(state): State<AppState>,
    MeetingInScope { meeting, unit, .. }: MeetingInScope<Keep>,
    Path((_, task)): Path<(Uuid, Uuid)>,
    Form(form): Form<ReviewForm>,
) -> AppResult<Response> {
    let id = meeting.id;
    let result = match form.parse() {
        Ok((review, note)) => {
            refused(store::review_task(&state.pool, id, task, review, note.as_deref()).await)?
        }
        Err(errors) => Err(errors),
    };
    back_with(&state, unit, id, result).await
}

pub async fn change_state(
    State(state): State<AppState>,
    MeetingInScope {
        meeting,
        unit,
        user,
        ..
    }: MeetingInScope<Keep>,
    Form(form): Form<StateForm>,
) -> AppResult<Response> {
    let id = meeting.id;
    let result = match form.parse() {
        Ok((to, reason)) => refused(
            store::change_state(&state.pool, Some(user.id), id, to, reason.as_deref()).await,
        )?,
        Err(errors) => Err(errors),
    };
    back_with(&state, unit, id, result).await
}
