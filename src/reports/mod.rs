//! The committee's monthly report (printable in the party document layout, and as .xlsx)
//! and the yearly report with each branch's annual roll-up.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use chrono::{Datelike, NaiveDate};
use rust_xlsxwriter::{Format, FormatBorder, Workbook, XlsxError};
use serde::Deserialize;
use sqlx::PgPool;
use uuid::Uuid;

use crate::auth::User;
use crate::auth::scope::Read;
use crate::error::{AppError, AppResult, StoreError};
use crate::evaluation::rubric::Points;
use crate::meetings::domain::MeetingKind;
use crate::org::scope::CommitteeInScope;
use crate::org::store::Unit;
use crate::state::AppState;
use crate::supervision::domain::{self as sv, AlertKind, Figures};
use crate::supervision::pages::{MonthQuery, month_of, refuse};
use crate::supervision::store::BranchMonth;
use crate::web::{FieldErrors, vn_date};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/reports/monthly/{file}", get(monthly).post(save_summary))
        .route("/reports/yearly/{id}", get(yearly))
}

/// Party terms run five years from 2020 (2020–2025, 2025–2030, …); report numbers restart
/// with each (docs/rules.md §6.1).
pub fn term_start(year: i32) -> i32 {
    2020 + (year - 2020).div_euclid(5) * 5
}

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

