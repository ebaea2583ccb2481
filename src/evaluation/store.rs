//! SQL for rubrics and evaluations: which rubric is in force for a meeting, the figures a
//! meeting record gives, saving a score and moving it through the review.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::json;
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use super::domain::{RubricStatus, Scorer, SheetEvent, SheetState, Step};
use super::rubric::{Rubric, Sheet};
use super::scoring::{Item, Record, Scored};
use crate::error::StoreError;
use crate::meetings::domain::{MeetingKind, MeetingState};
use crate::meetings::store::Meeting;

/// JSON for a column; a value that cannot be written is a database-side error.
fn json_of<T: serde::Serialize>(v: &T) -> Result<serde_json::Value, StoreError> {
    serde_json::to_value(v).map_err(|e| StoreError::Db(sqlx::Error::Decode(Box::new(e))))
}

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

    pub fn period_label(&self) -> String {
        let from = crate::web::vn_date(self.rubric.effective_from);
        match self.rubric.effective_to {
            Some(to) => format!("{from} – {}", crate::web::vn_date(to)),
            None => format!("từ {from}"),
        }
    }

    pub fn scope_label(&self) -> String {
        self.scope_name
            .clone()
            .unwrap_or_else(|| "Toàn quốc".into())
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
                  r.scope_unit_id, u.name AS "scope_name?", r.effective_from, r.effective_to, r.status AS "status: RubricStatus",
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
                  r.scope_unit_id, u.name AS "scope_name?", r.effective_from, r.effective_to, r.status AS "status: RubricStatus",
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

/// The rubric in force for each (unit, kind, day), in one query: for a page, or for the
/// demo history's thousands of meetings.
pub async fn rubric_ids_in_force(
    pool: &PgPool,
    wanted: &[(Uuid, String, NaiveDate)],
) -> Result<Vec<Option<Uuid>>, sqlx::Error> {
    let units: Vec<Uuid> = wanted.iter().map(|w| w.0).collect();
    let kinds: Vec<String> = wanted.iter().map(|w| w.1.clone()).collect();
    let days: Vec<NaiveDate> = wanted.iter().map(|w| w.2).collect();
    let rows = sqlx::query!(
        r#"SELECT w.n AS "n!", pick.id AS "id?"
             FROM unnest($1::uuid[], $2::text[], $3::date[]) WITH ORDINALITY AS w(unit_id, kind, day, n)
             JOIN units target ON target.id = w.unit_id
             LEFT JOIN LATERAL (
                 SELECT r.id
                   FROM rubrics r LEFT JOIN units s ON s.id = r.scope_unit_id
                  WHERE r.status = 'published' AND w.kind = ANY (r.kinds)
                    AND r.effective_from <= w.day AND (r.effective_to IS NULL OR r.effective_to >= w.day)
                    AND (r.scope_unit_id IS NULL OR s.path @> target.path)
                  ORDER BY coalesce(nlevel(s.path), 0) DESC, r.effective_from DESC
                  LIMIT 1) pick ON true"#,
        &units,
        &kinds,
        &days
    )
    .fetch_all(pool)
    .await?;
    let mut out = vec![None; wanted.len()];
    for r in rows {
        out[(r.n - 1) as usize] = r.id;
    }
    Ok(out)
}

/// The day a meeting is scored for: the day it started, else the planned day, else the
/// first of its month.
pub fn meeting_day(m: &Meeting) -> NaiveDate {
    m.started_at
        .or(m.planned_at)
        .map(|t| t.with_timezone(&chrono_tz::Asia::Ho_Chi_Minh).date_naive())
        .unwrap_or(m.month)
}

/// The records of several meetings in one pass (one meeting's page, or the demo's history).
pub async fn records(pool: &PgPool, ids: &[Uuid]) -> Result<HashMap<Uuid, Record>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"WITH m AS (
               SELECT id, unit_id, kind, state, month, started_at, ended_at,
                      (coalesce(started_at, planned_at) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date AS day,
                      committee_met_on, notice_sent_on, materials_posted_on, draft_resolution_on
                 FROM meetings WHERE id = ANY ($1)),
           att AS (
               SELECT a.meeting_id,
                      count(*) FILTER (WHERE a.category = 'expected') AS base,
                      count(*) FILTER (WHERE a.category = 'expected' AND a.presence IN ('present', 'late')) AS present,
                      count(*) FILTER (WHERE a.category = 'expected' AND a.presence = 'absent_unexcused') AS unexcused,
                      count(*) FILTER (WHERE a.presence IN ('present', 'late')) AS attendees,
                      count(*) FILTER (WHERE a.presence IN ('present', 'late') AND a.spoke) AS spoke
                 FROM attendance a WHERE a.meeting_id = ANY ($1)
                GROUP BY a.meeting_id),
           -- Runs of absences with reason, per member, over the branch's scored meetings of
           -- the calendar year: a new group starts at every meeting not missed with reason.
           marks AS (
               SELECT a.meeting_id, a.member_id, mt.unit_id, date_trunc('year', mt.month) AS yr,
                      mt.month, mt.id AS mid, a.presence = 'absent_excused' AS excused
                 FROM attendance a JOIN meetings mt ON mt.id = a.meeting_id
                WHERE a.category = 'expected' AND mt.kind IN ('regular', 'thematic', 'combined')
                  AND mt.unit_id IN (SELECT unit_id FROM m)
                  -- Only the calendar years of the meetings asked for: runs restart each year.
                  AND mt.month >= (SELECT date_trunc('year', min(month))::date FROM m)
                  AND mt.month <= (SELECT max(month) FROM m)),
           grouped AS (
               SELECT *, count(*) FILTER (WHERE NOT excused)
                         OVER (PARTITION BY unit_id, member_id, yr ORDER BY month, mid) AS grp
                 FROM marks),
           runs AS (
               SELECT meeting_id, count(*) FILTER (WHERE excused)
                         OVER (PARTITION BY unit_id, member_id, yr, grp ORDER BY month, mid) AS run
                 FROM grouped),
           streak AS (
               SELECT meeting_id, max(run) AS streak FROM runs
                WHERE meeting_id = ANY ($1) GROUP BY meeting_id)
           SELECT m.id, m.kind AS "kind!: MeetingKind", m.state AS "state!: MeetingState", m.day,
                  m.committee_met_on, m.notice_sent_on,
                  m.materials_posted_on, m.draft_resolution_on,
                  extract(epoch FROM m.ended_at - m.started_at)::float8 / 60 AS minutes,
                  coalesce(att.base, 0) AS "base!", coalesce(att.present, 0) AS "present!",
                  coalesce(att.unexcused, 0) AS "unexcused!", coalesce(att.attendees, 0) AS "attendees!",
                  coalesce(att.spoke, 0) AS "spoke!", coalesce(streak.streak, 0) AS "streak!",
                  EXISTS (SELECT 1 FROM votes v WHERE v.meeting_id = m.id AND v.passed) AS "passed!",
                  (SELECT (100.0 * avg(CASE t.review WHEN 'done' THEN 1 WHEN 'partly' THEN 0.5 ELSE 0 END))::float8
                     FROM tasks t
                    WHERE t.review IS NOT NULL
                      AND t.meeting_id = (SELECT p.id FROM meetings p
                                           WHERE p.unit_id = m.unit_id AND p.month < m.month
                                             AND p.kind IN ('regular', 'combined')
                                           ORDER BY p.month DESC LIMIT 1)) AS completion
             FROM m
             LEFT JOIN att ON att.meeting_id = m.id
             LEFT JOIN streak ON streak.meeting_id = m.id"#,
        ids
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            (
                r.id,
                Record {
                    kind: r.kind,
                    closed: r.state == MeetingState::Closed,
                    day: r.day,
                    base: r.base,
                    present: r.present,
                    unexcused: r.unexcused,
                    attendees: r.attendees,
                    spoke: r.spoke,
                    minutes: r.minutes,
                    committee_met_on: r.committee_met_on,
                    notice_sent_on: r.notice_sent_on,
                    materials_posted_on: r.materials_posted_on,
                    draft_resolution_on: r.draft_resolution_on,
                    completion: r.completion,
                    excused_streak: r.streak,
                    resolution_passed: r.passed,
                },
            )
        })
        .collect())
}

