//! Changing the tree: create, rename, move, close and merge units, each with its audit row.

#[allow(unused_imports)]
use super::*;
use crate::db::transaction;
use crate::error::StoreError;
use crate::org::domain::{self, BranchType, OrgRefusal};
use chrono::NaiveDate;
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

pub(super) async fn audit(
    tx: &mut PgConnection,
    actor: Option<Uuid>,
    action: crate::audit::Action,
    unit: Uuid,
    before: serde_json::Value,
    after: serde_json::Value,
) -> Result<(), sqlx::Error> {
    crate::audit::record(
        tx,
        crate::audit::Entry {
            user: actor,
            action,
            entity: "unit",
            entity_id: Some(unit),
            before: Some(before),
            after: Some(after),
        },
    )
    .await
}

pub(super) async fn open_sibling_named(
    tx: &mut PgConnection,
    parent: Option<Uuid>,
    name: &str,
    except: Option<Uuid>,
) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (SELECT 1 FROM units
                           WHERE parent_id IS NOT DISTINCT FROM $1 AND valid_to IS NULL
                             AND lower(name) = lower($2) AND id IS DISTINCT FROM $3) AS "e!""#,
        parent,
        name,
        except
    )
    .fetch_one(&mut *tx)
    .await
}

/// Locks the unit a form changes, checking that the form was built from its `version`.
async fn lock_current(tx: &mut PgConnection, id: Uuid, version: i32) -> Result<Unit, StoreError> {
    let unit = lock(tx, id).await?;
    if unit.version != version {
        return Err(StoreError::Stale);
    }
    Ok(unit)
}

/// Locks a unit the form picked (a parent, a target, a successor): one that does not exist
/// is the form's refusal `missing`, not a missing page.
async fn lock_chosen(
    tx: &mut PgConnection,
    id: Uuid,
    missing: OrgRefusal,
) -> Result<Unit, StoreError> {
    lock(tx, id).await.map_err(|e| match e {
        StoreError::NotFound => missing.into(),
        other => other,
    })
}

/// Records, as from `day`, the place and name of every unit under `path` (itself included)
/// that changed: the dated tree that past months are read from (`record_unit_versions` in
/// the migration `…015_dated_tree`).
async fn record_versions(
    tx: &mut PgConnection,
    path: &str,
    day: NaiveDate,
) -> Result<(), sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT record_unit_versions($1::text::ltree, $2)",
        path,
        day
    )
    .fetch_one(&mut *tx)
    .await?;
    Ok(())
}

pub use crate::org::forms::NewUnit;

pub async fn create(pool: &PgPool, actor: Option<Uuid>, new: NewUnit) -> Result<Uuid, StoreError> {
    transaction(pool, async move |tx| {
        let parent = match new.parent_id {
            Some(id) => Some(lock(tx, id).await?),
            None => None,
        };
        domain::placement_allowed(parent.as_ref().map(|p| p.kind), new.kind)
            .map_err(|why| why.on("kind"))?;
        if new.kind.is_branch() != new.branch_type.is_some() {
            return Err(OrgRefusal::BranchTypeMismatch.into());
        }
        if let Some(p) = &parent {
            if !p.is_open() {
                return Err(OrgRefusal::ParentClosed.into());
            }
            if new.valid_from < p.valid_from {
                return Err(OrgRefusal::FoundedBeforeParent {
                    parent_from: p.valid_from,
                }
                .into());
            }
        }
        if open_sibling_named(tx, new.parent_id, &new.name, None).await? {
            return Err(OrgRefusal::NameTaken.into());
        }
        let id = Uuid::now_v7();
        let label = id.simple().to_string();
        let path = match &parent {
            Some(p) => format!("{}.{label}", p.path),
            None => label,
        };
        sqlx::query!(
            "INSERT INTO units (id, parent_id, path, kind, branch_type, name, valid_from)
             VALUES ($1, $2, $3::text::ltree, $4, $5, $6, $7)",
            id,
            new.parent_id,
            path,
            new.kind.as_str(),
            new.branch_type.map(BranchType::as_str),
            new.name,
            new.valid_from
        )
        .execute(&mut *tx)
        .await?;
        audit(
            tx,
            actor,
            crate::audit::Action::UnitCreated,
            id,
            json!(null),
            json!({"name": new.name, "parent": new.parent_id}),
        )
        .await?;
        Ok(id)
    })
    .await
}

