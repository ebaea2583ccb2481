//! Reading the tree: a unit, its subtree, ancestors, children, predecessors and successors.

#[allow(unused_imports)]
use super::*;
use crate::error::StoreError;
use crate::org::domain::{BranchType, UnitKind};
use chrono::NaiveDate;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

#[derive(Debug, Clone)]
pub struct Unit {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub path: String,
    pub kind: UnitKind,
    pub branch_type: Option<BranchType>,
    pub name: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub version: i32,
}

impl Unit {
    pub fn is_open(&self) -> bool {
        self.valid_to.is_none()
    }

    pub fn depth(&self) -> usize {
        self.path.split('.').count()
    }
}

pub(super) struct UnitRow {
    pub(super) id: Uuid,
    pub(super) parent_id: Option<Uuid>,
    pub(super) path: String,
    pub(super) kind: String,
    pub(super) branch_type: Option<String>,
    pub(super) name: String,
    pub(super) valid_from: NaiveDate,
    pub(super) valid_to: Option<NaiveDate>,
    pub(super) version: i32,
}

impl From<UnitRow> for Unit {
    fn from(r: UnitRow) -> Self {
        Unit {
            id: r.id,
            parent_id: r.parent_id,
            path: r.path,
            // The table's CHECK constraints admit only known codes.
            kind: UnitKind::parse(&r.kind).unwrap_or(UnitKind::Branch),
            branch_type: r.branch_type.as_deref().and_then(BranchType::parse),
            name: r.name,
            valid_from: r.valid_from,
            valid_to: r.valid_to,
            version: r.version,
        }
    }
}

pub async fn get(pool: &PgPool, id: Uuid) -> Result<Option<Unit>, sqlx::Error> {
    let row = sqlx::query_as!(
        UnitRow,
        r#"SELECT id, parent_id, path::text AS "path!", kind, branch_type, name, valid_from, valid_to, version
             FROM units WHERE id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await?;
    Ok(row.map(Unit::from))
}

/// Locks the unit's row for the change under way (`NotFound` when there is none).
pub(super) async fn lock(tx: &mut PgConnection, id: Uuid) -> Result<Unit, StoreError> {
    let row = sqlx::query_as!(
        UnitRow,
        r#"SELECT id, parent_id, path::text AS "path!", kind, branch_type, name, valid_from, valid_to, version
             FROM units WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(&mut *tx)
    .await?;
    row.map(Unit::from).ok_or(StoreError::NotFound)
}

/// The unit and every unit below it, open or closed, in tree order: one index scan.
pub async fn subtree(pool: &PgPool, root_path: &str) -> Result<Vec<Unit>, sqlx::Error> {
    let rows = sqlx::query_as!(
        UnitRow,
        r#"SELECT id, parent_id, path::text AS "path!", kind, branch_type, name, valid_from, valid_to, version
             FROM units WHERE path <@ $1::text::ltree ORDER BY path"#,
        root_path
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Unit::from).collect())
}

/// The branches under the unit at `root` in the tree as it stood `on` that were open at
/// some point in [from, to), with their place and name of that day.
pub async fn branches_open_between(
    pool: &PgPool,
    root: Uuid,
    from: NaiveDate,
    to: NaiveDate,
    on: NaiveDate,
) -> Result<Vec<Unit>, sqlx::Error> {
    let rows = sqlx::query_as!(
        UnitRow,
        r#"WITH root AS (SELECT path FROM units_on($4) WHERE id = $1)
           SELECT u.id AS "id!", u.parent_id, u.path::text AS "path!", u.kind AS "kind!", u.branch_type,
                  u.name AS "name!", u.valid_from AS "valid_from!", u.valid_to, now.version
             FROM units_on($4) u JOIN units now ON now.id = u.id, root
            WHERE u.path <@ root.path AND u.kind IN ('branch', 'grassroots_branch')
              AND u.valid_from < $3 AND (u.valid_to IS NULL OR u.valid_to > $2)
            ORDER BY u.name COLLATE "vi-VN-x-icu""#,
        root,
        from,
        to,
        on
    )
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(Unit::from).collect())
}

/// A unit's name, and its parent's, as they were `on` (a document of a past month is
/// headed with the names of that month); `None` before the unit was founded.
pub async fn names_on(
    pool: &PgPool,
    id: Uuid,
    on: NaiveDate,
) -> Result<Option<(String, String)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"SELECT u.name AS "name!", coalesce(p.name, '') AS "parent!"
             FROM units_on($2) u LEFT JOIN units_on($2) p ON p.id = u.parent_id
            WHERE u.id = $1"#,
        id,
        on
    )
    .fetch_optional(pool)
    .await?
    .map(|r| (r.name, r.parent)))
}

