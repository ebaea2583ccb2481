//! The rubric registry: rubrics as stored, which one is in force for a meeting, drafting,
//! editing and publishing a version (each change with its audit row), the scopes offered.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::json_of;
use crate::audit;
use crate::db::transaction;
use crate::error::StoreError;
use crate::evaluation::domain::{Candidate, RubricRefusal, RubricStatus, applicable};
use crate::evaluation::rubric::{Rubric, Sheet};

/// A rubric as stored: the document plus its registry fields.
#[derive(Debug, Clone)]
pub struct StoredRubric {
    pub id: Uuid,
    pub version: i32,
    pub status: RubricStatus,
    pub scope_unit_id: Option<Uuid>,
    pub scope_name: Option<String>,
    pub lock_version: i32,
    pub published_at: Option<DateTime<Utc>>,
    /// How many sheets were scored with it (counted for the registry's pages only).
    pub uses: Option<i64>,
    pub rubric: Rubric,
}

impl StoredRubric {
    pub fn is_draft(&self) -> bool {
        self.status == RubricStatus::Draft
    }
}

struct RubricRow {
    id: Uuid,
    code: String,
    version: i32,
    title: String,
    legal_basis: String,
    issuer: String,
    description: String,
    kinds: Vec<String>,
    scope_unit_id: Option<Uuid>,
    scope_name: Option<String>,
    effective_from: NaiveDate,
    effective_to: Option<NaiveDate>,
    status: RubricStatus,
    sheet: serde_json::Value,
    lock_version: i32,
    published_at: Option<DateTime<Utc>>,
    uses: Option<i64>,
}

impl TryFrom<RubricRow> for StoredRubric {
    type Error = sqlx::Error;

    fn try_from(r: RubricRow) -> Result<Self, sqlx::Error> {
        let sheet: Sheet =
            serde_json::from_value(r.sheet).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        Ok(StoredRubric {
            id: r.id,
            version: r.version,
            status: r.status,
            scope_unit_id: r.scope_unit_id,
            scope_name: r.scope_name,
            lock_version: r.lock_version,
            published_at: r.published_at,
            uses: r.uses,
            rubric: Rubric {
                code: r.code,
                title: r.title,
                legal_basis: r.legal_basis,
                issuer: r.issuer,
                description: r.description,
                kinds: r.kinds,
                effective_from: r.effective_from,
                effective_to: r.effective_to,
                total: sheet.total,
                minimum_minutes: sheet.minimum_minutes,
                groups: sheet.groups,
                bands: sheet.bands,
                gates: sheet.gates,
                annual: sheet.annual,
            },
        })
    }
}

pub async fn rubric(pool: &PgPool, id: Uuid) -> Result<Option<StoredRubric>, sqlx::Error> {
    sqlx::query_as!(
        RubricRow,
        r#"SELECT r.id, r.code, r.version, r.title, r.legal_basis, r.issuer, r.description, r.kinds,
                  r.scope_unit_id, coalesce(u.name, r.scope_province) AS "scope_name?", r.effective_from, r.effective_to, r.status AS "status: RubricStatus",
                  r.sheet, r.lock_version, r.published_at, NULL::int8 AS "uses?"
             FROM rubrics r LEFT JOIN units u ON u.id = r.scope_unit_id
            WHERE r.id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await?
    .map(StoredRubric::try_from)
    .transpose()
}

pub async fn rubrics(pool: &PgPool) -> Result<Vec<StoredRubric>, sqlx::Error> {
    sqlx::query_as!(
        RubricRow,
        r#"SELECT r.id, r.code, r.version, r.title, r.legal_basis, r.issuer, r.description, r.kinds,
                  r.scope_unit_id, coalesce(u.name, r.scope_province) AS "scope_name?", r.effective_from, r.effective_to, r.status AS "status: RubricStatus",
                  r.sheet, r.lock_version, r.published_at,
                  (SELECT count(*) FROM evaluations e WHERE e.rubric_id = r.id) AS "uses?"
             FROM rubrics r LEFT JOIN units u ON u.id = r.scope_unit_id
            ORDER BY r.effective_from DESC, r.code, r.version DESC"#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(StoredRubric::try_from)
    .collect()
}

/// How many sheets were scored with a rubric.
pub async fn uses(pool: &PgPool, id: Uuid) -> Result<i64, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM evaluations WHERE rubric_id = $1"#,
        id
    )
    .fetch_one(pool)
    .await
}

/// The rubric in force for a meeting of this kind on this day at this unit: published,
/// covering the kind and the day; a rubric of the unit's own province (or any unit above
/// it) wins over a national one, the nearest scope first.
pub async fn rubric_in_force(
    pool: &PgPool,
    unit_id: Uuid,
    kind: &str,
    day: NaiveDate,
) -> Result<Option<StoredRubric>, sqlx::Error> {
    match rubric_ids_in_force(pool, &[(unit_id, kind.to_owned(), day)]).await?[0] {
        Some(id) => rubric(pool, id).await,
        None => Ok(None),
    }
}

