//! A meeting's record: the minutes, the votes, the tasks given and the review of the
//! previous meeting's tasks.

use super::*;
use crate::error::StoreError;
use crate::meetings::domain::{Category, MeetingRefusal, Presence, Review};
use crate::meetings::forms::{MinutesInput, NewTask, NewVote};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

pub struct Minutes {
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub chair_id: Option<Uuid>,
    pub secretary_id: Option<Uuid>,
    pub resolution: Option<String>,
    pub prepared_on: Option<NaiveDate>,
    pub committee_met_on: Option<NaiveDate>,
    pub notice_sent_on: Option<NaiveDate>,
    pub materials_posted_on: Option<NaiveDate>,
    pub draft_resolution_on: Option<NaiveDate>,
}

pub async fn minutes(pool: &PgPool, id: Uuid) -> Result<Minutes, sqlx::Error> {
    sqlx::query_as!(
        Minutes,
        "SELECT started_at, ended_at, chair_id, secretary_id, resolution, prepared_on, committee_met_on,
                notice_sent_on, materials_posted_on, draft_resolution_on
           FROM meetings WHERE id = $1",
        id
    )
    .fetch_one(pool)
    .await
}

/// Who usually chairs and takes the minutes, offered on a new meeting's minutes: the chair
/// and minute-taker of the branch's latest earlier regular meeting that named them, each
/// only if marked present (or late) on this meeting's list as one of its own (expected, or
/// exempt and there); the chair falls back to the branch's bí thư on the same terms. A
/// secretary changes either in the form; nothing is written until saved.
pub async fn usual_hands(
    pool: &PgPool,
    meeting: &Meeting,
) -> Result<(Option<Uuid>, Option<Uuid>), sqlx::Error> {
    let r = sqlx::query!(
        r#"WITH here AS (
               SELECT member_id FROM attendance
                WHERE meeting_id = $1
                  AND presence IN ('present', 'late')
                  AND category IN ('expected', 'exempt')),
           last AS (
               SELECT chair_id, secretary_id FROM meetings
                WHERE unit_id = $2 AND month < $3 AND kind IN ('regular', 'combined')
                  AND chair_id IS NOT NULL
                ORDER BY month DESC, started_at DESC NULLS LAST, id DESC LIMIT 1)
           SELECT coalesce(
                    (SELECT chair_id FROM last WHERE chair_id IN (SELECT member_id FROM here)),
                    (SELECT member_id FROM committee_roles
                      WHERE unit_id = $2 AND role = 'secretary' AND valid_to IS NULL
                        AND member_id IN (SELECT member_id FROM here))) AS chair,
                  (SELECT secretary_id FROM last
                    WHERE secretary_id IN (SELECT member_id FROM here)) AS minute_taker"#,
        meeting.id,
        meeting.unit_id,
        meeting.month
    )
    .fetch_one(pool)
    .await?;
    Ok((r.chair, r.minute_taker))
}

pub struct ItemMinutes {
    pub id: Uuid,
    pub minutes: Option<String>,
    pub conclusion: Option<String>,
    /// Marked "Không có nội dung ghi".
    pub nothing_to_record: bool,
}

/// The minutes of each agenda item, in the agenda's order.
pub async fn item_minutes(pool: &PgPool, id: Uuid) -> Result<Vec<ItemMinutes>, sqlx::Error> {
    sqlx::query_as!(
        ItemMinutes,
        "SELECT id, minutes, conclusion, nothing_to_record FROM agenda_items WHERE meeting_id = $1
          ORDER BY position, id",
        id
    )
    .fetch_all(pool)
    .await
}

