//! A branch's committee posts: who holds one now, giving one, ending one.

use chrono::NaiveDate;
use serde_json::json;
use sqlx::PgPool;
use uuid::Uuid;

use crate::error::StoreError;
use crate::members::domain::{MemberRefusal, Milestone, PostRole, Status, not_before};
use crate::members::forms::NewPost;

/// A post held now in a branch's committee.
pub struct PostRow {
    pub id: Uuid,
    pub member_id: Uuid,
    pub full_name: String,
    pub status: Status,
    pub role: PostRole,
    pub term: Option<String>,
    pub valid_from: NaiveDate,
    pub reference: Option<String>,
}

pub async fn posts(pool: &PgPool, unit_id: Uuid) -> Result<Vec<PostRow>, sqlx::Error> {
    sqlx::query_as!(
        PostRow,
        r#"SELECT r.id, r.member_id, m.full_name, m.status AS "status: Status", r.role AS "role: PostRole",
                  r.term, r.valid_from, r.reference
             FROM committee_roles r JOIN members m ON m.id = r.member_id
            WHERE r.unit_id = $1 AND r.valid_to IS NULL
            ORDER BY CASE r.role WHEN 'secretary' THEN 0 WHEN 'deputy_secretary' THEN 1 ELSE 2 END,
                     m.given_name COLLATE "vi-VN-x-icu""#,
        unit_id
    )
    .fetch_all(pool)
    .await
}

/// Gives a member of the branch a post. Structural rules (how many, who may) are shown as
/// warnings; what is refused here is what cannot be true: a second secretary at once, a post
/// for someone who is not a member of the branch, two posts for one person.
pub async fn add_post(
    pool: &PgPool,
    actor: Option<Uuid>,
    unit_id: Uuid,
    p: &NewPost,
) -> Result<(), StoreError> {
    crate::db::transaction(pool, async |tx| {
        let joined = sqlx::query_scalar!(
            "SELECT valid_from FROM memberships
              WHERE member_id = $1 AND unit_id = $2 AND kind = 'permanent' AND valid_to IS NULL",
            p.member_id,
            unit_id
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(MemberRefusal::NotBranchMember)?;
        not_before(
            "valid_from",
            p.valid_from,
            joined,
            Milestone::BranchJoined,
        )?;
        let held = sqlx::query_scalar!(
            r#"SELECT role AS "role: PostRole" FROM committee_roles WHERE unit_id = $1 AND member_id = $2 AND valid_to IS NULL"#,
            unit_id,
            p.member_id
        )
        .fetch_optional(&mut *tx)
        .await?;
        if let Some(role) = held {
            return Err(MemberRefusal::HoldsPost { role: Some(role) }.into());
        }
        if p.role == PostRole::Secretary {
            let has = sqlx::query_scalar!(
                r#"SELECT EXISTS (SELECT 1 FROM committee_roles WHERE unit_id = $1 AND role = 'secretary' AND valid_to IS NULL) AS "e!""#,
                unit_id
            )
            .fetch_one(&mut *tx)
            .await?;
            if has {
                return Err(MemberRefusal::SecretaryTaken.into());
            }
        }
        sqlx::query!(
            "INSERT INTO committee_roles (unit_id, member_id, role, term, valid_from, reference)
             VALUES ($1, $2, $3, $4, $5, $6)",
            unit_id,
            p.member_id,
            p.role.as_str(),
            p.term,
            p.valid_from,
            p.reference
        )
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::on_constraint(
                e,
                &[
                    (
                        "committee_roles_one_secretary",
                        MemberRefusal::SecretaryTaken,
                    ),
                    (
                        "committee_roles_one_open_role_per_member",
                        MemberRefusal::HoldsPost { role: None },
                    ),
                ],
            )
        })?;
        crate::audit::record(
            tx,
            crate::audit::Entry {
                user: actor,
                action: crate::audit::Action::PostAdded,
                entity: "member",
                entity_id: Some(p.member_id),
                before: None,
                after: Some(json!({"unit": unit_id, "role": p.role, "from": p.valid_from})),
            },
        )
        .await?;
        Ok(())
    })
    .await
}

/// Ends a post of the branch on a date.
pub async fn end_post(
    pool: &PgPool,
    actor: Option<Uuid>,
    unit_id: Uuid,
    post_id: Uuid,
    on_date: NaiveDate,
) -> Result<(), StoreError> {
    crate::db::transaction(pool, async |tx| {
        let row = sqlx::query!(
            "SELECT member_id, valid_from FROM committee_roles
              WHERE id = $1 AND unit_id = $2 AND valid_to IS NULL FOR UPDATE",
            post_id,
            unit_id
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        if on_date < row.valid_from {
            return Err(MemberRefusal::EndBeforeStart {
                since: row.valid_from,
            }
            .into());
        }
        sqlx::query!(
            "UPDATE committee_roles SET valid_to = $2 WHERE id = $1",
            post_id,
            on_date
        )
        .execute(&mut *tx)
        .await?;
        crate::audit::record(
            tx,
            crate::audit::Entry {
                user: actor,
                action: crate::audit::Action::PostEnded,
                entity: "member",
                entity_id: Some(row.member_id),
                before: None,
                after: Some(json!({"unit": unit_id, "post": post_id, "to": on_date})),
            },
        )
        .await?;
        Ok(())
    })
    .await
}

/// Who signed for the branch on `day`: its secretary then, or, without one, its deputy
/// secretary (a post ended on a day is no longer held that day).
pub async fn signer_on(
    pool: &PgPool,
    unit_id: Uuid,
    day: NaiveDate,
) -> Result<Option<(PostRole, String)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"SELECT r.role AS "role: PostRole", m.full_name
             FROM committee_roles r JOIN members m ON m.id = r.member_id
            WHERE r.unit_id = $1 AND r.role IN ('secretary', 'deputy_secretary')
              AND r.valid_from <= $2 AND (r.valid_to IS NULL OR r.valid_to > $2)
            ORDER BY CASE r.role WHEN 'secretary' THEN 0 ELSE 1 END, r.valid_from DESC
            LIMIT 1"#,
        unit_id,
        day
    )
    .fetch_optional(pool)
    .await?
    .map(|r| (r.role, r.full_name)))
}
