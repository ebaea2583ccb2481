//! Life-cycle steps: recognition as a full member, exemption, transfers (permanent or
//! temporary) and the return from one, leaving the rolls.

use chrono::NaiveDate;
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::*;
use crate::error::StoreError;
use crate::members::domain::{
    Destination, EventKind, Leaving, Lifecycle, MemberRefusal, Milestone, Status, not_before,
    probation_end,
};

/// A life-cycle step: the member, the date it takes effect, its decision or letter.
pub struct Step<'a> {
    pub member_id: Uuid,
    pub version: i32,
    pub on_date: NaiveDate,
    pub reference: Option<&'a str>,
    pub reason: Option<&'a str>,
}

async fn open_permanent_branch(
    tx: &mut PgConnection,
    member: Uuid,
) -> Result<Option<(Uuid, NaiveDate)>, sqlx::Error> {
    Ok(sqlx::query!(
        "SELECT unit_id, valid_from FROM memberships
          WHERE member_id = $1 AND kind = 'permanent' AND valid_to IS NULL FOR UPDATE",
        member
    )
    .fetch_optional(&mut *tx)
    .await?
    .map(|r| (r.unit_id, r.valid_from)))
}

/// The date of a step refused before `earliest` (the message under `on_date`).
fn on_or_after(
    date: NaiveDate,
    earliest: NaiveDate,
    milestone: Milestone,
) -> Result<(), StoreError> {
    Ok(not_before("on_date", date, earliest, milestone)?)
}

/// Changes the member's life-cycle state from `since`: the current state on the member's row,
/// and the dated history (`member_states`) that says the state of any past day. The current
/// period ends the day before `since` and the new one begins on it; a period begun on `since`
/// itself gives way (two steps on one day: the last one holds), and a return to the state of
/// the period just ended continues that period. Refused before the current period began,
/// so that periods stay in order and never overlap.
async fn set_state(
    tx: &mut PgConnection,
    member: Uuid,
    state: Lifecycle,
    since: NaiveDate,
) -> Result<(), StoreError> {
    let current = sqlx::query_scalar!(
        "SELECT valid_from FROM member_states WHERE member_id = $1 AND valid_to IS NULL FOR UPDATE",
        member
    )
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(from) = current {
        on_or_after(since, from, Milestone::PreviousChange)?;
    }
    sqlx::query!(
        "DELETE FROM member_states WHERE member_id = $1 AND valid_to IS NULL AND valid_from = $2",
        member,
        since
    )
    .execute(&mut *tx)
    .await?;
    sqlx::query!(
        "UPDATE member_states SET valid_to = $2 WHERE member_id = $1 AND valid_to IS NULL",
        member,
        since
    )
    .execute(&mut *tx)
    .await?;
    let continued = sqlx::query!(
        "UPDATE member_states SET valid_to = NULL WHERE member_id = $1 AND valid_to = $2 AND state = $3",
        member,
        since,
        state.as_str()
    )
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if continued == 0 {
        sqlx::query!(
            "INSERT INTO member_states (member_id, state, valid_from) VALUES ($1, $2, $3)",
            member,
            state.as_str(),
            since
        )
        .execute(&mut *tx)
        .await?;
    }
    sqlx::query!(
        "UPDATE members SET lifecycle_state = $2, state_since = $3, version = version + 1 WHERE id = $1",
        member,
        state.as_str(),
        since
    )
    .execute(&mut *tx)
    .await?;
    Ok(())
}

fn state_json(state: Lifecycle) -> serde_json::Value {
    json!({ "lifecycle_state": state.as_str() })
}

fn blank(text: Option<&str>) -> bool {
    text.is_none_or(|t| t.trim().is_empty())
}

/// Recognition as a full member (công nhận đảng viên chính thức), after 12 months.
pub async fn recognise(pool: &PgPool, actor: Option<Uuid>, s: Step<'_>) -> Result<(), StoreError> {
    change_member(pool, s.member_id, s.version, async |tx, m| {
        if m.status == Status::Full {
            return Err(MemberRefusal::AlreadyFull.into());
        }
        if !matches!(m.lifecycle_state, Lifecycle::Active | Lifecycle::Away) {
            return Err(MemberRefusal::RecogniseInactive.into());
        }
        on_or_after(
            s.on_date,
            probation_end(m.admission_date),
            Milestone::ProbationEnd,
        )?;
        let unit = open_permanent_branch(tx, s.member_id)
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
            tx,
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
        Ok(())
    })
    .await
}

