//! The yearly report: each branch's annual class by the rubric's rule.

#[allow(unused_imports)]
use super::*;
use crate::auth::scope::Read;
use crate::error::AppResult;
use crate::meetings::domain::MeetingKind;
use crate::org::scope::CommitteeInScope;
use crate::org::store::Unit;
use crate::state::AppState;
use crate::supervision::pages::refuse;
use crate::web::vn_date;
use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use serde::Deserialize;

/// A branch's year for the yearly report.
pub struct YearRow {
    pub name: String,
    pub annual: crate::evaluation::scoring::Annual,
    pub average: String,
    pub class: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/yearly.html")]
pub struct YearlyPage {
    head: crate::documents::Heading,
    back: crate::documents::Back,
    signer: crate::documents::Signer,
    unit: Unit,
    year: i32,
    rows: Vec<YearRow>,
    labels: Vec<String>,
    rule: String,
}

#[derive(Deserialize)]
pub struct YearQuery {
    year: Option<String>,
}

pub async fn yearly(
    State(state): State<AppState>,
    CommitteeInScope { unit, .. }: CommitteeInScope<Read>,
    Query(q): Query<YearQuery>,
) -> AppResult<Response> {
    let now = state.clock.today();
    let year = match q.year.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => now.year(),
        Some(s) => match s.parse::<i32>() {
            Ok(y) if y > now.year() => {
                return Ok(refuse(format!("Năm {y} chưa đến.")));
            }
            Ok(y) if y < unit.valid_from.year() => {
                return Ok(refuse(format!(
                    "{} được thành lập ngày {}; năm {y} chưa có đơn vị này.",
                    unit.name,
                    vn_date(unit.valid_from)
                )));
            }
            Ok(y) => y,
            Err(_) => return Ok(refuse(format!("“{s}” không phải một năm."))),
        },
    };
    let end = NaiveDate::from_ymd_opt(year, 12, 31)
        .expect("a date")
        .min(now);
    let rubric = crate::evaluation::store::rubric_in_force(
        &state.pool,
        unit.id,
        MeetingKind::Regular.as_str(),
        end,
    )
    .await?;
    let Some(rubric) = rubric else {
        return Ok(refuse(format!(
            "Chưa có bộ tiêu chí áp dụng cho năm {year}."
        )));
    };
    let r = &rubric.rubric;
    let data = year_data(&state.pool, unit.id, year, now).await?;
    let labels: Vec<String> = r.bands_desc().iter().map(|b| b.label.clone()).collect();
    let rows = data
        .into_iter()
        .map(|(b, months, quarters)| {
            let counted = crate::evaluation::months_counted(
                &b,
                year,
                now,
                &months
                    .iter()
                    .filter(|m| m.held)
                    .map(|m| m.month)
                    .collect::<Vec<_>>(),
            );
            let list: Vec<crate::evaluation::scoring::Month> = counted
                .iter()
                .map(|d| {
                    months.iter().find(|m| m.month == *d).cloned().unwrap_or(
                        crate::evaluation::scoring::Month {
                            month: *d,
                            held: false,
                            total: None,
                            class: None,
                        },
                    )
                })
                .collect();
            let due: Vec<u32> = (1..=4)
                .filter(|q| {
                    NaiveDate::from_ymd_opt(year, q * 3, 1)
                        .and_then(|d| d.checked_add_months(chrono::Months::new(1)))
                        .is_some_and(|e| e <= now && e > b.valid_from)
                })
                .collect();
            let annual = crate::evaluation::scoring::annual(
                r,
                &list,
                due.iter().all(|q| quarters.contains(q)),
            );
            YearRow {
                average: annual
                    .average
                    .map(|p| p.to_string())
                    .unwrap_or_else(|| "—".into()),
                class: annual
                    .class
                    .as_deref()
                    .map(|c| r.band_label(c))
                    .unwrap_or_default(),
                name: b.name.clone(),
                annual,
            }
        })
        .collect();
    let on = NaiveDate::from_ymd_opt(year, 12, 31)
        .expect("a date")
        .min(now);
    let mut unit = unit;
    (unit.name, _) = crate::org::document_names(&state, &unit, on).await?;
    let number = Some((crate::documents::DocType::Report, None));
    Ok(YearlyPage {
        head: crate::documents::heading_of(&state, &unit, on, now, number).await?,
        back: crate::documents::Back {
            href: format!("/dashboard/{}", unit.id),
            label: "Trở lại bảng theo dõi",
        },
        signer: crate::documents::signer(&state, &unit, now).await?,
        rule: r.title.clone(),
        unit,
        year,
        rows,
        labels,
    }
    .into_response())
}

impl YearlyPage {
    pub fn count(&self, row: &YearRow, label: &str) -> usize {
        row.annual
            .counts
            .iter()
            .find(|(_, l, _)| l == label)
            .map(|(_, _, n)| *n)
            .unwrap_or(0)
    }
}
