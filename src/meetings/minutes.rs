//! The record of a meeting: times, chair and minute-taker, preparation, minutes per agenda
//! item, votes, tasks, the resolution; holding, closing and reopening; the printed minutes.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::domain::{MeetingState, Review};
use super::forms::{
    MinutesForm, PREP_FIELDS, REST_EMPTY, ReviewForm, StateForm, TaskForm, VoteForm,
};
use super::pages::Counts;
use super::scope::MeetingInScope;
use super::store::{self, AgendaItem, AttendanceRow, Meeting, TaskRow, VoteRow};
use crate::auth::scope::Keep;
use crate::error::{AppResult, refused};
use crate::org::store::Unit;
use crate::state::AppState;
use crate::web::{FieldErrors, Unprocessable};

fn iso_local(at: Option<DateTime<Utc>>) -> String {
    at.map(|t| {
        t.with_timezone(&crate::clock::ZONE)
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    })
    .unwrap_or_default()
}

fn iso_date(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

/// The preparation steps' labels, in the order of `PREP_FIELDS`.
const PREP_LABELS: [&str; 5] = [
    "Bí thư chuẩn bị nội dung",
    "Chi ủy (bí thư, phó bí thư) họp thống nhất nội dung",
    "Thông báo thời gian, địa điểm, nội dung cho đảng viên và cấp trên",
    "Đăng tài liệu lên Sổ tay đảng viên điện tử",
    "Dự thảo nghị quyết",
];

/// What a refused form had typed, shown again as typed on the page read afresh.
#[derive(Default)]
enum Typed {
    #[default]
    Nothing,
    Minutes(MinutesForm),
    Vote(VoteForm),
    Task(TaskForm),
    Reopening(StateForm),
}

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
    fields: MinutesForm,
    offered: Offered,
    /// The messages are those of a vote, a task or a review (shown in that block).
    at_record: bool,
    prep: Vec<PrepField>,
    vote: VoteForm,
    task: TaskForm,
    reason: String,
    votes: Vec<VoteRow>,
    tasks: Vec<TaskRow>,
    previous: Vec<TaskRow>,
    completion: String,
    counts: Counts,
    errors: FieldErrors,
}

/// "66,7%" of last meeting's tasks done (partly counts half), or a dash.
pub fn completion_label(tasks: &[TaskRow]) -> String {
    let reviews: Vec<Option<super::domain::Review>> = tasks.iter().map(|t| t.review).collect();
    crate::rate::Rate::label(super::domain::completion_rate(&reviews))
}

impl MinutesPage {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name)
    }

    pub fn item_field(&self, kind: &str, item: &Uuid) -> &str {
        self.field(&format!("{kind}-{item}"))
    }

    /// The item's box "Không có nội dung ghi" is ticked (as stored, or as typed).
    pub fn is_marked_empty(&self, item: &Uuid) -> bool {
        !self.item_field("empty", item).trim().is_empty()
    }

    /// The numbers of the agenda items marked "Không có nội dung ghi" ("1, 2, 4"), or "".
    pub fn marked_empty(&self) -> String {
        self.agenda
            .iter()
            .enumerate()
            .filter(|(_, item)| self.is_marked_empty(&item.id))
            .map(|(i, _)| (i + 1).to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }

    pub fn is_selected(&self, name: &str, member: &Uuid) -> bool {
        self.field(name) == member.to_string()
    }

    pub fn is_task_member(&self, member: &Uuid) -> bool {
        self.task.member.trim() == member.to_string()
    }
}

/// Which of the minutes' fields show an offered value rather than a saved one (the page
/// says so beside each).
#[derive(Debug, Default, Clone, Copy)]
pub struct Offered {
    pub started: bool,
    pub chair: bool,
    pub minute_taker: bool,
}

