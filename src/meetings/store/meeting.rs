//! The meeting: reading one or a branch's list, planning it (with its attendance list
//! from the registry and its agenda from a template), its state, what it still lacks.

#[allow(unused_imports)]
use super::*;
use crate::error::StoreError;
use crate::meetings::domain::{
    Category, ItemRecord, Lack, Line, Listed, MeetingEvent, MeetingKind, MeetingRefusal,
    MeetingState, PrepStep, list_day, relist,
};
use crate::meetings::forms::NewMeeting;
use crate::members::domain::{Lifecycle, MembershipKind};
use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

pub struct Meeting {
    pub id: Uuid,
    pub unit_id: Uuid,
    pub month: NaiveDate,
    pub kind: MeetingKind,
    pub is_model: bool,
    pub topic: Option<String>,
    pub state: MeetingState,
    pub planned_at: Option<DateTime<Utc>>,
    pub location: Option<String>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub version: i32,
    /// When the upper committee approved the meeting's score: the record is frozen.
    pub approved_at: Option<DateTime<Utc>>,
}

impl Meeting {
    pub fn kind_label(&self) -> &'static str {
        self.kind.label()
    }

    pub fn month_label(&self) -> String {
        self.month.format("%m/%Y").to_string()
    }

    pub fn state_label(&self) -> &'static str {
        self.state.label()
    }

    pub fn planned_label(&self) -> Option<String> {
        self.planned_at.map(crate::web::vn_datetime)
    }

    pub fn is_closed(&self) -> bool {
        self.state == MeetingState::Closed
    }

    /// Approved by the upper committee: nothing of its record can change.
    pub fn is_approved(&self) -> bool {
        self.approved_at.is_some()
    }

    /// Closed or approved: the record's forms are not offered.
    pub fn is_locked(&self) -> bool {
        self.is_closed() || self.is_approved()
    }

    /// "dd/mm/yyyy" of the approval.
    pub fn approved_label(&self) -> Option<String> {
        self.approved_at
            .map(|at| crate::web::vn_date(at.with_timezone(&crate::clock::ZONE).date_naive()))
    }

    /// The day its list and figures are taken for (`domain::list_day`), in Vietnam.
    pub fn list_day(&self) -> NaiveDate {
        let local = |t: DateTime<Utc>| t.with_timezone(&crate::clock::ZONE).date_naive();
        list_day(
            self.started_at.map(local),
            self.planned_at.map(local),
            self.month,
        )
    }

    pub fn list_day_label(&self) -> String {
        crate::web::vn_date(self.list_day())
    }
}

pub async fn get(pool: &PgPool, id: Uuid) -> Result<Option<Meeting>, sqlx::Error> {
    sqlx::query_as!(
        Meeting,
        r#"SELECT id, unit_id, month, kind AS "kind: MeetingKind", is_model, topic,
                  state AS "state: MeetingState", planned_at, location, started_at, ended_at, version,
                  approved_at
             FROM meetings WHERE id = $1"#,
        id
    )
    .fetch_optional(pool)
    .await
}

pub struct MeetingRow {
    pub id: Uuid,
    pub month: NaiveDate,
    pub kind: MeetingKind,
    pub state: MeetingState,
    pub planned_at: Option<DateTime<Utc>>,
    pub expected: i64,
    pub present: i64,
}

/// A branch's meetings, newest first, each with its attendance counted through the
/// attendance key (a lateral count: never a scan of every meeting's attendance).
pub async fn for_unit(pool: &PgPool, unit_id: Uuid) -> Result<Vec<MeetingRow>, sqlx::Error> {
    sqlx::query_as!(
        MeetingRow,
        r#"SELECT m.id, m.month, m.kind AS "kind: MeetingKind", m.state AS "state: MeetingState", m.planned_at, a.expected AS "expected!", a.present AS "present!"
             FROM meetings m
            CROSS JOIN LATERAL (
                  SELECT count(*) FILTER (WHERE category = 'expected') AS expected,
                         count(*) FILTER (WHERE category = 'expected' AND presence IN ('present', 'late')) AS present
                    FROM attendance WHERE meeting_id = m.id) a
            WHERE m.unit_id = $1
            ORDER BY m.month DESC, m.planned_at DESC NULLS LAST"#,
        unit_id
    )
    .fetch_all(pool)
    .await
}

