//! SQL for the member registry. Every change runs in one transaction, checks the version the
//! form was built from, and leaves a member_events row (what, when, under which reference,
//! by whom, before and after): history is added to, never overwritten.

use chrono::NaiveDate;
use serde_json::json;
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use super::domain::{
    EventKind, Gender, Lifecycle, MemberRecord, MembershipKind, PostRole, Status, probation_end,
};
use crate::error::StoreError;
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

fn record_json(r: &MemberRecord) -> serde_json::Value {
    json!({
        "full_name": r.full_name,
        "gender": r.gender.as_str(),
        "birth_date": r.birth_date,
        "hometown": r.hometown,
        "phone": r.phone,
        "card_no": r.card_no,
        "admission_date": r.admission_date,
        "admission_decision_date": r.admission_decision_date,
        "official_date": r.official_date,
        "status": r.status.as_str(),
    })
}

fn detail_json(d: &MemberDetail) -> serde_json::Value {
    json!({
        "full_name": d.full_name,
        "gender": d.gender.as_str(),
        "birth_date": d.birth_date,
        "hometown": d.hometown,
        "phone": d.phone,
        "card_no": d.card_no,
        "admission_date": d.admission_date,
        "admission_decision_date": d.admission_decision_date,
        "official_date": d.official_date,
        "status": d.status.as_str(),
        "lifecycle_state": d.lifecycle_state.as_str(),
    })
}

pub struct NewEvent<'a> {
    pub member_id: Uuid,
    pub unit_id: Option<Uuid>,
    pub kind: EventKind,
    pub on_date: NaiveDate,
    pub reference: Option<&'a str>,
    pub reason: Option<&'a str>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub user_id: Option<Uuid>,
}