/// Saves the record of the meeting: times, chair and minute-taker, preparation dates, the
/// minutes of each item, the resolution. One versioned form: a stale one is refused.
pub async fn save_minutes(
    pool: &PgPool,
    actor: Option<Uuid>,
    id: Uuid,
    m: MinutesInput,
) -> Result<(), StoreError> {
    edit(pool, id, Some(m.version), async |tx, _| {
        let before = minutes_snapshot(tx, id).await?;
        if let (Some(s), Some(e)) = (m.started_at, m.ended_at) {
            crate::meetings::domain::duration_minutes(s, e)?;
        }
        // The window of the preparation dates: after the branch's previous meeting, up to
        // this meeting's day (as now written, else as planned, else its month's end).
        let w = sqlx::query!(
            r#"SELECT (coalesce(m.planned_at AT TIME ZONE 'Asia/Ho_Chi_Minh',
                                (m.month + interval '1 month' - interval '1 day')))::date AS "planned_day!",
                      (SELECT (coalesce(p.started_at, p.planned_at) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date
                         FROM meetings p
                        WHERE p.unit_id = m.unit_id AND p.month < m.month AND p.kind IN ('regular', 'combined')
                        ORDER BY p.month DESC LIMIT 1) AS previous_day,
                      (m.month - interval '1 month' - interval '1 day')::date AS "month_before!"
                 FROM meetings m WHERE m.id = $1"#,
            id
        )
        .fetch_one(&mut *tx)
        .await?;
        let until = m.started_at.map(|s| s.date()).unwrap_or(w.planned_day);
        let after = w.previous_day.unwrap_or(w.month_before);
        crate::meetings::domain::check_preparation(&m.prep, after, until)?;
        // Held on another day than the list was taken for: the list follows the day.
        relist_if_moved(tx, id, m.started_at.map(|s| s.date())).await?;
        for (field, person) in [("chair_id", m.chair_id), ("secretary_id", m.secretary_id)] {
            if let Some(p) = person {
                let listed = sqlx::query_scalar!(
                    r#"SELECT EXISTS (SELECT 1 FROM attendance WHERE meeting_id = $1 AND member_id = $2) AS "e!""#,
                    id,
                    p
                )
                .fetch_one(&mut *tx)
                .await?;
                if !listed {
                    return Err(MeetingRefusal::NotListed { field }.into());
                }
            }
        }
        sqlx::query!(
            "UPDATE meetings SET started_at = $2, ended_at = $3, chair_id = $4, secretary_id = $5, resolution = $6,
                    prepared_on = $7, committee_met_on = $8, notice_sent_on = $9, materials_posted_on = $10,
                    draft_resolution_on = $11, version = version + 1
              WHERE id = $1",
            id,
            m.started_at.and_then(vn_to_utc),
            m.ended_at.and_then(vn_to_utc),
            m.chair_id,
            m.secretary_id,
            m.resolution,
            m.prep[0],
            m.prep[1],
            m.prep[2],
            m.prep[3],
            m.prep[4]
        )
        .execute(&mut *tx)
        .await?;
        for item in &m.items {
            sqlx::query!(
                "UPDATE agenda_items SET minutes = $3, conclusion = $4, nothing_to_record = $5
                  WHERE id = $1 AND meeting_id = $2",
                item.id,
                id,
                item.minutes.as_deref(),
                item.conclusion.as_deref(),
                item.nothing_to_record
            )
            .execute(&mut *tx)
            .await?;
        }
        let after = minutes_snapshot(tx, id).await?;
        audit(tx, actor, id, crate::audit::Action::MinutesSaved, Some(before), Some(after)).await?;
        Ok(())
    })
    .await
}

/// The minutes as their audit row keeps them: times in Vietnam's time, the chair and the
/// minute-taker by name, the preparation dates, the resolution, each item's minutes.
async fn minutes_snapshot(
    tx: &mut PgConnection,
    id: Uuid,
) -> Result<serde_json::Value, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT jsonb_build_object(
                  'started_at', to_char(m.started_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'DD/MM/YYYY HH24:MI'),
                  'ended_at', to_char(m.ended_at AT TIME ZONE 'Asia/Ho_Chi_Minh', 'DD/MM/YYYY HH24:MI'),
                  'chair_id', c.full_name, 'secretary_id', s.full_name, 'resolution', m.resolution,
                  'prepared_on', m.prepared_on, 'committee_met_on', m.committee_met_on,
                  'notice_sent_on', m.notice_sent_on, 'materials_posted_on', m.materials_posted_on,
                  'draft_resolution_on', m.draft_resolution_on)
               || coalesce((SELECT jsonb_object_agg('item_' || i.position,
                                      concat_ws(' / ', i.minutes, i.conclusion))
                              FROM agenda_items i WHERE i.meeting_id = m.id), '{}'::jsonb) AS "row!"
             FROM meetings m
             LEFT JOIN members c ON c.id = m.chair_id
             LEFT JOIN members s ON s.id = m.secretary_id
            WHERE m.id = $1"#,
        id
    )
    .fetch_one(&mut *tx)
    .await
}