/// One scorer's sheet as stored.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub rubric_id: Uuid,
    pub scorer: Scorer,
    pub scored_by: Uuid,
    pub scorer_name: String,
    pub state: SheetState,
    pub items: Vec<Item>,
    pub total: super::rubric::Points,
    pub band: String,
    pub class: String,
    pub capped_by: Vec<String>,
    pub remarks: Option<String>,
    pub approved_class: Option<String>,
    pub review_comment: Option<String>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

impl Evaluation {
    pub fn item(&self, code: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.code == code)
    }

    pub fn state_label(&self) -> &'static str {
        self.state.label()
    }

    pub fn is_locked(&self) -> bool {
        self.state == SheetState::Approved
    }

    /// The branch may still change its score.
    pub fn is_editable(&self) -> bool {
        self.state.is_editable()
    }
}

struct EvalRow {
    id: Uuid,
    meeting_id: Uuid,
    rubric_id: Uuid,
    scorer: Scorer,
    scored_by: Uuid,
    scorer_name: String,
    state: SheetState,
    items: serde_json::Value,
    total_tenths: i32,
    band: String,
    class: String,
    capped_by: Vec<String>,
    remarks: Option<String>,
    approved_class: Option<String>,
    review_comment: Option<String>,
    decided_by_name: Option<String>,
    decided_at: Option<DateTime<Utc>>,
    version: i32,
    updated_at: DateTime<Utc>,
}

