//! What is read of the registry: a branch's member list, one member's record, memberships
//! and history, the member's home branch and where they may be transferred to.

use chrono::NaiveDate;
use sqlx::PgPool;
use uuid::Uuid;

use crate::members::domain::{EventKind, Gender, Lifecycle, MembershipKind, PostRole, Status};
use crate::web::vn_date;

/// One line of a branch's member list.
pub struct RosterRow {
    pub id: Uuid,
    pub full_name: String,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    pub hometown: Option<String>,
    pub phone: Option<String>,
    pub card_no: Option<String>,
    pub admission_date: NaiveDate,
    pub admission_decision_date: Option<NaiveDate>,
    pub official_date: Option<NaiveDate>,
    pub status: Status,
    pub lifecycle_state: Lifecycle,
    pub permanent: bool,
    /// The committee post held in this branch, if any.
    pub role: Option<PostRole>,
}

impl RosterRow {
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }

    pub fn state_label(&self) -> &'static str {
        self.lifecycle_state.label()
    }

    pub fn birth_year(&self) -> i32 {
        chrono::Datelike::year(&self.birth_date)
    }

    pub fn role_label(&self) -> &'static str {
        self.role.map(PostRole::label).unwrap_or("")
    }
}

/// Members with an open membership of the branch, sorted the Vietnamese way: by given name,
/// then by full name, under Vietnamese collation.
pub async fn roster(pool: &PgPool, unit_id: Uuid) -> Result<Vec<RosterRow>, sqlx::Error> {
    sqlx::query_as!(
        RosterRow,
        r#"SELECT m.id, m.full_name, m.gender AS "gender: Gender", m.birth_date, m.hometown, m.phone, m.card_no,
                  m.admission_date, m.admission_decision_date, m.official_date,
                  m.status AS "status: Status", m.lifecycle_state AS "lifecycle_state: Lifecycle",
                  (ms.kind = 'permanent') AS "permanent!", r.role AS "role?: PostRole"
             FROM memberships ms
             JOIN members m ON m.id = ms.member_id
             LEFT JOIN committee_roles r
                    ON r.unit_id = ms.unit_id AND r.member_id = m.id AND r.valid_to IS NULL
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
    pub gender: Gender,
    pub birth_date: NaiveDate,
    pub hometown: Option<String>,
    pub phone: Option<String>,
    pub card_no: Option<String>,
    pub admission_date: NaiveDate,
    pub admission_decision_date: Option<NaiveDate>,
    pub official_date: Option<NaiveDate>,
    pub status: Status,
    pub lifecycle_state: Lifecycle,
    pub state_since: Option<NaiveDate>,
    pub version: i32,
}

pub async fn detail(pool: &PgPool, id: Uuid) -> Result<Option<MemberDetail>, sqlx::Error> {
    sqlx::query_as!(
        MemberDetail,
        r#"SELECT id, full_name, gender AS "gender: Gender", birth_date, hometown, phone, card_no, admission_date,
                admission_decision_date, official_date, status AS "status: Status",
                lifecycle_state AS "lifecycle_state: Lifecycle", state_since, version
           FROM members WHERE id = $1"#,
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
        r#"SELECT u.id AS unit_id, u.name, u.path::text AS "path!", ms.kind AS "kind: MembershipKind", ms.valid_from, ms.valid_to, ms.reference
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
            permanent: r.kind == MembershipKind::Permanent,
            from: vn_date(r.valid_from),
            to: r.valid_to.map(vn_date),
            open: r.valid_to.is_none(),
            reference: r.reference,
        })
        .collect())
}

pub struct EventView {
    pub kind: EventKind,
    pub on_date: NaiveDate,
    pub reference: Option<String>,
    pub reason: Option<String>,
    pub unit_name: Option<String>,
    pub by: Option<String>,
}

impl EventView {
    pub fn label(&self) -> &'static str {
        self.kind.label()
    }

    pub fn date(&self) -> String {
        vn_date(self.on_date)
    }
}

pub async fn events(pool: &PgPool, member_id: Uuid) -> Result<Vec<EventView>, sqlx::Error> {
    sqlx::query_as!(
        EventView,
        r#"SELECT e.kind AS "kind: EventKind", e.on_date, e.reference, e.reason, u.name AS "unit_name?", us.display_name AS "by?"
             FROM member_events e
             LEFT JOIN units u ON u.id = e.unit_id
             LEFT JOIN users us ON us.id = e.user_id
            WHERE e.member_id = $1
            ORDER BY e.on_date DESC, e.created_at DESC"#,
        member_id
    )
    .fetch_all(pool)
    .await
}

/// The branches a member may be transferred to from `home`: open branches under the same
/// upper level (the home's grandparent), by name. The form offers these, and the transfer
/// itself checks its destination against the same list (`lifecycle::transfer`), so a
/// destination no form offered is refused.
pub async fn transfer_targets<'e>(
    db: impl sqlx::PgExecutor<'e>,
    home: Uuid,
) -> Result<Vec<(Uuid, String)>, sqlx::Error> {
    let rows = sqlx::query!(
        r#"SELECT b.id, b.name || ' — ' || coalesce(p.name, '') AS "label!"
             FROM units h
             JOIN units b ON b.path <@ subpath(h.path, 0, greatest(nlevel(h.path) - 2, 1))
             LEFT JOIN units p ON p.id = b.parent_id
            WHERE h.id = $1 AND b.id <> h.id AND b.valid_to IS NULL
              AND b.kind IN ('branch', 'grassroots_branch')
            ORDER BY b.name COLLATE "vi-VN-x-icu""#,
        home
    )
    .fetch_all(db)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.label)).collect())
}

/// The open permanent branch of a member with its path (for the scope check), if any.
pub async fn home_branch(
    pool: &PgPool,
    member_id: Uuid,
) -> Result<Option<(Uuid, String)>, sqlx::Error> {
    Ok(sqlx::query!(
        r#"SELECT u.id, u.path::text AS "path!" FROM memberships ms JOIN units u ON u.id = ms.unit_id
            WHERE ms.member_id = $1 AND ms.kind = 'permanent' AND ms.valid_to IS NULL"#,
        member_id
    )
    .fetch_optional(pool)
    .await?
    .map(|r| (r.id, r.path)))
}

/// A member's "Lịch sử", newest first, the latest `limit` rows: the registry's events
/// (`member_events`) and the audit rows about the member (committee posts).
pub async fn history(
    pool: &PgPool,
    member_id: Uuid,
    limit: i64,
) -> Result<Vec<crate::audit::Row>, sqlx::Error> {
    sqlx::query_as!(
        crate::audit::Row,
        r#"SELECT source AS "source!", code AS "code!", note, before, after, user_name, at AS "at!"
             FROM (SELECT 'event' AS source, e.kind AS code,
                          nullif(concat_ws(' · ', un.name, e.reference, e.reason), '') AS note,
                          e.before, e.after, us.display_name AS user_name, e.created_at AS at
                     FROM member_events e
                     LEFT JOIN units un ON un.id = e.unit_id
                     LEFT JOIN users us ON us.id = e.user_id
                    WHERE e.member_id = $1
                   UNION ALL
                   SELECT 'audit', a.action, NULL, a.before, a.after, us.display_name, a.at
                     FROM audit_log a LEFT JOIN users us ON us.id = a.user_id
                    WHERE a.entity = 'member' AND a.entity_id = $1) h
            ORDER BY at DESC LIMIT $2"#,
        member_id,
        limit
    )
    .fetch_all(pool)
    .await
}
