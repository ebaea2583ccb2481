//! The member-level facts behind the alerts, and the thresholds an administrator sets.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::error::StoreError;
use crate::evaluation::domain::SheetEvent;
use crate::meetings::domain::MeetingEvent;
use crate::members::domain::{PostRole, Status};
use crate::supervision::forms::NewThresholds;

/// Members of the subtree (as it stood `on`, the day the month is judged) absent without
/// reason in at least `at_least` months of the year (up to `month`), with those months and
/// the branch of their latest such absence, named as on that day.
pub async fn unexcused_months(
    pool: &PgPool,
    root: Uuid,
    month: NaiveDate,
    at_least: i32,
    on: NaiveDate,
) -> Result<Vec<(Uuid, String, Uuid, String, Vec<NaiveDate>)>, sqlx::Error> {
    // The absences are kept one row each with their branch and month (migration 025), and
    // members are looked up only once they pass the threshold.
    Ok(sqlx::query!(
        r#"WITH root AS (SELECT path FROM units_on($4) WHERE id = $1),
                tree AS MATERIALIZED (SELECT u.id, u.name, u.path, u.kind FROM units_on($4) u, root
                                       WHERE u.path <@ root.path),
                hits AS (
                    SELECT x.member_id, (array_agg(x.unit_id ORDER BY x.month DESC))[1] AS unit_id,
                           array_agg(DISTINCT x.month ORDER BY x.month) AS months
                      FROM tree b, unexcused_absences x
                     WHERE b.kind IN ('branch', 'grassroots_branch') AND x.unit_id = b.id
                       AND x.month >= date_trunc('year', $2::date) AND x.month <= $2
                     GROUP BY x.member_id
                    HAVING count(DISTINCT x.month) >= $3)
           SELECT mb.id, mb.full_name, b.id AS "branch_id!", b.name AS "branch_name!", hits.months AS "months!"
             FROM hits JOIN members mb ON mb.id = hits.member_id JOIN tree b ON b.id = hits.unit_id"#,
        root,
        month,
        i64::from(at_least),
        on
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.id, r.full_name, r.branch_id, r.branch_name, r.months))
    .collect())
}

/// A meeting's last recorded change before a moment, and its branch sheet's.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct StatesOn {
    pub meeting: Option<MeetingEvent>,
    pub sheet: Option<(SheetEvent, DateTime<Utc>)>,
}

/// The last state change before `until` of each meeting named, and of its branch score
/// sheet, as their histories record them: what a past month's alerts judge.
pub async fn states_on(
    pool: &PgPool,
    meetings: &[Uuid],
    until: DateTime<Utc>,
) -> Result<HashMap<Uuid, StatesOn>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT m.id AS "id!",
                  (SELECT e.kind FROM meeting_events e
                    WHERE e.meeting_id = m.id AND e.at < $2 AND e.kind IN ('held', 'closed', 'reopened')
                    ORDER BY e.at DESC, e.id DESC LIMIT 1) AS "meeting?: MeetingEvent",
                  s.kind AS "sheet?: SheetEvent", s.at AS "sheet_at?"
             FROM unnest($1::uuid[]) AS m(id)
             LEFT JOIN LATERAL (
                  SELECT ee.kind, ee.at FROM evaluations ev JOIN evaluation_events ee ON ee.evaluation_id = ev.id
                   WHERE ev.meeting_id = m.id AND ev.scorer = 'branch' AND ee.at < $2
                     AND ee.kind IN ('saved', 'agreed', 'submitted', 'returned', 'approved', 'reopened', 'withdrawn')
                   ORDER BY ee.at DESC, ee.id DESC LIMIT 1) s ON true"#,
        meetings,
        until
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.id,
                StatesOn {
                    meeting: r.meeting,
                    sheet: r.sheet.zip(r.sheet_at),
                },
            )
        })
        .collect())
}

/// Members of the subtree's branches (the tree as it stood `on`) who were probationers on `on`: (member, name, branch,
/// branch name, ceremony). A member recognised since counts as the probationer they were.
pub async fn probationers(
    pool: &PgPool,
    root: Uuid,
    on: NaiveDate,
) -> Result<Vec<(Uuid, String, Uuid, String, NaiveDate)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"WITH root AS (SELECT path FROM units_on($2) WHERE id = $1)
           SELECT mb.id, mb.full_name, b.id AS "branch_id!", b.name AS "branch_name!", mb.admission_date
             FROM members mb
             JOIN memberships ms ON ms.member_id = mb.id AND ms.kind = 'permanent'
                  AND ms.valid_from <= $2 AND (ms.valid_to IS NULL OR ms.valid_to > $2)
             JOIN units_on($2) b ON b.id = ms.unit_id, root
            WHERE mb.admission_date <= $2 AND (mb.official_date IS NULL OR mb.official_date > $2)
              AND b.path <@ root.path
              AND mb.lifecycle_state NOT IN ('struck_off', 'expelled', 'deceased', 'transferred_out')"#,
        root,
        on
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.id, r.full_name, r.branch_id, r.branch_name, r.admission_date))
    .collect())
}

