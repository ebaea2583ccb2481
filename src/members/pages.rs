//! The member list of a branch, a member's page, the add and edit forms, the Excel export.

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use uuid::Uuid;

use super::domain::{
    self, BranchCounts, EventKind, Gender, Lifecycle, MemberForm, MembershipKind, Post, Probation,
    Status,
};
use super::scope::MemberInScope;
use super::store::{self, EventView, MemberDetail, MembershipView, RosterRow};
use crate::auth::scope::{Keep, Read};
use crate::codes::{Choice, choices};
use crate::error::AppResult;
use crate::org::scope::BranchInScope;
use crate::org::store::Unit;
use crate::state::AppState;
use crate::web::{FieldErrors, Unprocessable, vn_date};

#[derive(Deserialize, Default)]
pub struct ListQuery {
    #[serde(default)]
    status: String,
    #[serde(default)]
    state: String,
    /// Set after an import: how many members it wrote.
    imported: Option<usize>,
}

pub struct ListRow {
    pub row: RosterRow,
    pub probation: Option<String>,
    pub overdue: bool,
}

#[derive(Template, WebTemplate)]
#[template(path = "members/list.html")]
pub struct ListPage {
    unit: Unit,
    /// May the user write this branch's records (a supervisor above only reads them).
    keeps: bool,

    counts: BranchCounts,
    warnings: Vec<String>,
    rows: Vec<ListRow>,
    total: usize,
    statuses: Vec<Choice>,
    states: Vec<Choice>,
    imported: Option<usize>,
}

/// The list's state filter: the states a branch's own members can be in, and those attached
/// here for a time.
fn state_choices(raw: &str) -> Vec<Choice> {
    let mut out = choices(
        &[Lifecycle::Active, Lifecycle::Exempt, Lifecycle::Away],
        raw,
        Lifecycle::as_str,
        Lifecycle::label,
    );
    out.push(Choice {
        value: MembershipKind::Temporary.as_str(),
        label: "Sinh hoạt tạm thời tại chi bộ",
        selected: MembershipKind::parse(raw) == Some(MembershipKind::Temporary),
    });
    out
}

/// "Due 01/11/2026" or "overdue since ..." for a probationer, for the list and the page.
fn probation_note(p: Probation) -> Option<(String, bool)> {
    match p {
        Probation::Done => None,
        Probation::Running { ends } => Some((format!("Hết dự bị {}", vn_date(ends)), false)),
        Probation::Due { ended } => Some((
            format!("Đến hạn xét công nhận chính thức (từ {})", vn_date(ended)),
            true,
        )),
        Probation::Overdue { ended, days } => Some((
            format!(
                "Quá hạn xét công nhận chính thức {days} ngày (từ {})",
                vn_date(ended)
            ),
            true,
        )),
    }
}