/// The month's regular meeting (or combined session) of a branch, if planned.
pub async fn regular_of_month(
    pool: &PgPool,
    unit_id: Uuid,
    month: NaiveDate,
) -> Result<Option<MeetingRow>, sqlx::Error> {
    sqlx::query_as!(
        MeetingRow,
        r#"SELECT m.id, m.month, m.kind AS "kind: MeetingKind", m.state AS "state: MeetingState", m.planned_at, a.expected AS "expected!", a.present AS "present!"
             FROM meetings m
            CROSS JOIN LATERAL (
                  SELECT count(*) FILTER (WHERE category = 'expected') AS expected,
                         count(*) FILTER (WHERE category = 'expected' AND presence IN ('present', 'late')) AS present
                    FROM attendance WHERE meeting_id = m.id) a
            WHERE m.unit_id = $1 AND m.month = $2 AND m.kind IN ('regular', 'combined')"#,
        unit_id,
        month
    )
    .fetch_optional(pool)
    .await
}

/// Vietnam has no daylight saving: local time is UTC+7 all year. `None` only for a time at
/// chrono's own limits, which no parsed form holds (`web::read_datetime` keeps its years
/// within 1930–2100): checked rather than a panic in the middle of a write.
pub fn vn_to_utc(local: NaiveDateTime) -> Option<DateTime<Utc>> {
    local
        .checked_sub_signed(chrono::TimeDelta::hours(7))
        .map(|utc| DateTime::<Utc>::from_naive_utc_and_offset(utc, Utc))
}

/// Plans a meeting: checks the month against the branch's life and the one-regular-meeting
/// rule, copies the agenda (template, or last meeting's), and lists every member the registry
/// holds on the meeting's day, as they stood that day (`listed_on`).
pub async fn create(
    pool: &PgPool,
    actor: Option<Uuid>,
    unit_id: Uuid,
    m: NewMeeting,
    at: DateTime<Utc>,
) -> Result<Uuid, StoreError> {
    crate::db::transaction(pool, async |tx| {
        let unit = sqlx::query!(
            "SELECT name, kind, branch_type, valid_from, valid_to FROM units WHERE id = $1 FOR SHARE",
            unit_id
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let month_end = m
            .month
            .checked_add_months(chrono::Months::new(1))
            .unwrap_or(m.month);
        if unit.valid_from >= month_end || unit.valid_to.is_some_and(|to| to <= m.month) {
            return Err(MeetingRefusal::InactiveInMonth {
                unit: unit.name,
                month: m.month,
                from: unit.valid_from,
                to: unit.valid_to,
            }
            .into());
        }
        if let Some(at) = m.planned_at {
            let d = at.date();
            if d < m.month || d >= month_end {
                return Err(MeetingRefusal::PlannedOutsideMonth.into());
            }
        }
        if m.kind.is_regular() {
            let taken = sqlx::query_scalar!(
                r#"SELECT EXISTS (SELECT 1 FROM meetings WHERE unit_id = $1 AND month = $2
                                  AND kind IN ('regular', 'combined')) AS "e!""#,
                unit_id,
                m.month
            )
            .fetch_one(&mut *tx)
            .await?;
            if taken {
                return Err(MeetingRefusal::RegularTaken { month: m.month }.into());
            }
        }
        let id = Uuid::now_v7();
        sqlx::query!(
            "INSERT INTO meetings (id, unit_id, month, kind, is_model, topic, planned_at, location)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            id,
            unit_id,
            m.month,
            m.kind.as_str(),
            m.is_model,
            m.topic,
            m.planned_at.and_then(vn_to_utc),
            m.location
        )
        .execute(&mut *tx)
        .await
        // Two plans of the month's regular meeting at once: both passed the check above.
        .map_err(|e| {
            StoreError::on_constraint(
                e,
                &[(
                    "meetings_one_regular_per_month",
                    MeetingRefusal::RegularTaken { month: m.month },
                )],
            )
        })?;

        let last = if m.copy_last {
            sqlx::query_scalar!(
                "SELECT id FROM meetings WHERE unit_id = $1 AND kind = $2 AND id <> $3
                  ORDER BY month DESC, created_at DESC LIMIT 1",
                unit_id,
                m.kind.as_str(),
                id
            )
            .fetch_optional(&mut *tx)
            .await?
        } else {
            None
        };
        match last {
            Some(previous) => {
                sqlx::query!(
                    "INSERT INTO agenda_items (meeting_id, position, title, presenter, notes)
                     SELECT $1, position, title, presenter, notes FROM agenda_items WHERE meeting_id = $2",
                    id,
                    previous
                )
                .execute(&mut *tx)
                .await?;
            }
            None => {
                // The branch type's own template when there is one, else the general one.
                sqlx::query!(
                    "INSERT INTO agenda_items (meeting_id, position, title, notes)
                     SELECT $1, i.position, i.title, i.notes
                       FROM agenda_template_items i
                      WHERE i.template_id = (SELECT id FROM agenda_templates
                                              WHERE kind = $2 AND (branch_type = $3 OR branch_type IS NULL)
                                              ORDER BY branch_type NULLS LAST LIMIT 1)",
                    id,
                    m.kind.as_str(),
                    unit.branch_type
                )
                .execute(&mut *tx)
                .await?;
            }
        }

        let day = list_day(None, m.planned_at.map(|t| t.date()), m.month);
        let listed = listed_on(tx, unit_id, day, m.kind).await?;
        add_lines(tx, id, &listed).await?;
        add_event(tx, id, MeetingEvent::Planned, None, actor, at).await?;
        Ok(id)
    })
    .await
}

