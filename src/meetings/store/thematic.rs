//! The year's thematic plan of a branch, quarter by quarter, with what was held.

#[allow(unused_imports)]
use super::*;
use crate::error::StoreError;
use crate::meetings::forms::PlannedTopic;
use sqlx::PgPool;
use uuid::Uuid;

pub struct QuarterPlan {
    pub quarter: i32,
    pub topic: Option<String>,
    /// The plan's version (0: none yet), for the form.
    pub version: i32,
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
        "SELECT quarter, topic, version FROM thematic_plans WHERE unit_id = $1 AND year = $2",
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
            version: plans
                .iter()
                .find(|p| p.quarter == q)
                .map_or(0, |p| p.version),
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

/// Sets (or clears) a quarter's planned topic, from the version the form showed (0: the
/// form saw none): a save over another person's meanwhile is refused as stale.
pub async fn plan_topic(
    pool: &PgPool,
    actor: Option<Uuid>,
    unit: Uuid,
    planned: &PlannedTopic,
) -> Result<(), StoreError> {
    let (year, quarter) = (planned.year, planned.quarter);
    crate::db::transaction(pool, async |tx| {
        let row = sqlx::query!(
            "SELECT version, topic FROM thematic_plans WHERE unit_id = $1 AND year = $2 AND quarter = $3 FOR UPDATE",
            unit,
            year,
            quarter
        )
        .fetch_optional(&mut *tx)
        .await?;
        let current = row.as_ref().map_or(0, |r| r.version);
        let old_topic = row.map(|r| r.topic);
        if current != planned.version {
            return Err(StoreError::Stale);
        }
        match (planned.topic.as_deref(), current) {
            (Some(t), 0) => {
                // Two first plans at once: the second finds the first's row, and is stale.
                let inserted = sqlx::query!(
                    "INSERT INTO thematic_plans (unit_id, year, quarter, topic) VALUES ($1, $2, $3, $4)
                     ON CONFLICT (unit_id, year, quarter) DO NOTHING",
                    unit,
                    year,
                    quarter,
                    t
                )
                .execute(&mut *tx)
                .await?;
                if inserted.rows_affected() == 0 {
                    return Err(StoreError::Stale);
                }
            }
            (Some(t), _) => {
                sqlx::query!(
                    "UPDATE thematic_plans SET topic = $4, version = version + 1
                      WHERE unit_id = $1 AND year = $2 AND quarter = $3",
                    unit,
                    year,
                    quarter,
                    t
                )
                .execute(&mut *tx)
                .await?;
            }
            (None, _) => {
                sqlx::query!(
                    "DELETE FROM thematic_plans WHERE unit_id = $1 AND year = $2 AND quarter = $3",
                    unit,
                    year,
                    quarter
                )
                .execute(&mut *tx)
                .await?;
            }
        }
        // The quarter's topic before and after, on the unit's history.
        let about = format!("{quarter}/{year}");
        crate::audit::record(
            tx,
            crate::audit::Entry {
                user: actor,
                action: crate::audit::Action::ThematicTopicPlanned,
                entity: "unit",
                entity_id: Some(unit),
                before: Some(serde_json::json!({ "about": about, "topic": old_topic })),
                after: Some(serde_json::json!({ "about": about, "topic": planned.topic })),
            },
        )
        .await?;
        Ok(())
    })
    .await
}
