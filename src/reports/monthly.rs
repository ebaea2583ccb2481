//! The monthly report of a committee: a row per branch, the month's alerts, the
//! committee's own text, printed in the party document layout.

#[allow(unused_imports)]
use super::*;
use crate::auth::User;
use crate::auth::scope::Read;
use crate::error::{AppError, AppResult, refused};
use crate::evaluation::rubric::Points;
use crate::org::store::Unit;
use crate::rate::Rate;
use crate::state::AppState;
use crate::supervision::domain::{self as sv, AlertKind, Figures};
use crate::supervision::pages::{MonthQuery, month_of, refuse};
use crate::supervision::store::BranchMonth;
use crate::web::{FieldErrors, Unprocessable, vn_date};
use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use uuid::Uuid;

/// One row of the report: a branch and its month.
pub struct ReportRow {
    pub number: usize,
    pub branch: BranchMonth,
    pub day: String,
    pub present: String,
    pub rate: String,
    pub score: String,
    pub class: String,
    pub remarks: String,
}

pub(super) fn rows_of(branches: Vec<BranchMonth>) -> Vec<ReportRow> {
    branches
        .into_iter()
        .enumerate()
        .map(|(i, b)| {
            let held = b.held();
            let mut remarks = Vec::new();
            if !held {
                remarks.push("Chưa sinh hoạt thường kỳ".to_owned());
            }
            if held && b.unexcused > 0 {
                remarks.push(format!("{} đảng viên vắng không lý do", b.unexcused));
            }
            remarks.extend(b.capped_by.iter().cloned());
            if held && b.total_tenths.is_none() {
                remarks.push("Chưa chấm điểm".into());
            }
            ReportRow {
                number: i + 1,
                day: b
                    .started_at
                    .filter(|_| held)
                    .map(|t| vn_date(t.with_timezone(&crate::clock::ZONE).date_naive()))
                    .unwrap_or_default(),
                // Present over the attendance base, the rate's own base (đảng số, which
                // counts the exempt and those away, has its own column).
                present: if held {
                    format!("{}/{}", b.present, b.expected)
                } else {
                    String::new()
                },
                rate: if held {
                    Rate::of(i64::from(b.present), i64::from(b.expected))
                        .map(|r| r.to_string())
                        .unwrap_or_default()
                } else {
                    String::new()
                },
                score: b
                    .total_tenths
                    .map(|t| Points(t).to_string())
                    .unwrap_or_default(),
                class: b.class_label.clone().unwrap_or_default(),
                remarks: remarks.join("; "),
                branch: b,
            }
        })
        .collect()
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/monthly.html")]
pub struct MonthlyPage {
    pub(super) unit: Unit,
    pub(super) parent_name: String,
    pub(super) month: NaiveDate,
    pub(super) month_value: String,
    pub(super) number: Option<i32>,
    pub(super) summary: String,
    pub(super) version: String,
    pub(super) rows: Vec<ReportRow>,
    pub(super) total: Figures,
    pub(super) alerts: Vec<(AlertKind, usize)>,
    pub(super) today: String,
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

pub(super) async fn monthly_page(
    state: &AppState,
    unit: Unit,
    month: NaiveDate,
    typed: Option<(String, String)>,
    errors: FieldErrors,
) -> AppResult<MonthlyPage> {
    let branches = crate::supervision::store::branch_months(
        &state.pool,
        unit.id,
        month,
        sv::quarter_counted_through(month, state.clock.today()),
    )
    .await?;
    let total = sv::figures(branches.iter());
    let alerts = crate::supervision::pages::all_alerts(state, &unit, month, &branches).await?;
    let alert_counts = sv::ALL_ALERTS
        .iter()
        .map(|k| (*k, alerts.iter().filter(|a| a.kind == *k).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    let saved = stored(&state.pool, unit.id, month).await?;
    let parent_name = crate::org::upper_unit_name(state, &unit).await?;
    let (summary, version) = typed.unwrap_or_else(|| {
        saved
            .as_ref()
            .map(|s| (s.summary.clone(), s.version.to_string()))
            .unwrap_or_default()
    });
    Ok(MonthlyPage {
        symbol: if unit.kind.is_branch() { "CB" } else { "ĐU" },
        number: saved.as_ref().map(|s| s.number),
        parent_name: parent_name.to_uppercase(),
        month_value: month.format("%Y-%m").to_string(),
        rows: rows_of(branches),
        alerts: alert_counts,
        today: vn_date(state.clock.today()),
        summary,
        version,
        total,
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
        Ok(summary) => refused(
            save(
                &state.pool,
                &unit,
                month,
                &summary,
                user.id,
                state.clock.now(),
            )
            .await,
        )?,
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