async fn current_fields(state: &AppState, m: &Meeting) -> AppResult<(MinutesForm, Offered)> {
    let rec = store::minutes(&state.pool, m.id).await?;
    // Minutes not yet written start from what usually holds: the planned time, and the
    // chair and minute-taker of the last meeting (or the bí thư). Shown, never saved
    // until the secretary saves the form.
    let (usual_chair, usual_taker) = if rec.chair_id.is_none() || rec.secretary_id.is_none() {
        store::usual_hands(&state.pool, m).await?
    } else {
        (None, None)
    };
    let offered = Offered {
        started: rec.started_at.is_none() && m.planned_at.is_some(),
        chair: rec.chair_id.is_none() && usual_chair.is_some(),
        minute_taker: rec.secretary_id.is_none() && usual_taker.is_some(),
    };
    let mut f = std::collections::HashMap::new();
    f.insert("version".into(), m.version.to_string());
    f.insert(
        "started_at".into(),
        iso_local(rec.started_at.or(m.planned_at)),
    );
    f.insert("ended_at".into(), iso_local(rec.ended_at));
    f.insert(
        "chair_id".into(),
        rec.chair_id
            .or(usual_chair)
            .map(|u| u.to_string())
            .unwrap_or_default(),
    );
    f.insert(
        "secretary_id".into(),
        rec.secretary_id
            .or(usual_taker)
            .map(|u| u.to_string())
            .unwrap_or_default(),
    );
    f.insert("resolution".into(), rec.resolution.unwrap_or_default());
    for (name, value) in PREP_FIELDS.into_iter().zip([
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
        if item.nothing_to_record {
            f.insert(format!("empty-{}", item.id), "1".into());
        }
    }
    Ok((MinutesForm(f), offered))
}

async fn page(
    state: &AppState,
    meeting: Meeting,
    unit: Unit,
    typed: Typed,
    errors: FieldErrors,
) -> AppResult<MinutesPage> {
    let people = store::attendance(&state.pool, meeting.id).await?;
    let counts = Counts::of(&people);
    // A new vote starts as a show of hands where everyone there agreed: the voters present
    // for, none against; the secretary changes the figures when it went otherwise.
    let marks: Vec<_> = people.iter().map(AttendanceRow::mark).collect();
    let zero = || "0".to_owned();
    let mut vote = VoteForm {
        votes_for: super::domain::voters_present(&marks).to_string(),
        against: zero(),
        abstain: zero(),
        ..VoteForm::default()
    };
    let (mut task, mut reason, mut minutes) = (TaskForm::default(), String::new(), None);
    match typed {
        Typed::Nothing => {}
        Typed::Minutes(f) => minutes = Some(f),
        Typed::Vote(v) => vote = v,
        Typed::Task(t) => task = t,
        Typed::Reopening(s) => reason = s.reason,
    }
    let (fields, offered) = match minutes {
        Some(f) => (f, Offered::default()),
        None => current_fields(state, &meeting).await?,
    };
    let previous = store::previous_tasks(&state.pool, &meeting).await?;
    let prep = PREP_FIELDS
        .into_iter()
        .zip(PREP_LABELS)
        .map(|(name, label)| PrepField {
            name,
            label,
            value: fields.get(name).to_owned(),
        })
        .collect();
    Ok(MinutesPage {
        agenda: store::agenda(&state.pool, meeting.id).await?,
        votes: store::votes(&state.pool, meeting.id).await?,
        tasks: store::tasks(&state.pool, meeting.id).await?,
        completion: completion_label(&previous),
        previous,
        counts,
        people,
        fields,
        offered,
        at_record: false,
        prep,
        vote,
        task,
        reason,
        unit,
        meeting,
        errors,
    })
}

pub async fn form(
    State(state): State<AppState>,
    MeetingInScope {
        meeting: m, unit, ..
    }: MeetingInScope<Keep>,
) -> AppResult<MinutesPage> {
    page(&state, m, unit, Typed::Nothing, FieldErrors::default()).await
}

pub async fn save(
    State(state): State<AppState>,
    MeetingInScope {
        meeting: m,
        unit,
        user,
        ..
    }: MeetingInScope<Keep>,
    Form(form): Form<MinutesForm>,
) -> AppResult<Response> {
    let id = m.id;
    let items: Vec<Uuid> = store::item_minutes(&state.pool, id)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    let errors = match form.parse(&items) {
        Ok(input) => match store::save_minutes(&state.pool, Some(user.id), id, input).await {
            Ok(()) => return Ok(Redirect::to(&format!("/meetings/{id}/minutes")).into_response()),
            Err(e) => e.into_form_errors()?,
        },
        Err(errors) => errors,
    };
    // Shown again as typed, with the current version so that a resubmission is not stale
    // a second time.
    let mut form = form;
    let current = store::get(&state.pool, id)
        .await?
        .map(|m| m.version)
        .unwrap_or(m.version);
    form.0.insert("version".into(), current.to_string());
    let p = page(&state, m, unit, Typed::Minutes(form), errors).await?;
    Ok(Unprocessable(p).into_response())
}

/// After a change: back to the minutes at the section changed (`at`, the anchor a browser
/// without JavaScript scrolls to), or the minutes again (read afresh) with the message.
async fn back_with(
    state: &AppState,
    unit: Unit,
    id: Uuid,
    result: Result<(), FieldErrors>,
    typed: Typed,
    at: &str,
) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/meetings/{id}/minutes{at}")).into_response()),
        Err(errors) => {
            let m = store::get(&state.pool, id)
                .await?
                .ok_or(crate::error::AppError::NotFound)?;
            let mut p = page(state, m, unit, typed, errors).await?;
            p.at_record = !at.is_empty();
            Ok(Unprocessable(p).into_response())
        }
    }
}

