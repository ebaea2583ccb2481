//! Life-cycle steps: recognition as a full member, exemption, transfers (permanent or
//! temporary) and the return from one, leaving the rolls.

use chrono::NaiveDate;
use serde_json::json;
use sqlx::{PgPool, Postgres, Transaction};
use uuid::Uuid;

use super::*;
use crate::error::StoreError;
use crate::members::domain::{EventKind, Lifecycle, Status, probation_end};
use crate::web::vn_date;

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

/// Refuses a date before `earliest`, naming what `earliest` is (also used for posts).
pub(super) fn not_before(
    date: NaiveDate,
    earliest: NaiveDate,
    what: &str,
) -> Result<(), StoreError> {
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
                    crate::error::Worded {
                        field: "target",
                        message: "Đảng viên này đang sinh hoạt tạm thời ở một chi bộ khác; hãy kết thúc lần sinh hoạt tạm thời đó trước.".into(),
                    },
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
