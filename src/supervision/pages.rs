//! The supervisor's pages: the dashboard of a committee for a month, its alerts, and the
//! administrator's thresholds.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;
use uuid::Uuid;

use super::charts;
use super::domain::{self, Alert, AlertKind, Figures};
use super::forms::{FIELDS, ThresholdsForm};
use super::store::{self, BranchMonth, Thresholds};
use crate::auth::scope::Read;
use crate::auth::{User, path_within};
use crate::codes::text_code;
use crate::error::{AppError, AppResult, ErrorPage, refused};
use crate::meetings::domain::MeetingState;
use crate::members::domain::{PostRole, Status};
use crate::org::domain::BranchType;
use crate::org::scope::CommitteeInScope;
use crate::org::store::Unit;
use crate::state::AppState;
use crate::web::{FieldErrors, Unprocessable, vn_date};

#[derive(Deserialize, Default)]
pub struct MonthQuery {
    pub month: Option<String>,
    #[serde(rename = "type")]
    pub branch_type: Option<String>,
    pub sort: Option<String>,
}

/// Why a month cannot be shown, as a page with the message.
pub fn refuse(message: String) -> Response {
    ErrorPage::for_status(StatusCode::BAD_REQUEST, Some(message))
        .into_response_with(StatusCode::BAD_REQUEST)
}

/// The month asked for: this month by default; refused when malformed, in the future or
/// before the unit existed.
pub fn month_of(raw: Option<&str>, unit: &Unit, today: NaiveDate) -> Result<NaiveDate, String> {
    let now = today.with_day(1).expect("day 1");
    let month = match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => now,
        Some(s) => crate::meetings::parse_month(s).ok_or_else(|| {
            format!(
                "“{s}” không phải một tháng; hãy ghi theo dạng năm-tháng, ví dụ {}.",
                now.format("%Y-%m")
            )
        })?,
    };
    if month > now {
        return Err(format!(
            "Tháng {} chưa đến; chỉ xem được từ tháng {} trở về trước.",
            month.format("%m/%Y"),
            now.format("%m/%Y")
        ));
    }
    if domain::month_end(month) < unit.valid_from {
        return Err(format!(
            "{} được thành lập ngày {}; tháng {} chưa có đơn vị này.",
            unit.name,
            vn_date(unit.valid_from),
            month.format("%m/%Y")
        ));
    }
    Ok(month)
}

/// One row of the dashboard: a unit directly below, its figures and its alerts.
pub struct Row {
    pub id: Uuid,
    pub name: String,
    pub href: String,
    pub is_branch: bool,
    pub figures: Figures,
    pub alerts: usize,
}

/// How many waiting scores the dashboard lists (the longest waiting).
const QUEUE_SHOWN: i64 = 20;

#[derive(Template, WebTemplate)]
#[template(path = "supervision/dashboard.html")]
pub struct DashboardPage {
    unit: Unit,
    month: NaiveDate,
    month_value: String,
    prev: String,
    next: Option<String>,
    total: Figures,
    rows: Vec<Row>,
    labels: Vec<String>,
    types: Vec<(&'static str, &'static str)>,
    branch_type: String,
    sort: Option<SortKey>,
    alert_counts: Vec<(AlertKind, usize)>,
    chart_classes: String,
    chart_attendance: String,
    crumbs: Vec<crate::org::store::Crumb>,
    /// The scores waiting for approval across the subtree, the longest waiting first (the
    /// first `QUEUE_SHOWN`), and how many wait in all.
    waiting: Vec<store::Waiting>,
    waiting_all: i64,
    /// The month was not asked for and this month has no meeting held yet: the dashboard
    /// opened on the last month instead (this month's label, to link to it).
    opened_on_last: Option<String>,
}

impl DashboardPage {
    pub fn month_label(&self) -> String {
        self.month.format("%m/%Y").to_string()
    }

    /// How many wait beyond those listed.
    pub fn waiting_more(&self) -> i64 {
        self.waiting_all - self.waiting.len() as i64
    }

