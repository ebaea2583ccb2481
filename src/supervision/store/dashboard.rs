//! The dashboard's reads: one row per branch of a subtree for a month, the trend over
//! twelve months, the units directly below.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::PgPool;
use uuid::Uuid;

use crate::evaluation::domain::SheetState;
use crate::meetings::domain::{MeetingKind, MeetingState};

/// A branch of the subtree in one month: its regular meeting (if any) with the attendance
/// figures the database keeps on the meeting row, and its self-score.
#[derive(Debug, Clone, Default)]
pub struct BranchMonth {
    pub id: Uuid,
    pub name: String,
    pub path: String,
    pub branch_type: Option<String>,
    /// Đảng số on the day the month is judged (used when the month has no meeting to read
    /// it from).
    pub members_on: i64,
    pub meeting_id: Option<Uuid>,
    pub meeting_kind: Option<MeetingKind>,
    pub meeting_state: Option<MeetingState>,
    pub started_at: Option<DateTime<Utc>>,
    pub ended_at: Option<DateTime<Utc>>,
    pub materials_posted_on: Option<NaiveDate>,
    pub expected: i32,
    pub present: i32,
    pub unexcused: i32,
    pub dang_so: i32,
    pub total_tenths: Option<i32>,
    /// The class as approved, else as the branch scored it; with its label.
    pub class: Option<String>,
    pub class_label: Option<String>,
    pub sheet_state: Option<SheetState>,
    pub sheet_updated_at: Option<DateTime<Utc>>,
    pub capped_by: Vec<String>,
    /// A thematic meeting (or a combined session) held in the quarter up to this month.
    pub thematic_in_quarter: bool,
}

impl BranchMonth {
    pub fn held(&self) -> bool {
        self.meeting_state
            .is_some_and(|s| s != MeetingState::Planned)
    }
}

/// Every branch under `root` in the tree as it stood `on` (the day the month is judged:
/// `supervision::domain::judged_on`) that was open at some point of `month` — a unit
/// closed or merged on the month's first day is gone from it — with its name of that day
/// and its figures for the month; a thematic meeting counts for the quarter when held in
/// one of its months up to `thematic_through` (`supervision::domain::quarter_counted_through`).
pub async fn branch_months(
    pool: &PgPool,
    root: Uuid,
    month: NaiveDate,
    thematic_through: NaiveDate,
    on: NaiveDate,
) -> Result<Vec<BranchMonth>, sqlx::Error> {
    // Set-based (one join per fact, not a subquery per branch), and the month's facts read
    // from the row kept for it (`branch_months`, migration 024), so a province's 2,000
    // branches cost a few scans rather than 2,000 × 5 lookups.
    let rows = sqlx::query!(
        r#"WITH root AS (SELECT path FROM units_on($4) WHERE id = $1),
                b AS MATERIALIZED (
                    SELECT u.id, u.name, u.path, u.branch_type FROM units_on($4) u, root
                     WHERE u.path <@ root.path AND u.kind IN ('branch', 'grassroots_branch')
                       AND u.valid_from < ($2::date + interval '1 month')
                       AND (u.valid_to IS NULL OR u.valid_to > $2::date)),
                members AS (
                    SELECT ms.unit_id, count(*) AS n FROM memberships ms JOIN b ON b.id = ms.unit_id
                     WHERE ms.kind = 'permanent' AND ms.valid_from <= $4
                       AND (ms.valid_to IS NULL OR ms.valid_to > $4) GROUP BY ms.unit_id),
                thematic AS (
                    SELECT DISTINCT t.unit_id FROM branch_months t JOIN b ON b.id = t.unit_id
                     WHERE t.thematic_held
                       AND t.month >= date_trunc('quarter', $2::date) AND t.month <= $3::date)
           SELECT b.id AS "id!", b.name AS "name!", b.path::text AS "path!", b.branch_type,
                  coalesce(members.n, 0) AS "members_on!",
                  s.meeting_id AS "meeting_id?", s.meeting_kind AS "meeting_kind?: MeetingKind",
                  s.meeting_state AS "meeting_state?: MeetingState",
                  s.started_at AS "started_at?", s.ended_at AS "ended_at?",
                  s.materials_posted_on AS "materials_posted_on?",
                  coalesce(s.expected_count, 0) AS "expected!", coalesce(s.present_count, 0) AS "present!",
                  coalesce(s.unexcused_count, 0) AS "unexcused!", coalesce(s.dang_so_count, 0) AS "dang_so!",
                  s.total_tenths AS "total_tenths?", s.class AS "class?",
                  s.rubric_id AS "rubric_id?",
                  s.sheet_state AS "sheet_state?: SheetState", s.sheet_updated_at AS "sheet_updated_at?",
                  coalesce(s.capped_by, '{}') AS "capped_by!",
                  thematic.unit_id IS NOT NULL AS "thematic!"
             FROM b
             LEFT JOIN members ON members.unit_id = b.id
             LEFT JOIN thematic ON thematic.unit_id = b.id
             LEFT JOIN branch_months s ON s.unit_id = b.id AND s.month = $2
            ORDER BY b.name COLLATE "vi-VN-x-icu", b.path"#,
        root,
        month,
        thematic_through,
        on
    )
    .fetch_all(pool)
    .await?;
    let ids = rows.iter().filter_map(|r| r.rubric_id).collect();
    let labels = ClassLabels::load(pool, ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| BranchMonth {
            class_label: labels.get(r.rubric_id, r.class.as_deref()),
            id: r.id,
            name: r.name,
            path: r.path,
            branch_type: r.branch_type,
            members_on: r.members_on,
            meeting_id: r.meeting_id,
            meeting_kind: r.meeting_kind,
            meeting_state: r.meeting_state,
            started_at: r.started_at,
            ended_at: r.ended_at,
            materials_posted_on: r.materials_posted_on,
            expected: r.expected,
            present: r.present,
            unexcused: r.unexcused,
            dang_so: r.dang_so,
            total_tenths: r.total_tenths,
            class: r.class,
            sheet_state: r.sheet_state,
            sheet_updated_at: r.sheet_updated_at,
            capped_by: r.capped_by,
            thematic_in_quarter: r.thematic,
        })
        .collect())
}