/// The rubric in force for each (unit, kind, day): the candidates of every unit read in one
/// query (for a page, or for the demo history's thousands of meetings), the choice made by
/// the one rule (`domain::applicable`).
pub async fn rubric_ids_in_force(
    pool: &PgPool,
    wanted: &[(Uuid, String, NaiveDate)],
) -> Result<Vec<Option<Uuid>>, sqlx::Error> {
    let mut units: Vec<Uuid> = wanted.iter().map(|w| w.0).collect();
    units.sort();
    units.dedup();
    let mut by_unit: HashMap<Uuid, Vec<Candidate>> = HashMap::new();
    for (unit, a) in applying(pool, &units).await? {
        by_unit.entry(unit).or_default().push(a.candidate);
    }
    Ok(wanted
        .iter()
        .map(|(unit, kind, day)| {
            by_unit
                .get(unit)
                .and_then(|c| applicable(c, kind, *day).0.map(|c| c.id))
        })
        .collect())
}

/// A published rubric that may apply to a unit, with what its timeline shows.
#[derive(Debug, Clone)]
pub struct Applying {
    pub candidate: Candidate,
    pub code: String,
    pub version: i32,
    pub title: String,
}

/// The published rubrics whose scope covers each unit (national ones, and those of the unit
/// or a unit above it), oldest first.
pub async fn applying(pool: &PgPool, units: &[Uuid]) -> Result<Vec<(Uuid, Applying)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"SELECT target.id AS "unit!", r.id, r.code, r.version, r.title, r.kinds,
                  r.effective_from, r.effective_to, nlevel(s.path) AS "depth?", s.name AS "scope_name?"
             FROM units target
             JOIN rubrics r ON r.status = 'published'
             LEFT JOIN units s ON s.id = r.scope_unit_id
            WHERE target.id = ANY($1)
              AND (r.scope_unit_id IS NULL OR s.path @> target.path)
            ORDER BY r.effective_from, r.code, r.version"#,
        units
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| {
        (
            r.unit,
            Applying {
                candidate: Candidate {
                    id: r.id,
                    scope_depth: r.depth,
                    scope_name: r.scope_name,
                    kinds: r.kinds,
                    effective_from: r.effective_from,
                    effective_to: r.effective_to,
                },
                code: r.code,
                version: r.version,
                title: r.title,
            },
        )
    })
    .collect())
}

/// The audit row of a change to the rubric registry.
async fn rubric_audit(
    tx: &mut PgConnection,
    user: Uuid,
    rubric: Uuid,
    action: audit::Action,
    after: serde_json::Value,
) -> Result<(), sqlx::Error> {
    audit::record(
        tx,
        audit::Entry {
            user: Some(user),
            action,
            entity: "rubric",
            entity_id: Some(rubric),
            before: None,
            after: Some(after),
        },
    )
    .await
}

/// Versions of one code are numbered and published in order: the lock keeps two changes
/// to the same code apart until the first commits.
async fn lock_code(tx: &mut PgConnection, code: &str) -> Result<(), sqlx::Error> {
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext($1))", code)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Writes a new draft (a new rubric, or a new version of an existing code). Nothing in
/// the registry refuses a draft: only the database can fail.
pub async fn create_draft(
    pool: &PgPool,
    r: &Rubric,
    scope: Option<Uuid>,
    user: Uuid,
) -> Result<Uuid, sqlx::Error> {
    let sheet = json_of(&r.sheet())?;
    transaction(pool, async move |tx| {
        lock_code(tx, &r.code).await?;
        let id = sqlx::query_scalar!(
            "INSERT INTO rubrics (code, version, title, legal_basis, issuer, description, kinds,
                                  scope_unit_id, effective_from, effective_to, status, sheet, created_by)
             VALUES ($1, (SELECT coalesce(max(version), 0) + 1 FROM rubrics WHERE code = $1),
                     $2, $3, $4, $5, $6, $7, $8, $9, 'draft', $10, $11)
             RETURNING id",
            r.code,
            r.title,
            r.legal_basis,
            r.issuer,
            r.description,
            &r.kinds,
            scope,
            r.effective_from,
            r.effective_to,
            sheet,
            user
        )
        .fetch_one(&mut *tx)
        .await?;
        rubric_audit(tx, user, id, audit::Action::RubricDrafted, json!({ "code": r.code })).await?;
        Ok(id)
    })
    .await
}

/// A rubric's registry row, locked for a change.
struct Locked {
    status: RubricStatus,
    lock_version: i32,
    code: String,
    scope_unit_id: Option<Uuid>,
    effective_from: NaiveDate,
    effective_to: Option<NaiveDate>,
}

async fn lock_rubric(tx: &mut PgConnection, id: Uuid) -> Result<Locked, StoreError> {
    sqlx::query_as!(
        Locked,
        r#"SELECT status AS "status: RubricStatus", lock_version, code, scope_unit_id, effective_from, effective_to
             FROM rubrics WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound)
}

