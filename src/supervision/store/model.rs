//! The model-meeting programme: a committee's plan (which branch hosts in which month, with
//! the flag on that branch's meeting) and the on-the-spot review of each.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::audit::{self, Action};
use crate::auth::path_within;
use crate::error::StoreError;
use crate::org::domain::UnitKind;
use crate::org::store::Unit;
use crate::supervision::domain::ModelRefusal;
use crate::supervision::forms::{ModelReview, NewPlan};

/// A branch planned to host, with its meeting of the month (if the branch planned one) and
/// the review once written.
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

/// The programme of a committee, newest month first.
pub async fn planned(pool: &PgPool, programme: Uuid) -> Result<Vec<Planned>, sqlx::Error> {
    sqlx::query_as!(
        Planned,
        r#"SELECT p.id, p.branch_id, b.name AS branch, p.month,
                  (SELECT m.id FROM meetings m WHERE m.unit_id = p.branch_id AND m.month = p.month
                      AND m.kind IN ('regular', 'thematic', 'combined') ORDER BY m.is_model DESC LIMIT 1) AS meeting_id,
                  p.upper_attendees, p.review, p.reviewed_at, p.version
             FROM model_meetings p JOIN units b ON b.id = p.branch_id
            WHERE p.programme_unit = $1
            ORDER BY p.month DESC, b.name COLLATE "vi-VN-x-icu""#,
        programme
    )
    .fetch_all(pool)
    .await
}

/// Plans `plan.branch` to host in `plan.month`: refused unless it is an open branch of the
/// programme's unit, or when it already hosts that month. The plan and the meeting's flag
/// together, or neither.
pub async fn plan(
    pool: &PgPool,
    programme: &Unit,
    plan: &NewPlan,
    user: Uuid,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::db::transaction(pool, async |tx| {
        let branch = sqlx::query!(
            r#"SELECT kind AS "kind: UnitKind", path::text AS "path!", valid_from, valid_to
                 FROM units WHERE id = $1 FOR SHARE"#,
            plan.branch
        )
        .fetch_optional(&mut *tx)
        .await?;
        let branch = branch
            .filter(|b| {
                b.kind.is_branch() && b.valid_to.is_none() && path_within(&programme.path, &b.path)
            })
            .ok_or(ModelRefusal::NotABranchHere)?;
        if branch.valid_from > crate::supervision::domain::month_end(plan.month) {
            return Err(ModelRefusal::BranchNotYetFounded {
                founded: branch.valid_from,
            }
            .into());
        }
        // The month's meeting, if any, under its lock (the one every write to its record
        // takes): an approved one is frozen.
        let approved = sqlx::query_scalar!(
            "SELECT approved_at IS NOT NULL AS \"approved!\" FROM meetings
              WHERE unit_id = $1 AND month = $2 AND kind IN ('regular', 'combined') FOR UPDATE",
            plan.branch,
            plan.month
        )
        .fetch_optional(&mut *tx)
        .await?;
        if approved == Some(true) {
            return Err(ModelRefusal::MeetingApproved { month: plan.month }.into());
        }
        let inserted = sqlx::query!(
            "INSERT INTO model_meetings (programme_unit, branch_id, month, created_by, created_at)
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (branch_id, month) DO NOTHING",
            programme.id,
            plan.branch,
            plan.month,
            user,
            at
        )
        .execute(&mut *tx)
        .await?;
        if inserted.rows_affected() == 0 {
            return Err(ModelRefusal::AlreadyPlanned { month: plan.month }.into());
        }
        let planned = sqlx::query!(
            r#"SELECT id, to_jsonb(p) AS "row!" FROM model_meetings p WHERE branch_id = $1 AND month = $2"#,
            plan.branch,
            plan.month
        )
        .fetch_one(&mut *tx)
        .await?;
        audit(tx, user, Action::ModelMeetingPlanned, planned.id, None, planned.row).await?;
        sqlx::query!(
            "UPDATE meetings SET is_model = true
              WHERE unit_id = $1 AND month = $2 AND kind IN ('regular', 'combined')",
            plan.branch,
            plan.month
        )
        .execute(&mut *tx)
        .await?;
        Ok(())
    })
    .await
}

/// Records the review of a planned model meeting of the programme, from the form's version
/// of it (a stale form is refused; one of another programme is not found).
pub async fn review(
    pool: &PgPool,
    programme: Uuid,
    id: Uuid,
    user: Uuid,
    r: &ModelReview,
) -> Result<(), StoreError> {
    // The review and its audit row on the one connection of one transaction: both, or
    // neither (they once ran on two connections, and a row could be lost).
    crate::db::transaction(pool, async |tx| {
        let current = sqlx::query!(
            r#"SELECT version, month, to_jsonb(p) AS "row!" FROM model_meetings p
                WHERE id = $1 AND programme_unit = $2 FOR UPDATE"#,
            id,
            programme
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        if r.version != Some(current.version) {
            return Err(StoreError::Stale);
        }
        // The lesson is drawn from the meeting: not before the month it is planned for.
        if r.reviewed_at < current.month {
            return Err(ModelRefusal::ReviewBeforeMeeting {
                month: current.month,
            }
            .into());
        }
        sqlx::query!(
            "UPDATE model_meetings SET review = $2, upper_attendees = $3, reviewed_at = $4, version = version + 1
              WHERE id = $1",
            id,
            r.review,
            r.upper_attendees,
            r.reviewed_at
        )
        .execute(&mut *tx)
        .await?;
        let after = sqlx::query_scalar!(
            r#"SELECT to_jsonb(p) AS "row!" FROM model_meetings p WHERE id = $1"#,
            id
        )
        .fetch_one(&mut *tx)
        .await?;
        audit(
            tx,
            user,
            Action::ModelMeetingReviewed,
            id,
            Some(current.row),
            after,
        )
        .await?;
        Ok(())
    })
    .await
}

/// The audit row of a change to the programme: the planned meeting before and after.
async fn audit(
    tx: &mut PgConnection,
    user: Uuid,
    action: Action,
    planned: Uuid,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> Result<(), sqlx::Error> {
    audit::record(
        tx,
        audit::Entry {
            user: Some(user),
            action,
            entity: "model_meeting",
            entity_id: Some(planned),
            before,
            after: Some(after),
        },
    )
    .await
}