/// Renames a unit as from `day` (today): earlier months keep the name they had.
pub async fn rename(
    pool: &PgPool,
    actor: Option<Uuid>,
    id: Uuid,
    version: i32,
    name: &str,
    day: NaiveDate,
) -> Result<(), StoreError> {
    transaction(pool, async move |tx| {
        let unit = lock_current(tx, id, version).await?;
        if unit.name == name {
            return Err(OrgRefusal::SameName.into());
        }
        if unit.is_open() && open_sibling_named(tx, unit.parent_id, name, Some(id)).await? {
            return Err(OrgRefusal::NameTaken.into());
        }
        sqlx::query!(
            "UPDATE units SET name = $2, version = version + 1 WHERE id = $1",
            id,
            name
        )
        .execute(&mut *tx)
        .await?;
        record_versions(tx, &unit.path, day).await?;
        audit(
            tx,
            actor,
            crate::audit::Action::UnitRenamed,
            id,
            json!({"name": unit.name}),
            json!({"name": name}),
        )
        .await?;
        Ok(())
    })
    .await
}

/// Re-roots the subtree of `unit` under `new_parent` as from `day`: one UPDATE over the
/// subtree's paths, and a new version of each unit moved (months before `day` keep the
/// tree they had).
pub(super) async fn reparent(
    tx: &mut PgConnection,
    unit: &Unit,
    new_parent: &Unit,
    day: NaiveDate,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE units
            SET path = $2::text::ltree || subpath(path, nlevel($1::text::ltree) - 1)
          WHERE path <@ $1::text::ltree",
        unit.path,
        new_parent.path
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE units SET parent_id = $2, version = version + 1 WHERE id = $1",
        unit.id,
        new_parent.id
    )
    .execute(&mut *tx)
    .await?;
    let moved = format!(
        "{}.{}",
        new_parent.path,
        unit.path.rsplit('.').next().unwrap_or(&unit.path)
    );
    record_versions(tx, &moved, day).await
}

pub(super) fn check_new_parent(unit: &Unit, parent: &Unit) -> Result<(), OrgRefusal> {
    if crate::auth::path_within(&unit.path, &parent.path) {
        return Err(OrgRefusal::MoveIntoItself);
    }
    if !parent.is_open() {
        return Err(OrgRefusal::NewParentClosed);
    }
    domain::placement_allowed(Some(parent.kind), unit.kind).map_err(|why| why.on("parent"))
}

/// Moves a unit under another as from `day` (today): the months before stay as reported.
pub async fn move_to(
    pool: &PgPool,
    actor: Option<Uuid>,
    id: Uuid,
    version: i32,
    new_parent_id: Uuid,
    day: NaiveDate,
) -> Result<(), StoreError> {
    transaction(pool, async move |tx| {
        let unit = lock_current(tx, id, version).await?;
        if !unit.is_open() {
            return Err(OrgRefusal::MoveClosed.into());
        }
        if unit.parent_id == Some(new_parent_id) {
            return Err(OrgRefusal::AlreadyUnder.into());
        }
        let parent = lock_chosen(tx, new_parent_id, OrgRefusal::NewParentMissing).await?;
        check_new_parent(&unit, &parent)?;
        if open_sibling_named(tx, Some(parent.id), &unit.name, Some(unit.id)).await? {
            return Err(OrgRefusal::NewParentNameTaken.into());
        }
        reparent(tx, &unit, &parent, day).await?;
        audit(
            tx,
            actor,
            crate::audit::Action::UnitMoved,
            id,
            json!({"parent": unit.parent_id}),
            json!({"parent": parent.id}),
        )
        .await?;
        Ok(())
    })
    .await
}

pub(super) async fn open_member_count(
    tx: &mut PgConnection,
    unit: Uuid,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM memberships WHERE unit_id = $1 AND valid_to IS NULL"#,
        unit
    )
    .fetch_one(&mut *tx)
    .await
}

pub(super) async fn open_children(
    tx: &mut PgConnection,
    unit: Uuid,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT id FROM units WHERE parent_id = $1 AND valid_to IS NULL",
        unit
    )
    .fetch_all(&mut *tx)
    .await
}

pub(super) fn check_close_date(unit: &Unit, date: NaiveDate) -> Result<(), OrgRefusal> {
    if date < unit.valid_from {
        return Err(OrgRefusal::ClosedBeforeFounded {
            founded: unit.valid_from,
        });
    }
    Ok(())
}

