//! A branch's meetings, planning one, its overview and the attendance sheet.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Datelike;
use serde::Deserialize;
use uuid::Uuid;

use super::domain::{self, AbsenceReason, Category, MeetingKind, MeetingState, Presence, Summary};
use super::forms::{
    AgendaSource, AllPresentForm, ExcuseForm, MarkForm, NewForm, SeriesForm, SpokeForm, TopicForm,
};
use super::scope::MeetingInScope;
use super::store::{self, AgendaItem, AttendanceRow, Meeting, MeetingRow};
use crate::auth::scope::{Keep, Read};
use crate::codes::{Choice, choices};
use crate::error::{AppError, AppResult, refused};
use crate::org::scope::BranchInScope;
use crate::org::store::Unit;
use crate::state::AppState;
use crate::web::{FieldErrors, Unprocessable};

#[derive(Template, WebTemplate)]
#[template(path = "meetings/list.html")]
pub struct ListPage {
    unit: Unit,
    /// May the user write this branch's records (a supervisor above only reads them).
    keeps: bool,

    meetings: Vec<MeetingRow>,
    planned: Option<usize>,
    skipped: Option<usize>,
    /// The series form: its defaults, or as typed when refused.
    series: SeriesForm,
    errors: FieldErrors,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    planned: Option<usize>,
    skipped: Option<usize>,
}

pub async fn list(
    State(state): State<AppState>,
    BranchInScope { unit, user, .. }: BranchInScope<Read>,
    Query(q): Query<ListQuery>,
) -> AppResult<ListPage> {
    let meetings = store::for_unit(&state.pool, unit.id).await?;
    Ok(ListPage {
        keeps: user.keeps(&unit.path),
        unit,
        meetings,
        planned: q.planned,
        skipped: q.skipped,
        series: SeriesForm::suggested(),
        errors: FieldErrors::default(),
    })
}

