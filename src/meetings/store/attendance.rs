//! A meeting's attendance: the list as the registry held it, one tick per row.

#[allow(unused_imports)]
use super::*;
use crate::error::StoreError;
use crate::meetings::domain::{AbsenceReason, Category, MeetingRefusal, MeetingState, Presence};
use crate::meetings::forms::{ExcuseInput, MarkInput};
use chrono::{DateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

pub struct AttendanceRow {
    pub member_id: Uuid,
    pub full_name: String,
    pub category: Category,
    pub full_member: bool,
    pub presence: Option<Presence>,
    pub reason_code: Option<AbsenceReason>,
    pub reason: Option<String>,
    pub spoke: bool,
}

impl AttendanceRow {
    pub fn is(&self, presence: Presence) -> bool {
        self.presence == Some(presence)
    }

    pub fn mark(&self) -> crate::meetings::domain::Mark {
        crate::meetings::domain::Mark {
            category: self.category,
            full_member: self.full_member,
            presence: self.presence,
        }
    }

    /// The excused absence's reason as worded for a reader ("Ốm, sốt cao").
    pub fn excuse_label(&self) -> Option<String> {
        if !self.is(Presence::AbsentExcused) {
            return None;
        }
        crate::meetings::domain::excuse_label(self.reason_code, self.reason.as_deref())
    }
}

/// The meeting's attendance list, by category, then the Vietnamese way by name.
pub async fn attendance(pool: &PgPool, meeting: Uuid) -> Result<Vec<AttendanceRow>, sqlx::Error> {
    sqlx::query_as!(
        AttendanceRow,
        r#"SELECT a.member_id, m.full_name, a.category AS "category: Category", a.full_member,
                  a.presence AS "presence: Presence", a.reason_code AS "reason_code: AbsenceReason",
                  a.reason, a.spoke
             FROM attendance a JOIN members m ON m.id = a.member_id
            WHERE a.meeting_id = $1
            ORDER BY CASE a.category WHEN 'expected' THEN 0 WHEN 'exempt' THEN 1 WHEN 'away' THEN 2 ELSE 3 END,
                     m.given_name COLLATE "vi-VN-x-icu", m.full_name COLLATE "vi-VN-x-icu""#,
        meeting
    )
    .fetch_all(pool)
    .await
}

/// One change of one member's row, in the shape every tick shares: the meeting locked (ticks
/// of one meeting are serialised on the meeting row, so the statement trigger that keeps
/// the meeting's figures, `meetings_recount`, always counts after the previous tick
/// committed, and the kept figures equal the rows however many people tick at once; a lock
/// per meeting, so ticks of different meetings never wait for each other), refused once
/// the minutes are closed or the score approved (the meeting's `lock`), the row as it was,
/// the write, and the audit row with the row before and after.
async fn change_row<W>(
    pool: &PgPool,
    actor: Option<Uuid>,
    meeting: Uuid,
    member: Uuid,
    write: W,
) -> Result<(), StoreError>
where
    W: AsyncFnOnce(&mut PgConnection) -> Result<(), StoreError>,
{
    crate::db::transaction(pool, async |tx| {
        let state = lock(tx, meeting).await?.state;
        if state == MeetingState::Closed {
            return Err(MeetingRefusal::AttendanceClosed.into());
        }
        let before = tick(tx, meeting, member)
            .await?
            .ok_or(StoreError::NotFound)?;
        write(tx).await?;
        let after = tick(tx, meeting, member).await?;
        audit(
            tx,
            actor,
            meeting,
            crate::audit::Action::AttendanceMarked,
            Some(before),
            after,
        )
        .await?;
        Ok(())
    })
    .await
}

/// One member's presence. An excused absence keeps the reason it already had (a second tap
/// on "Vắng có lý do" loses nothing), or takes the one the post gave; any other presence
/// drops the reason, and an absence drops "spoke" (whoever was not there did not speak).
pub async fn mark(
    pool: &PgPool,
    actor: Option<Uuid>,
    meeting: Uuid,
    member: Uuid,
    input: &MarkInput,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    change_row(pool, actor, meeting, member, async |tx| {
        sqlx::query!(
            "UPDATE attendance
                SET presence = $3,
                    reason_code = CASE WHEN $3 = 'absent_excused' AND presence = 'absent_excused'
                                       THEN reason_code END,
                    reason = CASE WHEN $3 = 'absent_excused'
                                  THEN coalesce($4, CASE WHEN presence = 'absent_excused' THEN reason END) END,
                    spoke = spoke AND $3 IN ('present', 'late'),
                    updated_at = $6, updated_by = $5
              WHERE meeting_id = $1 AND member_id = $2",
            meeting,
            member,
            input.presence.as_str(),
            input.reason,
            actor,
            at
        )
        .execute(&mut *tx)
        .await?;
        Ok(())
    })
    .await
}

/// The reason of an excused absence: its code and detail. Refused for a member not marked
/// absent with reason (the sheet offers the form only then; a page left open may not know).
pub async fn excuse(
    pool: &PgPool,
    actor: Option<Uuid>,
    meeting: Uuid,
    member: Uuid,
    input: &ExcuseInput,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    change_row(pool, actor, meeting, member, async |tx| {
        let updated = sqlx::query!(
            "UPDATE attendance SET reason_code = $3, reason = $4, updated_at = $6, updated_by = $5
              WHERE meeting_id = $1 AND member_id = $2 AND presence = 'absent_excused'",
            meeting,
            member,
            input.code.as_str(),
            input.detail,
            actor,
            at
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Err(MeetingRefusal::NotExcused.into());
        }
        Ok(())
    })
    .await
}

/// "Spoke", on its own: the presence is left as it is (a member not yet marked may be
/// ticked as having spoken). Refused for a member marked absent.
pub async fn set_spoke(
    pool: &PgPool,
    actor: Option<Uuid>,
    meeting: Uuid,
    member: Uuid,
    spoke: bool,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    change_row(pool, actor, meeting, member, async |tx| {
        let updated = sqlx::query!(
            "UPDATE attendance SET spoke = $3, updated_at = $5, updated_by = $4
              WHERE meeting_id = $1 AND member_id = $2
                AND (NOT $3 OR presence IS NULL OR presence IN ('present', 'late'))",
            meeting,
            member,
            spoke,
            actor,
            at
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Err(MeetingRefusal::SpokeWhileAbsent.into());
        }
        Ok(())
    })
    .await
}

/// "Tất cả có mặt": every expected member not yet marked is marked present, in one
/// transaction under the meeting's lock, so that it never overwrites a tick made before it
/// (a tick waits for it, and it counts only rows still unmarked once it holds the lock), and
/// many at once mark each row once. Refused when the sheet was drawn from an older version
/// of the meeting (the list may have been retaken since). Answers how many it marked; each
/// leaves its own audit row, as a tap would.
pub async fn mark_all_present(
    pool: &PgPool,
    actor: Option<Uuid>,
    meeting: Uuid,
    version: i32,
    at: DateTime<Utc>,
) -> Result<usize, StoreError> {
    crate::db::transaction(pool, async |tx| {
        let locked = lock(tx, meeting).await?;
        if locked.state == MeetingState::Closed {
            return Err(MeetingRefusal::AttendanceClosed.into());
        }
        if locked.version != version {
            return Err(StoreError::Stale);
        }
        let rows = sqlx::query_scalar!(
            r#"UPDATE attendance a SET presence = 'present', updated_at = $3, updated_by = $2
                 FROM members m
                WHERE a.meeting_id = $1 AND a.category = 'expected' AND a.presence IS NULL
                  AND m.id = a.member_id
            RETURNING jsonb_build_object('about', m.full_name, 'presence', a.presence,
                                         'reason_code', a.reason_code, 'reason', a.reason,
                                         'spoke', a.spoke) AS "row!""#,
            meeting,
            actor,
            at
        )
        .fetch_all(&mut *tx)
        .await?;
        for after in &rows {
            let mut before = after.clone();
            before["presence"] = serde_json::Value::Null;
            audit(
                tx,
                actor,
                meeting,
                crate::audit::Action::AttendanceMarked,
                Some(before),
                Some(after.clone()),
            )
            .await?;
        }
        Ok(rows.len())
    })
    .await
}

/// One member's tick as its audit row keeps it (`about`: whose tick).
async fn tick(
    tx: &mut PgConnection,
    meeting: Uuid,
    member: Uuid,
) -> Result<Option<serde_json::Value>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT jsonb_build_object('about', m.full_name, 'presence', a.presence,
                                     'reason_code', a.reason_code, 'reason', a.reason,
                                     'spoke', a.spoke) AS "row!"
             FROM attendance a JOIN members m ON m.id = a.member_id
            WHERE a.meeting_id = $1 AND a.member_id = $2"#,
        meeting,
        member
    )
    .fetch_optional(&mut *tx)
    .await
}
