//! The audit trail: a row for each change of the organisation tree, committee posts, rubrics,
//! score sheets, alert thresholds, monthly reports and passwords, written in the same
//! transaction as the change (never a change without its row, nor a row without its
//! change). Members keep their own history (`member_events`), meetings theirs
//! (`meeting_events`). The row's time is the database's: when it was really written.

use serde_json::Value;
use sqlx::PgConnection;
use uuid::Uuid;

/// One change: who, what (an action name such as `unit_renamed`), on which record, and the
/// record before and after where they matter.
pub struct Entry<'a> {
    pub user: Option<Uuid>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: Option<Uuid>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

pub async fn record(conn: &mut PgConnection, e: Entry<'_>) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO audit_log (user_id, action, entity, entity_id, before, after)
         VALUES ($1, $2, $3, $4, $5, $6)",
        e.user,
        e.action,
        e.entity,
        e.entity_id,
        e.before,
        e.after
    )
    .execute(conn)
    .await?;
    Ok(())
}
