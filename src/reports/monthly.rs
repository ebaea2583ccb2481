//! The monthly report of a committee: a row per branch, the month's alerts, the
//! committee's own text, printed in the party document layout.

#[allow(unused_imports)]
use super::*;
use crate::auth::User;
use crate::auth::scope::Read;
use crate::error::{AppError, AppResult, refused};
use crate::org::store::Unit;
use crate::reports::statement::{Difference, ReportLine, Statement, differences};
use crate::state::AppState;
use crate::supervision::domain::{self as sv, AlertKind, Figures};
use crate::supervision::pages::{MonthQuery, month_of, refuse};
use crate::web::{FieldErrors, Unprocessable, vn_date};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use uuid::Uuid;

/// One row of the report as printed: its number and its line.
pub struct ReportRow {
    pub number: usize,
    pub line: ReportLine,
    pub remarks: String,
}

pub(super) fn rows_of(lines: &[ReportLine]) -> Vec<ReportRow> {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| ReportRow {
            number: i + 1,
            remarks: l.remarks.join("; "),
            line: l.clone(),
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/monthly.html")]
pub struct MonthlyPage {
    pub(super) unit: Unit,
    /// The committee's name as on the day judged (or as issued).
    pub(super) unit_name: String,
    pub(super) parent_name: String,
    pub(super) month: NaiveDate,
    pub(super) month_value: String,
    pub(super) number: Option<i32>,
    pub(super) summary: String,
    pub(super) version: String,
    pub(super) rows: Vec<ReportRow>,
    pub(super) total: Figures,
    pub(super) alerts: Vec<(AlertKind, usize)>,
    /// The document's date: the day it was issued, or today for a report not yet numbered.
    pub(super) today: String,
    /// When the figures shown were fixed (the report was numbered), and what changed since.
    pub(super) issued_on: Option<String>,
    pub(super) differences: Vec<Difference>,
    pub(super) errors: FieldErrors,
    pub(super) symbol: &'static str,
}

impl MonthlyPage {
    pub fn month_label(&self) -> String {
        self.month.format("%m/%Y").to_string()
    }
}

/// The unit's report and its month, or the page that says why not.
pub(super) async fn report_target(
    state: &AppState,
    user: &User,
    file: &str,
    q: &MonthQuery,
) -> AppResult<Result<(Unit, NaiveDate, bool), Response>> {
    let (id, xlsx) = match file.strip_suffix(".xlsx") {
        Some(id) => (id, true),
        None => (file, false),
    };
    let id: Uuid = id.parse().map_err(|_| AppError::NotFound)?;
    let unit = crate::org::scope::load::<Read>(state, user, id).await?;
    Ok(month_of(q.month.as_deref(), &unit, state.clock.today())
        .map(|m| (unit, m, xlsx))
        .map_err(refuse))
}

/// The month as the record reads now: its lines, totals and alerts on the day judged.
pub(super) async fn statement_now(
    state: &AppState,
    unit: &Unit,
    month: NaiveDate,
) -> AppResult<Statement> {
    let today = state.clock.today();
    let on = sv::judged_on(month, today);
    let branches = crate::supervision::store::branch_months(
        &state.pool,
        unit.id,
        month,
        sv::quarter_counted_through(month, today),
        on,
    )
    .await?;
    let total = sv::figures(branches.iter());
    let alerts = crate::supervision::pages::all_alerts(state, unit, month, &branches).await?;
    let alerts = sv::ALL_ALERTS
        .iter()
        .map(|k| (*k, alerts.iter().filter(|a| a.kind == *k).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    let (unit_name, parent_name) = crate::org::store::names_on(&state.pool, unit.id, on)
        .await?
        .unwrap_or_else(|| (unit.name.clone(), String::new()));
    Ok(Statement {
        judged_on: on,
        unit_name,
        parent_name,
        lines: branches.iter().map(ReportLine::of).collect(),
        total,
        alerts,
    })
}

pub(super) async fn monthly_page(
    state: &AppState,
    unit: Unit,
    month: NaiveDate,
    typed: Option<(String, String)>,
    errors: FieldErrors,
) -> AppResult<MonthlyPage> {
    let now = statement_now(state, &unit, month).await?;
    let saved = stored(&state.pool, unit.id, month).await?;
    let (summary, version) = typed.unwrap_or_else(|| {
        saved
            .as_ref()
            .map(|s| (s.summary.clone(), s.version.to_string()))
            .unwrap_or_default()
    });
    // An issued report shows what it stated; the record as it is now only as differences.
    let issued = saved
        .as_ref()
        .and_then(|s| s.issued.clone().zip(s.issued_at));
    let (shown, differences, issued_on) = match issued {
        Some((stated, at)) => {
            let day = vn_date(at.with_timezone(&crate::clock::ZONE).date_naive());
            let differences = differences(&stated, &now);
            (stated, differences, Some(day))
        }
        None => (now, Vec::new(), None),
    };
    Ok(MonthlyPage {
        symbol: if unit.kind.is_branch() { "CB" } else { "ĐU" },
        number: saved.as_ref().map(|s| s.number),
        parent_name: shown.parent_name.to_uppercase(),
        unit_name: shown.unit_name.clone(),
        month_value: month.format("%Y-%m").to_string(),
        rows: rows_of(&shown.lines),
        alerts: shown.alerts.clone(),
        today: issued_on
            .clone()
            .unwrap_or_else(|| vn_date(state.clock.today())),
        issued_on,
        differences,
        summary,
        version,
        total: shown.total,
        errors,
        month,
        unit,
    })
}

pub async fn monthly(
    State(state): State<AppState>,
    user: User,
    Path(file): Path<String>,
    Query(q): Query<MonthQuery>,
) -> AppResult<Response> {
    let (unit, month, xlsx) = match report_target(&state, &user, &file, &q).await? {
        Ok(t) => t,
        Err(r) => return Ok(r),
    };
    let page = monthly_page(&state, unit, month, None, FieldErrors::default()).await?;
    if !xlsx {
        return Ok(page.into_response());
    }
    let bytes = workbook(&page).map_err(|e| AppError::Internal(anyhow::anyhow!("xlsx: {e}")))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"bao-cao-thang-{}.xlsx\"",
                    month.format("%Y-%m")
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// Saves the supervisor's text; the first save gives the report its number in the term.
pub async fn save_summary(
    State(state): State<AppState>,
    user: User,
    Path(file): Path<String>,
    Query(q): Query<MonthQuery>,
    Form(form): Form<SummaryForm>,
) -> AppResult<Response> {
    let (unit, month, _) = match report_target(&state, &user, &file, &q).await? {
        Ok(t) => t,
        Err(r) => return Ok(r),
    };
    if !user.oversees(&unit.path) {
        return Err(AppError::Forbidden);
    }
    let result = match form.parse() {
        Ok(summary) => {
            // The figures the number fixes: the month as it reads at this moment.
            let stated = statement_now(&state, &unit, month).await?;
            refused(
                save(
                    &state.pool,
                    &unit,
                    month,
                    &summary,
                    &stated,
                    user.id,
                    state.clock.now(),
                )
                .await,
            )?
        }
        Err(errors) => Err(errors),
    };
    let errors = match result {
        Ok(()) => {
            return Ok(Redirect::to(&format!(
                "/reports/monthly/{}?month={}",
                unit.id,
                month.format("%Y-%m")
            ))
            .into_response());
        }
        Err(errors) => errors,
    };
    let fresh = stored(&state.pool, unit.id, month).await?;
    let version = fresh.map(|s| s.version.to_string()).unwrap_or_default();
    let summary = form.summary.trim().to_owned();
    let page = monthly_page(&state, unit, month, Some((summary, version)), errors).await?;
    Ok(Unprocessable(page).into_response())
}