/// One unit of a document's chain: its name and kind code.
pub struct ChainLink {
    pub name: String,
    pub kind: String,
}

/// A unit and those above it, the unit first, named as they were `on`; as they are now for
/// a day before the unit was founded.
pub async fn chain_on(
    pool: &PgPool,
    id: Uuid,
    on: NaiveDate,
) -> Result<Vec<ChainLink>, sqlx::Error> {
    let dated = sqlx::query_as!(
        ChainLink,
        r#"SELECT a.name AS "name!", a.kind AS "kind!"
             FROM units_on($2) u JOIN units_on($2) a ON a.path @> u.path
            WHERE u.id = $1
            ORDER BY nlevel(a.path) DESC"#,
        id,
        on
    )
    .fetch_all(pool)
    .await?;
    if !dated.is_empty() {
        return Ok(dated);
    }
    sqlx::query_as!(
        ChainLink,
        r#"SELECT a.name, a.kind
             FROM units u JOIN units a ON a.path @> u.path
            WHERE u.id = $1
            ORDER BY nlevel(a.path) DESC"#,
        id
    )
    .fetch_all(pool)
    .await
}

/// A committee under a report's unit, as named on the report's day.
pub struct Committee {
    pub path: String,
    pub name: String,
}

/// The committees (every unit but branches and cells) below `root` as the tree stood `on`,
/// by name in Vietnamese order: a report groups its branches under them.
pub async fn committees_under_on(
    pool: &PgPool,
    root: Uuid,
    on: NaiveDate,
) -> Result<Vec<Committee>, sqlx::Error> {
    sqlx::query_as!(
        Committee,
        r#"SELECT u.path::text AS "path!", u.name AS "name!"
             FROM units_on($2) u, (SELECT path FROM units_on($2) WHERE id = $1) root
            WHERE u.path <@ root.path AND u.path <> root.path
              AND u.kind NOT IN ('branch', 'grassroots_branch', 'cell')
            ORDER BY u.name COLLATE "vi-VN-x-icu", u.path"#,
        root,
        on
    )
    .fetch_all(pool)
    .await
}

/// The top-level units (a system-wide administrator starts from them).
pub async fn top_units(pool: &PgPool) -> Result<Vec<Link>, sqlx::Error> {
    sqlx::query_as!(
        Link,
        r#"SELECT id, name FROM units WHERE parent_id IS NULL ORDER BY name COLLATE "vi-VN-x-icu""#
    )
    .fetch_all(pool)
    .await
}

/// The paths of the top units (no parent): what an installation's administrator covers.
pub async fn top_unit_paths(pool: &PgPool) -> Result<Vec<String>, sqlx::Error> {
    sqlx::query_scalar!(r#"SELECT path::text AS "path!" FROM units WHERE parent_id IS NULL"#)
        .fetch_all(pool)
        .await
}

pub struct Crumb {
    pub id: Uuid,
    pub name: String,
    pub path: String,
}

/// The unit's ancestors from the top, the unit itself last.
pub async fn ancestors(pool: &PgPool, path: &str) -> Result<Vec<Crumb>, sqlx::Error> {
    sqlx::query_as!(
        Crumb,
        r#"SELECT id, name, path::text AS "path!" FROM units
            WHERE path @> $1::text::ltree ORDER BY nlevel(path)"#,
        path
    )
    .fetch_all(pool)
    .await
}

pub struct ChildRow {
    pub id: Uuid,
    pub name: String,
    pub kind: String,
    pub branch_type: Option<String>,
    pub valid_to: Option<NaiveDate>,
    /// Open branches in the child's subtree (the child itself included).
    pub branches: i64,
    /// Open permanent memberships in the child's subtree.
    pub members: i64,
}

/// The units directly below, each with its open branches and members, in one query: the
/// parent's subtree is read once through the path index, members are counted per unit from
/// a partial index, and the counts are summed up each child's subtree.
pub async fn children(pool: &PgPool, parent: &Unit) -> Result<Vec<ChildRow>, sqlx::Error> {
    sqlx::query_as!(
        ChildRow,
        r#"WITH kids AS (SELECT id, name, kind, branch_type, valid_to, path FROM units WHERE parent_id = $1),
                sub AS (SELECT id, path, kind, valid_to FROM units
                         WHERE path <@ $2::text::ltree AND id <> $1),
                per_unit AS (SELECT unit_id, count(*) AS n FROM memberships
                              WHERE valid_to IS NULL AND kind = 'permanent'
                                AND unit_id IN (SELECT id FROM sub)
                              GROUP BY unit_id),
                agg AS (SELECT k.id,
                               count(*) FILTER (WHERE s.kind IN ('branch', 'grassroots_branch')
                                                  AND s.valid_to IS NULL) AS branches,
                               coalesce(sum(p.n), 0)::bigint AS members
                          FROM kids k JOIN sub s ON s.path <@ k.path
                          LEFT JOIN per_unit p ON p.unit_id = s.id
                         GROUP BY k.id)
           SELECT k.id, k.name, k.kind, k.branch_type, k.valid_to,
                  coalesce(a.branches, 0) AS "branches!", coalesce(a.members, 0) AS "members!"
             FROM kids k LEFT JOIN agg a ON a.id = k.id
            ORDER BY k.valid_to IS NOT NULL, k.name COLLATE "vi-VN-x-icu""#,
        parent.id,
        parent.path
    )
    .fetch_all(pool)
    .await
}

pub struct Link {
    pub id: Uuid,
    pub name: String,
}

/// The units a unit was merged into (its successors) and those merged into it (its
/// predecessors), each by name: one statement for both.
pub async fn lineage(pool: &PgPool, id: Uuid) -> Result<(Vec<Link>, Vec<Link>), sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT true AS "successor!", u.id AS "id!", u.name AS "name!"
             FROM unit_successors s JOIN units u ON u.id = s.successor_id WHERE s.unit_id = $1
           UNION ALL
           SELECT false, u.id, u.name
             FROM unit_successors s JOIN units u ON u.id = s.unit_id WHERE s.successor_id = $1
           ORDER BY 3"#,
        id
    )
    .fetch_all(pool)
    .await?;
    let (mut after, mut before) = (Vec::new(), Vec::new());
    for r in rows {
        let link = Link {
            id: r.id,
            name: r.name,
        };
        if r.successor {
            after.push(link);
        } else {
            before.push(link);
        }
    }
    Ok((after, before))
}

