//! The register of a unit's numbered documents (besides its monthly reports): the only SQL
//! of the documents.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use super::heading::term_start;

/// A document's entry in the register.
pub struct Numbered {
    pub number: i32,
    pub issued_on: NaiveDate,
}

/// The notice of `meeting` as entered in the register, if it has been.
pub async fn notice_number(pool: &PgPool, meeting: Uuid) -> Result<Option<Numbered>, sqlx::Error> {
    sqlx::query_as!(
        Numbered,
        "SELECT number, issued_on FROM document_numbers
          WHERE doc_type = 'notice' AND meeting_id = $1",
        meeting
    )
    .fetch_optional(pool)
    .await
}

/// Enters the notice of `meeting` (of `unit`) in the register, dated `day`: the next
/// number of the unit's notices in the term of `day`. A notice entered already keeps its
/// number (a second press, or two at once, give the same one). The entry and its audit row
/// together, or neither.
pub async fn number_notice(
    pool: &PgPool,
    user: Uuid,
    unit: Uuid,
    meeting: Uuid,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Numbered, sqlx::Error> {
    crate::db::transaction(pool, async |tx| {
        // A unit's numbers are given out one at a time (as its reports' are).
        sqlx::query!("SELECT id FROM units WHERE id = $1 FOR UPDATE", unit)
            .fetch_one(&mut *tx)
            .await?;
        if let Some(done) = sqlx::query_as!(
            Numbered,
            "SELECT number, issued_on FROM document_numbers
              WHERE doc_type = 'notice' AND meeting_id = $1",
            meeting
        )
        .fetch_optional(&mut *tx)
        .await?
        {
            return Ok(done);
        }
        let term = term_start(day.year());
        let entered = sqlx::query_as!(
            Numbered,
            "INSERT INTO document_numbers (unit_id, doc_type, term_start, number, meeting_id,
                                           issued_on, issued_by, issued_at)
             VALUES ($1, 'notice', $2,
                     (SELECT coalesce(max(number), 0) + 1 FROM document_numbers
                       WHERE unit_id = $1 AND doc_type = 'notice' AND term_start = $2),
                     $3, $4, $5, $6)
             RETURNING number, issued_on",
            unit,
            term,
            meeting,
            day,
            user,
            now
        )
        .fetch_one(&mut *tx)
        .await?;
        crate::audit::record(
            tx,
            crate::audit::Entry {
                user: Some(user),
                action: crate::audit::Action::NoticeNumbered,
                entity: "meeting",
                entity_id: Some(meeting),
                before: None,
                after: Some(serde_json::json!({ "number": entered.number, "issued_on": day })),
            },
        )
        .await?;
        Ok(entered)
    })
    .await
}
