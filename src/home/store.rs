//! The SQL of the home pages: what a branch still owes.

use chrono::{Months, NaiveDate};
use sqlx::PgPool;
use uuid::Uuid;

use super::owed::Owed;
use crate::members::domain::PROBATION_MONTHS;

/// How far back the list looks: a year of meetings.
const LOOK_BACK: Months = Months::new(12);

/// What `branch` still owes on `today`: held meetings with open minutes, closed ones not
/// scored, scores returned or not sent up, tasks past due and not reviewed (a year back),
/// and probationers past their 12 months.
pub async fn owed(pool: &PgPool, branch: Uuid, today: NaiveDate) -> Result<Vec<Owed>, sqlx::Error> {
    let since = today
        .checked_sub_months(LOOK_BACK)
        .unwrap_or(NaiveDate::MIN);
    let meetings = sqlx::query!(
        r#"SELECT m.id, m.month, m.state, e.state AS "sheet?"
             FROM meetings m
             LEFT JOIN evaluations e ON e.meeting_id = m.id AND e.scorer = 'branch'
            WHERE m.unit_id = $1 AND m.month >= $2 AND m.kind IN ('regular', 'combined')
              AND m.state <> 'planned'
              AND (m.state = 'held' OR e.id IS NULL OR e.state IN ('draft', 'agreed', 'returned'))
            ORDER BY m.month"#,
        branch,
        since
    )
    .fetch_all(pool)
    .await?;
    let mut out: Vec<Owed> = meetings
        .into_iter()
        .map(|r| {
            let (meeting, month) = (r.id, r.month);
            match (r.state.as_str(), r.sheet.as_deref()) {
                ("held", _) => Owed::OpenMinutes { meeting, month },
                (_, None) => Owed::Unscored { meeting, month },
                (_, Some("returned")) => Owed::Returned { meeting, month },
                _ => Owed::NotSent { meeting, month },
            }
        })
        .collect();
    let tasks = sqlx::query!(
        r#"SELECT t.meeting_id, t.description, t.due_on AS "due_on!"
             FROM tasks t JOIN meetings m ON m.id = t.meeting_id
            WHERE m.unit_id = $1 AND t.review IS NULL AND t.due_on < $2 AND t.due_on >= $3
            ORDER BY t.due_on"#,
        branch,
        today,
        since
    )
    .fetch_all(pool)
    .await?;
    out.extend(tasks.into_iter().map(|t| Owed::TaskUnreviewed {
        meeting: t.meeting_id,
        description: t.description,
        due: t.due_on,
    }));
    let probationers = sqlx::query!(
        r#"SELECT mb.id, mb.full_name, mb.admission_date
             FROM members mb
             JOIN memberships ms ON ms.member_id = mb.id AND ms.kind = 'permanent'
                  AND ms.valid_from <= $2 AND (ms.valid_to IS NULL OR ms.valid_to > $2)
            WHERE ms.unit_id = $1 AND mb.official_date IS NULL
              AND mb.admission_date + make_interval(months => $3) <= $2
              AND mb.lifecycle_state NOT IN ('struck_off', 'expelled', 'deceased', 'transferred_out')
            ORDER BY mb.admission_date"#,
        branch,
        today,
        PROBATION_MONTHS as i32
    )
    .fetch_all(pool)
    .await?;
    out.extend(probationers.into_iter().map(|p| Owed::ToRecognise {
        member: p.id,
        name: p.full_name,
        since: crate::members::domain::probation_end(p.admission_date),
    }));
    Ok(out)
}