pub struct VoteRow {
    pub id: Uuid,
    pub subject: String,
    pub votes_for: i32,
    pub against: i32,
    pub abstain: i32,
    pub eligible: i32,
    pub passed: bool,
    /// The branch's adoption of its self-score: the sheet and the score adopted.
    pub evaluation_id: Option<Uuid>,
    pub adopted_tenths: Option<i32>,
    pub adopted_class: Option<String>,
}

pub async fn votes(pool: &PgPool, id: Uuid) -> Result<Vec<VoteRow>, sqlx::Error> {
    sqlx::query_as!(
        VoteRow,
        "SELECT id, subject, votes_for, against, abstain, eligible, passed, evaluation_id,
                adopted_tenths, adopted_class
           FROM votes WHERE meeting_id = $1 ORDER BY id",
        id
    )
    .fetch_all(pool)
    .await
}

/// The meeting's eligible voting base, from its attendance as it stands (docs/rules.md §3.5).
pub async fn eligible_base(tx: &mut PgConnection, id: Uuid) -> Result<u32, sqlx::Error> {
    let marks: Vec<crate::meetings::domain::Mark> = sqlx::query!(
        r#"SELECT category AS "category: Category", full_member, presence AS "presence: Presence"
             FROM attendance WHERE meeting_id = $1"#,
        id
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| crate::meetings::domain::Mark {
        category: r.category,
        full_member: r.full_member,
        presence: r.presence,
    })
    .collect();
    Ok(crate::meetings::domain::eligible_voters(&marks) as u32)
}

/// A vote that adopts a score sheet: the sheet, and the score adopted.
pub struct Adoption<'a> {
    pub evaluation: Uuid,
    pub total_tenths: i32,
    pub class: &'a str,
}

/// Writes a vote checked against the eligible base (`vote_outcome`), in the caller's
/// transaction, which holds the meeting's lock. Answers whether it passed.
pub async fn insert_vote(
    tx: &mut PgConnection,
    id: Uuid,
    vote: &NewVote,
    adoption: Option<Adoption<'_>>,
) -> Result<(bool, u32), StoreError> {
    let eligible = eligible_base(tx, id).await?;
    let passed = crate::meetings::domain::vote_outcome(
        vote.votes_for,
        vote.against,
        vote.abstain,
        eligible,
    )?;
    if let Some(a) = &adoption {
        sqlx::query!("DELETE FROM votes WHERE evaluation_id = $1", a.evaluation)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query!(
        "INSERT INTO votes (meeting_id, subject, votes_for, against, abstain, eligible, passed,
                            evaluation_id, adopted_tenths, adopted_class)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        id,
        vote.subject,
        vote.votes_for as i32,
        vote.against as i32,
        vote.abstain as i32,
        eligible as i32,
        passed,
        adoption.as_ref().map(|a| a.evaluation),
        adoption.as_ref().map(|a| a.total_tenths),
        adoption.as_ref().map(|a| a.class)
    )
    .execute(&mut *tx)
    .await?;
    Ok((passed, eligible))
}

