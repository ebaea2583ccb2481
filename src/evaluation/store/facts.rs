//! The meeting record as the computed criteria read it: the day a meeting is scored for,
//! and the figures of several meetings in one query.

use std::collections::HashMap;

use chrono::NaiveDate;
use sqlx::PgPool;
use uuid::Uuid;

use crate::evaluation::scoring::Record;
use crate::meetings::domain::{MeetingKind, MeetingState};
use crate::meetings::store::Meeting;

/// The day a meeting is scored for: the day it started, else the planned day, else the
/// first of its month — the day its attendance list is taken for.
pub fn meeting_day(m: &Meeting) -> NaiveDate {
    m.list_day()
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
                      -- Speakers among the attendance base's attendees: an attached or
                      -- exempt member who came and spoke counts in neither figure.
                      count(*) FILTER (WHERE a.category = 'expected' AND a.presence IN ('present', 'late') AND a.spoke) AS spoke
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
                  coalesce(att.unexcused, 0) AS "unexcused!",
                  coalesce(att.spoke, 0) AS "spoke!", coalesce(streak.streak, 0) AS "streak!",
                  EXISTS (SELECT 1 FROM votes v WHERE v.meeting_id = m.id AND v.passed
                                 AND v.evaluation_id IS NULL) AS "passed!",
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