/// Plans the regular meetings of the coming months in one step: the same day and time each
/// month; months that already have one are left as they are.
pub async fn plan_series(
    State(state): State<AppState>,
    BranchInScope { unit, user, .. }: BranchInScope<Keep>,
    Form(form): Form<SeriesForm>,
) -> AppResult<Response> {
    let id = unit.id;
    let errors = match form.parse() {
        Ok(series) => {
            let meetings = series.meetings(state.clock.this_month());
            let (planned, skipped) = store::plan_regular(
                &state.pool,
                Some(user.id),
                unit.id,
                &meetings,
                state.clock.now(),
            )
            .await?;
            let to = format!("/units/{id}/meetings?planned={planned}&skipped={skipped}");
            return Ok(Redirect::to(&to).into_response());
        }
        Err(errors) => errors,
    };
    let meetings = store::for_unit(&state.pool, unit.id).await?;
    let page = ListPage {
        keeps: true,
        unit,
        meetings,
        planned: None,
        skipped: None,
        series: form,
        errors,
    };
    Ok(Unprocessable(page).into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/new.html")]
pub struct NewPage {
    unit: Unit,
    form: NewForm,
    kinds: Vec<Choice>,
    errors: FieldErrors,
}

impl NewPage {
    /// Where the agenda comes from; the template unless the form asks for a copy.
    pub fn agenda_sources(&self) -> Vec<Choice> {
        let chosen = AgendaSource::parse(&self.form.agenda).unwrap_or(AgendaSource::Template);
        choices(
            AgendaSource::ALL,
            chosen.as_str(),
            AgendaSource::as_str,
            AgendaSource::label,
        )
    }
}

fn kinds(form: &NewForm) -> Vec<Choice> {
    choices(
        MeetingKind::ALL,
        &form.kind,
        MeetingKind::as_str,
        MeetingKind::label,
    )
}

pub async fn new_form(
    State(state): State<AppState>,
    BranchInScope { unit, .. }: BranchInScope<Keep>,
) -> AppResult<NewPage> {
    let now = state.clock.today();
    let form = NewForm {
        kind: MeetingKind::Regular.as_str().into(),
        month: format!("{:04}-{:02}", now.year(), now.month()),
        agenda: AgendaSource::Template.as_str().into(),
        ..Default::default()
    };
    Ok(NewPage {
        unit,
        kinds: kinds(&form),
        form,
        errors: FieldErrors::default(),
    })
}

pub async fn create(
    State(state): State<AppState>,
    BranchInScope { unit, user, .. }: BranchInScope<Keep>,
    Form(form): Form<NewForm>,
) -> AppResult<Response> {
    let errors = match form.parse() {
        Ok(new) => {
            match store::create(&state.pool, Some(user.id), unit.id, new, state.clock.now()).await {
                Ok(id) => return Ok(Redirect::to(&format!("/meetings/{id}")).into_response()),
                Err(e) => e.into_form_errors()?,
            }
        }
        Err(errors) => errors,
    };
    let page = NewPage {
        unit,
        kinds: kinds(&form),
        form,
        errors,
    };
    Ok(Unprocessable(page).into_response())
}

/// The counts line of the minutes, for pages.
pub struct Counts {
    pub summary: Summary,
    pub eligible: usize,
}

impl Counts {
    pub fn of(rows: &[AttendanceRow]) -> Self {
        let marks: Vec<domain::Mark> = rows.iter().map(AttendanceRow::mark).collect();
        Counts {
            summary: domain::summarise(&marks),
            eligible: domain::eligible_voters(&marks),
        }
    }

    pub fn rate_label(&self) -> String {
        crate::rate::Rate::label(self.summary.rate())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/show.html")]
pub struct ShowPage {
    unit: Unit,
    /// May the user write this branch's records (a supervisor above only reads them).
    keeps: bool,

    meeting: Meeting,
    agenda: Vec<AgendaItem>,
    counts: Counts,
    previous: Vec<store::TaskRow>,
    completion: String,
    /// The meeting's history: state changes, reopenings and the approval, with reasons.
    history: Vec<store::MeetingEventRow>,
    /// What the secretary still has to fix in the plan: "Chưa định thời gian họp" while a
    /// planned meeting has no time (the branch home says so too).
    unscheduled: Option<String>,
}

pub async fn show(
    State(state): State<AppState>,
    MeetingInScope {
        meeting,
        unit,
        user,
        ..
    }: MeetingInScope<Read>,
) -> AppResult<ShowPage> {
    let id = meeting.id;
    let agenda = store::agenda(&state.pool, id).await?;
    let rows = store::attendance(&state.pool, id).await?;
    let previous = store::previous_tasks(&state.pool, &meeting).await?;
    let unscheduled = (meeting.planned_at.is_none() && meeting.state == MeetingState::Planned)
        .then(|| domain::Lack::Unscheduled.label());
    Ok(ShowPage {
        keeps: user.keeps(&unit.path),
        history: store::events(&state.pool, id).await?,
        unscheduled,
        unit,
        counts: Counts::of(&rows),
        completion: super::minutes::completion_label(&previous),
        previous,
        meeting,
        agenda,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/attendance.html")]
pub struct AttendancePage {
    unit: Unit,
    /// May the user write this branch's records (a supervisor above only reads them).
    keeps: bool,

    meeting: Meeting,
    rows: Vec<AttendanceRow>,
    counts: Counts,
    errors: FieldErrors,
    /// The row the message is about.
    error_row: Option<Uuid>,
    /// The reason form of `error_row` as typed, when it was the one refused.
    typed: Option<ExcuseForm>,
}

impl AttendancePage {
    pub fn is_error_row(&self, member: &Uuid) -> bool {
        self.error_row == Some(*member)
    }

    /// Whether the sheet takes ticks: the user keeps the branch and the record is open.
    pub fn editable(&self) -> bool {
        self.keeps && !self.meeting.is_locked()
    }

    /// The sheet's sections, each with its rows, in the order of the categories.
    pub fn sections(&self) -> Vec<(&'static str, Vec<&AttendanceRow>)> {
        Category::ALL
            .iter()
            .map(|&c| {
                let rows = self.rows.iter().filter(|r| r.category == c).collect();
                (c.heading(), rows)
            })
            .collect()
    }

    pub fn presences(&self) -> &'static [Presence] {
        Presence::ALL
    }

    pub fn reasons(&self) -> &'static [AbsenceReason] {
        AbsenceReason::ALL
    }

    /// The reason form as typed on the refused row, else as saved.
    fn typed_for(&self, r: &AttendanceRow) -> Option<&ExcuseForm> {
        self.typed
            .as_ref()
            .filter(|_| self.is_error_row(&r.member_id))
    }

    pub fn code_checked(&self, r: &AttendanceRow, code: &AbsenceReason) -> bool {
        match self.typed_for(r) {
            Some(t) => t.reason_code.trim() == code.as_str(),
            None => r.reason_code == Some(*code),
        }
    }

    pub fn detail(&self, r: &AttendanceRow) -> String {
        match self.typed_for(r) {
            Some(t) => t.reason.clone(),
            None => r.reason.clone().unwrap_or_default(),
        }
    }
}

pub async fn attendance(
    State(state): State<AppState>,
    MeetingInScope {
        meeting,
        unit,
        user,
        ..
    }: MeetingInScope<Read>,
) -> AppResult<AttendancePage> {
    let id = meeting.id;
    let rows = store::attendance(&state.pool, id).await?;
    Ok(AttendancePage {
        keeps: user.keeps(&unit.path),
        unit,
        meeting,
        counts: Counts::of(&rows),
        rows,
        errors: FieldErrors::default(),
        error_row: None,
        typed: None,
    })
}

/// What a post on the sheet answers: done, back to the member's row (`#m-<id>`; htmx swaps
/// the sheet from that page in place); refused, the sheet again (422) with the message on
/// the row, or above the sheet when it is about no row.
async fn answer(
    state: &AppState,
    meeting: Meeting,
    unit: Unit,
    row: Option<Uuid>,
    result: Result<(), FieldErrors>,
    typed: Option<ExcuseForm>,
) -> AppResult<Response> {
    let id = meeting.id;
    let errors = match result {
        Ok(()) => {
            let to = match row {
                Some(member) => format!("/meetings/{id}/attendance#m-{member}"),
                None => format!("/meetings/{id}/attendance"),
            };
            return Ok(Redirect::to(&to).into_response());
        }
        Err(errors) => errors,
    };
    // The meeting as it now stands (a stale sheet is drawn again from the fresh version).
    let meeting = store::get(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let rows = store::attendance(&state.pool, id).await?;
    let page = AttendancePage {
        keeps: true,
        unit,
        meeting,
        counts: Counts::of(&rows),
        rows,
        errors,
        error_row: row,
        typed,
    };
    Ok(Unprocessable(page).into_response())
}

/// The row of `member` must be on this meeting's list: another branch's member (or any id
/// not listed) is a 404, nothing written.
pub async fn mark(
    State(state): State<AppState>,
    MeetingInScope {
        meeting,
        unit,
        user,
        ..
    }: MeetingInScope<Keep>,
    Path((_, member)): Path<(Uuid, Uuid)>,
    Form(form): Form<MarkForm>,
) -> AppResult<Response> {
    let result = match form.parse() {
        Ok(input) => refused(
            store::mark(
                &state.pool,
                Some(user.id),
                meeting.id,
                member,
                &input,
                state.clock.now(),
            )
            .await,
        )?,
        Err(errors) => Err(errors),
    };
    answer(&state, meeting, unit, Some(member), result, None).await
}

pub async fn excuse(
    State(state): State<AppState>,
    MeetingInScope {
        meeting,
        unit,
        user,
        ..
    }: MeetingInScope<Keep>,
    Path((_, member)): Path<(Uuid, Uuid)>,
    Form(form): Form<ExcuseForm>,
) -> AppResult<Response> {
    let result = match form.parse() {
        Ok(input) => refused(
            store::excuse(
                &state.pool,
                Some(user.id),
                meeting.id,
                member,
                &input,
                state.clock.now(),
            )
            .await,
        )?,
        Err(errors) => Err(errors),
    };
    answer(&state, meeting, unit, Some(member), result, Some(form)).await
}

pub async fn spoke(
    State(state): State<AppState>,
    MeetingInScope {
        meeting,
        unit,
        user,
        ..
    }: MeetingInScope<Keep>,
    Path((_, member)): Path<(Uuid, Uuid)>,
    Form(form): Form<SpokeForm>,
) -> AppResult<Response> {
    let result = match form.parse() {
        Ok(spoke) => refused(
            store::set_spoke(
                &state.pool,
                Some(user.id),
                meeting.id,
                member,
                spoke,
                state.clock.now(),
            )
            .await,
        )?,
        Err(errors) => Err(errors),
    };
    answer(&state, meeting, unit, Some(member), result, None).await
}

pub async fn all_present(
    State(state): State<AppState>,
    MeetingInScope {
        meeting,
        unit,
        user,
        ..
    }: MeetingInScope<Keep>,
    Form(form): Form<AllPresentForm>,
) -> AppResult<Response> {
    let result = match form.parse() {
        Ok(version) => refused(
            store::mark_all_present(
                &state.pool,
                Some(user.id),
                meeting.id,
                version,
                state.clock.now(),
            )
            .await
            .map(|_| ()),
        )?,
        Err(errors) => Err(errors),
    };
    answer(&state, meeting, unit, None, result, None).await
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/thematic.html")]
pub struct ThematicPage {
    unit: Unit,
    /// May the user write this branch's records (a supervisor above only reads them).
    keeps: bool,
    year: i32,
    quarters: Vec<store::QuarterPlan>,
    errors: FieldErrors,
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<i32>,
}

pub async fn thematic(
    State(state): State<AppState>,
    BranchInScope { unit, user, .. }: BranchInScope<Read>,
    Query(q): Query<YearQuery>,
) -> AppResult<ThematicPage> {
    let year = q
        .year
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| state.clock.today().year());
    let quarters = store::thematic_year(&state.pool, unit.id, year).await?;
    Ok(ThematicPage {
        keeps: user.keeps(&unit.path),
        unit,
        year,
        quarters,
        errors: FieldErrors::default(),
    })
}

pub async fn plan_topic(
    State(state): State<AppState>,
    BranchInScope { unit, user, .. }: BranchInScope<Keep>,
    Form(form): Form<TopicForm>,
) -> AppResult<Response> {
    let id = unit.id;
    let planned = form.parse().ok_or(AppError::BadRequest)?;
    // A control character is refused at its quarter, with the rest of what was typed kept
    // (Postgres refused a NUL, and the page came back without the form).
    if crate::web::has_control_chars(&form.topic) {
        let mut quarters = store::thematic_year(&state.pool, unit.id, planned.year).await?;
        if let Some(q) = quarters.iter_mut().find(|q| q.quarter == planned.quarter) {
            q.topic = Some(form.topic.chars().filter(|c| !c.is_control()).collect());
        }
        let errors = FieldErrors::one(
            "form",
            format!(
                "Chuyên đề quý {}: {}",
                planned.quarter,
                crate::web::CONTROL_CHARS
            ),
        );
        return Ok(thematic_refused(unit, planned.year, quarters, errors));
    }
    match refused(store::plan_topic(&state.pool, Some(user.id), unit.id, &planned).await)? {
        Ok(()) => {
            let to = format!("/units/{id}/thematic?year={}", planned.year);
            Ok(Redirect::to(&to).into_response())
        }
        // Shown again afresh, with what the other person saved.
        Err(errors) => {
            let quarters = store::thematic_year(&state.pool, unit.id, planned.year).await?;
            Ok(thematic_refused(unit, planned.year, quarters, errors))
        }
    }
}

/// The year's plan shown again to its keeper with why the save was refused.
fn thematic_refused(
    unit: Unit,
    year: i32,
    quarters: Vec<store::QuarterPlan>,
    errors: FieldErrors,
) -> Response {
    Unprocessable(ThematicPage {
        keeps: true,
        unit,
        year,
        quarters,
        errors,
    })
    .into_response()
}

/// How the pages word the stores' rows.
impl AttendanceRow {
    pub fn presence_label(&self) -> &'static str {
        self.presence
            .map(Presence::label)
            .unwrap_or("Chưa điểm danh")
    }
}

impl store::TaskRow {
    pub fn review_label(&self) -> &'static str {
        self.review
            .map(super::domain::Review::label)
            .unwrap_or("Chưa đánh giá")
    }
}

impl store::HeldTheme {
    /// "dd/mm/yyyy hh:mm: topic" (the month when no start was recorded).
    pub fn label(&self) -> String {
        let day = self
            .started_at
            .map(crate::web::vn_datetime)
            .unwrap_or_else(|| self.month.format("%m/%Y").to_string());
        format!("{day}: {}", self.topic.as_deref().unwrap_or_default())
    }
}

impl MeetingRow {
    pub fn kind_label(&self) -> &'static str {
        self.kind.label()
    }

    pub fn month_label(&self) -> String {
        self.month.format("%m/%Y").to_string()
    }

    pub fn state_label(&self) -> &'static str {
        self.state.label()
    }

    pub fn date_label(&self) -> String {
        self.planned_at
            .map(crate::web::vn_datetime)
            .unwrap_or_default()
    }

    pub fn rate_label(&self) -> String {
        if self.expected == 0 || self.state == MeetingState::Planned {
            return String::new();
        }
        crate::rate::Rate::label(crate::rate::Rate::of(self.present, self.expected))
    }
}

impl store::MeetingEventRow {
    pub fn label(&self) -> &'static str {
        self.kind.label()
    }

    /// The day, dd/mm/yyyy in Vietnam.
    pub fn day(&self) -> String {
        crate::web::vn_date(self.at.with_timezone(&crate::clock::ZONE).date_naive())
    }

    /// The printed minutes' sentence for a reopening or a withdrawal.
    pub fn printed(&self) -> Option<String> {
        let on = self.at.with_timezone(&crate::clock::ZONE).date_naive();
        self.kind.printed(on, self.reason.as_deref())
    }
}

impl store::TaskRow {
    pub fn due_label(&self) -> String {
        self.due_on.map(crate::web::vn_date).unwrap_or_default()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/history.html")]
pub struct HistoryPage {
    unit: Unit,
    meeting: Meeting,
    lines: Vec<crate::audit::Line>,
    limit: usize,
}

/// The meeting's "Lịch sử": every change to it and its record, who made it and when,
/// the latest first.
pub async fn history(
    State(state): State<AppState>,
    MeetingInScope { meeting, unit, .. }: MeetingInScope<Read>,
) -> AppResult<HistoryPage> {
    let rows = store::history(&state.pool, meeting.id, crate::audit::PAGE_LIMIT).await?;
    let lines = rows
        .into_iter()
        .map(|r| {
            r.line(|code| {
                domain::MeetingEvent::parse(code)
                    .map_or_else(|| code.to_owned(), |e| e.label().to_owned())
            })
            .worded(domain::value_label)
        })
        .collect();
    Ok(HistoryPage {
        unit,
        meeting,
        lines,
        limit: crate::audit::PAGE_LIMIT as usize,
    })
}