    pub fn waiting_month(&self, w: &store::Waiting) -> String {
        w.month.format("%m/%Y").to_string()
    }

    pub fn waiting_total(&self, w: &store::Waiting) -> String {
        crate::evaluation::rubric::Points(w.total_tenths).to_string()
    }

    pub fn waiting_since(&self, w: &store::Waiting) -> String {
        vn_date(w.sent_at.with_timezone(&crate::clock::ZONE).date_naive())
    }

    pub fn sort_link(&self, key: SortKey) -> String {
        let mut q = format!("?month={}&sort={key}", self.month_value);
        if !self.branch_type.is_empty() {
            q.push_str(&format!("&type={}", self.branch_type));
        }
        q
    }
}

text_code! {
    /// How the dashboard's rows are sorted (the `sort` of its links, kept as they were
    /// first published so that saved links still work).
    pub enum SortKey {
        /// The order of the tree (by name).
        Name = "ten",
        Held = "hop",
        Rate = "ty-le",
        Score = "diem",
        Alerts = "canh-bao",
    }
}

/// The meeting-level alerts of every branch, for `month` judged on its last day (or today
/// while it runs); `rows` carry the states of that day.
pub fn meeting_alerts(
    rows: &[BranchMonth],
    month: NaiveDate,
    today: NaiveDate,
    t: &Thresholds,
) -> Vec<Alert> {
    rows.iter()
        .flat_map(|b| domain::branch_alerts(b, month, today, t))
        .collect()
}