/// The members a branch lists for a meeting of `kind` on `day`: everyone whose permanent or
/// temporary membership covers the day (a committee meeting: the committee on that day),
/// each with their life-cycle state and status on that day (docs/rules.md §3.5, §4.2).
async fn listed_on(
    tx: &mut PgConnection,
    unit_id: Uuid,
    day: NaiveDate,
    kind: MeetingKind,
) -> Result<Vec<Listed>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT ms.member_id, ms.kind AS "membership: MembershipKind",
                  member_state_on(ms.member_id, $2) AS "state: Lifecycle", m.official_date
             FROM memberships ms JOIN members m ON m.id = ms.member_id
            WHERE ms.unit_id = $1 AND ms.valid_from <= $2 AND (ms.valid_to IS NULL OR ms.valid_to > $2)
              AND (NOT $3 OR EXISTS (
                    SELECT 1 FROM committee_roles r
                     WHERE r.unit_id = ms.unit_id AND r.member_id = ms.member_id
                       AND r.valid_from <= $2 AND (r.valid_to IS NULL OR r.valid_to > $2)))"#,
        unit_id,
        day,
        kind.lists_committee_only()
    )
    .fetch_all(&mut *tx)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            Listed::on(
                day,
                r.member_id,
                r.state,
                r.membership == MembershipKind::Temporary,
                r.official_date,
            )
        })
        .collect())
}

fn columns(lines: &[Listed]) -> (Vec<Uuid>, Vec<String>, Vec<bool>) {
    (
        lines.iter().map(|l| l.member_id).collect(),
        lines
            .iter()
            .map(|l| l.category.as_str().to_owned())
            .collect(),
        lines.iter().map(|l| l.full_member).collect(),
    )
}