fn rows_of(branches: Vec<BranchMonth>) -> Vec<ReportRow> {
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
                    .map(|t| vn_date(t.with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).date_naive()))
                    .unwrap_or_default(),
                present: if held {
                    format!("{}/{}", b.present, b.dang_so)
                } else {
                    String::new()
                },
                rate: if held && b.expected > 0 {
                    format!(
                        "{:.1}%",
                        100.0 * f64::from(b.present) / f64::from(b.expected)
                    )
                    .replace('.', ",")
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

struct Stored {
    number: i32,
    summary: String,
    version: i32,
}

async fn stored(
    pool: &PgPool,
    unit: Uuid,
    month: NaiveDate,
) -> Result<Option<Stored>, sqlx::Error> {
    sqlx::query_as!(
        Stored,
        "SELECT number, summary, version FROM monthly_reports WHERE unit_id = $1 AND month = $2",
        unit,
        month
    )
    .fetch_optional(pool)
    .await
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/monthly.html")]
pub struct MonthlyPage {
    unit: Unit,
    parent_name: String,
    month: NaiveDate,
    month_value: String,
    number: Option<i32>,
    summary: String,
    version: String,
    rows: Vec<ReportRow>,
    total: Figures,
    alerts: Vec<(AlertKind, usize)>,
    today: String,
    errors: FieldErrors,
    symbol: &'static str,
}

impl MonthlyPage {
    pub fn month_label(&self) -> String {
        self.month.format("%m/%Y").to_string()
    }
}

/// The unit's report and its month, or the page that says why not.
async fn report_target(
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

async fn monthly_page(
    state: &AppState,
    unit: Unit,
    month: NaiveDate,
    typed: Option<(String, String)>,
    errors: FieldErrors,
) -> AppResult<MonthlyPage> {
    let branches = crate::supervision::store::branch_months(&state.pool, unit.id, month).await?;
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
    Form(f): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let (unit, month, _) = match report_target(&state, &user, &file, &q).await? {
        Ok(t) => t,
        Err(r) => return Ok(r),
    };
    if !user.oversees(&unit.path) {
        return Err(AppError::Forbidden);
    }
    let summary: String = f
        .get("summary")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    let version = f.get("version").cloned().unwrap_or_default();
    let mut errors = FieldErrors::default();
    if summary.chars().count() > 20_000 {
        errors.add("summary", "Phần nhận xét dài quá 20.000 ký tự.");
    } else {
        match save(
            &state.pool,
            &unit,
            month,
            &summary,
            version.trim().parse().ok(),
            user.id,
        )
        .await
        {
            Ok(()) => {
                return Ok(Redirect::to(&format!(
                    "/reports/monthly/{}?month={}",
                    unit.id,
                    month.format("%Y-%m")
                ))
                .into_response());
            }
            Err(e) => errors = e.into_form_errors()?,
        }
    }
    let fresh = stored(&state.pool, unit.id, month).await?;
    let version = fresh.map(|s| s.version.to_string()).unwrap_or_default();
    let page = monthly_page(&state, unit, month, Some((summary, version)), errors).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn save(
    pool: &PgPool,
    unit: &Unit,
    month: NaiveDate,
    summary: &str,
    version: Option<i32>,
    user: Uuid,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    // Numbers of one unit and term are given out one at a time.
    sqlx::query!("SELECT id FROM units WHERE id = $1 FOR UPDATE", unit.id)
        .fetch_one(&mut *tx)
        .await?;
    let current = sqlx::query!(
        "SELECT version FROM monthly_reports WHERE unit_id = $1 AND month = $2",
        unit.id,
        month
    )
    .fetch_optional(&mut *tx)
    .await?;
    match current {
        Some(c) => {
            if Some(c.version) != version {
                return Err(StoreError::Stale);
            }
            sqlx::query!(
                "UPDATE monthly_reports SET summary = $3, version = version + 1, updated_by = $4, updated_at = now()
                  WHERE unit_id = $1 AND month = $2",
                unit.id,
                month,
                summary,
                user
            )
            .execute(&mut *tx)
            .await?;
        }
        None => {
            if version.is_some() {
                return Err(StoreError::Stale);
            }
            let term = term_start(month.year());
            sqlx::query!(
                "INSERT INTO monthly_reports (unit_id, month, term_start, number, summary, updated_by)
                 VALUES ($1, $2, $3,
                         (SELECT coalesce(max(number), 0) + 1 FROM monthly_reports WHERE unit_id = $1 AND term_start = $3),
                         $4, $5)",
                unit.id,
                month,
                term,
                summary,
                user
            )
            .execute(&mut *tx)
            .await?;
        }
    }
    sqlx::query!(
        "INSERT INTO audit_log (user_id, action, entity, entity_id, after)
         VALUES ($1, 'monthly_report_saved', 'unit', $2, $3)",
        user,
        unit.id,
        serde_json::json!({ "month": month })
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The report as a workbook: title, the branch rows with Vietnamese headers, the totals.
pub fn workbook(p: &MonthlyPage) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(format!("Tháng {}", p.month.format("%m-%Y")))?;
    let title = Format::new().set_bold().set_font_size(14);
    let head = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color("#F3EFE8")
        .set_border(FormatBorder::Thin);
    let cell = Format::new().set_border(FormatBorder::Thin).set_text_wrap();
    let num = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("0.0");
    let int = Format::new()
        .set_border(FormatBorder::Thin)
        .set_num_format("0");
    let bold = Format::new().set_bold().set_border(FormatBorder::Thin);
    ws.write_string_with_format(0, 0, &p.unit.name, &title)?;
    ws.write_string_with_format(
        1,
        0,
        format!(
            "Báo cáo tình hình sinh hoạt chi bộ tháng {}",
            p.month_label()
        ),
        &title,
    )?;
    let headers = [
        "STT",
        "Chi bộ",
        "Đảng số",
        "Ngày sinh hoạt",
        "Có mặt",
        "Phải có mặt",
        "Tỷ lệ dự (%)",
        "Vắng không lý do",
        "Điểm",
        "Xếp loại",
        "Ghi chú",
    ];
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(3, c as u16, *h, &head)?;
    }
    for (i, r) in p.rows.iter().enumerate() {
        let row = 4 + i as u32;
        let b = &r.branch;
        let held = b.held();
        ws.write_number_with_format(row, 0, r.number as f64, &int)?;
        ws.write_string_with_format(row, 1, &b.name, &cell)?;
        ws.write_number_with_format(
            row,
            2,
            if held {
                f64::from(b.dang_so)
            } else {
                b.members_now as f64
            },
            &int,
        )?;
        ws.write_string_with_format(row, 3, &r.day, &cell)?;
        if held {
            ws.write_number_with_format(row, 4, f64::from(b.present), &int)?;
            ws.write_number_with_format(row, 5, f64::from(b.expected), &int)?;
            if b.expected > 0 {
                ws.write_number_with_format(
                    row,
                    6,
                    100.0 * f64::from(b.present) / f64::from(b.expected),
                    &num,
                )?;
            } else {
                ws.write_blank(row, 6, &cell)?;
            }
            ws.write_number_with_format(row, 7, f64::from(b.unexcused), &int)?;
        } else {
            for c in 4..=7 {
                ws.write_blank(row, c, &cell)?;
            }
        }
        match b.total_tenths {
            Some(t) => ws.write_number_with_format(row, 8, f64::from(t) / 10.0, &num)?,
            None => ws.write_blank(row, 8, &cell)?,
        };
        ws.write_string_with_format(row, 9, &r.class, &cell)?;
        ws.write_string_with_format(row, 10, &r.remarks, &cell)?;
    }
    let t = &p.total;
    let row = 4 + p.rows.len() as u32;
    ws.write_string_with_format(row, 1, "Tổng cộng", &bold)?;
    ws.write_number_with_format(row, 4, t.present as f64, &bold)?;
    ws.write_number_with_format(row, 5, t.expected as f64, &bold)?;
    if let Some(rate) = t.rate() {
        ws.write_number_with_format(row, 6, (rate * 10.0).round() / 10.0, &bold)?;
    }
    ws.write_number_with_format(row, 7, t.unexcused as f64, &bold)?;
    let mut r = row + 2;
    ws.write_string_with_format(r, 1, "Số chi bộ", &bold)?;
    ws.write_number(r, 2, t.branches as f64)?;
    r += 1;
    ws.write_string_with_format(r, 1, "Đã sinh hoạt thường kỳ", &bold)?;
    ws.write_number(r, 2, t.held as f64)?;
    for (label, n) in &t.classes {
        r += 1;
        ws.write_string_with_format(r, 1, format!("Xếp loại {label}"), &bold)?;
        ws.write_number(r, 2, *n as f64)?;
    }
    r += 1;
    ws.write_string_with_format(r, 1, "Đã họp, chưa chấm điểm", &bold)?;
    ws.write_number(r, 2, t.unscored as f64)?;
    ws.set_column_width(0, 5)?;
    ws.set_column_width(1, 36)?;
    ws.set_column_width(3, 14)?;
    ws.set_column_width(9, 12)?;
    ws.set_column_width(10, 48)?;
    ws.set_freeze_panes(4, 2)?;
    wb.save_to_buffer()
}

/// A branch's year for the yearly report.
pub struct YearRow {
    pub name: String,
    pub id: Uuid,
    pub annual: crate::evaluation::scoring::Annual,
    pub average: String,
    pub class: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "reports/yearly.html")]
pub struct YearlyPage {
    unit: Unit,
    parent_name: String,
    year: i32,
    rows: Vec<YearRow>,
    labels: Vec<String>,
    rule: String,
    today: String,
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
    let rubric =
        crate::evaluation::store::rubric_in_force(&state.pool, unit.id, "regular", end).await?;
    let Some(rubric) = rubric else {
        return Ok(refuse(format!(
            "Chưa có bộ tiêu chí áp dụng cho năm {year}."
        )));
    };
    let r = &rubric.rubric;
    let data = year_data(&state.pool, unit.id, year).await?;
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
                id: b.id,
                annual,
            }
        })
        .collect();
    let parent_name = crate::org::upper_unit_name(&state, &unit).await?;
    Ok(YearlyPage {
        parent_name: parent_name.to_uppercase(),
        rule: r.title.clone(),
        today: vn_date(now),
        unit,
        year,
        rows,
        labels,
    }
    .into_response())
}