/// Class labels of the rubrics a page's sheets were scored with (a handful of rubrics for
/// thousands of sheets: looked up once each).
struct ClassLabels(std::collections::HashMap<Uuid, crate::evaluation::rubric::Rubric>);

impl ClassLabels {
    async fn load(pool: &PgPool, mut wanted: Vec<Uuid>) -> Result<Self, sqlx::Error> {
        let mut map = std::collections::HashMap::new();
        wanted.sort();
        wanted.dedup();
        for id in wanted {
            if let Some(r) = crate::evaluation::store::rubric(pool, id).await? {
                map.insert(id, r.rubric);
            }
        }
        Ok(Self(map))
    }

    fn get(&self, rubric: Option<Uuid>, class: Option<&str>) -> Option<String> {
        let (rubric, class) = (rubric?, class?);
        Some(
            self.0
                .get(&rubric)
                .map(|r| r.band_label(class))
                .unwrap_or_else(|| class.to_owned()),
        )
    }
}

/// One month of the subtree for the trend: branches open, meetings held, attendance, and
/// the classes of the scored meetings by label.
#[derive(Debug, Clone)]
pub struct TrendMonth {
    pub month: NaiveDate,
    pub branches: i64,
    pub held: i64,
    pub expected: i64,
    pub present: i64,
    pub classes: Vec<(String, i64)>,
}

/// (rubric, class code, meetings) of one month.
type ClassGroup = (Option<Uuid>, String, i64);

/// The twelve months up to `last`, each over the tree as it stood on the day that month is
/// judged (its last day, or `today` while it runs), as the month's own report counts it.
pub async fn trend(
    pool: &PgPool,
    root: Uuid,
    last: NaiveDate,
    today: NaiveDate,
) -> Result<Vec<TrendMonth>, sqlx::Error> {
    let first = last
        .checked_sub_months(chrono::Months::new(11))
        .expect("a month");
    let rows = sqlx::query!(
        r#"WITH months AS (
                    SELECT g::date AS month,
                           least((g + interval '1 month' - interval '1 day')::date, $4::date) AS day
                      FROM generate_series($2::date, $3::date, interval '1 month') AS g),
                b AS MATERIALIZED (
                    SELECT months.month, u.id FROM months
                      JOIN LATERAL (SELECT path FROM units_on(months.day) WHERE id = $1) root ON true
                      JOIN LATERAL (SELECT * FROM units_on(months.day)) u ON u.path <@ root.path
                     WHERE u.kind IN ('branch', 'grassroots_branch')
                       AND u.valid_from < (months.month + interval '1 month')
                       AND (u.valid_to IS NULL OR u.valid_to > months.month)),
                open AS (SELECT months.month, count(b.id) AS branches FROM months
                           LEFT JOIN b ON b.month = months.month
                          GROUP BY months.month),
                -- One lookup of the kept row per branch-month: the LIMIT keeps the planner
                -- from hashing all the province's rows of the year instead, which its
                -- generic plan (db::connect) would do for a ward's 144 as for 24,000.
                m AS MATERIALIZED (
                    SELECT b.month, s.expected_count, s.present_count, s.class, s.rubric_id
                      FROM b CROSS JOIN LATERAL (
                           SELECT s.expected_count, s.present_count, s.class, s.rubric_id
                             FROM branch_months s
                            WHERE s.unit_id = b.id AND s.month = b.month
                              AND s.meeting_state <> 'planned' LIMIT 1) s),
                agg AS (SELECT month, count(*) AS held, sum(expected_count) AS expected,
                               sum(present_count) AS present
                          FROM m GROUP BY month),
                cls AS (SELECT month, rubric_id, class, count(*) AS n FROM m
                         WHERE class IS NOT NULL GROUP BY month, rubric_id, class)
           SELECT open.month AS "month!", open.branches AS "branches!",
                  coalesce(agg.held, 0) AS "held!", coalesce(agg.expected, 0)::int8 AS "expected!",
                  coalesce(agg.present, 0)::int8 AS "present!",
                  coalesce((SELECT jsonb_agg(jsonb_build_array(cls.rubric_id, cls.class, cls.n))
                              FROM cls WHERE cls.month = open.month), '[]'::jsonb) AS "classes!"
             FROM open LEFT JOIN agg ON agg.month = open.month
            ORDER BY open.month"#,
        root,
        first,
        last,
        today
    )
    .fetch_all(pool)
    .await?;
    let parsed: Vec<(TrendMonth, Vec<ClassGroup>)> = rows
        .into_iter()
        .map(|r| {
            let groups: Vec<ClassGroup> = serde_json::from_value(r.classes).unwrap_or_default();
            (
                TrendMonth {
                    month: r.month,
                    branches: r.branches,
                    held: r.held,
                    expected: r.expected,
                    present: r.present,
                    classes: Vec::new(),
                },
                groups,
            )
        })
        .collect();
    let ids = parsed
        .iter()
        .flat_map(|(_, g)| g.iter().filter_map(|(id, _, _)| *id))
        .collect();
    let labels = ClassLabels::load(pool, ids).await?;
    Ok(parsed
        .into_iter()
        .map(|(mut t, groups)| {
            for (rubric, class, n) in groups {
                let label = labels.get(rubric, Some(&class)).unwrap_or(class);
                match t.classes.iter_mut().find(|(l, _)| *l == label) {
                    Some((_, c)) => *c += n,
                    None => t.classes.push((label, n)),
                }
            }
            t
        })
        .collect())
}