impl TryFrom<EvalRow> for Evaluation {
    type Error = sqlx::Error;

    fn try_from(r: EvalRow) -> Result<Self, sqlx::Error> {
        Ok(Evaluation {
            id: r.id,
            meeting_id: r.meeting_id,
            rubric_id: r.rubric_id,
            scorer: r.scorer,
            scored_by: r.scored_by,
            scorer_name: r.scorer_name,
            state: r.state,
            items: serde_json::from_value(r.items).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            total: super::rubric::Points(r.total_tenths),
            band: r.band,
            class: r.class,
            capped_by: r.capped_by,
            remarks: r.remarks,
            approved_class: r.approved_class,
            review_comment: r.review_comment,
            decided_by_name: r.decided_by_name,
            decided_at: r.decided_at,
            version: r.version,
            updated_at: r.updated_at,
        })
    }
}

/// Every sheet of a meeting: the branch's first, then the supervisors' in the order scored.
pub async fn evaluations(pool: &PgPool, meeting: Uuid) -> Result<Vec<Evaluation>, sqlx::Error> {
    sqlx::query_as!(
        EvalRow,
        r#"SELECT e.id, e.meeting_id, e.rubric_id, e.scorer AS "scorer: Scorer", e.scored_by,
                  u.display_name AS scorer_name, e.state AS "state: SheetState", e.items, e.total_tenths, e.band, e.class, e.capped_by, e.remarks,
                  e.approved_class, e.review_comment, d.display_name AS "decided_by_name?",
                  e.decided_at, e.version, e.updated_at
             FROM evaluations e
             JOIN users u ON u.id = e.scored_by
             LEFT JOIN users d ON d.id = e.decided_by
            WHERE e.meeting_id = $1
            ORDER BY e.scorer = 'upper', e.created_at"#,
        meeting
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(Evaluation::try_from)
    .collect()
}

pub struct EvalEvent {
    pub kind: SheetEvent,
    pub comment: Option<String>,
    pub user_name: Option<String>,
    pub at: DateTime<Utc>,
}

impl EvalEvent {
    pub fn label(&self) -> &'static str {
        self.kind.label()
    }
}