pub async fn dashboard(
    State(state): State<AppState>,
    CommitteeInScope { unit, user, .. }: CommitteeInScope<Read>,
    Query(q): Query<MonthQuery>,
) -> AppResult<Response> {
    let id = unit.id;
    if unit.kind.is_branch() {
        return Ok(Redirect::to(&format!("/units/{id}")).into_response());
    }
    let mut month = match month_of(q.month.as_deref(), &unit, state.clock.today()) {
        Ok(m) => m,
        Err(why) => return Ok(refuse(why)),
    };
    // Unasked, the dashboard opens on the last month while this one has no meeting held
    // (its first days): an empty page told a supervisor nothing.
    let mut opened_on_last = None;
    if q.month.is_none() {
        let last = month
            .checked_sub_months(chrono::Months::new(1))
            .expect("a month");
        if domain::month_end(last) >= unit.valid_from
            && !store::any_held(&state.pool, unit.id, month).await?
        {
            opened_on_last = Some(month.format("%m/%Y").to_string());
            month = last;
        }
    }
    let branch_type = q
        .branch_type
        .as_deref()
        .and_then(BranchType::parse_or_former)
        .map(|t| t.as_str().to_owned())
        .unwrap_or_default();
    let on = domain::judged_on(month, state.clock.today());
    // The month is shown with the tree and the names it had.
    let mut unit = unit;
    (unit.name, _) = crate::org::document_names(&state, &unit, on).await?;
    let mut branches = store::branch_months(
        &state.pool,
        unit.id,
        month,
        domain::quarter_counted_through(month, state.clock.today()),
        on,
    )
    .await?;
    if !branch_type.is_empty() {
        branches.retain(|b| b.branch_type.as_deref() == Some(branch_type.as_str()));
    }
    let thresholds = store::thresholds(&state.pool).await?;
    let alerts = meeting_alerts(&branches, month, state.clock.today(), &thresholds);
    let children = store::children(&state.pool, unit.id, month, on).await?;
    let mut rows: Vec<Row> = children
        .into_iter()
        .filter_map(|(cid, name, path)| {
            let inside: Vec<&BranchMonth> = branches
                .iter()
                .filter(|b| path_within(&path, &b.path))
                .collect();
            if inside.is_empty() && !branch_type.is_empty() {
                return None;
            }
            let is_branch = inside.len() == 1 && inside[0].id == cid;
            let ids: Vec<Uuid> = inside.iter().map(|b| b.id).collect();
            Some(Row {
                href: if is_branch {
                    format!("/units/{cid}?month={}", month.format("%Y-%m"))
                } else {
                    format!("/dashboard/{cid}?month={}", month.format("%Y-%m"))
                },
                figures: domain::figures(inside),
                alerts: alerts.iter().filter(|a| ids.contains(&a.branch_id)).count(),
                is_branch,
                id: cid,
                name,
            })
        })
        .collect();
    let sort = q.sort.as_deref().and_then(SortKey::parse);
    match sort {
        Some(SortKey::Held) => rows.sort_by(|a, b| held_share(a).total_cmp(&held_share(b))),
        Some(SortKey::Rate) => rows.sort_by(|a, b| rate(a).total_cmp(&rate(b))),
        Some(SortKey::Score) => rows.sort_by(|a, b| score(a).total_cmp(&score(b))),
        Some(SortKey::Alerts) => rows.sort_by_key(|r| std::cmp::Reverse(r.alerts)),
        Some(SortKey::Name) | None => {}
    }
    let total = domain::figures(branches.iter());
    let mut labels: Vec<String> = total.classes.iter().map(|(l, _)| l.clone()).collect();
    labels.dedup();
    let trend = store::trend(&state.pool, unit.id, month, state.clock.today()).await?;
    let mut alert_counts: Vec<(AlertKind, usize)> = domain::ALL_ALERTS
        .iter()
        .map(|k| (*k, alerts.iter().filter(|a| a.kind == *k).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    alert_counts.sort_by_key(|(k, _)| *k);
    let now = state.clock.this_month();
    let crumbs = crate::org::store::ancestors(&state.pool, &unit.path)
        .await?
        .into_iter()
        .filter(|u| user.sees_unit(&u.path) && u.id != unit.id)
        .collect();
    let (waiting, waiting_all) = store::waiting(&state.pool, unit.id, QUEUE_SHOWN).await?;
    Ok(DashboardPage {
        waiting,
        waiting_all,
        opened_on_last,
        month_value: month.format("%Y-%m").to_string(),
        prev: month
            .checked_sub_months(chrono::Months::new(1))
            .expect("a month")
            .format("%Y-%m")
            .to_string(),
        next: (month < now).then(|| {
            month
                .checked_add_months(chrono::Months::new(1))
                .expect("a month")
                .format("%Y-%m")
                .to_string()
        }),
        chart_classes: charts::classes(&trend),
        chart_attendance: charts::attendance(&trend),
        types: BranchType::ALL
            .iter()
            .map(|t| (t.as_str(), t.label()))
            .collect(),
        total,
        rows,
        labels,
        branch_type,
        sort,
        alert_counts,
        crumbs,
        month,
        unit,
    }
    .into_response())
}

fn held_share(r: &Row) -> f64 {
    if r.figures.branches == 0 {
        return 0.0;
    }
    r.figures.held as f64 / r.figures.branches as f64
}

// Sorted by the figures as shown (two rows showing the same rate tie).
fn rate(r: &Row) -> f64 {
    r.figures.rate().map_or(0.0, |r| r.percent())
}

fn score(r: &Row) -> f64 {
    r.figures.average_tenths().unwrap_or(0) as f64
}

/// The rows with each meeting's and branch sheet's state as it stood at the end of `on`
/// (from their histories). A meeting that took place in the month but was recorded later
/// keeps its "held": the alert about the month's meeting follows what happened.
async fn as_they_stood(
    state: &AppState,
    branches: &[BranchMonth],
    on: NaiveDate,
) -> AppResult<Vec<BranchMonth>> {
    let until = on
        .checked_add_days(chrono::Days::new(1))
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| t.and_local_timezone(crate::clock::ZONE).earliest())
        .map(|t| t.to_utc())
        .ok_or_else(|| AppError::Internal(anyhow::anyhow!("no midnight after {on}")))?;
    let ids: Vec<Uuid> = branches.iter().filter_map(|b| b.meeting_id).collect();
    let states = store::states_on(&state.pool, &ids, until).await?;
    Ok(branches
        .iter()
        .map(|b| {
            let mut b = b.clone();
            if let Some(s) = b.meeting_id.and_then(|id| states.get(&id)) {
                b.meeting_state = match (s.meeting, b.meeting_state) {
                    (Some(e), _) => e.state_after().or(b.meeting_state),
                    (None, Some(MeetingState::Planned)) | (None, None) => b.meeting_state,
                    (None, Some(_)) => Some(MeetingState::Held),
                };
                b.sheet_state = s.sheet.map(|(e, _)| e.state_after());
                b.sheet_updated_at = s.sheet.map(|(_, at)| at);
            }
            b
        })
        .collect())
}

/// Every alert of the subtree for a month: the meeting-level ones of each branch, members
/// absent without reason in too many months, overdue probations, committee structure —
/// all judged on the month's last day (or today while it runs): a past month's alerts are
/// the same whenever they are looked at.
pub async fn all_alerts(
    state: &AppState,
    unit: &Unit,
    month: NaiveDate,
    branches: &[BranchMonth],
) -> AppResult<Vec<Alert>> {
    let t = store::thresholds(&state.pool).await?;
    let today = state.clock.today();
    let on = domain::judged_on(month, today);
    let stood;
    let branches = if on < today {
        stood = as_they_stood(state, branches, on).await?;
        &stood[..]
    } else {
        branches
    };
    let mut alerts = meeting_alerts(branches, month, today, &t);
    // Four independent reads over the subtree: run side by side on the pool.
    let (absentees, probationers, posts_held, dang_so) = tokio::try_join!(
        store::unexcused_months(&state.pool, unit.id, month, t.unexcused_months, on),
        store::probationers(&state.pool, unit.id, on),
        store::posts(&state.pool, unit.id, on),
        store::dang_so_on(&state.pool, unit.id, on),
    )?;
    for (member, name, branch, branch_name, months) in absentees {
        let n = domain::unexcused_month_count(&months, month);
        if n >= t.unexcused_months as usize {
            alerts.push(Alert {
                kind: AlertKind::UnexcusedMonths,
                branch_id: branch,
                branch: branch_name,
                detail: format!(
                    "Đồng chí {name} vắng không lý do {n} tháng trong năm {} ({}): chi bộ xem xét, không tự động xóa tên.",
                    month.year(),
                    months
                        .iter()
                        .filter(|m| m.year() == month.year() && **m <= month)
                        .map(|m| m.format("%m").to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                href: format!("/members/{member}"),
            });
        }
    }
    // Full members = đảng số less the probationers (the two statuses there are), both on
    // the day judged.
    let mut probationers_of: HashMap<Uuid, i64> = HashMap::new();
    for (member, name, branch, branch_name, admission) in probationers {
        *probationers_of.entry(branch).or_default() += 1;
        if let crate::members::domain::Probation::Overdue { ended, days } =
            crate::members::domain::probation(Status::Probationary, admission, on)
        {
            alerts.push(Alert {
                kind: AlertKind::ProbationOverdue,
                branch_id: branch,
                branch: branch_name,
                detail: format!(
                    "Đồng chí {name}: hết 12 tháng dự bị ngày {}, quá {days} ngày chưa xét công nhận.",
                    vn_date(ended)
                ),
                href: format!("/members/{member}"),
            });
        }
    }
    let mut posts: HashMap<Uuid, Vec<(PostRole, String, Status)>> = HashMap::new();
    for (branch, role, holder, status) in posts_held {
        posts
            .entry(branch)
            .or_default()
            .push((role, holder, status));
    }
    for b in branches
        .iter()
        .filter(|b| b.meeting_id.is_some() || dang_so.get(&b.id).copied().unwrap_or(0) > 0)
    {
        let held = posts.get(&b.id).cloned().unwrap_or_default();
        let list: Vec<crate::members::domain::Post> = held
            .iter()
            .map(|(role, holder, status)| crate::members::domain::Post {
                role: *role,
                holder,
                holder_status: *status,
            })
            .collect();
        for w in crate::members::domain::committee_warnings(
            (dang_so.get(&b.id).copied().unwrap_or(0)
                - probationers_of.get(&b.id).copied().unwrap_or(0))
            .max(0) as usize,
            &list,
        ) {
            alerts.push(Alert {
                kind: AlertKind::Committee,
                branch_id: b.id,
                branch: b.name.clone(),
                detail: w,
                href: format!("/units/{}/committee", b.id),
            });
        }
    }
    alerts.sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| a.branch.cmp(&b.branch)));
    Ok(alerts)
}

#[derive(Template, WebTemplate)]
#[template(path = "supervision/alerts.html")]
pub struct AlertsPage {
    unit: Unit,
    month: NaiveDate,
    month_value: String,
    groups: Vec<(AlertKind, Vec<Alert>)>,
    total: usize,
}

pub async fn alerts(
    State(state): State<AppState>,
    CommitteeInScope { unit, .. }: CommitteeInScope<Read>,
    Query(q): Query<MonthQuery>,
) -> AppResult<Response> {
    let month = match month_of(q.month.as_deref(), &unit, state.clock.today()) {
        Ok(m) => m,
        Err(why) => return Ok(refuse(why)),
    };
    let on = domain::judged_on(month, state.clock.today());
    let mut unit = unit;
    (unit.name, _) = crate::org::document_names(&state, &unit, on).await?;
    let branches = store::branch_months(
        &state.pool,
        unit.id,
        month,
        domain::quarter_counted_through(month, state.clock.today()),
        on,
    )
    .await?;
    let list = all_alerts(&state, &unit, month, &branches).await?;
    let total = list.len();
    let groups = domain::ALL_ALERTS
        .iter()
        .map(|k| {
            (
                *k,
                list.iter()
                    .filter(|a| a.kind == *k)
                    .cloned()
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, v)| !v.is_empty())
        .collect();
    Ok(AlertsPage {
        month_value: month.format("%Y-%m").to_string(),
        unit,
        month,
        groups,
        total,
    }
    .into_response())
}

#[derive(Template, WebTemplate)]
#[template(path = "supervision/thresholds.html")]
pub struct ThresholdsPage {
    form: ThresholdsForm,
    errors: FieldErrors,
    saved: bool,
}

impl ThresholdsPage {
    pub fn value(&self, name: &str) -> &str {
        self.form.value(name)
    }

    pub fn fields(&self) -> Vec<(&'static str, &'static str, i32, i32)> {
        FIELDS.to_vec()
    }
}

pub async fn thresholds_form(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<HashMap<String, String>>,
) -> AppResult<ThresholdsPage> {
    crate::org::require_system_admin(&state, &user).await?;
    let t = store::thresholds(&state.pool).await?;
    Ok(ThresholdsPage {
        form: ThresholdsForm::from(&t),
        errors: FieldErrors::default(),
        saved: q.contains_key("saved"),
    })
}

pub async fn thresholds_save(
    State(state): State<AppState>,
    user: User,
    Form(mut form): Form<ThresholdsForm>,
) -> AppResult<Response> {
    crate::org::require_system_admin(&state, &user).await?;
    let result = match form.parse() {
        Ok(t) => {
            refused(store::save_thresholds(&state.pool, &t, user.id, state.clock.now()).await)?
        }
        Err(errors) => Err(errors),
    };
    let errors = match result {
        Ok(()) => return Ok(Redirect::to("/admin/alerts?saved=1").into_response()),
        Err(errors) => errors,
    };
    if errors.get("form").is_some() {
        form.version = store::thresholds(&state.pool).await?.version.to_string();
    }
    let page = ThresholdsPage {
        form,
        errors,
        saved: false,
    };
    Ok(Unprocessable(page).into_response())
}
