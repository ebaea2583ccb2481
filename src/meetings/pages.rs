//! A branch's meetings, planning one, its overview and the attendance sheet.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate, NaiveDateTime};
use serde::Deserialize;
use uuid::Uuid;

use super::domain::{self, Category, MeetingKind, Presence, Summary};
use super::scope::MeetingInScope;
use super::store::{self, AgendaItem, AttendanceRow, Meeting, MeetingRow, NewMeeting};
use crate::auth::scope::{Keep, Read};
use crate::codes::{Choice as CodeChoice, choices, text_code};
use crate::error::{AppError, AppResult};
use crate::org::scope::BranchInScope;
use crate::org::store::Unit;
use crate::state::AppState;
use crate::web::{FieldErrors, Unprocessable};

#[derive(Template, WebTemplate)]
#[template(path = "meetings/list.html")]
pub struct ListPage {
    unit: Unit,
    meetings: Vec<MeetingRow>,
    planned: Option<usize>,
    skipped: Option<usize>,
    errors: FieldErrors,
}

#[derive(Deserialize, Default)]
pub struct ListQuery {
    planned: Option<usize>,
    skipped: Option<usize>,
}

pub async fn list(
    State(state): State<AppState>,
    BranchInScope { unit, .. }: BranchInScope<Read>,
    Query(q): Query<ListQuery>,
) -> AppResult<ListPage> {
    let meetings = store::for_unit(&state.pool, unit.id).await?;
    Ok(ListPage {
        unit,
        meetings,
        planned: q.planned,
        skipped: q.skipped,
        errors: FieldErrors::default(),
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SeriesForm {
    months: String,
    day: String,
    time: String,
    location: String,
}

/// Plans the regular meetings of the coming months in one step: the same day and time each
/// month; months that already have one are left as they are.
pub async fn plan_series(
    State(state): State<AppState>,
    BranchInScope { unit, user, .. }: BranchInScope<Keep>,
    Form(form): Form<SeriesForm>,
) -> AppResult<Response> {
    let id = unit.id;
    let mut errors = FieldErrors::default();
    let months = form
        .months
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|m| (1..=12).contains(m));
    if months.is_none() {
        errors.add("months", "Số tháng từ 1 đến 12.");
    }
    let day = form
        .day
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|d| (1..=28).contains(d));
    if day.is_none() {
        errors.add("day", "Ngày họp từ 1 đến 28 (để tháng nào cũng có).");
    }
    let time = chrono::NaiveTime::parse_from_str(form.time.trim(), "%H:%M").ok();
    if time.is_none() {
        errors.add("time", "Giờ họp dạng giờ:phút, ví dụ 19:30.");
    }
    if let (Some(months), Some(day), Some(time)) = (months, day, time) {
        let this_month = state.clock.this_month();
        let location = Some(form.location.trim().chars().take(200).collect::<String>())
            .filter(|l| !l.is_empty());
        let (mut planned, mut skipped) = (0, 0);
        for i in 0..months {
            let month = this_month + chrono::Months::new(i);
            if store::regular_of_month(&state.pool, unit.id, month)
                .await?
                .is_some()
            {
                skipped += 1;
                continue;
            }
            let new = NewMeeting {
                kind: MeetingKind::Regular,
                month,
                is_model: false,
                topic: None,
                planned_at: month.with_day(day).map(|d| d.and_time(time)),
                location: location.clone(),
                copy_last: false,
            };
            match store::create(&state.pool, Some(user.id), unit.id, new).await {
                Ok(_) => planned += 1,
                Err(crate::error::StoreError::Refused(_)) => skipped += 1,
                Err(e) => return Err(e.into_form_errors().err().unwrap_or(AppError::BadRequest)),
            }
        }
        let to = format!("/units/{id}/meetings?planned={planned}&skipped={skipped}");
        return Ok(Redirect::to(&to).into_response());
    }
    let meetings = store::for_unit(&state.pool, unit.id).await?;
    let page = ListPage {
        unit,
        meetings,
        planned: None,
        skipped: None,
        errors,
    };
    Ok(Unprocessable(page).into_response())
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct NewForm {
    kind: String,
    /// yyyy-mm, as a month input sends it (mm/yyyy also accepted).
    month: String,
    /// yyyy-mm-ddThh:mm, as a datetime-local input sends it.
    planned_at: String,
    location: String,
    topic: String,
    is_model: Option<String>,
    agenda: String,
}

pub struct Choice {
    pub value: &'static str,
    pub label: &'static str,
}

text_code! {
    /// Where a new meeting's agenda comes from.
    pub enum AgendaSource {
        /// The agenda template of its kind (or of the branch type's variant).
        Template = "template",
        /// A copy of the branch's last meeting of the same kind.
        CopyLast = "copy",
    }
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
    pub fn agenda_sources(&self) -> Vec<CodeChoice> {
        let chosen = AgendaSource::parse(&self.form.agenda).unwrap_or(AgendaSource::Template);
        choices(
            AgendaSource::ALL,
            chosen.as_str(),
            AgendaSource::as_str,
            |a| match a {
                AgendaSource::Template => "Theo chương trình mẫu",
                AgendaSource::CopyLast => "Sao chép buổi trước cùng loại",
            },
        )
    }
}

fn kinds() -> Vec<Choice> {
    MeetingKind::ALL
        .iter()
        .map(|k| Choice {
            value: k.as_str(),
            label: k.label(),
        })
        .collect()
}

pub async fn new_form(
    State(state): State<AppState>,
    BranchInScope { unit, .. }: BranchInScope<Read>,
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
        form,
        kinds: kinds(),
        errors: FieldErrors::default(),
    })
}

