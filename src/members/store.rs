use chrono::NaiveDate;
use sqlx::PgPool;
use uuid::Uuid;

use crate::web::vn_date;

/// One line of a branch's member list.
pub struct RosterRow {
    pub id: Uuid,
    pub full_name: String,
    pub birth_year: i32,
    pub status: String,
    pub lifecycle_state: String,
    pub permanent: bool,
}

impl RosterRow {
    pub fn status_label(&self) -> &'static str {
        super::status_label(&self.status)
    }

    pub fn state_label(&self) -> &'static str {
        super::state_label(&self.lifecycle_state)
    }
}

/// Members with an open membership of the branch, sorted the Vietnamese way: by given name,
/// then by full name, under Vietnamese collation.
pub async fn roster(pool: &PgPool, unit_id: Uuid) -> Result<Vec<RosterRow>, sqlx::Error> {
    sqlx::query_as!(
        RosterRow,
        r#"SELECT m.id, m.full_name, extract(year FROM m.birth_date)::int AS "birth_year!",
                  m.status, m.lifecycle_state, (ms.kind = 'permanent') AS "permanent!"
             FROM memberships ms JOIN members m ON m.id = ms.member_id
            WHERE ms.unit_id = $1 AND ms.valid_to IS NULL
            ORDER BY m.given_name COLLATE "vi-VN-x-icu", m.full_name COLLATE "vi-VN-x-icu""#,
        unit_id
    )
    .fetch_all(pool)
    .await
}

pub struct MemberDetail {
    pub id: Uuid,
    pub full_name: String,
    pub gender: String,
    pub birth_date: NaiveDate,
    pub hometown: Option<String>,
    pub card_no: Option<String>,
    pub admission_date: NaiveDate,
    pub official_date: Option<NaiveDate>,
    pub status: String,
    pub lifecycle_state: String,
}

pub async fn detail(pool: &PgPool, id: Uuid) -> Result<Option<MemberDetail>, sqlx::Error> {
    sqlx::query_as!(
        MemberDetail,
        "SELECT id, full_name, gender, birth_date, hometown, card_no, admission_date, official_date,
                status, lifecycle_state
           FROM members WHERE id = $1",
        id
    )
    .fetch_optional(pool)
    .await
}

pub struct MembershipView {
    pub unit_id: Uuid,
    pub unit_name: String,
    pub unit_path: String,
    pub permanent: bool,
    pub from: String,
    pub to: Option<String>,
    pub open: bool,
    pub reference: Option<String>,
}

/// Every membership of the member, newest first: the history of where they belonged.
pub async fn memberships(
    pool: &PgPool,
    member_id: Uuid,
) -> Result<Vec<MembershipView>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT u.id AS unit_id, u.name, u.path::text AS "path!", ms.kind, ms.valid_from, ms.valid_to, ms.reference
             FROM memberships ms JOIN units u ON u.id = ms.unit_id
            WHERE ms.member_id = $1
            ORDER BY ms.valid_from DESC, ms.kind"#,
        member_id
    )
    .fetch_all(pool)
    .await?;
    Ok(rows
        .into_iter()
        .map(|r| MembershipView {
            unit_id: r.unit_id,
            unit_name: r.name,
            unit_path: r.path,
            permanent: r.kind == "permanent",
            from: vn_date(r.valid_from),
            to: r.valid_to.map(vn_date),
            open: r.valid_to.is_none(),
            reference: r.reference,
        })
        .collect())
}
