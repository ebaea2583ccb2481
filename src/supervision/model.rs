//! The model-meeting programme (sinh hoạt chi bộ điểm, docs/rules.md §3.1; seeds 000 and 002):
//! a committee plans which branch hosts in which month, rolling through all its branches,
//! records who attended from the upper level and the on-the-spot review, and sees coverage.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use chrono::{Datelike, NaiveDate};
use uuid::Uuid;

use crate::auth::User;
use crate::auth::scope::{Keep, Read};
use crate::error::{AppError, AppResult, StoreError};
use crate::org::scope::CommitteeInScope;
use crate::org::store::Unit;
use crate::state::AppState;
use crate::web::{FieldErrors, Unprocessable, form_text, vn_date};

pub struct Planned {
    pub id: Uuid,
    pub branch_id: Uuid,
    pub branch: String,
    pub month: NaiveDate,
    pub meeting_id: Option<Uuid>,
    pub upper_attendees: Option<String>,
    pub review: Option<String>,
    pub reviewed_at: Option<NaiveDate>,
    pub version: i32,
}

impl Planned {
    pub fn month_label(&self) -> String {
        self.month.format("%m/%Y").to_string()
    }

    pub fn reviewed_label(&self) -> String {
        self.reviewed_at.map(vn_date).unwrap_or_default()
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "supervision/model.html")]
pub struct ModelPage {
    unit: Unit,
    planned: Vec<Planned>,
    /// Branches that have not hosted yet come first: the programme rolls through all.
    choices: Vec<(Uuid, String, bool)>,
    hosted: usize,
    branches: usize,
    fields: HashMap<String, String>,
    errors: FieldErrors,
}

impl ModelPage {
    pub fn field(&self, name: &str) -> &str {
        self.fields.get(name).map(String::as_str).unwrap_or("")
    }
}

async fn page(
    state: &AppState,
    unit: Unit,
    fields: HashMap<String, String>,
    errors: FieldErrors,
) -> AppResult<ModelPage> {
    let planned = sqlx::query_as!(
        Planned,
        r#"SELECT p.id, p.branch_id, b.name AS branch, p.month,
                  (SELECT m.id FROM meetings m WHERE m.unit_id = p.branch_id AND m.month = p.month
                      AND m.kind IN ('regular', 'thematic', 'combined') ORDER BY m.is_model DESC LIMIT 1) AS meeting_id,
                  p.upper_attendees, p.review, p.reviewed_at, p.version
             FROM model_meetings p JOIN units b ON b.id = p.branch_id
            WHERE p.programme_unit = $1
            ORDER BY p.month DESC, b.name COLLATE "vi-VN-x-icu""#,
        unit.id
    )
    .fetch_all(&state.pool)
    .await?;
    let open = crate::org::store::branches_open_between(
        &state.pool,
        unit.id,
        state.clock.today(),
        state.clock.today().succ_opt().expect("tomorrow"),
    )
    .await?;
    let hosted: Vec<Uuid> = planned
        .iter()
        .filter(|p| p.reviewed_at.is_some())
        .map(|p| p.branch_id)
        .collect();
    let mut choices: Vec<(Uuid, String, bool)> = open
        .iter()
        .map(|b| {
            (
                b.id,
                b.name.clone(),
                planned.iter().any(|p| p.branch_id == b.id),
            )
        })
        .collect();
    // Stable: the Vietnamese order from the database within each group.
    choices.sort_by_key(|(_, _, done)| *done);
    let branches = open.len();
    let hosted = open.iter().filter(|b| hosted.contains(&b.id)).count();
    Ok(ModelPage {
        unit,
        planned,
        choices,
        hosted,
        branches,
        fields,
        errors,
    })
}

fn supervisor(user: &User, unit: &Unit) -> AppResult<()> {
    if user.oversees(&unit.path) {
        Ok(())
    } else {
        Err(AppError::Forbidden)
    }
}

pub async fn list(
    State(state): State<AppState>,
    CommitteeInScope { unit, .. }: CommitteeInScope<Read>,
) -> AppResult<ModelPage> {
    page(&state, unit, HashMap::new(), FieldErrors::default()).await
}