pub async fn events(pool: &PgPool, evaluation: Uuid) -> Result<Vec<EvalEvent>, sqlx::Error> {
    sqlx::query_as!(
        EvalEvent,
        r#"SELECT ev.kind AS "kind: SheetEvent", ev.comment, u.display_name AS "user_name?", ev.at
             FROM evaluation_events ev LEFT JOIN users u ON u.id = ev.user_id
            WHERE ev.evaluation_id = $1 ORDER BY ev.id"#,
        evaluation
    )
    .fetch_all(pool)
    .await
}

async fn log(
    tx: &mut Transaction<'_, Postgres>,
    evaluation: Uuid,
    kind: SheetEvent,
    comment: Option<&str>,
    (user, at): (Uuid, DateTime<Utc>),
    before: serde_json::Value,
    after: serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO evaluation_events (evaluation_id, kind, comment, user_id, at) VALUES ($1, $2, $3, $4, $5)",
        evaluation,
        kind.as_str(),
        comment,
        user,
        at
    )
    .execute(&mut **tx)
    .await?;
    sqlx::query!(
        "INSERT INTO audit_log (user_id, action, entity, entity_id, before, after)
         VALUES ($1, $2, 'evaluation', $3, $4, $5)",
        user,
        format!("evaluation_{kind}"),
        evaluation,
        before,
        after
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn snapshot(state: SheetState, total: i32, class: &str) -> serde_json::Value {
    json!({ "state": state, "total_tenths": total, "class": class })
}

/// A sheet to save: whose, for which meeting, scored with which rubric.
pub struct Saving<'a> {
    pub meeting: Uuid,
    pub rubric: Uuid,
    pub scorer: Scorer,
    pub user: Uuid,
    pub scored: &'a Scored,
    pub remarks: Option<&'a str>,
    /// The version the form was built on; none for a first save.
    pub version: Option<i32>,
    /// When (the application clock).
    pub at: DateTime<Utc>,
}

/// Saves a sheet. `version` is the one the form was built on (none for a first save). The
/// branch's sheet goes back to draft; nothing is saved once the branch's score is approved
/// or while it waits at the upper committee.
pub async fn save(pool: &PgPool, s: Saving<'_>) -> Result<Uuid, StoreError> {
    let Saving {
        meeting,
        rubric,
        scorer,
        user,
        scored,
        remarks,
        version,
        at,
    } = s;
    let mut tx = pool.begin().await?;
    // The meeting row serialises every change to its sheets.
    sqlx::query!("SELECT id FROM meetings WHERE id = $1 FOR UPDATE", meeting)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let branch = sqlx::query!(
        r#"SELECT id, state AS "state: SheetState", version, total_tenths, class FROM evaluations
          WHERE meeting_id = $1 AND scorer = 'branch'"#,
        meeting
    )
    .fetch_optional(&mut *tx)
    .await?;
    if branch
        .as_ref()
        .is_some_and(|b| b.state == SheetState::Approved)
    {
        return Err(StoreError::invalid(
            "state",
            "Điểm của buổi sinh hoạt đã được cấp trên phê duyệt; không sửa được nữa.",
        ));
    }
    let existing = match scorer {
        Scorer::Branch => branch.map(|b| (b.id, b.state, b.version, b.total_tenths, b.class)),
        Scorer::Upper => sqlx::query!(
            r#"SELECT id, state AS "state: SheetState", version, total_tenths, class FROM evaluations
              WHERE meeting_id = $1 AND scorer = 'upper' AND scored_by = $2"#,
            meeting,
            user
        )
        .fetch_optional(&mut *tx)
        .await?
        .map(|b| (b.id, b.state, b.version, b.total_tenths, b.class)),
    };
    let items = json_of(&scored.items)?;
    let id = match existing {
        Some((id, state, current, before_total, before_class)) => {
            if version != Some(current) {
                return Err(StoreError::Stale);
            }
            if scorer == Scorer::Branch && state == SheetState::Submitted {
                return Err(StoreError::invalid(
                    "state",
                    "Điểm đã gửi cấp trên; chờ cấp trên phê duyệt hoặc trả lại rồi mới sửa.",
                ));
            }
            sqlx::query!(
                "UPDATE evaluations
                    SET rubric_id = $2, items = $3, total_tenths = $4, band = $5, class = $6,
                        capped_by = $7, remarks = $8, state = 'draft', scored_by = CASE WHEN scorer = 'branch' THEN $9 ELSE scored_by END,
                        version = version + 1, updated_at = $10
                  WHERE id = $1",
                id,
                rubric,
                items,
                scored.total.0,
                scored.band,
                scored.class,
                &scored.capped_by,
                remarks,
                user,
                at
            )
            .execute(&mut *tx)
            .await?;
            log(
                &mut tx,
                id,
                if state == SheetState::Agreed {
                    SheetEvent::Reopened
                } else {
                    SheetEvent::Saved
                },
                None,
                (user, at),
                snapshot(state, before_total, &before_class),
                snapshot(SheetState::Draft, scored.total.0, &scored.class),
            )
            .await?;
            id
        }
        None => {
            if version.is_some() {
                // The form was built on a sheet that has since gone: someone else's change.
                return Err(StoreError::Stale);
            }
            let id = sqlx::query_scalar!(
                "INSERT INTO evaluations (meeting_id, rubric_id, scorer, scored_by, state, items,
                                          total_tenths, band, class, capped_by, remarks,
                                          created_at, updated_at)
                 VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $10, $11, $11)
                 RETURNING id",
                meeting,
                rubric,
                scorer.as_str(),
                user,
                items,
                scored.total.0,
                scored.band,
                scored.class,
                &scored.capped_by,
                remarks,
                at
            )
            .fetch_one(&mut *tx)
            .await?;
            log(
                &mut tx,
                id,
                SheetEvent::Saved,
                None,
                (user, at),
                serde_json::Value::Null,
                snapshot(SheetState::Draft, scored.total.0, &scored.class),
            )
            .await?;
            id
        }
    };
    tx.commit().await?;
    Ok(id)
}

