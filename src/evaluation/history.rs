//! A branch's scores by month and its annual roll-up (docs/rules.md §2.3 b, §4.3).

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

use super::domain::SheetState;
use super::rubric::Points;
use super::scoring::{self, Annual, Month};
use super::store::{self, MonthScore, StoredRubric};
use crate::auth::scope::Read;
use crate::error::AppResult;
use crate::meetings::domain::MeetingKind;
use crate::org::scope::BranchInScope;
use crate::org::store::Unit;
use crate::state::AppState;

pub struct Row {
    pub score: MonthScore,
    pub kind_label: &'static str,
    pub month_label: String,
    pub class_label: String,
    pub approved_label: String,
    pub total: String,
    pub upper: String,
    pub state_label: &'static str,
}

#[derive(Template, WebTemplate)]
#[template(path = "evaluation/history.html")]
pub struct HistoryPage {
    unit: Unit,
    year: i32,
    years: Vec<i32>,
    rows: Vec<Row>,
    rubric: Option<StoredRubric>,
    annual: Option<Annual>,
    annual_label: String,
    average: String,
    thematic_quarters: String,
    pending: usize,
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<i32>,
}

/// The months of `year` that count for the branch: from its founding, and this year only up
/// to last month plus this month when its meeting was held.
pub(crate) fn months_counted(
    unit: &Unit,
    year: i32,
    now: NaiveDate,
    held: &[NaiveDate],
) -> Vec<NaiveDate> {
    (1..=12)
        .filter_map(|m| NaiveDate::from_ymd_opt(year, m, 1))
        .filter(|d| {
            let month_end = d.checked_add_months(chrono::Months::new(1)).unwrap_or(*d);
            month_end > unit.valid_from
                && unit.valid_to.is_none_or(|to| *d <= to)
                && (month_end <= now || (*d <= now && held.contains(d)))
        })
        .collect()
}

pub async fn page(
    State(state): State<AppState>,
    BranchInScope { unit, .. }: BranchInScope<Read>,
    Query(q): Query<YearQuery>,
) -> AppResult<HistoryPage> {
    let now = state.clock.today();
    let year = q
        .year
        .filter(|y| (2000..=now.year()).contains(y))
        .unwrap_or(now.year());
    let scores = store::year_scores(&state.pool, unit.id, year).await?;
    // The annual rule is the one in force at the end of the year (or today).
    let end = NaiveDate::from_ymd_opt(year, 12, 31)
        .expect("a date")
        .min(now);
    let rubric =
        store::rubric_in_force(&state.pool, unit.id, MeetingKind::Regular.as_str(), end).await?;
    let label = |c: &str| {
        rubric
            .as_ref()
            .map(|r| r.rubric.band_label(c))
            .unwrap_or_else(|| c.to_owned())
    };
    let regular: Vec<&MonthScore> = scores.iter().filter(|s| s.kind.is_regular()).collect();
    let held_months = store::held_months(&state.pool, unit.id, year).await?;
    let months: Vec<Month> = months_counted(&unit, year, now, &held_months)
        .into_iter()
        .map(|d| {
            let s = regular.iter().find(|s| s.month == d);
            Month {
                month: d,
                held: held_months.contains(&d),
                total: s.and_then(|s| s.total_tenths).map(Points),
                class: s.and_then(|s| s.approved_class.clone().or_else(|| s.class.clone())),
            }
        })
        .collect();
    let quarters = store::thematic_quarters(&state.pool, unit.id, year).await?;
    let quarters_due: Vec<u32> = (1..=4)
        .filter(|q| {
            NaiveDate::from_ymd_opt(year, q * 3, 1)
                .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
                .is_some_and(|end| end <= now && end > unit.valid_from)
        })
        .collect();
    let thematic_ok = quarters_due.iter().all(|q| quarters.contains(q));
    let annual = rubric
        .as_ref()
        .map(|r| scoring::annual(&r.rubric, &months, thematic_ok));
    let rows = scores
        .iter()
        .map(|s| Row {
            kind_label: s.kind.label(),
            month_label: s.month.format("%m/%Y").to_string(),
            class_label: s.class.as_deref().map(label).unwrap_or_default(),
            approved_label: s.approved_class.as_deref().map(label).unwrap_or_default(),
            total: s
                .total_tenths
                .map(|t| Points(t).to_string())
                .unwrap_or_default(),
            upper: s
                .upper_total_tenths
                .map(|t| Points(t).to_string())
                .unwrap_or_default(),
            state_label: s.state.map(SheetState::label).unwrap_or(""),
            score: s.clone(),
        })
        .collect();
    let pending = scores
        .iter()
        .filter(|s| s.state.is_some_and(|st| st != SheetState::Approved))
        .count();
    Ok(HistoryPage {
        years: (now.year() - 4..=now.year()).rev().collect(),
        average: annual
            .as_ref()
            .and_then(|a| a.average)
            .map(|p| p.to_string())
            .unwrap_or_else(|| "—".into()),
        annual_label: annual
            .as_ref()
            .and_then(|a| a.class.as_deref())
            .map(label)
            .unwrap_or_else(|| "Chưa đủ dữ liệu".into()),
        thematic_quarters: format!(
            "{}/{} quý đã qua có sinh hoạt chuyên đề",
            quarters_due.iter().filter(|q| quarters.contains(q)).count(),
            quarters_due.len()
        ),
        annual,
        rubric,
        rows,
        pending,
        year,
        unit,
    })
}