/// Plans a branch to host in a month.
pub async fn plan(
    State(state): State<AppState>,
    CommitteeInScope { unit, user, .. }: CommitteeInScope<Keep>,
    Form(f): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let id = unit.id;
    if unit.kind.is_branch() {
        return Err(AppError::NotFound);
    }
    supervisor(&user, &unit)?;
    let mut errors = FieldErrors::default();
    let branch = f.get("branch").and_then(|b| b.parse::<Uuid>().ok());
    let month = f.get("month").and_then(|m| crate::meetings::parse_month(m));
    let this_month = state.clock.this_month();
    let branch_unit = match branch {
        Some(b) => crate::org::store::get(&state.pool, b).await?,
        None => None,
    };
    let branch_ok = branch_unit.as_ref().is_some_and(|b| {
        b.kind.is_branch() && b.is_open() && crate::auth::path_within(&unit.path, &b.path)
    });
    if !branch_ok {
        errors.add("branch", "Chọn một chi bộ đang hoạt động thuộc đơn vị.");
    }
    match month {
        None => errors.add("month", "Chọn tháng (tháng/năm)."),
        Some(m) if m < this_month => errors.add(
            "month",
            format!(
                "Tháng {} đã qua; chỉ lên kế hoạch từ tháng này trở đi.",
                m.format("%m/%Y")
            ),
        ),
        Some(m) if m.year() > this_month.year() + 2 => {
            errors.add("month", "Chỉ lên kế hoạch trong hai năm tới.")
        }
        _ => {}
    }
    if errors.is_empty() {
        let (b, m) = (branch.expect("checked"), month.expect("checked"));
        // The plan and the meeting's flag together, or neither.
        let mut tx = state.pool.begin().await?;
        let r = sqlx::query!(
            "INSERT INTO model_meetings (programme_unit, branch_id, month, created_by)
             VALUES ($1, $2, $3, $4) ON CONFLICT (branch_id, month) DO NOTHING",
            unit.id,
            b,
            m,
            user.id
        )
        .execute(&mut *tx)
        .await?;
        if r.rows_affected() == 1 {
            sqlx::query!(
                "UPDATE meetings SET is_model = true
                  WHERE unit_id = $1 AND month = $2 AND kind IN ('regular', 'combined')",
                b,
                m
            )
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            return Ok(Redirect::to(&format!("/model-meetings/{id}")).into_response());
        }
        errors.add(
            "branch",
            format!(
                "Chi bộ này đã có kế hoạch sinh hoạt điểm tháng {}.",
                m.format("%m/%Y")
            ),
        );
    }
    let p = page(&state, unit, f, errors).await?;
    Ok(Unprocessable(p).into_response())
}

/// Records the on-the-spot review of a model meeting.
pub async fn review(
    State(state): State<AppState>,
    CommitteeInScope { unit, user, .. }: CommitteeInScope<Keep>,
    Path((_, planned)): Path<(Uuid, Uuid)>,
    Form(f): Form<HashMap<String, String>>,
) -> AppResult<Response> {
    let id = unit.id;
    supervisor(&user, &unit)?;
    let mut errors = FieldErrors::default();
    let text = form_text(&f, "review", 8000);
    let attendees = form_text(&f, "upper_attendees", 2000);
    let day = f
        .get("reviewed_at")
        .and_then(|d| crate::web::parse_vn_date(d));
    let version = f.get("version").and_then(|v| v.trim().parse::<i32>().ok());
    if text.is_none() {
        errors.add("review", "Ghi nội dung rút kinh nghiệm.");
    }
    match day {
        None => errors.add(
            "reviewed_at",
            "Ngày rút kinh nghiệm không hợp lệ (ngày/tháng/năm).",
        ),
        Some(d) if d > state.clock.today() => {
            errors.add("reviewed_at", "Ngày rút kinh nghiệm chưa đến.")
        }
        _ => {}
    }
    if errors.is_empty() {
        let done = sqlx::query!(
            "UPDATE model_meetings SET review = $3, upper_attendees = $4, reviewed_at = $5, version = version + 1
              WHERE id = $1 AND programme_unit = $2 AND version = $6",
            planned,
            unit.id,
            text,
            attendees,
            day,
            version
        )
        .execute(&state.pool)
        .await?;
        if done.rows_affected() == 1 {
            return Ok(Redirect::to(&format!("/model-meetings/{id}")).into_response());
        }
        let exists = sqlx::query_scalar!(
            "SELECT count(*) FROM model_meetings WHERE id = $1 AND programme_unit = $2",
            planned,
            unit.id
        )
        .fetch_one(&state.pool)
        .await?;
        if exists == Some(0) {
            return Err(AppError::NotFound);
        }
        errors = StoreError::Stale.into_form_errors()?;
    }
    let mut fields = f;
    fields.insert("editing".into(), planned.to_string());
    let p = page(&state, unit, fields, errors).await?;
    Ok(Unprocessable(p).into_response())
}