pub async fn add_vote(
    State(state): State<AppState>,
    MeetingInScope {
        meeting,
        unit,
        user,
        ..
    }: MeetingInScope<Keep>,
    Form(form): Form<VoteForm>,
) -> AppResult<Response> {
    let id = meeting.id;
    let result = match form.parse() {
        Ok(vote) => refused(store::add_vote(&state.pool, Some(user.id), id, &vote).await)?,
        Err(errors) => Err(errors),
    };
    back_with(&state, unit, id, result, Typed::Vote(form), "#bieu-quyet").await
}

pub async fn add_task(
    State(state): State<AppState>,
    MeetingInScope {
        meeting,
        unit,
        user,
        ..
    }: MeetingInScope<Keep>,
    Form(form): Form<TaskForm>,
) -> AppResult<Response> {
    let id = meeting.id;
    let result = match form.parse() {
        Ok(task) => refused(store::add_task(&state.pool, Some(user.id), id, &task).await)?,
        Err(errors) => Err(errors),
    };
    back_with(&state, unit, id, result, Typed::Task(form), "#nhiem-vu").await
}

pub async fn review_task(
    State(state): State<AppState>,
    MeetingInScope {
        meeting,
        unit,
        user,
        ..
    }: MeetingInScope<Keep>,
    Path((_, task)): Path<(Uuid, Uuid)>,
    Form(form): Form<ReviewForm>,
) -> AppResult<Response> {
    let id = meeting.id;
    let result = match form.parse() {
        Ok((review, note)) => refused(
            store::review_task(
                &state.pool,
                Some(user.id),
                id,
                task,
                review,
                note.as_deref(),
            )
            .await,
        )?,
        Err(errors) => Err(errors),
    };
    back_with(&state, unit, id, result, Typed::Nothing, "#kiem-diem").await
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
            store::change_state(
                &state.pool,
                Some(user.id),
                id,
                to,
                reason.as_deref(),
                state.clock.now(),
            )
            .await,
        )?,
        Err(errors) => Err(errors),
    };
    back_with(&state, unit, id, result, Typed::Reopening(form), "").await
}