/// Counts, committee warnings and probation alerts of a branch: shared by the branch home
/// and the member list.
pub async fn branch_summary(
    state: &AppState,
    unit: &Unit,
) -> AppResult<(Vec<RosterRow>, BranchCounts, Vec<String>)> {
    let roster = store::roster(&state.pool, unit.id).await?;
    let counts = domain::branch_counts(roster.iter().map(|r| domain::CountInput {
        permanent: r.permanent,
        status: r.status,
        lifecycle: r.lifecycle_state,
    }));
    let posts = store::posts(&state.pool, unit.id).await?;
    let mut warnings = domain::committee_warnings(
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
    let now = state.clock.today();
    let overdue = roster
        .iter()
        .filter(|r| r.permanent)
        .filter(|r| {
            matches!(
                domain::probation(r.status, r.admission_date, now),
                Probation::Due { .. } | Probation::Overdue { .. }
            )
        })
        .count();
    if overdue > 0 {
        warnings.push(format!(
            "{overdue} đảng viên dự bị đã hết 12 tháng dự bị, cần xét công nhận chính thức."
        ));
    }
    Ok((roster, counts, warnings))
}

pub async fn list(
    State(state): State<AppState>,
    BranchInScope { unit, user, .. }: BranchInScope<Read>,
    Query(q): Query<ListQuery>,
) -> AppResult<ListPage> {
    let keeps = user.keeps(&unit.path);
    let (roster, counts, warnings) = branch_summary(&state, &unit).await?;
    let total = roster.len();
    let now = state.clock.today();
    // Links saved before the codes were renamed still filter; an unknown value shows no one.
    let status = Status::parse_or_former(&q.status);
    let status_given = !q.status.trim().is_empty();
    // The state filter: a life-cycle state of the branch's own members, or "temporary" for
    // those attached here for a time.
    let attached = MembershipKind::parse(&q.state) == Some(MembershipKind::Temporary);
    let lifecycle = Lifecycle::parse(&q.state);
    let state_given = !q.state.trim().is_empty();
    let rows = roster
        .into_iter()
        .filter(|r| match status {
            Some(s) => r.status == s,
            None => !status_given,
        })
        .filter(|r| match (attached, lifecycle) {
            (true, _) => !r.permanent,
            (false, Some(l)) => r.permanent && r.lifecycle_state == l,
            (false, None) => !state_given,
        })
        .map(|row| {
            let note = probation_note(domain::probation(row.status, row.admission_date, now));
            ListRow {
                overdue: note.as_ref().is_some_and(|(_, o)| *o),
                probation: note.map(|(n, _)| n),
                row,
            }
        })
        .collect();
    Ok(ListPage {
        keeps,
        unit,
        counts,
        warnings,
        rows,
        total,
        statuses: choices(Status::ALL, &q.status, Status::as_str, Status::label),
        states: state_choices(&q.state),
        imported: q.imported,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "members/show.html")]
pub struct ShowPage {
    member: MemberDetail,
    birth_date: String,
    admission_date: String,
    decision_date: Option<String>,
    official_date: Option<String>,
    status: &'static str,
    state: &'static str,
    gender: &'static str,
    probation: Option<String>,
    probation_alert: bool,
    warnings: Vec<String>,
    memberships: Vec<MembershipView>,
    events: Vec<EventView>,
    own: bool,
    /// The member's branch, when the user may act on the member there.
    manage: Option<Uuid>,
}

/// A member's page: the member themself, or anyone who sees one of their branches, past or
/// present (a secretary keeps seeing the history of members who left).
pub async fn show(
    State(state): State<AppState>,
    MemberInScope {
        member,
        home: manage,
        user,
        ..
    }: MemberInScope<Read>,
) -> AppResult<ShowPage> {
    let id = member.id;
    let own = user.member_id == Some(id);
    let memberships = store::memberships(&state.pool, id).await?;
    let note = probation_note(domain::probation(
        member.status,
        member.admission_date,
        state.clock.today(),
    ));
    Ok(ShowPage {
        birth_date: vn_date(member.birth_date),
        admission_date: vn_date(member.admission_date),
        decision_date: member.admission_decision_date.map(vn_date),
        official_date: member.official_date.map(vn_date),
        status: member.status.label(),
        state: member.lifecycle_state.label(),
        gender: member.gender.label(),
        probation_alert: note.as_ref().is_some_and(|(_, o)| *o),
        probation: note.map(|(n, _)| n),
        warnings: domain::record_warnings(member.birth_date, member.admission_date),
        events: store::events(&state.pool, id).await?,
        member,
        memberships,
        own,
        manage,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "members/form.html")]
pub struct FormPage {
    unit: Option<Unit>,
    member_id: Option<Uuid>,
    form: MemberForm,
    errors: FieldErrors,
}

impl FormPage {
    pub fn genders(&self) -> Vec<Choice> {
        choices(
            Gender::ALL,
            &self.form.gender,
            Gender::as_str,
            Gender::label,
        )
    }

    pub fn statuses(&self) -> Vec<Choice> {
        choices(
            Status::ALL,
            &self.form.status,
            Status::as_str,
            Status::label,
        )
    }
}

pub async fn new_form(BranchInScope { unit, .. }: BranchInScope<Keep>) -> AppResult<FormPage> {
    let form = MemberForm {
        gender: Gender::Male.as_str().into(),
        status: Status::Probationary.as_str().into(),
        ..Default::default()
    };
    Ok(FormPage {
        unit: Some(unit),
        member_id: None,
        form,
        errors: FieldErrors::default(),
    })
}

pub async fn create(
    State(state): State<AppState>,
    BranchInScope { unit, user, .. }: BranchInScope<Keep>,
    Form(form): Form<MemberForm>,
) -> AppResult<Response> {
    let errors = match form.parse(state.clock.today()) {
        Err(errors) => errors,
        Ok(rec) => {
            match store::create(
                &state.pool,
                Some(user.id),
                user.scope_roots().as_deref(),
                unit.id,
                &rec,
                EventKind::Created,
                state.clock.today(),
            )
            .await
            {
                Ok(id) => return Ok(Redirect::to(&format!("/members/{id}")).into_response()),
                Err(e) => e.into_form_errors()?,
            }
        }
    };
    let page = FormPage {
        unit: Some(unit),
        member_id: None,
        form,
        errors,
    };
    Ok(Unprocessable(page).into_response())
}

fn form_of(m: &MemberDetail) -> MemberForm {
    let iso = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    MemberForm {
        full_name: m.full_name.clone(),
        gender: m.gender.as_str().into(),
        birth_date: iso(m.birth_date),
        hometown: m.hometown.clone().unwrap_or_default(),
        phone: m.phone.clone().unwrap_or_default(),
        card_no: m.card_no.clone().unwrap_or_default(),
        admission_date: iso(m.admission_date),
        admission_decision_date: m.admission_decision_date.map(iso).unwrap_or_default(),
        official_date: m.official_date.map(iso).unwrap_or_default(),
        status: m.status.as_str().into(),
        version: m.version,
    }
}

pub async fn edit_form(MemberInScope { member, .. }: MemberInScope<Keep>) -> AppResult<FormPage> {
    let id = member.id;
    Ok(FormPage {
        unit: None,
        member_id: Some(id),
        form: form_of(&member),
        errors: FieldErrors::default(),
    })
}

pub async fn update(
    State(state): State<AppState>,
    MemberInScope { member, user, .. }: MemberInScope<Keep>,
    Form(mut form): Form<MemberForm>,
) -> AppResult<Response> {
    let id = member.id;
    let errors = match form.parse(state.clock.today()) {
        Err(errors) => errors,
        Ok(rec) => match store::update(
            &state.pool,
            Some(user.id),
            user.scope_roots().as_deref(),
            id,
            form.version,
            &rec,
            state.clock.today(),
        )
        .await
        {
            Ok(()) => return Ok(Redirect::to(&format!("/members/{id}")).into_response()),
            Err(e) => e.into_form_errors()?,
        },
    };
    // A stale form comes back at the current version, with what the user typed.
    if let Some(current) = store::detail(&state.pool, id).await? {
        form.version = current.version;
    }
    let page = FormPage {
        unit: None,
        member_id: Some(id),
        form,
        errors,
    };
    Ok(Unprocessable(page).into_response())
}

/// The member list as an Excel workbook, in the list's order.
pub async fn export(
    State(state): State<AppState>,
    BranchInScope { unit, .. }: BranchInScope<Read>,
) -> AppResult<Response> {
    let roster = store::roster(&state.pool, unit.id).await?;
    let bytes = super::sheet::roster_workbook(&unit.name, &roster).map_err(anyhow::Error::from)?;
    let file = format!(
        "danh-sach-dang-vien-{}.xlsx",
        state.clock.today().format("%Y-%m-%d")
    );
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{file}\""),
            ),
        ],
        bytes,
    )
        .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "members/history.html")]
pub struct HistoryPage {
    member: MemberDetail,
    lines: Vec<crate::audit::Line>,
    limit: usize,
}

/// The member's "Lịch sử": every change to the record, who made it and when, the latest
/// first.
pub async fn history(
    State(state): State<AppState>,
    MemberInScope { member, .. }: MemberInScope<Read>,
) -> AppResult<HistoryPage> {
    let rows = store::history(&state.pool, member.id, crate::audit::PAGE_LIMIT).await?;
    let lines = rows
        .into_iter()
        .map(|r| {
            r.line(|code| {
                domain::EventKind::parse(code)
                    .map_or_else(|| code.to_owned(), |e| e.label().to_owned())
            })
            .worded(domain::value_label)
        })
        .collect();
    Ok(HistoryPage {
        member,
        lines,
        limit: crate::audit::PAGE_LIMIT as usize,
    })
}