/// Closes an empty unit (no open units below, no members), naming its successors if any.
pub async fn close(
    pool: &PgPool,
    actor: Option<Uuid>,
    id: Uuid,
    version: i32,
    date: NaiveDate,
    successor_ids: &[Uuid],
) -> Result<(), StoreError> {
    transaction(pool, async move |tx| {
        let unit = lock_current(tx, id, version).await?;
        if !unit.is_open() {
            return Err(OrgRefusal::AlreadyClosed.into());
        }
        check_close_date(&unit, date)?;
        let kids = open_children(tx, id).await?.len();
        if kids > 0 {
            return Err(OrgRefusal::OpenUnitsBelow { count: kids }.into());
        }
        let members = open_member_count(tx, id).await?;
        if members > 0 {
            return Err(OrgRefusal::OpenMembers { count: members }.into());
        }
        for s in successor_ids {
            let succ = lock_chosen(tx, *s, OrgRefusal::SuccessorMissing).await?;
            if succ.id == id || !succ.is_open() {
                return Err(OrgRefusal::SuccessorInvalid.into());
            }
            sqlx::query!(
                "INSERT INTO unit_successors (unit_id, successor_id) VALUES ($1, $2)",
                id,
                succ.id
            )
            .execute(&mut *tx)
            .await?;
        }
        sqlx::query!(
            "UPDATE units SET valid_to = $2, version = version + 1 WHERE id = $1",
            id,
            date
        )
        .execute(&mut *tx)
        .await?;
        audit(
            tx,
            actor,
            crate::audit::Action::UnitClosed,
            id,
            json!(null),
            json!({"date": date, "successors": successor_ids}),
        )
        .await?;
        Ok(())
    })
    .await
}

/// Merges `source` into `target` on `date`: the open units below the source move under the
/// target, its members' open memberships end on `date` and continue in the target from
/// `date` (history kept: the old rows stay, closed), and the source closes naming the
/// target as its successor. Meetings and other records stay with the source.
pub async fn merge(
    pool: &PgPool,
    actor: Option<Uuid>,
    source_id: Uuid,
    version: i32,
    target_id: Uuid,
    date: NaiveDate,
) -> Result<MergeReport, StoreError> {
    transaction(pool, async move |tx| {
        let source = lock_current(tx, source_id, version).await?;
        if !source.is_open() {
            return Err(OrgRefusal::MergeSourceClosed.into());
        }
        let target = lock_chosen(tx, target_id, OrgRefusal::TargetMissing).await?;
        if target.id == source.id || crate::auth::path_within(&source.path, &target.path) {
            return Err(OrgRefusal::MergeIntoItself.into());
        }
        if !target.is_open() {
            return Err(OrgRefusal::TargetClosed.into());
        }
        domain::merge_allowed(source.kind, target.kind)?;
        check_close_date(&source, date)?;
        if date < target.valid_from {
            return Err(OrgRefusal::MergedBeforeTargetFounded {
                founded: target.valid_from,
            }
            .into());
        }
        let latest_join = sqlx::query_scalar!(
            "SELECT max(valid_from) FROM memberships WHERE unit_id = $1 AND valid_to IS NULL",
            source.id
        )
        .fetch_one(&mut *tx)
        .await?;
        if let Some(day) = latest_join.filter(|d| *d > date) {
            return Err(OrgRefusal::MergedBeforeLatestJoin { day }.into());
        }

        let kids = open_children(tx, source.id).await?;
        for kid in &kids {
            let child = lock(tx, *kid).await?;
            domain::placement_allowed(Some(target.kind), child.kind)
                .map_err(|why| why.on("target"))?;
            reparent(tx, &child, &target, date).await?;
        }
        let reference = domain::merge_reference(&source.name, &target.name);
        let moved = sqlx::query_scalar!(
            r#"WITH ended AS (
                   UPDATE memberships SET valid_to = $3
                    WHERE unit_id = $1 AND valid_to IS NULL
                RETURNING member_id, kind)
               INSERT INTO memberships (id, member_id, unit_id, kind, valid_from, reference)
               SELECT uuid_v7(), member_id, $2, kind, $3, $4 FROM ended
               RETURNING member_id"#,
            source.id,
            target.id,
            date,
            reference
        )
        .fetch_all(&mut *tx)
        .await?
        .len();
        sqlx::query!(
            "UPDATE units SET valid_to = $2, version = version + 1 WHERE id = $1",
            source.id,
            date
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "INSERT INTO unit_successors (unit_id, successor_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            source.id,
            target.id
        )
        .execute(&mut *tx)
        .await?;
        audit(
            tx,
            actor,
            crate::audit::Action::UnitMerged,
            source.id,
            json!({"name": source.name}),
            json!({"into": target.id, "date": date, "members_moved": moved, "units_moved": kids.len()}),
        )
        .await?;
        Ok(MergeReport {
            members_moved: moved,
            units_moved: kids.len(),
        })
    })
    .await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeReport {
    pub members_moved: usize,
    pub units_moved: usize,
}