type BranchYear = (Unit, Vec<crate::evaluation::scoring::Month>, Vec<u32>);

/// Every branch of the subtree open in the year, its scored months and thematic quarters.
async fn year_data(pool: &PgPool, root: Uuid, year: i32) -> AppResult<Vec<BranchYear>> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).expect("a date");
    let to = NaiveDate::from_ymd_opt(year + 1, 1, 1).expect("a date");
    let units = crate::org::store::branches_open_between(pool, root, from, to).await?;
    let rows = sqlx::query!(
        r#"WITH root AS (SELECT path FROM units WHERE id = $1)
           SELECT m.unit_id, m.month, m.kind AS "kind: MeetingKind", m.state, e.total_tenths AS "total?",
                  coalesce(e.approved_class, e.class) AS class
             FROM units b, root, meetings m
             LEFT JOIN evaluations e ON e.meeting_id = m.id AND e.scorer = 'branch'
            WHERE b.path <@ root.path AND m.unit_id = b.id AND m.month >= $2 AND m.month < $3
              AND m.kind IN ('regular', 'thematic', 'combined') AND m.state <> 'planned'"#,
        root,
        from,
        to
    )
    .fetch_all(pool)
    .await?;
    let mut months: HashMap<Uuid, Vec<crate::evaluation::scoring::Month>> = HashMap::new();
    let mut quarters: HashMap<Uuid, Vec<u32>> = HashMap::new();
    for r in rows {
        if r.kind.is_thematic() {
            quarters
                .entry(r.unit_id)
                .or_default()
                .push((r.month.month() - 1) / 3 + 1);
        }
        if r.kind.is_regular() {
            months
                .entry(r.unit_id)
                .or_default()
                .push(crate::evaluation::scoring::Month {
                    month: r.month,
                    held: true,
                    total: r.total.map(Points),
                    class: r.class,
                });
        }
    }
    Ok(units
        .into_iter()
        .map(|u| {
            let m = months.remove(&u.id).unwrap_or_default();
            let q = quarters.remove(&u.id).unwrap_or_default();
            (u, m, q)
        })
        .collect())
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