/// Open units under any of `root_paths` (all units when `None`), committees only if asked,
/// by name: the choices of the move, merge and close forms.
pub async fn open_units_under(
    pool: &PgPool,
    root_paths: Option<&[String]>,
    committees_only: bool,
) -> Result<Vec<(Unit, String)>, sqlx::Error> {
    let roots: Vec<String> = root_paths.map(<[String]>::to_vec).unwrap_or_default();
    let rows = sqlx::query!(
        r#"SELECT u.id, u.parent_id, u.path::text AS "path!", u.kind, u.branch_type, u.name, u.valid_from,
                  u.valid_to, u.version, coalesce(p.name, '') AS "parent_name!"
             FROM units u LEFT JOIN units p ON p.id = u.parent_id
            WHERE u.valid_to IS NULL
              AND ($1 OR u.path <@ ANY($2::text[]::ltree[]))
              AND (NOT $3 OR u.kind NOT IN ('branch', 'grassroots_branch', 'cell'))
            ORDER BY u.name COLLATE "vi-VN-x-icu""#,
        root_paths.is_none(),
        &roots,
        committees_only
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let unit = Unit::from(UnitRow {
                id: r.id,
                parent_id: r.parent_id,
                path: r.path,
                kind: r.kind,
                branch_type: r.branch_type,
                name: r.name,
                valid_from: r.valid_from,
                valid_to: r.valid_to,
                version: r.version,
            });
            (unit, r.parent_name)
        })
        .collect())
}

/// A unit's "Lịch sử", newest first, the latest `limit` rows: the audit rows of the unit
/// (its creation, renames, moves, closing and merging, its monthly reports, its thematic
/// plan) and of the model meetings it hosts or runs.
pub async fn history(
    pool: &PgPool,
    unit: Uuid,
    limit: i64,
) -> Result<Vec<crate::audit::Row>, sqlx::Error> {
    sqlx::query_as!(
        crate::audit::Row,
        r#"SELECT source AS "source!", code AS "code!", note, before, after, user_name, at AS "at!"
             FROM (SELECT 'audit' AS source, a.action AS code, NULL::text AS note, a.before, a.after,
                          u.display_name AS user_name, a.at
                     FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
                    WHERE a.entity = 'unit' AND a.entity_id = $1
                   UNION ALL
                   SELECT 'audit', a.action, b.name, a.before, a.after, u.display_name, a.at
                     FROM model_meetings p
                     JOIN units b ON b.id = p.branch_id
                     JOIN audit_log a ON a.entity = 'model_meeting' AND a.entity_id = p.id
                     LEFT JOIN users u ON u.id = a.user_id
                    WHERE p.branch_id = $1 OR p.programme_unit = $1) h
            ORDER BY at DESC LIMIT $2"#,
        unit,
        limit
    )
    .fetch_all(pool)
    .await
}