pub async fn add_event(
    tx: &mut Transaction<'_, Postgres>,
    e: NewEvent<'_>,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO member_events (member_id, unit_id, kind, on_date, reference, reason, before, after, user_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        e.member_id,
        e.unit_id,
        e.kind.as_str(),
        e.on_date,
        e.reference,
        e.reason,
        e.before,
        e.after,
        e.user_id
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Card numbers are unique across the whole Party: name who holds it already.
async fn check_card_free(
    tx: &mut Transaction<'_, Postgres>,
    card_no: Option<&str>,
    except: Option<Uuid>,
) -> Result<(), StoreError> {
    let Some(card) = card_no else { return Ok(()) };
    let holder = sqlx::query_scalar!(
        "SELECT full_name FROM members WHERE card_no = $1 AND id IS DISTINCT FROM $2",
        card,
        except
    )
    .fetch_optional(&mut **tx)
    .await?;
    match holder {
        Some(name) => Err(StoreError::invalid(
            "card_no",
            format!("Số thẻ {card} đã được cấp cho đảng viên {name}."),
        )),
        None => Ok(()),
    }
}

/// The open branch a new member joins; anything else is refused on the form.
async fn lock_open_branch(
    tx: &mut Transaction<'_, Postgres>,
    unit_id: Uuid,
    field: &'static str,
) -> Result<(String, NaiveDate), StoreError> {
    let row = sqlx::query!(
        "SELECT name, kind, valid_from, valid_to FROM units WHERE id = $1 FOR SHARE",
        unit_id
    )
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    if !matches!(row.kind.as_str(), "branch" | "grassroots_branch") {
        return Err(StoreError::invalid(
            field,
            "Chỉ chi bộ mới có đảng viên sinh hoạt.",
        ));
    }
    if row.valid_to.is_some() {
        return Err(StoreError::invalid(
            field,
            format!("{} đã ngừng hoạt động.", row.name),
        ));
    }
    Ok((row.name, row.valid_from))
}

/// Adds a member to a branch: the record, a permanent membership from the later of the
/// admission and the branch's founding, and a "created" event.
pub async fn create(
    pool: &PgPool,
    actor: Option<Uuid>,
    unit_id: Uuid,
    rec: &MemberRecord,
    event_kind: EventKind,
    on: NaiveDate,
) -> Result<Uuid, StoreError> {
    let mut tx = pool.begin().await?;
    let id = insert_member(&mut tx, actor, unit_id, rec, event_kind, on).await?;
    tx.commit().await?;
    Ok(id)
}

/// The body of [`create`], for callers that add many members in one transaction (import).
pub async fn insert_member(
    tx: &mut Transaction<'_, Postgres>,
    actor: Option<Uuid>,
    unit_id: Uuid,
    rec: &MemberRecord,
    event_kind: EventKind,
    on: NaiveDate,
) -> Result<Uuid, StoreError> {
    let (_, branch_from) = lock_open_branch(tx, unit_id, "form").await?;
    check_card_free(tx, rec.card_no.as_deref(), None).await?;
    let id = Uuid::now_v7();
    sqlx::query!(
        "INSERT INTO members (id, full_name, gender, birth_date, hometown, phone, card_no, admission_date,
                              admission_decision_date, official_date, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        id,
        rec.full_name,
        rec.gender.as_str(),
        rec.birth_date,
        rec.hometown,
        rec.phone,
        rec.card_no,
        rec.admission_date,
        rec.admission_decision_date,
        rec.official_date,
        rec.status.as_str()
    )
    .execute(&mut **tx)
    .await?;
    let joined = rec.admission_date.max(branch_from);
    sqlx::query!(
        "INSERT INTO memberships (id, member_id, unit_id, kind, valid_from) VALUES ($1, $2, $3, 'permanent', $4)",
        Uuid::now_v7(),
        id,
        unit_id,
        joined
    )
    .execute(&mut **tx)
    .await?;
    add_event(
        tx,
        NewEvent {
            member_id: id,
            unit_id: Some(unit_id),
            kind: event_kind,
            on_date: on,
            reference: None,
            reason: None,
            before: None,
            after: Some(record_json(rec)),
            user_id: actor,
        },
    )
    .await?;
    Ok(id)
}

async fn lock_member(
    tx: &mut Transaction<'_, Postgres>,
    id: Uuid,
    version: i32,
) -> Result<MemberDetail, StoreError> {
    let m = sqlx::query_as!(
        MemberDetail,
        r#"SELECT id, full_name, gender AS "gender: Gender", birth_date, hometown, phone, card_no, admission_date,
                admission_decision_date, official_date, status AS "status: Status",
                lifecycle_state AS "lifecycle_state: Lifecycle", state_since, version
           FROM members WHERE id = $1 FOR UPDATE"#,
        id
    )
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    if m.version != version {
        return Err(StoreError::Stale);
    }
    Ok(m)
}

/// Corrects a member's record; the previous values stay in the history.
pub async fn update(
    pool: &PgPool,
    actor: Option<Uuid>,
    id: Uuid,
    version: i32,
    rec: &MemberRecord,
    on: NaiveDate,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let before = lock_member(&mut tx, id, version).await?;
    check_card_free(&mut tx, rec.card_no.as_deref(), Some(id)).await?;
    sqlx::query!(
        "UPDATE members SET full_name = $2, gender = $3, birth_date = $4, hometown = $5, phone = $6,
                card_no = $7, admission_date = $8, admission_decision_date = $9, official_date = $10,
                status = $11, version = version + 1
          WHERE id = $1",
        id,
        rec.full_name,
        rec.gender.as_str(),
        rec.birth_date,
        rec.hometown,
        rec.phone,
        rec.card_no,
        rec.admission_date,
        rec.admission_decision_date,
        rec.official_date,
        rec.status.as_str()
    )
    .execute(&mut *tx)
    .await?;
    add_event(
        &mut tx,
        NewEvent {
            member_id: id,
            unit_id: None,
            kind: EventKind::Edited,
            on_date: on,
            reference: None,
            reason: None,
            before: Some(detail_json(&before)),
            after: Some(record_json(rec)),
            user_id: actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A life-cycle step: the member, the date it takes effect, its decision or letter.
pub struct Step<'a> {
    pub member_id: Uuid,
    pub version: i32,
    pub on_date: NaiveDate,
    pub reference: Option<&'a str>,
    pub reason: Option<&'a str>,
}

async fn open_permanent_branch(
    tx: &mut Transaction<'_, Postgres>,
    member: Uuid,
) -> Result<Option<(Uuid, NaiveDate)>, sqlx::Error> {
    Ok(sqlx::query!(
        "SELECT unit_id, valid_from FROM memberships
          WHERE member_id = $1 AND kind = 'permanent' AND valid_to IS NULL FOR UPDATE",
        member
    )
    .fetch_optional(&mut **tx)
    .await?
    .map(|r| (r.unit_id, r.valid_from)))
}

fn not_before(date: NaiveDate, earliest: NaiveDate, what: &str) -> Result<(), StoreError> {
    if date < earliest {
        return Err(StoreError::invalid(
            "on_date",
            format!("Ngày không thể trước {what} ({}).", vn_date(earliest)),
        ));
    }
    Ok(())
}

async fn set_state(
    tx: &mut Transaction<'_, Postgres>,
    member: Uuid,
    state: Lifecycle,
    since: NaiveDate,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "UPDATE members SET lifecycle_state = $2, state_since = $3, version = version + 1 WHERE id = $1",
        member,
        state.as_str(),
        since
    )
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn state_json(state: Lifecycle) -> serde_json::Value {
    json!({ "lifecycle_state": state.as_str() })
}

/// Recognition as a full member (công nhận đảng viên chính thức), after 12 months.
pub async fn recognise(pool: &PgPool, actor: Option<Uuid>, s: Step<'_>) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let m = lock_member(&mut tx, s.member_id, s.version).await?;
    if m.status == Status::Full {
        return Err(StoreError::invalid(
            "on_date",
            "Đảng viên này đã là đảng viên chính thức.",
        ));
    }
    if !matches!(m.lifecycle_state, Lifecycle::Active | Lifecycle::Away) {
        return Err(StoreError::invalid(
            "on_date",
            "Chỉ công nhận chính thức cho đảng viên đang sinh hoạt.",
        ));
    }
    not_before(
        s.on_date,
        probation_end(m.admission_date),
        "ngày hết 12 tháng dự bị",
    )?;
    let unit = open_permanent_branch(&mut tx, s.member_id)
        .await?
        .map(|(u, _)| u);
    sqlx::query!(
        "UPDATE members SET status = $3, official_date = $2, version = version + 1 WHERE id = $1",
        s.member_id,
        s.on_date,
        Status::Full.as_str()
    )
    .execute(&mut *tx)
    .await?;
    add_event(
        &mut tx,
        NewEvent {
            member_id: s.member_id,
            unit_id: unit,
            kind: EventKind::Recognised,
            on_date: s.on_date,
            reference: s.reference,
            reason: s.reason,
            before: Some(json!({"status": m.status.as_str()})),
            after: Some(json!({"status": Status::Full.as_str(), "official_date": s.on_date})),
            user_id: actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Exemption from activity (miễn công tác và sinh hoạt đảng), or its end.
pub async fn set_exempt(
    pool: &PgPool,
    actor: Option<Uuid>,
    s: Step<'_>,
    exempt: bool,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let m = lock_member(&mut tx, s.member_id, s.version).await?;
    let (from, to, kind) = if exempt {
        (Lifecycle::Active, Lifecycle::Exempt, EventKind::Exempted)
    } else {
        (
            Lifecycle::Exempt,
            Lifecycle::Active,
            EventKind::ExemptionEnded,
        )
    };
    if m.lifecycle_state != from {
        return Err(StoreError::invalid(
            "on_date",
            if exempt {
                "Chỉ miễn sinh hoạt cho đảng viên đang sinh hoạt bình thường."
            } else {
                "Đảng viên này không đang được miễn sinh hoạt."
            },
        ));
    }
    if exempt && s.reason.is_none_or(|r| r.trim().is_empty()) {
        return Err(StoreError::invalid(
            "reason",
            "Vui lòng ghi lý do miễn sinh hoạt.",
        ));
    }
    let (unit, joined) = open_permanent_branch(&mut tx, s.member_id)
        .await?
        .ok_or_else(|| {
            StoreError::invalid("on_date", "Đảng viên không còn sinh hoạt ở chi bộ nào.")
        })?;
    not_before(
        s.on_date,
        m.state_since.unwrap_or(joined).max(joined),
        "lần thay đổi trước",
    )?;
    set_state(&mut tx, s.member_id, to, s.on_date).await?;
    add_event(
        &mut tx,
        NewEvent {
            member_id: s.member_id,
            unit_id: Some(unit),
            kind,
            on_date: s.on_date,
            reference: s.reference,
            reason: s.reason,
            before: Some(state_json(from)),
            after: Some(state_json(to)),
            user_id: actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Where a transfer goes.
pub enum Destination {
    /// Another branch in chibo.
    Branch(Uuid),
    /// Outside chibo (another province): the member leaves the rolls here.
    Elsewhere,
}

/// Transfer of party membership (chuyển sinh hoạt đảng): permanent (the old branch's
/// membership ends, a new one begins) or temporary (an extra membership at the host branch;
/// the member counts as away at home).
pub async fn transfer(
    pool: &PgPool,
    actor: Option<Uuid>,
    s: Step<'_>,
    to: Destination,
    permanent: bool,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let m = lock_member(&mut tx, s.member_id, s.version).await?;
    if m.lifecycle_state != Lifecycle::Active
        && !(permanent && m.lifecycle_state == Lifecycle::Exempt)
    {
        return Err(StoreError::invalid(
            "target",
            "Chỉ chuyển sinh hoạt cho đảng viên đang sinh hoạt (không miễn, không đang sinh hoạt tạm thời nơi khác).",
        ));
    }
    let (home, joined) = open_permanent_branch(&mut tx, s.member_id)
        .await?
        .ok_or_else(|| {
            StoreError::invalid("target", "Đảng viên không còn sinh hoạt ở chi bộ nào.")
        })?;
    not_before(
        s.on_date,
        joined,
        "ngày bắt đầu sinh hoạt ở chi bộ hiện tại",
    )?;
    if s.reference.is_none_or(|r| r.trim().is_empty()) {
        return Err(StoreError::invalid(
            "reference",
            "Vui lòng ghi số giấy giới thiệu.",
        ));
    }
    let target = match to {
        Destination::Branch(id) => {
            if id == home {
                return Err(StoreError::invalid(
                    "target",
                    "Không thể chuyển sinh hoạt đến chính chi bộ hiện tại.",
                ));
            }
            let (_, founded) =
                lock_open_branch(&mut tx, id, "target")
                    .await
                    .map_err(|e| match e {
                        StoreError::NotFound => {
                            StoreError::invalid("target", "Không tìm thấy chi bộ đến.")
                        }
                        other => other,
                    })?;
            not_before(s.on_date, founded, "ngày thành lập chi bộ đến")?;
            Some(id)
        }
        Destination::Elsewhere if permanent => None,
        Destination::Elsewhere => {
            return Err(StoreError::invalid(
                "target",
                "Sinh hoạt tạm thời phải chọn chi bộ đến.",
            ));
        }
    };
    if permanent {
        sqlx::query!(
            "UPDATE memberships SET valid_to = $2 WHERE member_id = $1 AND valid_to IS NULL",
            s.member_id,
            s.on_date
        )
        .execute(&mut *tx)
        .await?;
        sqlx::query!(
            "UPDATE committee_roles SET valid_to = $2 WHERE member_id = $1 AND valid_to IS NULL",
            s.member_id,
            s.on_date
        )
        .execute(&mut *tx)
        .await?;
        match target {
            Some(t) => {
                sqlx::query!(
                    "INSERT INTO memberships (id, member_id, unit_id, kind, valid_from, reference)
                     VALUES ($1, $2, $3, 'permanent', $4, $5)",
                    Uuid::now_v7(),
                    s.member_id,
                    t,
                    s.on_date,
                    s.reference
                )
                .execute(&mut *tx)
                .await?;
                // The record itself did not change, but a form built before the move is stale.
                sqlx::query!(
                    "UPDATE members SET version = version + 1 WHERE id = $1",
                    s.member_id
                )
                .execute(&mut *tx)
                .await?;
            }
            None => set_state(&mut tx, s.member_id, Lifecycle::TransferredOut, s.on_date).await?,
        }
    } else {
        sqlx::query!(
            "INSERT INTO memberships (id, member_id, unit_id, kind, valid_from, reference)
             VALUES ($1, $2, $3, 'temporary', $4, $5)",
            Uuid::now_v7(),
            s.member_id,
            target,
            s.on_date,
            s.reference
        )
        .execute(&mut *tx)
        .await
        .map_err(|e| {
            StoreError::on_constraint(
                e,
                &[(
                    "memberships_one_open_per_kind",
                    "target",
                    "Đảng viên này đang sinh hoạt tạm thời ở một chi bộ khác; hãy kết thúc lần sinh hoạt tạm thời đó trước.",
                )],
            )
        })?;
        set_state(&mut tx, s.member_id, Lifecycle::Away, s.on_date).await?;
    }
    add_event(
        &mut tx,
        NewEvent {
            member_id: s.member_id,
            unit_id: Some(home),
            kind: if permanent {
                EventKind::Transferred
            } else {
                EventKind::TemporaryTransfer
            },
            on_date: s.on_date,
            reference: s.reference,
            reason: s.reason,
            before: Some(json!({"branch": home})),
            after: Some(json!({"branch": target, "permanent": permanent})),
            user_id: actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The member comes back from a temporary transfer.
pub async fn end_temporary(
    pool: &PgPool,
    actor: Option<Uuid>,
    s: Step<'_>,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let m = lock_member(&mut tx, s.member_id, s.version).await?;
    let temp = sqlx::query!(
        "SELECT id, unit_id, valid_from FROM memberships
          WHERE member_id = $1 AND kind = 'temporary' AND valid_to IS NULL FOR UPDATE",
        s.member_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| {
        StoreError::invalid("on_date", "Đảng viên không đang sinh hoạt tạm thời ở đâu.")
    })?;
    not_before(
        s.on_date,
        temp.valid_from,
        "ngày bắt đầu sinh hoạt tạm thời",
    )?;
    sqlx::query!(
        "UPDATE memberships SET valid_to = $2 WHERE id = $1",
        temp.id,
        s.on_date
    )
    .execute(&mut *tx)
    .await?;
    if m.lifecycle_state == Lifecycle::Away {
        set_state(&mut tx, s.member_id, Lifecycle::Active, s.on_date).await?;
    }
    add_event(
        &mut tx,
        NewEvent {
            member_id: s.member_id,
            unit_id: Some(temp.unit_id),
            kind: EventKind::TemporaryTransferEnded,
            on_date: s.on_date,
            reference: s.reference,
            reason: s.reason,
            before: Some(state_json(m.lifecycle_state)),
            after: Some(state_json(Lifecycle::Active)),
            user_id: actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// How a member leaves the rolls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaving {
    StruckOff,
    Expelled,
    Deceased,
}

impl Leaving {
    fn state(self) -> Lifecycle {
        match self {
            Leaving::StruckOff => Lifecycle::StruckOff,
            Leaving::Expelled => Lifecycle::Expelled,
            Leaving::Deceased => Lifecycle::Deceased,
        }
    }

    fn event(self) -> EventKind {
        match self {
            Leaving::StruckOff => EventKind::StruckOff,
            Leaving::Expelled => EventKind::Expelled,
            Leaving::Deceased => EventKind::Deceased,
        }
    }

    /// The life-cycle code a form sends for it.
    pub fn parse(code: &str) -> Option<Self> {
        match Lifecycle::parse(code)? {
            Lifecycle::StruckOff => Some(Leaving::StruckOff),
            Lifecycle::Expelled => Some(Leaving::Expelled),
            Lifecycle::Deceased => Some(Leaving::Deceased),
            _ => None,
        }
    }
}

/// Leaving the rolls: struck off (xóa tên), expelled (khai trừ) or deceased (từ trần). Every
/// open membership and post ends on the date; the record and its history stay.
pub async fn leave(
    pool: &PgPool,
    actor: Option<Uuid>,
    s: Step<'_>,
    how: Leaving,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let m = lock_member(&mut tx, s.member_id, s.version).await?;
    if !m.lifecycle_state.on_the_rolls() {
        return Err(StoreError::invalid(
            "kind",
            "Đảng viên này đã ra khỏi danh sách từ trước.",
        ));
    }
    if how != Leaving::Deceased && s.reference.is_none_or(|r| r.trim().is_empty()) {
        return Err(StoreError::invalid(
            "reference",
            "Vui lòng ghi số quyết định.",
        ));
    }
    let (home, joined) = open_permanent_branch(&mut tx, s.member_id)
        .await?
        .ok_or_else(|| {
            StoreError::invalid("kind", "Đảng viên không còn sinh hoạt ở chi bộ nào.")
        })?;
    not_before(s.on_date, joined, "ngày bắt đầu sinh hoạt ở chi bộ")?;
    sqlx::query!(
        "UPDATE memberships SET valid_to = greatest(valid_from, $2) WHERE member_id = $1 AND valid_to IS NULL",
        s.member_id,
        s.on_date
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE committee_roles SET valid_to = greatest(valid_from, $2) WHERE member_id = $1 AND valid_to IS NULL",
        s.member_id,
        s.on_date
    )
    .execute(&mut *tx)
    .await?;
    set_state(&mut tx, s.member_id, how.state(), s.on_date).await?;
    add_event(
        &mut tx,
        NewEvent {
            member_id: s.member_id,
            unit_id: Some(home),
            kind: how.event(),
            on_date: s.on_date,
            reference: s.reference,
            reason: s.reason,
            before: Some(state_json(m.lifecycle_state)),
            after: Some(state_json(how.state())),
            user_id: actor,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The branches a member may be transferred to from `home`: open branches under the same
/// upper level (the home's grandparent), by name.
pub async fn transfer_targets(
    pool: &PgPool,
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
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(|r| (r.id, r.label)).collect())
}

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

pub struct NewPost<'a> {
    pub unit_id: Uuid,
    pub member_id: Uuid,
    pub role: PostRole,
    pub term: Option<&'a str>,
    pub valid_from: NaiveDate,
    pub reference: Option<&'a str>,
}

/// Gives a member of the branch a post. Structural rules (how many, who may) are shown as
/// warnings; what is refused here is what cannot be true: a second secretary at once, a post
/// for someone who is not a member of the branch, two posts for one person.
pub async fn add_post(
    pool: &PgPool,
    actor: Option<Uuid>,
    p: NewPost<'_>,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
    let joined = sqlx::query_scalar!(
        "SELECT valid_from FROM memberships
          WHERE member_id = $1 AND unit_id = $2 AND kind = 'permanent' AND valid_to IS NULL",
        p.member_id,
        p.unit_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or_else(|| {
        StoreError::invalid(
            "member",
            "Người được chọn không phải đảng viên của chi bộ này.",
        )
    })?;
    not_before(p.valid_from, joined, "ngày bắt đầu sinh hoạt ở chi bộ").map_err(|e| match e {
        StoreError::Invalid { message, .. } => StoreError::invalid("valid_from", message),
        other => other,
    })?;
    let held = sqlx::query_scalar!(
        r#"SELECT role AS "role: PostRole" FROM committee_roles WHERE unit_id = $1 AND member_id = $2 AND valid_to IS NULL"#,
        p.unit_id,
        p.member_id
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(role) = held {
        return Err(StoreError::invalid(
            "member",
            format!(
                "Đảng viên này đang giữ chức {}; hãy kết thúc chức vụ đó trước.",
                role.label()
            ),
        ));
    }
    if p.role == PostRole::Secretary {
        let has = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM committee_roles WHERE unit_id = $1 AND role = 'secretary' AND valid_to IS NULL) AS "e!""#,
            p.unit_id
        )
        .fetch_one(&mut *tx)
        .await?;
        if has {
            return Err(StoreError::invalid(
                "role",
                "Chi bộ đang có bí thư; hãy kết thúc nhiệm vụ của bí thư hiện tại trước.",
            ));
        }
    }
    sqlx::query!(
        "INSERT INTO committee_roles (unit_id, member_id, role, term, valid_from, reference)
         VALUES ($1, $2, $3, $4, $5, $6)",
        p.unit_id,
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
                    "role",
                    "Chi bộ đang có bí thư; hãy kết thúc nhiệm vụ của bí thư hiện tại trước.",
                ),
                (
                    "committee_roles_one_open_role_per_member",
                    "member",
                    "Đảng viên này đang giữ một chức vụ; hãy kết thúc chức vụ đó trước.",
                ),
            ],
        )
    })?;
    sqlx::query!(
        "INSERT INTO audit_log (user_id, action, entity, entity_id, after)
         VALUES ($1, 'post_added', 'member', $2, $3)",
        actor,
        p.member_id,
        json!({"unit": p.unit_id, "role": p.role, "from": p.valid_from})
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Ends a post of the branch on a date.
pub async fn end_post(
    pool: &PgPool,
    actor: Option<Uuid>,
    unit_id: Uuid,
    post_id: Uuid,
    on_date: NaiveDate,
) -> Result<(), StoreError> {
    let mut tx = pool.begin().await?;
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
        return Err(StoreError::invalid(
            "on_date",
            format!(
                "Ngày kết thúc không thể trước ngày nhận chức ({}).",
                vn_date(row.valid_from)
            ),
        ));
    }
    sqlx::query!(
        "UPDATE committee_roles SET valid_to = $2 WHERE id = $1",
        post_id,
        on_date
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "INSERT INTO audit_log (user_id, action, entity, entity_id, after)
         VALUES ($1, 'post_ended', 'member', $2, $3)",
        actor,
        row.member_id,
        json!({"unit": unit_id, "post": post_id, "to": on_date})
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
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