/// One step of the review as decided by a user.
pub struct Decision<'a> {
    pub step: Step,
    pub user: Uuid,
    /// The version of the sheet the user saw.
    pub version: i32,
    pub comment: Option<&'a str>,
    pub approved_class: Option<&'a str>,
    /// The sheet scored again with the record's current figures (when it is sent up).
    pub rescored: Option<&'a Scored>,
    /// When (the application clock).
    pub at: DateTime<Utc>,
}

/// Moves the branch's sheet one step. `approved_class` is the class the committee
/// recognises (its own score's, or the branch's).
pub async fn step(pool: &PgPool, evaluation: Uuid, d: Decision<'_>) -> Result<(), StoreError> {
    let Decision {
        step,
        user,
        version,
        comment,
        approved_class,
        rescored,
        at,
    } = d;
    let mut tx = pool.begin().await?;
    let cur = sqlx::query!(
        r#"SELECT e.state AS "state: SheetState", e.version, e.total_tenths, e.class, e.meeting_id
             FROM evaluations e
            WHERE e.id = $1 AND e.scorer = 'branch' FOR UPDATE"#,
        evaluation
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    if cur.version != version {
        return Err(StoreError::Stale);
    }
    let (from, to, kind) = step.transition();
    if !from.contains(&cur.state) {
        return Err(StoreError::invalid(
            "state",
            format!(
                "Điểm đang ở trạng thái “{}”; không thực hiện được bước này.",
                cur.state.label()
            ),
        ));
    }
    if let Some(s) = rescored {
        let items = json_of(&s.items)?;
        sqlx::query!(
            "UPDATE evaluations SET items = $2, total_tenths = $3, band = $4, class = $5, capped_by = $6
              WHERE id = $1",
            evaluation,
            items,
            s.total.0,
            s.band,
            s.class,
            &s.capped_by
        )
        .execute(&mut *tx)
        .await?;
    }
    let decided = step.is_decision();
    sqlx::query!(
        "UPDATE evaluations
            SET state = $2, version = version + 1, updated_at = $7,
                review_comment = CASE WHEN $3 THEN $4 ELSE review_comment END,
                approved_class = CASE WHEN $2 = 'approved' THEN $5 ELSE approved_class END,
                decided_by = CASE WHEN $3 THEN $6 ELSE decided_by END,
                decided_at = CASE WHEN $3 THEN $7 ELSE decided_at END
          WHERE id = $1",
        evaluation,
        to.as_str(),
        decided,
        comment,
        approved_class,
        user,
        at
    )
    .execute(&mut *tx)
    .await?;
    if step == Step::Approve {
        // Approval locks the supervisors' sheets too.
        sqlx::query!(
            "UPDATE evaluations SET state = 'approved', version = version + 1
              WHERE meeting_id = $1 AND scorer = 'upper'",
            cur.meeting_id
        )
        .execute(&mut *tx)
        .await?;
    }
    let (total, class) = rescored
        .map(|s| (s.total.0, s.class.clone()))
        .unwrap_or((cur.total_tenths, cur.class.clone()));
    log(
        &mut tx,
        evaluation,
        kind,
        comment,
        (user, at),
        snapshot(cur.state, cur.total_tenths, &cur.class),
        json!({ "state": to, "total_tenths": total, "class": class, "approved_class": approved_class }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A month of a branch's scores, for its history and the annual roll-up.
#[derive(Debug, Clone)]
pub struct MonthScore {
    pub meeting_id: Uuid,
    pub month: NaiveDate,
    pub kind: MeetingKind,
    pub rubric_id: Option<Uuid>,
    pub state: Option<SheetState>,
    pub total_tenths: Option<i32>,
    pub class: Option<String>,
    pub approved_class: Option<String>,
    pub upper_total_tenths: Option<i32>,
}

/// The branch's scored meetings (regular, thematic, combined) of a year, by month.
pub async fn year_scores(
    pool: &PgPool,
    unit: Uuid,
    year: i32,
) -> Result<Vec<MonthScore>, sqlx::Error> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).expect("a year");
    let to = NaiveDate::from_ymd_opt(year + 1, 1, 1).expect("a year");
    sqlx::query_as!(
        MonthScore,
        r#"SELECT m.id AS meeting_id, m.month, m.kind AS "kind: MeetingKind", e.rubric_id AS "rubric_id?",
                  e.state AS "state?: SheetState",
                  e.total_tenths AS "total_tenths?", e.class AS "class?", e.approved_class,
                  (SELECT round(avg(u.total_tenths))::int4 FROM evaluations u
                    WHERE u.meeting_id = m.id AND u.scorer = 'upper') AS upper_total_tenths
             FROM meetings m
             LEFT JOIN evaluations e ON e.meeting_id = m.id AND e.scorer = 'branch'
            WHERE m.unit_id = $1 AND m.month >= $2 AND m.month < $3
              AND m.kind IN ('regular', 'thematic', 'combined')
            ORDER BY m.month, m.kind"#,
        unit,
        from,
        to
    )
    .fetch_all(pool)
    .await
}

/// Months of the year in which the branch held its regular meeting (or a combined session).
pub async fn held_months(
    pool: &PgPool,
    unit: Uuid,
    year: i32,
) -> Result<Vec<NaiveDate>, sqlx::Error> {
    sqlx::query_scalar!(
        "SELECT DISTINCT month FROM meetings
          WHERE unit_id = $1 AND extract(year FROM month)::int4 = $2 AND kind IN ('regular', 'combined')
            AND state <> 'planned'",
        unit,
        year
    )
    .fetch_all(pool)
    .await
}

/// Quarters (1–4) of the year with a thematic meeting held (alone or combined).
pub async fn thematic_quarters(
    pool: &PgPool,
    unit: Uuid,
    year: i32,
) -> Result<Vec<u32>, sqlx::Error> {
    Ok(sqlx::query_scalar!(
        r#"SELECT DISTINCT extract(quarter FROM month)::int4 AS "q!" FROM meetings
            WHERE unit_id = $1 AND extract(year FROM month)::int4 = $2 AND kind IN ('thematic', 'combined')
              AND state <> 'planned'"#,
        unit,
        year
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|q| q as u32)
    .collect())
}

/// The audit row of a change to the rubric registry.
async fn rubric_audit(
    tx: &mut Transaction<'_, Postgres>,
    user: Uuid,
    rubric: Uuid,
    action: &str,
    after: serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO audit_log (user_id, action, entity, entity_id, after)
         VALUES ($1, $2, 'rubric', $3, $4)",
        user,
        action,
        rubric,
        after
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Writes a new draft (a new rubric, or a new version of an existing code).
pub async fn create_draft(
    pool: &PgPool,
    r: &Rubric,
    scope: Option<Uuid>,
    user: Uuid,
) -> Result<Uuid, StoreError> {
    let sheet = json_of(&r.sheet())?;
    let mut tx = pool.begin().await?;
    // Versions of one code are numbered in order; the lock keeps two imports apart.
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext($1))", r.code)
        .execute(&mut *tx)
        .await?;
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
    rubric_audit(
        &mut tx,
        user,
        id,
        "rubric_drafted",
        json!({ "code": r.code }),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
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
    let mut tx = pool.begin().await?;
    let cur = sqlx::query!(
        r#"SELECT status AS "status: RubricStatus", lock_version, code FROM rubrics WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    if cur.status != RubricStatus::Draft {
        return Err(StoreError::invalid(
            "text",
            "Bộ tiêu chí đã ban hành không sửa được; hãy tạo phiên bản mới.",
        ));
    }
    if cur.lock_version != lock_version {
        return Err(StoreError::Stale);
    }
    if cur.code != r.code {
        return Err(StoreError::invalid(
            "text",
            format!(
                "Mã bộ tiêu chí là “{}”; muốn đổi mã thì nhập thành bộ tiêu chí mới.",
                cur.code
            ),
        ));
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
        &mut tx,
        user,
        id,
        "rubric_edited",
        json!({ "title": r.title }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Publishes a draft from its effective date. The version in force for the same code and
/// scope ends the day before; one that starts on or after that date is refused, because
/// meetings already scored with it must keep it.
pub async fn publish(
    pool: &PgPool,
    id: Uuid,
    lock_version: i32,
    user: Uuid,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let cur = sqlx::query!(
        r#"SELECT status AS "status: RubricStatus", lock_version, code, scope_unit_id, effective_from FROM rubrics WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    if cur.lock_version != lock_version {
        return Err(StoreError::Stale);
    }
    if cur.status != RubricStatus::Draft {
        return Err(StoreError::invalid(
            "effective_from",
            "Bộ tiêu chí này đã được ban hành.",
        ));
    }
    sqlx::query!("SELECT pg_advisory_xact_lock(hashtext($1))", cur.code)
        .execute(&mut *tx)
        .await?;
    let later = sqlx::query_scalar!(
        "SELECT effective_from FROM rubrics
          WHERE code = $1 AND status = 'published' AND scope_unit_id IS NOT DISTINCT FROM $2
            AND effective_from >= $3
          ORDER BY effective_from LIMIT 1",
        cur.code,
        cur.scope_unit_id,
        cur.effective_from
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(d) = later {
        return Err(StoreError::invalid(
            "effective_from",
            format!(
                "Đã có phiên bản có hiệu lực từ {}; phiên bản mới phải có hiệu lực sau ngày đó.",
                crate::web::vn_date(d)
            ),
        ));
    }
    let day_before = cur.effective_from.pred_opt().expect("a date after year 1");
    sqlx::query!(
        "UPDATE rubrics SET effective_to = $4
          WHERE code = $1 AND status = 'published' AND scope_unit_id IS NOT DISTINCT FROM $2
            AND effective_from < $3 AND (effective_to IS NULL OR effective_to >= $3)",
        cur.code,
        cur.scope_unit_id,
        cur.effective_from,
        day_before
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE rubrics SET status = 'published', published_at = now(), published_by = $2,
                            lock_version = lock_version + 1
          WHERE id = $1",
        id,
        user
    )
    .execute(&mut *tx)
    .await?;
    rubric_audit(
        &mut tx,
        user,
        id,
        "rubric_published",
        json!({ "effective_from": cur.effective_from }),
    )
    .await?;
    tx.commit().await?;
    Ok(())
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
