//! The year's thematic plan of a branch, quarter by quarter, with what was held.

#[allow(unused_imports)]
use super::*;
use crate::meetings::forms::PlannedTopic;
use sqlx::PgPool;
use uuid::Uuid;

pub struct QuarterPlan {
    pub quarter: i32,
    pub topic: Option<String>,
    /// Thematic meetings (or combined sessions) held in the quarter.
    pub held: Vec<HeldTheme>,
}

pub struct HeldTheme {
    pub month: chrono::NaiveDate,
    pub started_at: Option<chrono::DateTime<chrono::Utc>>,
    pub topic: Option<String>,
}

/// The year's thematic plan of a branch, quarter by quarter, with what was held.
pub async fn thematic_year(
    pool: &PgPool,
    unit: Uuid,
    year: i32,
) -> Result<Vec<QuarterPlan>, sqlx::Error> {
    let plans = sqlx::query!(
        "SELECT quarter, topic FROM thematic_plans WHERE unit_id = $1 AND year = $2",
        unit,
        year
    )
    .fetch_all(pool)
    .await?;
    let held = sqlx::query!(
        r#"SELECT extract(quarter FROM month)::int AS "quarter!", month, topic, started_at
             FROM meetings
            WHERE unit_id = $1 AND extract(year FROM month) = $2 AND kind IN ('thematic', 'combined')
              AND state <> 'planned'
            ORDER BY month"#,
        unit,
        year as f64
    )
    .fetch_all(pool)
    .await?;
    Ok((1..=4)
        .map(|q| QuarterPlan {
            quarter: q,
            topic: plans
                .iter()
                .find(|p| p.quarter == q)
                .map(|p| p.topic.clone()),
            held: held
                .iter()
                .filter(|h| h.quarter == q)
                .map(|h| HeldTheme {
                    month: h.month,
                    started_at: h.started_at,
                    topic: h.topic.clone(),
                })
                .collect(),
        })
        .collect())
}

pub async fn plan_topic(
    pool: &PgPool,
    unit: Uuid,
    planned: &PlannedTopic,
) -> Result<(), sqlx::Error> {
    let (year, quarter) = (planned.year, planned.quarter);
    match planned.topic.as_deref() {
        Some(t) => {
            sqlx::query!(
                "INSERT INTO thematic_plans (unit_id, year, quarter, topic) VALUES ($1, $2, $3, $4)
                 ON CONFLICT (unit_id, year, quarter) DO UPDATE SET topic = excluded.topic",
                unit,
                year,
                quarter,
                t
            )
            .execute(pool)
            .await?;
        }
        None => {
            sqlx::query!(
                "DELETE FROM thematic_plans WHERE unit_id = $1 AND year = $2 AND quarter = $3",
                unit,
                year,
                quarter
            )
            .execute(pool)
            .await?;
        }
    }
    Ok(())
}