/// Committee posts of the subtree's branches (the tree as it stood `on`) held on `on`: (branch, role, holder, the
/// holder's status on that day).
pub async fn posts(
    pool: &PgPool,
    root: Uuid,
    on: NaiveDate,
) -> Result<Vec<(Uuid, PostRole, String, Status)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"WITH root AS (SELECT path FROM units_on($2) WHERE id = $1)
           SELECT b.id AS "id!", cr.role AS "role: PostRole", mb.full_name,
                  CASE WHEN mb.official_date <= $2 THEN 'full' ELSE 'probationary' END AS "status!: Status"
             FROM units_on($2) b, root, committee_roles cr, members mb
            WHERE b.path <@ root.path AND cr.unit_id = b.id AND mb.id = cr.member_id
              AND cr.valid_from <= $2 AND (cr.valid_to IS NULL OR cr.valid_to > $2)"#,
        root,
        on
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.id, r.role, r.full_name, r.status))
    .collect())
}

/// Đảng số of each branch of the subtree (the tree as it stood `on`) on `on` (permanent memberships covering the day).
pub async fn dang_so_on(
    pool: &PgPool,
    root: Uuid,
    on: NaiveDate,
) -> Result<HashMap<Uuid, i64>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"WITH root AS (SELECT path FROM units_on($2) WHERE id = $1)
           SELECT ms.unit_id, count(*) AS "n!"
             FROM units_on($2) b, root, memberships ms
            WHERE b.path <@ root.path AND b.kind IN ('branch', 'grassroots_branch')
              AND ms.unit_id = b.id AND ms.kind = 'permanent'
              AND ms.valid_from <= $2 AND (ms.valid_to IS NULL OR ms.valid_to > $2)
            GROUP BY ms.unit_id"#,
        root,
        on
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.unit_id, r.n))
    .collect())
}

/// The alert thresholds an administrator set.
#[derive(Debug, Clone, PartialEq)]
pub struct Thresholds {
    pub minutes_open_days: i32,
    pub score_unsent_days: i32,
    pub approval_days: i32,
    pub unexcused_months: i32,
    pub materials_days_before: i32,
    pub version: i32,
}

pub async fn thresholds(pool: &PgPool) -> Result<Thresholds, sqlx::Error> {
    sqlx::query_as!(
        Thresholds,
        "SELECT minutes_open_days, score_unsent_days, approval_days, unexcused_months,
                materials_days_before, version
           FROM alert_settings"
    )
    .fetch_one(pool)
    .await
}

/// Saves the thresholds from the form's version of them; a stale form is refused. The change
/// and its audit row together, or neither; `now` is the application clock's.
pub async fn save_thresholds(
    pool: &PgPool,
    t: &NewThresholds,
    user: Uuid,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::db::transaction(pool, async |tx| {
        let current = sqlx::query_scalar!("SELECT version FROM alert_settings FOR UPDATE")
            .fetch_one(&mut *tx)
            .await?;
        if t.version != Some(current) {
            return Err(StoreError::Stale);
        }
        sqlx::query!(
            "UPDATE alert_settings
                SET minutes_open_days = $1, score_unsent_days = $2, approval_days = $3,
                    unexcused_months = $4, materials_days_before = $5, version = version + 1,
                    updated_by = $6, updated_at = $7",
            t.minutes_open_days,
            t.score_unsent_days,
            t.approval_days,
            t.unexcused_months,
            t.materials_days_before,
            user,
            now
        )
        .execute(&mut *tx)
        .await?;
        crate::audit::record(
            tx,
            crate::audit::Entry {
                user: Some(user),
                action: crate::audit::Action::AlertSettingsChanged,
                entity: "alert_settings",
                entity_id: None,
                before: None,
                after: Some(serde_json::json!({
                    "minutes_open_days": t.minutes_open_days,
                    "score_unsent_days": t.score_unsent_days,
                    "approval_days": t.approval_days,
                    "unexcused_months": t.unexcused_months,
                    "materials_days_before": t.materials_days_before,
                })),
            },
        )
        .await?;
        Ok(())
    })
    .await
}