/// Exemption from activity (miễn công tác và sinh hoạt đảng), or its end.
pub async fn set_exempt(
    pool: &PgPool,
    actor: Option<Uuid>,
    s: Step<'_>,
    exempt: bool,
) -> Result<(), StoreError> {
    let (from, to, kind) = if exempt {
        (Lifecycle::Active, Lifecycle::Exempt, EventKind::Exempted)
    } else {
        (
            Lifecycle::Exempt,
            Lifecycle::Active,
            EventKind::ExemptionEnded,
        )
    };
    change_member(pool, s.member_id, s.version, async |tx, m| {
        if m.lifecycle_state != from {
            return Err(if exempt {
                MemberRefusal::ExemptInactive
            } else {
                MemberRefusal::NotExempt
            }
            .into());
        }
        if exempt && blank(s.reason) {
            return Err(MemberRefusal::ExemptionReasonMissing.into());
        }
        let (unit, joined) = open_permanent_branch(tx, s.member_id)
            .await?
            .ok_or(MemberRefusal::NoBranch { field: "on_date" })?;
        on_or_after(
            s.on_date,
            m.state_since.unwrap_or(joined).max(joined),
            Milestone::PreviousChange,
        )?;
        set_state(tx, s.member_id, to, s.on_date).await?;
        add_event(
            tx,
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
        Ok(())
    })
    .await
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
    change_member(pool, s.member_id, s.version, async |tx, m| {
        if m.lifecycle_state != Lifecycle::Active
            && !(permanent && m.lifecycle_state == Lifecycle::Exempt)
        {
            return Err(MemberRefusal::TransferInactive.into());
        }
        let (home, joined) = open_permanent_branch(tx, s.member_id)
            .await?
            .ok_or(MemberRefusal::NoBranch { field: "target" })?;
        on_or_after(s.on_date, joined, Milestone::CurrentBranchJoined)?;
        if blank(s.reference) {
            return Err(MemberRefusal::LetterMissing.into());
        }
        let target = match to {
            Destination::Branch(id) => {
                if id == home {
                    return Err(MemberRefusal::SameBranch.into());
                }
                let (_, founded) =
                    lock_open_branch(tx, id, "target")
                        .await
                        .map_err(|e| match e {
                            StoreError::NotFound => MemberRefusal::TargetNotFound.into(),
                            other => other,
                        })?;
                on_or_after(s.on_date, founded, Milestone::TargetFounded)?;
                // Only a branch the form offered (a closed one is refused above, with its
                // own message): the id of a branch elsewhere in the province, another
                // commune's, is refused like an unknown one.
                let offered = super::roster::transfer_targets(&mut *tx, home).await?;
                if !offered.iter().any(|(t, _)| *t == id) {
                    return Err(MemberRefusal::TargetNotFound.into());
                }
                Some(id)
            }
            Destination::Elsewhere if permanent => None,
            Destination::Elsewhere => return Err(MemberRefusal::TemporaryElsewhere.into()),
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
                None => {
                    set_state(tx, s.member_id, Lifecycle::TransferredOut, s.on_date).await?
                }
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
                    &[("memberships_one_open_per_kind", MemberRefusal::AwayAlready)],
                )
            })?;
            set_state(tx, s.member_id, Lifecycle::Away, s.on_date).await?;
        }
        add_event(
            tx,
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
        Ok(())
    })
    .await
}

/// The member comes back from a temporary transfer.
pub async fn end_temporary(
    pool: &PgPool,
    actor: Option<Uuid>,
    s: Step<'_>,
) -> Result<(), StoreError> {
    change_member(pool, s.member_id, s.version, async |tx, m| {
        let temp = sqlx::query!(
            "SELECT id, unit_id, valid_from FROM memberships
              WHERE member_id = $1 AND kind = 'temporary' AND valid_to IS NULL FOR UPDATE",
            s.member_id
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(MemberRefusal::NotAway)?;
        on_or_after(s.on_date, temp.valid_from, Milestone::TemporaryStart)?;
        sqlx::query!(
            "UPDATE memberships SET valid_to = $2 WHERE id = $1",
            temp.id,
            s.on_date
        )
        .execute(&mut *tx)
        .await?;
        if m.lifecycle_state == Lifecycle::Away {
            set_state(tx, s.member_id, Lifecycle::Active, s.on_date).await?;
        }
        add_event(
            tx,
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
        Ok(())
    })
    .await
}

/// Leaving the rolls: struck off (xóa tên), expelled (khai trừ) or deceased (từ trần). Every
/// open membership and post ends on the date; the record and its history stay.
pub async fn leave(
    pool: &PgPool,
    actor: Option<Uuid>,
    s: Step<'_>,
    how: Leaving,
) -> Result<(), StoreError> {
    change_member(pool, s.member_id, s.version, async |tx, m| {
        if !m.lifecycle_state.on_the_rolls() {
            return Err(MemberRefusal::LeftAlready.into());
        }
        if how != Leaving::Deceased && blank(s.reference) {
            return Err(MemberRefusal::DecisionMissing.into());
        }
        let (home, joined) = open_permanent_branch(tx, s.member_id)
            .await?
            .ok_or(MemberRefusal::NoBranch { field: "kind" })?;
        on_or_after(s.on_date, joined, Milestone::BranchJoined)?;
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
        set_state(tx, s.member_id, how.state(), s.on_date).await?;
        add_event(
            tx,
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
        Ok(())
    })
    .await
}