/// Replaces a draft's content. Published rubrics are never edited: a change is a new version.
pub async fn update_draft(
    pool: &PgPool,
    id: Uuid,
    r: &Rubric,
    scope: Option<Uuid>,
    lock_version: i32,
    user: Uuid,
) -> Result<(), StoreError> {
    let sheet = json_of(&r.sheet())?;
    transaction(pool, async move |tx| {
        let cur = lock_rubric(tx, id).await?;
        if cur.status != RubricStatus::Draft {
            return Err(RubricRefusal::Published.into());
        }
        if cur.lock_version != lock_version {
            return Err(StoreError::Stale);
        }
        if cur.code != r.code {
            return Err(RubricRefusal::CodeChanged { code: cur.code }.into());
        }
        sqlx::query!(
            "UPDATE rubrics
                SET title = $2, legal_basis = $3, issuer = $4, description = $5, kinds = $6,
                    scope_unit_id = $7, effective_from = $8, effective_to = $9, sheet = $10,
                    lock_version = lock_version + 1
              WHERE id = $1",
            id,
            r.title,
            r.legal_basis,
            r.issuer,
            r.description,
            &r.kinds,
            scope,
            r.effective_from,
            r.effective_to,
            sheet
        )
        .execute(&mut *tx)
        .await?;
        rubric_audit(
            tx,
            user,
            id,
            audit::Action::RubricEdited,
            json!({ "title": r.title }),
        )
        .await?;
        Ok(())
    })
    .await
}

/// Publishes a draft from a date (`from`, else its own effective date). The version of the
/// same code and scope in force on that day ends the day before, with its own audit row; a
/// date on or before the start of a published version is refused, because meetings already
/// scored with it must keep it. The registry's lock keeps two publications of one code
/// apart, and the exclusion constraint `rubrics_published_periods` guarantees the timeline.
pub async fn publish(
    pool: &PgPool,
    id: Uuid,
    lock_version: i32,
    from: Option<NaiveDate>,
    user: Uuid,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    transaction(pool, async move |tx| {
        let cur = lock_rubric(tx, id).await?;
        if cur.lock_version != lock_version {
            return Err(StoreError::Stale);
        }
        if cur.status != RubricStatus::Draft {
            return Err(RubricRefusal::AlreadyPublished.into());
        }
        let from = from.unwrap_or(cur.effective_from);
        if let Some(to) = cur.effective_to
            && to < from
        {
            return Err(RubricRefusal::EndsBeforeStart { from, to }.into());
        }
        lock_code(tx, &cur.code).await?;
        let later = sqlx::query_scalar!(
            "SELECT effective_from FROM rubrics
              WHERE code = $1 AND status = 'published' AND scope_unit_id IS NOT DISTINCT FROM $2
                AND effective_from >= $3
              ORDER BY effective_from DESC LIMIT 1",
            cur.code,
            cur.scope_unit_id,
            from
        )
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(from) = later {
            return Err(RubricRefusal::LaterVersion { from }.into());
        }
        let day_before = from.pred_opt().expect("a date after year 1");
        let ended = sqlx::query!(
            "UPDATE rubrics r SET effective_to = $4
               FROM (SELECT id, effective_to FROM rubrics
                      WHERE code = $1 AND status = 'published' AND scope_unit_id IS NOT DISTINCT FROM $2
                        AND effective_from < $3 AND (effective_to IS NULL OR effective_to >= $3)
                      FOR UPDATE) old
              WHERE r.id = old.id
             RETURNING r.id, r.version, old.effective_to AS previous_to",
            cur.code,
            cur.scope_unit_id,
            from,
            day_before
        )
        .fetch_all(&mut *tx)
        .await?;
        for e in ended {
            rubric_audit(
                tx,
                user,
                e.id,
                audit::Action::RubricEnded,
                json!({ "version": e.version, "effective_to": day_before,
                        "previous_effective_to": e.previous_to, "by_rubric": id }),
            )
            .await?;
        }
        sqlx::query!(
            "UPDATE rubrics SET status = 'published', published_at = $3, published_by = $2,
                                effective_from = $4, lock_version = lock_version + 1
              WHERE id = $1",
            id,
            user,
            at,
            from
        )
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::on_constraint(
                e,
                &[(
                    "rubrics_published_periods",
                    RubricRefusal::LaterVersion { from },
                )],
            )
        })?;
        rubric_audit(
            tx,
            user,
            id,
            audit::Action::RubricPublished,
            json!({ "effective_from": from }),
        )
        .await?;
        Ok(())
    })
    .await
}

/// Units a rubric may be limited to: provinces (and the other units directly under none).
pub async fn scope_choices(pool: &PgPool) -> Result<Vec<(Uuid, String, String)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"SELECT id, name, path::text AS "path!" FROM units WHERE nlevel(path) = 1 AND valid_to IS NULL
            ORDER BY name COLLATE "vi-VN-x-icu""#
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.id, r.name, r.path))
    .collect())
}
