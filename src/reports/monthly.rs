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

#[derive(Template, WebTemplate)]
#[template(path = "reports/monthly.html")]
pub struct MonthlyPage {
    pub(super) head: crate::documents::Heading,
    pub(super) back: crate::documents::Back,
    pub(super) signer: crate::documents::Signer,
    /// The signer's post code and name as the form shows them.
    pub(super) signer_form: (String, String),
    pub(super) unit: Unit,
    /// The committee's name as on the day judged (or as issued).
    pub(super) unit_name: String,
    pub(super) month: NaiveDate,
    pub(super) month_value: String,
    pub(super) number: Option<i32>,
    pub(super) summary: String,
    pub(super) version: String,
    /// The lines as stated, in their groups' order.
    pub(super) lines: Vec<ReportLine>,
    pub(super) total: Figures,
    pub(super) alerts: Vec<(AlertKind, usize)>,
    /// When the figures shown were fixed (the report was numbered), and what changed since.
    pub(super) issued_on: Option<String>,
    pub(super) differences: Vec<Difference>,
    pub(super) errors: FieldErrors,
}

impl MonthlyPage {
    pub fn month_label(&self) -> String {
        self.month.format("%m/%Y").to_string()
    }

    pub fn groups(&self) -> Vec<crate::reports::statement::Group<'_>> {
        crate::reports::statement::groups(&self.lines)
    }

    pub fn signer_titles(&self) -> &'static [crate::documents::SignerTitle] {
        crate::documents::SignerTitle::ALL
    }

    pub fn total_dang_so(&self) -> i64 {
        self.lines.iter().map(|l| l.dang_so).sum()
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
    let committees = crate::org::store::committees_under_on(&state.pool, unit.id, on).await?;
    Ok(Statement {
        judged_on: on,
        unit_name,
        parent_name,
        lines: grouped_lines(&branches, &committees),
        total,
        alerts,
    })
}

/// The report's lines: each branch under the committee in between that holds it (the
/// report unit's child: a town's ward) with its own committee's name, the groups by name
/// and the branches by name within each (`branches` come by name). A branch directly under
/// the report's unit stands first, ungrouped.
fn grouped_lines(
    branches: &[crate::supervision::store::BranchMonth],
    committees: &[crate::org::store::Committee],
) -> Vec<ReportLine> {
    // The report unit's children are the committees with the fewest labels; every
    // committee by its path, so that a branch's group and own committee are one look-up.
    let depth = |p: &str| p.split('.').count();
    let top = committees.iter().map(|c| depth(&c.path)).min();
    let by_path: std::collections::HashMap<&str, (usize, &str)> = committees
        .iter()
        .enumerate()
        .map(|(i, c)| (c.path.as_str(), (i, c.name.as_str())))
        .collect();
    let mut lines: Vec<(usize, ReportLine)> = branches
        .iter()
        .map(|b| {
            let mut line = ReportLine::of(b);
            // The group: the branch's ancestor at the depth of the report unit's children.
            let labels: Vec<&str> = b.path.split('.').collect();
            let group = top
                .filter(|t| *t < labels.len())
                .and_then(|t| by_path.get(labels[..t].join(".").as_str()))
                .map(|(i, _)| *i);
            line.group = group.map(|i| committees[i].name.clone());
            line.parent = b
                .path
                .rsplit_once('.')
                .and_then(|(p, _)| by_path.get(p))
                .map(|(_, name)| (*name).to_owned());
            // Ungrouped lines first, then the groups in the committees' (name) order.
            (group.map_or(0, |i| i + 1), line)
        })
        .collect();
    // Stable: the branches keep their name order inside a group.
    lines.sort_by_key(|(g, _)| *g);
    lines.into_iter().map(|(_, l)| l).collect()
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
    let (shown, differences, issued) = match issued {
        Some((stated, at)) => {
            let day = at.with_timezone(&crate::clock::ZONE).date_naive();
            let differences = differences(&stated, &now);
            (stated, differences, Some(day))
        }
        None => (now, Vec::new(), None),
    };
    let issued_on = issued.map(vn_date);
    // The heading: the names the report states (as issued), the units further up as named
    // on the day judged; dated the day it was issued, or today before.
    let mut chain = crate::documents::chain(state, &unit, shown.judged_on).await?;
    if let Some(first) = chain.first_mut() {
        first.name = shown.unit_name.clone();
    }
    if let Some(parent) = chain.get_mut(1) {
        parent.name = shown.parent_name.clone();
    }
    let number = saved.as_ref().map(|s| s.number);
    let day = issued.unwrap_or_else(|| state.clock.today());
    let head = crate::documents::heading::heading(
        &chain,
        day,
        Some((crate::documents::DocType::Report, number)),
    );
    Ok(MonthlyPage {
        head,
        back: crate::documents::Back {
            href: format!("/dashboard/{}?month={}", unit.id, month.format("%Y-%m")),
            label: "Trở lại bảng theo dõi",
        },
        signer: match saved.as_ref().and_then(|s| s.signer.clone()) {
            Some((title, name)) => crate::documents::Signer {
                title: title.label(),
                name,
            },
            None => crate::documents::signer(state, &unit, day).await?,
        },
        signer_form: saved
            .as_ref()
            .and_then(|s| s.signer.clone())
            .map(|(t, n)| (t.as_str().to_owned(), n))
            .unwrap_or_default(),
        number,
        unit_name: shown.unit_name.clone(),
        month_value: month.format("%Y-%m").to_string(),
        lines: shown.lines.clone(),
        alerts: shown.alerts.clone(),
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
    let mut page = monthly_page(&state, unit, month, Some((summary, version)), errors).await?;
    // The signer as typed, too.
    page.signer_form = (form.signer_title.clone(), form.signer_name.clone());
    Ok(Unprocessable(page).into_response())
}
