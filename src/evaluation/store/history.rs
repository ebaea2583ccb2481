//! A branch's year: its scores month by month, the months it held its meeting, the
//! quarters with a thematic meeting (for its history and the annual roll-up).

use chrono::NaiveDate;
use sqlx::PgPool;
use uuid::Uuid;

use crate::evaluation::domain::SheetState;
use crate::meetings::domain::MeetingKind;

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