async fn add_lines(
    tx: &mut PgConnection,
    meeting: Uuid,
    lines: &[Listed],
) -> Result<(), sqlx::Error> {
    let (ids, cats, full) = columns(lines);
    sqlx::query!(
        "INSERT INTO attendance (meeting_id, member_id, category, full_member)
         SELECT $1, m, c, f FROM unnest($2::uuid[], $3::text[], $4::bool[]) AS x(m, c, f)",
        meeting,
        &ids,
        &cats,
        &full
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Takes the list of a meeting again when its day changes to `started` (the day it started,
/// as the minutes now say): the unmarked lines follow the registry on the new day, the marked
/// ones stay (`domain::relist`). Runs inside the change that moves the day, on the locked
/// meeting row, so no tick lands between the reading and the writing.
pub(super) async fn relist_if_moved(
    tx: &mut PgConnection,
    id: Uuid,
    started: Option<NaiveDate>,
) -> Result<(), sqlx::Error> {
    let m = sqlx::query!(
        r#"SELECT unit_id, month, kind AS "kind: MeetingKind", started_at, planned_at
             FROM meetings WHERE id = $1"#,
        id
    )
    .fetch_one(&mut *tx)
    .await?;
    let local = |t: DateTime<Utc>| t.with_timezone(&crate::clock::ZONE).date_naive();
    let planned = m.planned_at.map(local);
    let (before, after) = (
        list_day(m.started_at.map(local), planned, m.month),
        list_day(started, planned, m.month),
    );
    if before == after {
        return Ok(());
    }
    let current: Vec<Line> = sqlx::query!(
        r#"SELECT member_id, category AS "category: Category", full_member, presence IS NOT NULL AS "marked!"
             FROM attendance WHERE meeting_id = $1"#,
        id
    )
    .fetch_all(&mut *tx)
    .await?
    .into_iter()
    .map(|r| Line {
        listed: Listed {
            member_id: r.member_id,
            category: r.category,
            full_member: r.full_member,
        },
        marked: r.marked,
    })
    .collect();
    let change = relist(&current, &listed_on(tx, m.unit_id, after, m.kind).await?);
    if change.is_empty() {
        return Ok(());
    }
    sqlx::query!(
        "DELETE FROM attendance WHERE meeting_id = $1 AND member_id = ANY ($2) AND presence IS NULL",
        id,
        &change.drop
    )
    .execute(&mut *tx)
    .await?;
    let (ids, cats, full) = columns(&change.renew);
    sqlx::query!(
        "UPDATE attendance a SET category = x.c, full_member = x.f
           FROM unnest($2::uuid[], $3::text[], $4::bool[]) AS x(m, c, f)
          WHERE a.meeting_id = $1 AND a.member_id = x.m AND a.presence IS NULL",
        id,
        &ids,
        &cats,
        &full
    )
    .execute(&mut *tx)
    .await?;
    add_lines(tx, id, &change.add).await?;
    Ok(())
}

/// Plans each of `meetings` (regular ones) that its month does not have yet; answers how
/// many were planned and how many months already had theirs (or are outside the branch's
/// life).
pub async fn plan_regular(
    pool: &PgPool,
    actor: Option<Uuid>,
    unit_id: Uuid,
    meetings: &[NewMeeting],
    at: DateTime<Utc>,
) -> Result<(u32, u32), StoreError> {
    let (mut planned, mut skipped) = (0, 0);
    for m in meetings {
        match create(pool, actor, unit_id, m.clone(), at).await {
            Ok(_) => planned += 1,
            Err(StoreError::Refused(_)) => skipped += 1,
            Err(e) => return Err(e),
        }
    }
    Ok((planned, skipped))
}

/// The lock–check–write–commit shape of every change to a meeting's record: one
/// transaction; the meeting row locked and the change refused when its score is approved,
/// its minutes are closed or the form was built from an older `version`; then `write`,
/// given the connection and the meeting's state, month and kind. Nothing is written unless
/// `write` answers `Ok`.
pub(super) async fn edit<T>(
    pool: &PgPool,
    id: Uuid,
    version: Option<i32>,
    write: impl AsyncFnOnce(
        &mut PgConnection,
        (MeetingState, NaiveDate, MeetingKind),
    ) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    crate::db::transaction(pool, async move |tx| {
        let meeting = lock_editable(tx, id, version).await?;
        write(tx, meeting).await
    })
    .await
}

/// The meeting row as locked for a change.
pub(super) struct Locked {
    pub state: MeetingState,
    pub month: NaiveDate,
    pub kind: MeetingKind,
    pub version: i32,
}

/// Locks the meeting row (`FOR UPDATE`: every change to a meeting's record, its ticks, its
/// state and its score's review waits here for the one before) and refuses any change once
/// the upper committee approved its score (docs/rules.md §3.6). Read after the lock, the
/// approval is the committed one: an approval and a change never both pass.
pub(super) async fn lock(tx: &mut PgConnection, id: Uuid) -> Result<Locked, StoreError> {
    let m = sqlx::query!(
        r#"SELECT m.state AS "state: MeetingState", m.month, m.kind AS "kind: MeetingKind", m.version,
                  m.approved_at, u.display_name AS "approved_by?"
             FROM meetings m LEFT JOIN users u ON u.id = m.approved_by
            WHERE m.id = $1 FOR UPDATE OF m"#,
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    if let Some(at) = m.approved_at {
        return Err(MeetingRefusal::Approved {
            at,
            by: m.approved_by,
        }
        .into());
    }
    Ok(Locked {
        state: m.state,
        month: m.month,
        kind: m.kind,
        version: m.version,
    })
}

/// Locks the meeting row and checks it may still be edited with the form's version.
async fn lock_editable(
    tx: &mut PgConnection,
    id: Uuid,
    version: Option<i32>,
) -> Result<(MeetingState, NaiveDate, MeetingKind), StoreError> {
    let m = lock(tx, id).await?;
    if m.state == MeetingState::Closed {
        return Err(MeetingRefusal::Closed.into());
    }
    if version.is_some_and(|v| v != m.version) {
        return Err(StoreError::Stale);
    }
    Ok((m.state, m.month, m.kind))
}

/// planned → held → closed; closed → held again only with a reason. Every change recorded.
/// Refused, like every change, once the score is approved.
pub async fn change_state(
    pool: &PgPool,
    actor: Option<Uuid>,
    id: Uuid,
    to: MeetingState,
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    crate::db::transaction(pool, async |tx| {
        // Locked: no tick or save can change what is checked until the state is written.
        let state = lock(tx, id).await?.state;
        let m = sqlx::query!(
            r#"SELECT started_at, ended_at,
                      chair_id IS NOT NULL AS "chair!", secretary_id IS NOT NULL AS "minute_taker!",
                      (SELECT count(*) FROM attendance a
                        WHERE a.meeting_id = m.id AND a.category = 'expected' AND a.presence IS NULL) AS "unmarked!"
                 FROM meetings m WHERE id = $1"#,
            id
        )
        .fetch_one(&mut *tx)
        .await?;
        let items = sqlx::query_as!(
            ItemRecord,
            "SELECT title, minutes, conclusion, nothing_to_record FROM agenda_items
              WHERE meeting_id = $1 ORDER BY position, id",
            id
        )
        .fetch_all(&mut *tx)
        .await?;
        let record = crate::meetings::domain::HoldingRecord {
            started_at: m.started_at,
            ended_at: m.ended_at,
            chair: m.chair,
            minute_taker: m.minute_taker,
            unmarked: m.unmarked as usize,
            items,
            now: at,
        };
        let event = crate::meetings::domain::transition(state, to, &record, reason)?;
        sqlx::query!(
            "UPDATE meetings SET state = $2, version = version + 1 WHERE id = $1",
            id,
            to.as_str()
        )
        .execute(&mut *tx)
        .await?;
        add_event(tx, id, event, reason, actor, at).await?;
        Ok(())
    })
    .await
}

/// For the review of the meeting's score (the evaluation store, inside its transaction):
/// locks the meeting row and answers its state and whether its score is approved. Every
/// change to the record waits on the same lock, so none slips between the review's check
/// and its commit.
pub async fn lock_for_review(
    tx: &mut PgConnection,
    id: Uuid,
) -> Result<(MeetingState, bool), StoreError> {
    let m = sqlx::query!(
        r#"SELECT state AS "state: MeetingState", approved_at IS NOT NULL AS "approved!"
             FROM meetings WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok((m.state, m.approved))
}

/// Records the upper committee's approval of the meeting's score (`Some((by, at))`),
/// freezing its record, or its withdrawal (`None`), with the event in the meeting's
/// history. Called by the evaluation store inside the transaction that decides it, after
/// `lock_for_review`.
pub async fn set_approval(
    tx: &mut PgConnection,
    id: Uuid,
    user: Uuid,
    approved: bool,
    reason: Option<&str>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query!(
        "UPDATE meetings SET approved_at = CASE WHEN $2 THEN $3::timestamptz END,
                             approved_by = CASE WHEN $2 THEN $4::uuid END
          WHERE id = $1",
        id,
        approved,
        at,
        user
    )
    .execute(&mut *tx)
    .await?;
    let event = if approved {
        MeetingEvent::Approved
    } else {
        MeetingEvent::ApprovalWithdrawn
    };
    add_event(tx, id, event, reason, Some(user), at).await
}

/// The audit row of a change to the meeting's record (attendance, agenda, guests, minutes,
/// votes, tasks), in the change's transaction. State changes go to `meeting_events`
/// instead: one history row per change, never two.
pub(super) async fn audit(
    tx: &mut PgConnection,
    actor: Option<Uuid>,
    meeting: Uuid,
    action: crate::audit::Action,
    before: Option<serde_json::Value>,
    after: Option<serde_json::Value>,
) -> Result<(), StoreError> {
    crate::audit::record(
        tx,
        crate::audit::Entry {
            user: actor,
            action,
            entity: "meeting",
            entity_id: Some(meeting),
            before,
            after,
        },
    )
    .await?;
    Ok(())
}

async fn add_event(
    tx: &mut PgConnection,
    id: Uuid,
    kind: MeetingEvent,
    reason: Option<&str>,
    user: Option<Uuid>,
    at: DateTime<Utc>,
) -> Result<(), StoreError> {
    sqlx::query!(
        "INSERT INTO meeting_events (meeting_id, kind, reason, user_id, at) VALUES ($1, $2, $3, $4, $5)",
        id,
        kind.as_str(),
        reason,
        user,
        at
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// One entry of a meeting's history.
pub struct MeetingEventRow {
    pub kind: MeetingEvent,
    pub reason: Option<String>,
    pub user_name: Option<String>,
    pub at: DateTime<Utc>,
}

/// A meeting's history, oldest first: planning, state changes, approval and withdrawal.
pub async fn events(pool: &PgPool, id: Uuid) -> Result<Vec<MeetingEventRow>, sqlx::Error> {
    sqlx::query_as!(
        MeetingEventRow,
        r#"SELECT e.kind AS "kind: MeetingEvent", e.reason, u.display_name AS "user_name?", e.at
             FROM meeting_events e LEFT JOIN users u ON u.id = e.user_id
            WHERE e.meeting_id = $1 ORDER BY e.id"#,
        id
    )
    .fetch_all(pool)
    .await
}

/// What a meeting still lacks, in the order a secretary would do it: for the branch home.
pub async fn missing(pool: &PgPool, meeting: &Meeting) -> Result<Vec<Lack>, sqlx::Error> {
    let rec = minutes(pool, meeting.id).await?;
    let unmarked = sqlx::query_scalar!(
        r#"SELECT count(*) AS "n!" FROM attendance WHERE meeting_id = $1 AND category = 'expected' AND presence IS NULL"#,
        meeting.id
    )
    .fetch_one(pool)
    .await?;
    let mut out = Vec::new();
    if meeting.planned_at.is_none() {
        out.push(Lack::Unscheduled);
    }
    let steps = [
        (rec.prepared_on, PrepStep::Prepared),
        (rec.committee_met_on, PrepStep::CommitteeMet),
        (rec.notice_sent_on, PrepStep::NoticeSent),
        (rec.materials_posted_on, PrepStep::MaterialsPosted),
        (rec.draft_resolution_on, PrepStep::DraftResolution),
    ];
    for (done, step) in steps {
        if done.is_none() {
            out.push(Lack::Step(step));
        }
    }
    if unmarked > 0 {
        out.push(Lack::Unmarked(unmarked));
    }
    if rec.started_at.is_none() || rec.ended_at.is_none() {
        out.push(Lack::Times);
    }
    match meeting.state {
        MeetingState::Planned => out.push(Lack::NotConfirmed),
        MeetingState::Held => out.push(Lack::MinutesOpen),
        MeetingState::Closed => {}
    }
    Ok(out)
}

/// A meeting's "Lịch sử", newest first, the latest `limit` rows: its state changes
/// (`meeting_events`), the audit rows of its record, and those of its score sheets.
pub async fn history(
    pool: &PgPool,
    id: Uuid,
    limit: i64,
) -> Result<Vec<crate::audit::Row>, sqlx::Error> {
    sqlx::query_as!(
        crate::audit::Row,
        r#"SELECT source AS "source!", code AS "code!", note, before, after, user_name, at AS "at!"
             FROM (SELECT 'event' AS source, e.kind AS code, e.reason AS note, NULL::jsonb AS before,
                          NULL::jsonb AS after, u.display_name AS user_name, e.at
                     FROM meeting_events e LEFT JOIN users u ON u.id = e.user_id
                    WHERE e.meeting_id = $1
                   UNION ALL
                   SELECT 'audit', a.action, NULL, a.before, a.after, u.display_name, a.at
                     FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
                    WHERE a.entity = 'meeting' AND a.entity_id = $1
                   UNION ALL
                   SELECT 'audit', a.action, NULL, a.before, a.after, u.display_name, a.at
                     FROM evaluations ev
                     JOIN audit_log a ON a.entity = 'evaluation' AND a.entity_id = ev.id
                     LEFT JOIN users u ON u.id = a.user_id
                    WHERE ev.meeting_id = $1) h
            ORDER BY at DESC LIMIT $2"#,
        id,
        limit
    )
    .fetch_all(pool)
    .await
}