/// Forgets a sheet's adoption vote: the branch changed the score it had adopted.
pub async fn drop_adoption(tx: &mut PgConnection, evaluation: Uuid) -> Result<(), sqlx::Error> {
    sqlx::query!("DELETE FROM votes WHERE evaluation_id = $1", evaluation)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Records a vote against the eligible base computed from the attendance now.
pub async fn add_vote(
    pool: &PgPool,
    actor: Option<Uuid>,
    id: Uuid,
    vote: &NewVote,
) -> Result<(), StoreError> {
    edit(pool, id, None, async |tx, _| {
        let (passed, eligible) = insert_vote(tx, id, vote, None).await?;
        let after = serde_json::json!({
            "about": vote.subject, "subject": vote.subject, "votes_for": vote.votes_for,
            "against": vote.against, "abstain": vote.abstain, "eligible": eligible, "passed": passed,
        });
        audit(tx, actor, id, crate::audit::Action::VoteAdded, None, Some(after)).await?;
        Ok(())
    })
    .await
}

pub struct TaskRow {
    pub id: Uuid,
    pub assignee: String,
    pub description: String,
    pub due_on: Option<NaiveDate>,
    pub review: Option<Review>,
    pub review_note: Option<String>,
}

pub async fn tasks(pool: &PgPool, id: Uuid) -> Result<Vec<TaskRow>, sqlx::Error> {
    sqlx::query_as!(
        TaskRow,
        r#"SELECT t.id, coalesce(m.full_name, t.group_label, '') AS "assignee!", t.description, t.due_on,
                  t.review AS "review: Review", t.review_note
             FROM tasks t LEFT JOIN members m ON m.id = t.member_id
            WHERE t.meeting_id = $1 ORDER BY t.id"#,
        id
    )
    .fetch_all(pool)
    .await
}

/// Gives a task to a member listed at the meeting, or to a group.
pub async fn add_task(
    pool: &PgPool,
    actor: Option<Uuid>,
    id: Uuid,
    task: &NewTask,
) -> Result<(), StoreError> {
    let NewTask {
        description,
        member,
        group,
        due_on,
    } = task;
    let (member, group, due_on) = (*member, group.as_deref(), *due_on);
    edit(pool, id, None, async |tx, (_, month, _)| {
        if let Some(p) = member {
            let listed = sqlx::query_scalar!(
                r#"SELECT EXISTS (SELECT 1 FROM attendance WHERE meeting_id = $1 AND member_id = $2) AS "e!""#,
                id,
                p
            )
            .fetch_one(&mut *tx)
            .await?;
            if !listed {
                return Err(MeetingRefusal::AssigneeElsewhere.into());
            }
        } else if group.is_none() {
            return Err(MeetingRefusal::NoAssignee.into());
        }
        if due_on.is_some_and(|d| d < month) {
            return Err(MeetingRefusal::DueBeforeMonth.into());
        }
        let added = sqlx::query_scalar!(
            r#"INSERT INTO tasks (meeting_id, member_id, group_label, description, due_on) VALUES ($1, $2, $3, $4, $5)
               RETURNING jsonb_build_object('about', description, 'description', description,
                          'assignee', coalesce((SELECT full_name FROM members WHERE id = member_id), group_label),
                          'due_on', due_on) AS "row!""#,
            id,
            member,
            group,
            description,
            due_on
        )
        .fetch_one(&mut *tx)
        .await?;
        audit(tx, actor, id, crate::audit::Action::TaskAdded, None, Some(added)).await?;
        Ok(())
    })
    .await
}

/// The tasks given at the branch's previous meeting (the latest one before this meeting's
/// month), to review at this one.
pub async fn previous_tasks(pool: &PgPool, meeting: &Meeting) -> Result<Vec<TaskRow>, sqlx::Error> {
    sqlx::query_as!(
        TaskRow,
        r#"SELECT t.id, coalesce(m.full_name, t.group_label, '') AS "assignee!", t.description, t.due_on,
                  t.review AS "review: Review", t.review_note
             FROM tasks t LEFT JOIN members m ON m.id = t.member_id
            WHERE t.meeting_id = (SELECT id FROM meetings
                                   WHERE unit_id = $1 AND month < $2 AND kind IN ('regular', 'combined')
                                   ORDER BY month DESC LIMIT 1)
            ORDER BY t.id"#,
        meeting.unit_id,
        meeting.month
    )
    .fetch_all(pool)
    .await
}

/// Reviews one of the previous meeting's tasks at this meeting.
pub async fn review_task(
    pool: &PgPool,
    actor: Option<Uuid>,
    meeting: Uuid,
    task: Uuid,
    review: Review,
    note: Option<&str>,
) -> Result<(), StoreError> {
    edit(pool, meeting, None, async |tx, (_, month, _)| {
        let before = sqlx::query_scalar!(
            r#"SELECT jsonb_build_object('about', description, 'review', review, 'review_note', review_note) AS "row!"
                 FROM tasks WHERE id = $1 FOR UPDATE"#,
            task
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let updated = sqlx::query!(
            "UPDATE tasks t SET review = $3, review_note = $4, reviewed_in = $1
               FROM meetings given, meetings now
              WHERE t.id = $2 AND given.id = t.meeting_id AND now.id = $1
                AND given.unit_id = now.unit_id AND given.month < $5",
            meeting,
            task,
            review.as_str(),
            note,
            month
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Err(StoreError::NotFound);
        }
        let mut after = before.clone();
        after["review"] = review.as_str().into();
        after["review_note"] = note.into();
        audit(tx, actor, meeting, crate::audit::Action::TaskReviewed, Some(before), Some(after)).await?;
        Ok(())
    })
    .await
}
