//! A meeting's attendance: the list as the registry held it, one tick per row.

#[allow(unused_imports)]
use super::*;
use crate::error::StoreError;
use crate::meetings::domain::{Category, MeetingRefusal, MeetingState, Presence};
use crate::meetings::forms::MarkInput;
use chrono::{DateTime, Utc};
use sqlx::PgPool;
use uuid::Uuid;

pub struct AttendanceRow {
    pub member_id: Uuid,
    pub full_name: String,
    pub category: Category,
    pub full_member: bool,
    pub presence: Option<Presence>,
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
}

/// The meeting's attendance list, by category, then the Vietnamese way by name.
pub async fn attendance(pool: &PgPool, meeting: Uuid) -> Result<Vec<AttendanceRow>, sqlx::Error> {
    sqlx::query_as!(
        AttendanceRow,
        r#"SELECT a.member_id, m.full_name, a.category AS "category: Category", a.full_member,
                  a.presence AS "presence: Presence", a.reason, a.spoke
             FROM attendance a JOIN members m ON m.id = a.member_id
            WHERE a.meeting_id = $1
            ORDER BY CASE a.category WHEN 'expected' THEN 0 WHEN 'exempt' THEN 1 WHEN 'away' THEN 2 ELSE 3 END,
                     m.given_name COLLATE "vi-VN-x-icu", m.full_name COLLATE "vi-VN-x-icu""#,
        meeting
    )
    .fetch_all(pool)
    .await
}

/// One member's row. Ticks of one meeting are serialised on the meeting row: the statement
/// trigger that keeps the meeting's figures (`meetings_recount`) then always counts after
/// the previous tick committed, so the kept figures equal the rows however many people tick
/// at once (a lock per meeting: ticks of different meetings never wait for each other).
/// Refused once the minutes are closed or the score approved (the meeting's `lock`).
pub async fn mark(
    pool: &PgPool,
    actor: Option<Uuid>,
    meeting: Uuid,
    member: Uuid,
    input: &MarkInput,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    if input.presence == Presence::AbsentExcused && input.reason.is_none() {
        return Err(MeetingRefusal::ReasonMissing.into());
    }
    crate::db::transaction(pool, async |tx| {
        let state = lock(tx, meeting).await?.state;
        if state == MeetingState::Closed {
            return Err(MeetingRefusal::AttendanceClosed.into());
        }
        let before = tick(tx, meeting, member)
            .await?
            .ok_or(StoreError::NotFound)?;
        let updated = sqlx::query!(
            "UPDATE attendance SET presence = $3, reason = $4, spoke = $5 AND $3 IN ('present', 'late'),
                    updated_at = $7, updated_by = $6
              WHERE meeting_id = $1 AND member_id = $2",
            meeting,
            member,
            input.presence.as_str(),
            input.reason,
            input.spoke,
            actor,
            at
        )
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if updated == 0 {
            return Err(StoreError::NotFound);
        }
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

/// One member's tick as its audit row keeps it (`about`: whose tick).
async fn tick(
    tx: &mut sqlx::PgConnection,
    meeting: Uuid,
    member: Uuid,
) -> Result<Option<serde_json::Value>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT jsonb_build_object('about', m.full_name, 'presence', a.presence, 'reason', a.reason,
                                     'spoke', a.spoke) AS "row!"
             FROM attendance a JOIN members m ON m.id = a.member_id
            WHERE a.meeting_id = $1 AND a.member_id = $2"#,
        meeting,
        member
    )
    .fetch_optional(&mut *tx)
    .await
}