/// The units directly below `root` in the tree as it stood `on` that were open in the
/// month (the dashboard's rows), with their names of that day.
pub async fn children(
    pool: &PgPool,
    root: Uuid,
    month: NaiveDate,
    on: NaiveDate,
) -> Result<Vec<(Uuid, String, String)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"SELECT id AS "id!", name AS "name!", path::text AS "path!" FROM units_on($3)
            WHERE parent_id = $1 AND valid_from < ($2::date + interval '1 month')
              AND (valid_to IS NULL OR valid_to > $2::date)
            ORDER BY name COLLATE "vi-VN-x-icu""#,
        root,
        month,
        on
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(|r| (r.id, r.name, r.path))
    .collect())
}

/// A branch's score sent up and waiting for the committee.
pub struct Waiting {
    pub meeting_id: Uuid,
    pub branch: String,
    pub month: NaiveDate,
    pub total_tenths: i32,
    pub sent_at: DateTime<Utc>,
}

/// The scores of the subtree of `root` waiting for approval, the longest waiting first:
/// the first `limit`, and how many wait in all. The partial index on waiting sheets keeps
/// this to the few sheets sent up, however many a province has scored: the read starts
/// from it (the `OFFSET 0` keeps the planner from starting from the subtree's meetings of
/// every year instead, which five years of history made a province's dashboard take 0.7 s).
pub async fn waiting(
    pool: &PgPool,
    root: Uuid,
    limit: i64,
) -> Result<(Vec<Waiting>, i64), sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT m.id AS meeting_id, b.name AS branch, m.month, e.total_tenths AS "total_tenths!",
                  e.updated_at AS "sent_at!", count(*) OVER () AS "total!"
             FROM (SELECT e.meeting_id, e.total_tenths, e.updated_at FROM evaluations e
                    WHERE e.scorer = 'branch' AND e.state = 'submitted' OFFSET 0) e
             JOIN meetings m ON m.id = e.meeting_id
             JOIN units b ON b.id = m.unit_id,
                  (SELECT path FROM units WHERE id = $1) root
            WHERE b.path <@ root.path
            ORDER BY e.updated_at, b.name COLLATE "vi-VN-x-icu", m.id
            LIMIT $2"#,
        root,
        limit
    )
    .fetch_all(pool)
    .await?;
    let total = rows.first().map_or(0, |r| r.total);
    Ok((
        rows.into_iter()
            .map(|r| Waiting {
                meeting_id: r.meeting_id,
                branch: r.branch,
                month: r.month,
                total_tenths: r.total_tenths,
                sent_at: r.sent_at,
            })
            .collect(),
        total,
    ))
}

/// Whether any branch of the subtree of `root` has held its meeting of `month`.
pub async fn any_held(pool: &PgPool, root: Uuid, month: NaiveDate) -> Result<bool, sqlx::Error> {
    sqlx::query_scalar!(
        r#"SELECT EXISTS (
               SELECT 1 FROM meetings m JOIN units b ON b.id = m.unit_id,
                      (SELECT path FROM units WHERE id = $1) root
                WHERE m.month = $2 AND m.state <> 'planned' AND b.path <@ root.path) AS "held!""#,
        root,
        month
    )
    .fetch_one(pool)
    .await
}
