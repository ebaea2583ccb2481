//! SQL of the reports: the committee's saved text and its number, and a year's scored
//! months of every branch of a subtree.

use super::statement::Statement;
#[allow(unused_imports)]
use super::*;
use crate::error::{AppResult, StoreError};
use crate::evaluation::rubric::Points;
use crate::meetings::domain::MeetingKind;
use crate::org::store::Unit;
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sqlx::PgPool;
use sqlx::types::Json;
use std::collections::HashMap;
use uuid::Uuid;

pub(super) struct Stored {
    pub(super) number: i32,
    pub(super) summary: String,
    pub(super) version: i32,
    /// What the report stated when it was numbered, and when.
    pub(super) issued: Option<Statement>,
    pub(super) issued_at: Option<DateTime<Utc>>,
    /// Who signs for the committee, when the report says.
    pub(super) signer: Option<(crate::documents::SignerTitle, String)>,
}

pub(super) async fn stored(
    pool: &PgPool,
    unit: Uuid,
    month: NaiveDate,
) -> Result<Option<Stored>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"SELECT number, summary, version, issued AS "issued: Json<Statement>", issued_at,
                  signer_title AS "signer_title: crate::documents::SignerTitle", signer_name
             FROM monthly_reports WHERE unit_id = $1 AND month = $2"#,
        unit,
        month
    )
    .fetch_optional(pool)
    .await?
    .map(|r| Stored {
        number: r.number,
        summary: r.summary,
        version: r.version,
        issued: r.issued.map(|j| j.0),
        issued_at: r.issued_at,
        signer: r.signer_title.zip(r.signer_name),
    }))
}

/// Saves the committee's text of its report for `month` from the form's version of it (a
/// stale form is refused); the first save gives the report the next number of the unit's
/// term and issues it: `stated` is kept with it from then on (a report numbered before
/// reports were kept so is issued at its next save). The report and its audit row
/// together, or neither; `now` is the application clock's.
pub(super) async fn save(
    pool: &PgPool,
    unit: &Unit,
    month: NaiveDate,
    summary: &Summary,
    stated: &Statement,
    user: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let stated = Json(stated);
    let (signer_title, signer_name) = match &summary.signer {
        Some((title, name)) => (Some(*title), Some(name.as_str())),
        None => (None, None),
    };
    crate::db::transaction(pool, async |tx| {
        // Numbers of one unit and term are given out one at a time.
        sqlx::query!("SELECT id FROM units WHERE id = $1 FOR UPDATE", unit.id)
            .fetch_one(&mut *tx)
            .await?;
        let current = sqlx::query_scalar!(
            "SELECT version FROM monthly_reports WHERE unit_id = $1 AND month = $2",
            unit.id,
            month
        )
        .fetch_optional(&mut *tx)
        .await?;
        if current != summary.version {
            return Err(StoreError::Stale);
        }
        if current.is_some() {
            sqlx::query!(
                "UPDATE monthly_reports SET summary = $3, version = version + 1, updated_by = $4, updated_at = $5,
                        issued = coalesce(issued, $6), issued_at = coalesce(issued_at, $5),
                        signer_title = $7, signer_name = $8
                  WHERE unit_id = $1 AND month = $2",
                unit.id,
                month,
                summary.text,
                user,
                now,
                stated as _,
                signer_title as _,
                signer_name
            )
            .execute(&mut *tx)
            .await?;
        } else {
            let term = term_start(month.year());
            sqlx::query!(
                "INSERT INTO monthly_reports (unit_id, month, term_start, number, summary, updated_by, updated_at,
                                              issued, issued_at, signer_title, signer_name)
                 VALUES ($1, $2, $3,
                         (SELECT coalesce(max(number), 0) + 1 FROM monthly_reports WHERE unit_id = $1 AND term_start = $3),
                         $4, $5, $6, $7, $6, $8, $9)",
                unit.id,
                month,
                term,
                summary.text,
                user,
                now,
                stated as _,
                signer_title as _,
                signer_name
            )
            .execute(&mut *tx)
            .await?;
        }
        crate::audit::record(
            tx,
            crate::audit::Entry {
                user: Some(user),
                action: crate::audit::Action::MonthlyReportSaved,
                entity: "unit",
                entity_id: Some(unit.id),
                before: None,
                after: Some(serde_json::json!({ "month": month })),
            },
        )
        .await?;
        Ok(())
    })
    .await
}

pub(super) type BranchYear = (Unit, Vec<crate::evaluation::scoring::Month>, Vec<u32>);

/// Every branch of the subtree open in the year — the tree as it stood on the year's last
/// day, or `today` while the year runs — its scored months and thematic quarters.
pub(super) async fn year_data(
    pool: &PgPool,
    root: Uuid,
    year: i32,
    today: NaiveDate,
) -> AppResult<Vec<BranchYear>> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).expect("a date");
    let to = NaiveDate::from_ymd_opt(year + 1, 1, 1).expect("a date");
    let on = to.pred_opt().expect("a date").min(today);
    let units = crate::org::store::branches_open_between(pool, root, from, to, on).await?;
    let ids: Vec<Uuid> = units.iter().map(|u| u.id).collect();
    let rows = sqlx::query!(
        r#"SELECT m.unit_id, m.month, m.kind AS "kind: MeetingKind", m.state, e.total_tenths AS "total?",
                  coalesce(e.approved_class, e.class) AS class
             FROM meetings m
             LEFT JOIN evaluations e ON e.meeting_id = m.id AND e.scorer = 'branch'
            WHERE m.unit_id = ANY($1) AND m.month >= $2 AND m.month < $3
              AND m.kind IN ('regular', 'thematic', 'combined') AND m.state <> 'planned'"#,
        &ids,
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
