//! The audit trail: one row for every change of an official record, written in the same
//! transaction as the change (so there is never a change without its row, nor a row
//! without its change). The row's time is the database's: the moment it was really written.

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
