//! The agenda templates new meetings start from: the general one per meeting kind and the
//! variants per branch type (docs/rules.md §3.4).

use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use crate::error::StoreError;
use crate::meetings::domain::{MeetingKind, MeetingRefusal};
use crate::meetings::forms::{ItemChange, ItemInput};
use crate::org::domain::BranchType;

pub struct TemplateRow {
    pub id: Uuid,
    pub kind: MeetingKind,
    /// `None` for the general template of the kind.
    pub branch_type: Option<BranchType>,
    pub items: i64,
}

pub struct TemplateItem {
    pub id: Uuid,
    pub title: String,
    pub notes: Option<String>,
    pub version: i32,
}

pub async fn templates(pool: &PgPool) -> Result<Vec<TemplateRow>, sqlx::Error> {
    sqlx::query_as!(
        TemplateRow,
        r#"SELECT t.id, t.kind AS "kind: MeetingKind", t.branch_type AS "branch_type: BranchType",
                  count(i.id) AS "items!"
             FROM agenda_templates t LEFT JOIN agenda_template_items i ON i.template_id = t.id
            GROUP BY t.id ORDER BY t.kind, t.branch_type NULLS FIRST"#
    )
    .fetch_all(pool)
    .await
}

pub async fn template(pool: &PgPool, id: Uuid) -> Result<Option<TemplateRow>, sqlx::Error> {
    sqlx::query_as!(
        TemplateRow,
        r#"SELECT t.id, t.kind AS "kind: MeetingKind", t.branch_type AS "branch_type: BranchType",
                  0::bigint AS "items!"
             FROM agenda_templates t WHERE t.id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await
}

pub async fn template_items(pool: &PgPool, id: Uuid) -> Result<Vec<TemplateItem>, sqlx::Error> {
    sqlx::query_as!(
        TemplateItem,
        "SELECT id, title, notes, version FROM agenda_template_items WHERE template_id = $1 ORDER BY position, id",
        id
    )
    .fetch_all(pool)
    .await
}

/// A variant for a branch type, starting as a copy of the general template of its kind:
/// the variant and its items together, or neither.
pub async fn create_variant(
    pool: &PgPool,
    actor: Option<Uuid>,
    kind: MeetingKind,
    branch_type: BranchType,
) -> Result<Uuid, StoreError> {
    crate::db::transaction(pool, async |tx| {
        let id = sqlx::query_scalar!(
            "INSERT INTO agenda_templates (kind, branch_type, title)
             VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING id",
            kind.as_str(),
            branch_type.as_str(),
            crate::meetings::domain::template_title(kind, branch_type)
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(MeetingRefusal::TemplateExists)?;
        sqlx::query!(
            "INSERT INTO agenda_template_items (template_id, position, title, notes)
             SELECT $1, i.position, i.title, i.notes FROM agenda_template_items i
               JOIN agenda_templates t ON t.id = i.template_id
              WHERE t.kind = $2 AND t.branch_type IS NULL",
            id,
            kind.as_str()
        )
        .execute(&mut *tx)
        .await?;
        let after = template_snapshot(tx, id)
            .await?
            .ok_or(StoreError::NotFound)?;
        template_audit(
            tx,
            actor,
            id,
            crate::audit::Action::TemplateVariantCreated,
            None,
            after,
        )
        .await?;
        Ok(id)
    })
    .await
}

/// Adds an item at the end (`item` is `None`), or saves, moves or removes one. The
/// template's items are locked and renumbered 1..n in the new order.
pub async fn change_template_item(
    pool: &PgPool,
    actor: Option<Uuid>,
    template: Uuid,
    item: Option<Uuid>,
    change: &ItemChange,
) -> Result<(), StoreError> {
    crate::db::transaction(pool, async |tx| {
        let ids: Vec<Uuid> = sqlx::query_scalar!(
            "SELECT i.id FROM agenda_template_items i JOIN agenda_templates t ON t.id = i.template_id
              WHERE t.id = $1 ORDER BY i.position, i.id FOR UPDATE",
            template
        )
        .fetch_all(&mut *tx)
        .await?;
        let before = template_snapshot(tx, template)
            .await?
            .ok_or(StoreError::NotFound)?;
        match (item, change) {
            (None, ItemChange::Save(input)) => {
                add_item(tx, template, ids.len() as i32 + 1, input).await?
            }
            (None, _) => return Err(StoreError::NotFound),
            (Some(it), change) => {
                let i = ids
                    .iter()
                    .position(|x| *x == it)
                    .ok_or(StoreError::NotFound)?;
                let mut order = ids.clone();
                match change {
                    ItemChange::Up if i > 0 => order.swap(i, i - 1),
                    ItemChange::Down if i + 1 < ids.len() => order.swap(i, i + 1),
                    ItemChange::Up | ItemChange::Down => {}
                    ItemChange::Delete => {
                        order.remove(i);
                        sqlx::query!("DELETE FROM agenda_template_items WHERE id = $1", it)
                            .execute(&mut *tx)
                            .await?;
                    }
                    ItemChange::Save(input) => {
                        // From the version the form showed, or refused as stale.
                        let saved = sqlx::query!(
                            "UPDATE agenda_template_items SET title = $2, notes = $3, version = version + 1
                              WHERE id = $1 AND version = $4",
                            it,
                            input.title,
                            input.notes,
                            input.version
                        )
                        .execute(&mut *tx)
                        .await?;
                        if saved.rows_affected() == 0 {
                            return Err(StoreError::Stale);
                        }
                    }
                }
                sqlx::query!(
                    "UPDATE agenda_template_items a SET position = o.pos
                       FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, pos) WHERE a.id = o.id",
                    &order
                )
                .execute(&mut *tx)
                .await?;
            }
        }
        sqlx::query!(
            "UPDATE agenda_templates SET version = version + 1 WHERE id = $1",
            template
        )
        .execute(&mut *tx)
        .await?;
        let after = template_snapshot(tx, template)
            .await?
            .ok_or(StoreError::NotFound)?;
        template_audit(
            tx,
            actor,
            template,
            crate::audit::Action::TemplateItemChanged,
            Some(before),
            after,
        )
        .await?;
        Ok(())
    })
    .await
}

/// A template as its audit rows keep it: its title and each item's title by position.
async fn template_snapshot(
    tx: &mut PgConnection,
    template: Uuid,
) -> Result<Option<serde_json::Value>, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT jsonb_build_object('about', t.title)
               || coalesce((SELECT jsonb_object_agg('item_' || i.position, i.title)
                              FROM agenda_template_items i WHERE i.template_id = t.id), '{}'::jsonb) AS "row!"
             FROM agenda_templates t WHERE t.id = $1"#,
        template
    )
    .fetch_optional(&mut *tx)
    .await
}

async fn template_audit(
    tx: &mut PgConnection,
    actor: Option<Uuid>,
    template: Uuid,
    action: crate::audit::Action,
    before: Option<serde_json::Value>,
    after: serde_json::Value,
) -> Result<(), sqlx::Error> {
    crate::audit::record(
        tx,
        crate::audit::Entry {
            user: actor,
            action,
            entity: "agenda_template",
            entity_id: Some(template),
            before,
            after: Some(after),
        },
    )
    .await
}

async fn add_item(
    tx: &mut PgConnection,
    template: Uuid,
    position: i32,
    input: &ItemInput,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO agenda_template_items (template_id, position, title, notes) VALUES ($1, $2, $3, $4)",
        template,
        position,
        input.title,
        input.notes
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}
