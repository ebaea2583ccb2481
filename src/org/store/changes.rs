//! Changing the tree: create, rename, move, close and merge units, each with its audit row.

#[allow(unused_imports)]
use super::*;
use crate::org::domain::{self, BranchType, UnitKind};
use chrono::NaiveDate;
use serde_json::json;
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

pub use crate::error::StoreError as OrgError;

pub(super) fn invalid(field: &'static str, message: impl Into<String>) -> OrgError {
    OrgError::invalid(field, message)
}

pub(super) async fn audit(
    tx: &mut Transaction<'_, Postgres>,
    actor: Option<Uuid>,
    action: &str,
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
    tx: &mut Transaction<'_, Postgres>,
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
    .fetch_one(&mut **tx)
    .await
}

pub struct NewUnit {
    pub parent_id: Option<Uuid>,
    pub kind: UnitKind,
    pub branch_type: Option<BranchType>,
    pub name: String,
    pub valid_from: NaiveDate,
}

pub async fn create(pool: &PgPool, actor: Option<Uuid>, new: NewUnit) -> Result<Uuid, OrgError> {
    let mut tx = pool.begin().await?;
    let parent = match new.parent_id {
        Some(id) => Some(lock(&mut tx, id).await?),
        None => None,
    };
    domain::placement_allowed(parent.as_ref().map(|p| p.kind), new.kind)
        .map_err(|m| invalid("kind", m))?;
    if new.kind.is_branch() != new.branch_type.is_some() {
        return Err(invalid(
            "branch_type",
            "Chi bộ phải có loại hình; đơn vị khác thì không.",
        ));
    }
    if let Some(p) = &parent {
        if !p.is_open() {
            return Err(invalid("parent", "Đơn vị cấp trên đã ngừng hoạt động."));
        }
        if new.valid_from < p.valid_from {
            return Err(invalid(
                "valid_from",
                format!(
                    "Ngày thành lập không thể trước ngày thành lập của đơn vị cấp trên ({}).",
                    crate::web::vn_date(p.valid_from)
                ),
            ));
        }
    }
    if open_sibling_named(&mut tx, new.parent_id, &new.name, None).await? {
        return Err(invalid(
            "name",
            "Đã có đơn vị đang hoạt động cùng tên ở cấp này.",
        ));
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
        &mut tx,
        actor,
        "unit_created",
        id,
        json!(null),
        json!({"name": new.name, "parent": new.parent_id}),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn rename(
    pool: &PgPool,
    actor: Option<Uuid>,
    id: Uuid,
    version: i32,
    name: &str,
) -> Result<(), OrgError> {
    let mut tx = pool.begin().await?;
    let unit = lock(&mut tx, id).await?;
    if unit.version != version {
        return Err(OrgError::Stale);
    }
    if unit.name == name {
        return Err(invalid("name", "Tên mới trùng với tên hiện tại."));
    }
    if unit.is_open() && open_sibling_named(&mut tx, unit.parent_id, name, Some(id)).await? {
        return Err(invalid(
            "name",
            "Đã có đơn vị đang hoạt động cùng tên ở cấp này.",
        ));
    }
    sqlx::query!(
        "UPDATE units SET name = $2, version = version + 1 WHERE id = $1",
        id,
        name
    )
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        actor,
        "unit_renamed",
        id,
        json!({"name": unit.name}),
        json!({"name": name}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Re-roots the subtree of `unit` under `new_parent`: one UPDATE over the subtree's paths.
pub(super) async fn reparent(
    tx: &mut Transaction<'_, Postgres>,
    unit: &Unit,
    new_parent: &Unit,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE units
            SET path = $2::text::ltree || subpath(path, nlevel($1::text::ltree) - 1)
          WHERE path <@ $1::text::ltree",
        unit.path,
        new_parent.path
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "UPDATE units SET parent_id = $2, version = version + 1 WHERE id = $1",
        unit.id,
        new_parent.id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(super) fn check_new_parent(unit: &Unit, parent: &Unit) -> Result<(), OrgError> {
    if crate::auth::path_within(&unit.path, &parent.path) {
        return Err(invalid(
            "parent",
            "Không thể chuyển một đơn vị vào chính nó hoặc vào đơn vị trực thuộc nó.",
        ));
    }
    if !parent.is_open() {
        return Err(invalid("parent", "Đơn vị cấp trên mới đã ngừng hoạt động."));
    }
    domain::placement_allowed(Some(parent.kind), unit.kind).map_err(|m| invalid("parent", m))
}

pub async fn move_to(
    pool: &PgPool,
    actor: Option<Uuid>,
    id: Uuid,
    version: i32,
    new_parent_id: Uuid,
) -> Result<(), OrgError> {
    let mut tx = pool.begin().await?;
    let unit = lock(&mut tx, id).await?;
    if unit.version != version {
        return Err(OrgError::Stale);
    }
    if !unit.is_open() {
        return Err(invalid(
            "parent",
            "Đơn vị đã ngừng hoạt động, không chuyển được.",
        ));
    }
    if unit.parent_id == Some(new_parent_id) {
        return Err(invalid("parent", "Đơn vị đã trực thuộc đơn vị này."));
    }
    let parent = lock(&mut tx, new_parent_id).await.map_err(|e| match e {
        OrgError::NotFound => invalid("parent", "Không tìm thấy đơn vị cấp trên mới."),
        other => other,
    })?;
    check_new_parent(&unit, &parent)?;
    if open_sibling_named(&mut tx, Some(parent.id), &unit.name, Some(unit.id)).await? {
        return Err(invalid(
            "parent",
            "Đơn vị cấp trên mới đã có đơn vị cùng tên.",
        ));
    }
    reparent(&mut tx, &unit, &parent).await?;
    audit(
        &mut tx,
        actor,
        "unit_moved",
        id,
        json!({"parent": unit.parent_id}),
        json!({"parent": parent.id}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn open_member_count(
    tx: &mut Transaction<'_, Postgres>,
    unit: Uuid,
) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM memberships WHERE unit_id = $1 AND valid_to IS NULL"#,
        unit
    )
    .fetch_one(&mut **tx)
    .await
}

pub(super) async fn open_children(
    tx: &mut Transaction<'_, Postgres>,
    unit: Uuid,
) -> Result<Vec<Uuid>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT id FROM units WHERE parent_id = $1 AND valid_to IS NULL",
        unit
    )
    .fetch_all(&mut **tx)
    .await
}

pub(super) fn check_close_date(unit: &Unit, date: NaiveDate) -> Result<(), OrgError> {
    if date < unit.valid_from {
        return Err(invalid(
            "date",
            format!(
                "Ngày ngừng hoạt động không thể trước ngày thành lập ({}).",
                crate::web::vn_date(unit.valid_from)
            ),
        ));
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
) -> Result<(), OrgError> {
    let mut tx = pool.begin().await?;
    let unit = lock(&mut tx, id).await?;
    if unit.version != version {
        return Err(OrgError::Stale);
    }
    if !unit.is_open() {
        return Err(invalid("date", "Đơn vị đã ngừng hoạt động từ trước."));
    }
    check_close_date(&unit, date)?;
    let kids = open_children(&mut tx, id).await?.len();
    if kids > 0 {
        return Err(invalid(
            "date",
            format!(
                "Còn {kids} đơn vị trực thuộc đang hoạt động: hãy chuyển hoặc sáp nhập chúng trước."
            ),
        ));
    }
    let members = open_member_count(&mut tx, id).await?;
    if members > 0 {
        return Err(invalid(
            "date",
            format!(
                "Còn {members} đảng viên đang sinh hoạt: hãy sáp nhập đơn vị (đảng viên được chuyển theo) hoặc chuyển sinh hoạt cho họ trước."
            ),
        ));
    }
    for s in successor_ids {
        let succ = lock(&mut tx, *s).await.map_err(|e| match e {
            OrgError::NotFound => invalid("successors", "Không tìm thấy đơn vị kế thừa."),
            other => other,
        })?;
        if succ.id == id || !succ.is_open() {
            return Err(invalid(
                "successors",
                "Đơn vị kế thừa phải là đơn vị khác, đang hoạt động.",
            ));
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
        &mut tx,
        actor,
        "unit_closed",
        id,
        json!(null),
        json!({"date": date, "successors": successor_ids}),
    )
    .await?;
    tx.commit().await?;
    Ok(())
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
) -> Result<MergeReport, OrgError> {
    let mut tx = pool.begin().await?;
    let source = lock(&mut tx, source_id).await?;
    if source.version != version {
        return Err(OrgError::Stale);
    }
    if !source.is_open() {
        return Err(invalid("target", "Đơn vị này đã ngừng hoạt động."));
    }
    let target = lock(&mut tx, target_id).await.map_err(|e| match e {
        OrgError::NotFound => invalid("target", "Không tìm thấy đơn vị nhận sáp nhập."),
        other => other,
    })?;
    if target.id == source.id || crate::auth::path_within(&source.path, &target.path) {
        return Err(invalid(
            "target",
            "Không thể sáp nhập một đơn vị vào chính nó hoặc vào đơn vị trực thuộc nó.",
        ));
    }
    if !target.is_open() {
        return Err(invalid(
            "target",
            "Đơn vị nhận sáp nhập đã ngừng hoạt động.",
        ));
    }
    domain::merge_allowed(source.kind, target.kind).map_err(|m| invalid("target", m))?;
    check_close_date(&source, date)?;
    if date < target.valid_from {
        return Err(invalid(
            "date",
            format!(
                "Ngày sáp nhập không thể trước ngày thành lập của đơn vị nhận ({}).",
                crate::web::vn_date(target.valid_from)
            ),
        ));
    }
    let latest_join = sqlx::query_scalar!(
        "SELECT max(valid_from) FROM memberships WHERE unit_id = $1 AND valid_to IS NULL",
        source.id
    )
    .fetch_one(&mut *tx)
    .await?;
    if let Some(latest) = latest_join.filter(|d| *d > date) {
        return Err(invalid(
            "date",
            format!(
                "Ngày sáp nhập không thể trước ngày {} (có đảng viên bắt đầu sinh hoạt ngày đó).",
                crate::web::vn_date(latest)
            ),
        ));
    }

    let kids = open_children(&mut tx, source.id).await?;
    for kid in &kids {
        let child = lock(&mut tx, *kid).await?;
        domain::placement_allowed(Some(target.kind), child.kind)
            .map_err(|m| invalid("target", m))?;
        reparent(&mut tx, &child, &target).await?;
    }
    let reference = format!("Sáp nhập {} vào {}", source.name, target.name);
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
        &mut tx,
        actor,
        "unit_merged",
        source.id,
        json!({"name": source.name}),
        json!({"into": target.id, "date": date, "members_moved": moved, "units_moved": kids.len()}),
    )
    .await?;
    tx.commit().await?;
    Ok(MergeReport {
        members_moved: moved,
        units_moved: kids.len(),
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MergeReport {
    pub members_moved: usize,
    pub units_moved: usize,
}