/// "2026-11" or "11/2026" into the first day of that month.
pub fn parse_month(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim();
    let (y, m) = if let Some((y, m)) = s.split_once('-') {
        (y.parse().ok()?, m.parse().ok()?)
    } else {
        let (m, y) = s.split_once('/')?;
        (y.parse().ok()?, m.parse().ok()?)
    };
    NaiveDate::from_ymd_opt(y, m, 1)
}

fn parse_local(raw: &str) -> Option<NaiveDateTime> {
    let s = raw.trim();
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%d/%m/%Y %H:%M"))
        .ok()
}

pub async fn create(
    State(state): State<AppState>,
    BranchInScope { unit, user, .. }: BranchInScope<Keep>,
    Form(form): Form<NewForm>,
) -> AppResult<Response> {
    let mut errors = FieldErrors::default();
    let kind = MeetingKind::parse(&form.kind);
    if kind.is_none() {
        errors.add("kind", "Vui lòng chọn loại buổi sinh hoạt.");
    }
    let month = parse_month(&form.month);
    if month.is_none() {
        errors.add("month", "Vui lòng chọn tháng (tháng/năm).");
    }
    let planned_at = if form.planned_at.trim().is_empty() {
        None
    } else {
        let p = parse_local(&form.planned_at);
        if p.is_none() {
            errors.add(
                "planned_at",
                "Thời gian họp không hợp lệ (ngày/tháng/năm giờ:phút).",
            );
        }
        p
    };
    let text = |s: &str, max: usize| {
        Some(s.trim().chars().take(max).collect::<String>()).filter(|t| !t.is_empty())
    };
    if kind.is_some_and(MeetingKind::is_thematic) && form.topic.trim().is_empty() {
        errors.add("topic", "Sinh hoạt chuyên đề cần ghi tên chuyên đề.");
    }
    if let (true, Some(kind), Some(month)) = (errors.is_empty(), kind, month) {
        let new = NewMeeting {
            kind,
            month,
            is_model: form.is_model.is_some(),
            topic: text(&form.topic, 300),
            planned_at,
            location: text(&form.location, 200),
            copy_last: AgendaSource::parse(&form.agenda) == Some(AgendaSource::CopyLast),
        };
        match store::create(&state.pool, Some(user.id), unit.id, new).await {
            Ok(id) => return Ok(Redirect::to(&format!("/meetings/{id}")).into_response()),
            Err(e) => errors = e.into_form_errors()?,
        }
    }
    let page = NewPage {
        unit,
        form,
        kinds: kinds(),
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
        self.summary
            .rate()
            .map(|r| format!("{r:.0}%"))
            .unwrap_or_else(|| "—".into())
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/show.html")]
pub struct ShowPage {
    unit: Unit,
    meeting: Meeting,
    agenda: Vec<AgendaItem>,
    counts: Counts,
    previous: Vec<store::TaskRow>,
    completion: String,
}

pub async fn show(
    State(state): State<AppState>,
    MeetingInScope { meeting, unit, .. }: MeetingInScope<Read>,
) -> AppResult<ShowPage> {
    let id = meeting.id;
    let agenda = store::agenda(&state.pool, id).await?;
    let rows = store::attendance(&state.pool, id).await?;
    let previous = store::previous_tasks(&state.pool, &meeting).await?;
    Ok(ShowPage {
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
    meeting: Meeting,
    rows: Vec<AttendanceRow>,
    counts: Counts,
    errors: FieldErrors,
    /// The row the message is about.
    error_row: Option<Uuid>,
}

impl AttendancePage {
    pub fn is_error_row(&self, member: &Uuid) -> bool {
        self.error_row == Some(*member)
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
}

pub async fn attendance(
    State(state): State<AppState>,
    MeetingInScope { meeting, unit, .. }: MeetingInScope<Read>,
) -> AppResult<AttendancePage> {
    let id = meeting.id;
    let rows = store::attendance(&state.pool, id).await?;
    Ok(AttendancePage {
        unit,
        meeting,
        counts: Counts::of(&rows),
        rows,
        errors: FieldErrors::default(),
        error_row: None,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MarkForm {
    presence: String,
    reason: String,
    spoke: Option<String>,
}

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
    let id = meeting.id;
    let mut errors = FieldErrors::default();
    match Presence::parse(&form.presence) {
        None => errors.add("presence", "Vui lòng chọn có mặt, đến muộn hoặc vắng."),
        Some(presence) => {
            let reason = Some(form.reason.trim().chars().take(300).collect::<String>())
                .filter(|r| !r.is_empty());
            let input = store::MarkInput {
                presence,
                reason: reason.as_deref(),
                spoke: form.spoke.is_some(),
            };
            match store::mark(&state.pool, Some(user.id), id, member, input).await {
                Ok(()) => {
                    return Ok(
                        Redirect::to(&format!("/meetings/{id}/attendance#m-{member}"))
                            .into_response(),
                    );
                }
                Err(e) => errors = e.into_form_errors()?,
            }
        }
    }
    let rows = store::attendance(&state.pool, id).await?;
    let page = AttendancePage {
        unit,
        meeting,
        counts: Counts::of(&rows),
        rows,
        errors,
        error_row: Some(member),
    };
    Ok(Unprocessable(page).into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_from_a_month_input_or_as_written() {
        assert_eq!(parse_month("2026-11"), NaiveDate::from_ymd_opt(2026, 11, 1));
        assert_eq!(parse_month("11/2026"), NaiveDate::from_ymd_opt(2026, 11, 1));
        assert_eq!(parse_month("13/2026"), None);
        assert_eq!(parse_month(""), None);
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "meetings/thematic.html")]
pub struct ThematicPage {
    unit: Unit,
    year: i32,
    quarters: Vec<store::QuarterPlan>,
}

#[derive(Deserialize, Default)]
pub struct YearQuery {
    year: Option<i32>,
}

pub async fn thematic(
    State(state): State<AppState>,
    BranchInScope { unit, .. }: BranchInScope<Read>,
    Query(q): Query<YearQuery>,
) -> AppResult<ThematicPage> {
    let year = q
        .year
        .filter(|y| (2000..=2100).contains(y))
        .unwrap_or_else(|| state.clock.today().year());
    let quarters = store::thematic_year(&state.pool, unit.id, year).await?;
    Ok(ThematicPage {
        unit,
        year,
        quarters,
    })
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TopicForm {
    year: i32,
    quarter: i32,
    topic: String,
}

pub async fn plan_topic(
    State(state): State<AppState>,
    BranchInScope { unit, .. }: BranchInScope<Keep>,
    Form(form): Form<TopicForm>,
) -> AppResult<Response> {
    let id = unit.id;
    if !(2000..=2100).contains(&form.year) || !(1..=4).contains(&form.quarter) {
        return Err(AppError::BadRequest);
    }
    let topic =
        Some(form.topic.trim().chars().take(300).collect::<String>()).filter(|t| !t.is_empty());
    store::plan_topic(
        &state.pool,
        unit.id,
        form.year,
        form.quarter,
        topic.as_deref(),
    )
    .await?;
    Ok(Redirect::to(&format!("/units/{id}/thematic?year={}", form.year)).into_response())
}
