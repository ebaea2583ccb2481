//! An import waiting for its commit: the rows of an uploaded spreadsheet, staged in
//! `member_imports` between the preview and the commit, their fixes, and the commit that
//! writes every row or none, once.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sqlx::types::Json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::*;
use crate::error::StoreError;
use crate::members::domain::{EventKind, MemberRecord, MemberRefusal};

/// A row of the spreadsheet as staged.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportRow {
    /// The line in the spreadsheet, as the user sees it there.
    pub line: usize,
    pub cells: Vec<String>,
    pub skip: bool,
}

/// An import of a branch, started by a user: only they see it, and only until it is
/// committed.
#[derive(Debug, Clone, Copy)]
pub struct BatchKey {
    pub id: Uuid,
    pub unit: Uuid,
    pub user: Uuid,
}

pub struct Batch {
    pub file_name: String,
    pub rows: Vec<ImportRow>,
}

/// Stages the rows of an uploaded file; the name is cut to 200 characters.
pub async fn stage(
    pool: &PgPool,
    unit: Uuid,
    user: Uuid,
    file_name: &str,
    rows: &[ImportRow],
) -> Result<Uuid, sqlx::Error> {
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO member_imports (id, unit_id, user_id, file_name, rows) VALUES ($1, $2, $3, $4, $5)",
        id,
        unit,
        user,
        file_name.chars().take(200).collect::<String>(),
        Json(rows) as _
    )
    .execute(pool)
    .await?;
    Ok(id)
}

/// Whether the import (of this user and branch) was committed.
pub async fn committed(pool: &PgPool, key: BatchKey) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM member_imports
                           WHERE id = $1 AND unit_id = $2 AND user_id = $3 AND committed_at IS NOT NULL) AS "e!""#,
        key.id,
        key.unit,
        key.user
    )
    .fetch_one(pool)
    .await
}

/// The import, while it waits for its commit.
pub async fn batch(pool: &PgPool, key: BatchKey) -> Result<Option<Batch>, sqlx::Error> {
    let row = sqlx::query!(
        r#"SELECT file_name, rows AS "rows: Json<Vec<ImportRow>>" FROM member_imports
            WHERE id = $1 AND unit_id = $2 AND user_id = $3 AND committed_at IS NULL"#,
        key.id,
        key.unit,
        key.user
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| Batch {
        file_name: r.file_name,
        rows: r.rows.0,
    }))
}

/// Which of `cards` are held already, and by whom: (card, holder), the holder named only
/// when one of their branches, past or present, is under `reader` (the subtrees the user
/// reads; `None`: every unit), as `record::check_card_free` does.
pub async fn cards_taken(
    pool: &PgPool,
    cards: &[String],
    reader: Option<&[String]>,
) -> Result<Vec<(String, Option<String>)>, sqlx::Error> {
    let roots: Vec<String> = reader.map(<[String]>::to_vec).unwrap_or_default();
    Ok(sqlx::query!(
        r#"SELECT m.card_no AS "card_no!", m.full_name,
                  ($2 OR EXISTS (SELECT 1 FROM memberships ms JOIN units u ON u.id = ms.unit_id
                                  WHERE ms.member_id = m.id AND u.path <@ ANY($3::text[]::ltree[]))) AS "seen!"
             FROM members m WHERE m.card_no = ANY($1)"#,
        cards,
        reader.is_none(),
        &roots
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.card_no, r.seen.then_some(r.full_name)))
    .collect())
}

/// The import's rows, its row locked until the transaction ends; not found once committed
/// (a commit waiting here behind another finds it committed, and writes nothing).
/// The batch's staged rows, locked; `None` once it is committed.
async fn lock_batch(
    tx: &mut PgConnection,
    key: BatchKey,
) -> Result<Option<Vec<ImportRow>>, StoreError> {
    let row = sqlx::query!(
        r#"SELECT rows AS "rows: Json<Vec<ImportRow>>", committed_at FROM member_imports
            WHERE id = $1 AND unit_id = $2 AND user_id = $3 FOR UPDATE"#,
        key.id,
        key.unit,
        key.user
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(row.committed_at.is_none().then_some(row.rows.0))
}

/// A change to one row of the preview.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowChange {
    /// The row's cells as corrected, in column order.
    Cells(Vec<String>),
    /// Skip the row, or take it again.
    ToggleSkip,
}

/// Changes the row at `line` (not found: no such row, or the import is committed).
pub async fn change_row(
    pool: &PgPool,
    key: BatchKey,
    line: usize,
    change: RowChange,
) -> Result<(), StoreError> {
    crate::db::transaction(pool, async |tx| {
        let mut rows = lock_batch(tx, key).await?.ok_or(StoreError::NotFound)?;
        let row = rows
            .iter_mut()
            .find(|r| r.line == line)
            .ok_or(StoreError::NotFound)?;
        match change {
            RowChange::Cells(cells) => row.cells = cells,
            RowChange::ToggleSkip => row.skip = !row.skip,
        }
        sqlx::query!(
            "UPDATE member_imports SET rows = $2 WHERE id = $1",
            key.id,
            Json(&rows) as _
        )
        .execute(&mut *tx)
        .await?;
        Ok(())
    })
    .await
}

/// A row to write: its line, and the record its cells parsed into.
pub struct ImportedRow {
    pub line: usize,
    pub record: MemberRecord,
}

/// Writes the import's rows in one transaction, all or none, and marks it committed. The
/// import's row is locked first: a second commit of the same import (a double click, two
/// tabs) waits, then finds it committed and writes nothing. `checked` is the staged rows the
/// records were parsed and checked from; if they changed since, the commit is stale. A row
/// the registry refuses is named by its line; the answer is how many members were written.
// The batch's key, both its row forms, who commits and what they see, and the day: all needed.
#[allow(clippy::too_many_arguments)]
pub async fn commit(
    pool: &PgPool,
    actor: Option<Uuid>,
    reader: Option<&[String]>,
    key: BatchKey,
    checked: &[ImportRow],
    rows: &[ImportedRow],
    on: NaiveDate,
    at: DateTime<Utc>,
) -> Result<usize, StoreError> {
    crate::db::transaction(pool, async |tx| {
        // Claimed here, in the commit's own transaction: a second commit waits for the
        // first, then finds the batch committed.
        match lock_batch(tx, key).await? {
            None => return Err(MemberRefusal::AlreadyImported.into()),
            Some(staged) if staged != checked => return Err(StoreError::Stale),
            Some(_) => {}
        }
        for row in rows {
            insert_member(
                tx,
                actor,
                reader,
                key.unit,
                &row.record,
                EventKind::Imported,
                on,
            )
            .await
            .map_err(|e| match e.refusal::<MemberRefusal>() {
                Some(refusal) => MemberRefusal::ImportRow {
                    line: row.line,
                    refusal: Box::new(refusal.clone()),
                }
                .into(),
                None => e,
            })?;
        }
        sqlx::query!(
            "UPDATE member_imports SET committed_at = $2 WHERE id = $1",
            key.id,
            at
        )
        .execute(&mut *tx)
        .await?;
        Ok(rows.len())
    })
    .await
}
