//! The member's record: adding one (alone or many in one transaction) and correcting it, with
//! the history row every change leaves and the checks on the card number and the branch.

use chrono::NaiveDate;
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::*;
use crate::error::StoreError;
use crate::members::domain::{EventKind, Gender, Lifecycle, MemberRecord, MemberRefusal, Status};
use crate::org::domain::UnitKind;

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

pub async fn add_event(tx: &mut PgConnection, e: NewEvent<'_>) -> Result<(), sqlx::Error> {
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
    .execute(&mut *tx)
    .await?;
    Ok(())
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

/// The lock–check–write–commit shape of every change to a member: one transaction; the
/// member's row locked and the change refused when the form was built from an older
/// `version`; then `write`, given the connection and the member as locked. Nothing is
/// written unless `write` answers `Ok`.
pub(super) async fn change_member<T>(
    pool: &PgPool,
    id: Uuid,
    version: i32,
    write: impl AsyncFnOnce(&mut PgConnection, MemberDetail) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    crate::db::transaction(pool, async move |tx| {
        let member = lock_member(tx, id, version).await?;
        write(tx, member).await
    })
    .await
}

/// The member's row, locked for the change; refused if the form was built from an older
/// version.
pub(super) async fn lock_member(
    tx: &mut PgConnection,
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
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    if m.version != version {
        return Err(StoreError::Stale);
    }
    Ok(m)
}

/// The open branch a new member joins; anything else is refused on the form.
pub(super) async fn lock_open_branch(
    tx: &mut PgConnection,
    unit_id: Uuid,
    field: &'static str,
) -> Result<(String, NaiveDate), StoreError> {
    let row = sqlx::query!(
        r#"SELECT name, kind AS "kind: UnitKind", valid_from, valid_to FROM units WHERE id = $1 FOR SHARE"#,
        unit_id
    )
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    if !row.kind.is_branch() {
        return Err(MemberRefusal::NotABranch { field }.into());
    }
    if row.valid_to.is_some() {
        return Err(MemberRefusal::BranchClosed {
            field,
            branch: row.name,
        }
        .into());
    }
    Ok((row.name, row.valid_from))
}

/// Card numbers are unique across the whole Party: say who holds it already, but only to a
/// reader who may see that member (one of the holder's branches, past or present, is under
/// `reader`, the subtrees the user reads; `None`: every unit). Anyone else learns only that
/// the number is taken: card numbers can be guessed, names must not leak across scopes.
async fn check_card_free(
    tx: &mut PgConnection,
    card_no: Option<&str>,
    except: Option<Uuid>,
    reader: Option<&[String]>,
) -> Result<(), StoreError> {
    let Some(card) = card_no else { return Ok(()) };
    let roots: Vec<String> = reader.map(<[String]>::to_vec).unwrap_or_default();
    let holder = sqlx::query!(
        r#"SELECT m.full_name,
                  ($3 OR EXISTS (SELECT 1 FROM memberships ms JOIN units u ON u.id = ms.unit_id
                                  WHERE ms.member_id = m.id AND u.path <@ ANY($4::text[]::ltree[]))) AS "seen!"
             FROM members m WHERE m.card_no = $1 AND m.id IS DISTINCT FROM $2"#,
        card,
        except,
        reader.is_none(),
        &roots
    )
    .fetch_optional(&mut *tx)
    .await?;
    match holder {
        Some(holder) => Err(MemberRefusal::CardTaken {
            card: card.to_owned(),
            holder: holder.seen.then_some(holder.full_name),
        }
        .into()),
        None => Ok(()),
    }
}

/// A write of `card_no` that raced past [`check_card_free`] (two saves of one number at
/// once, both before either committed): the unique index answers with the same refusal,
/// without the holder, whom it cannot name.
fn card_raced(err: sqlx::Error, card_no: Option<&str>) -> StoreError {
    match card_no {
        Some(card) => StoreError::on_constraint(
            err,
            &[(
                "members_card_no_key",
                MemberRefusal::CardTaken {
                    card: card.to_owned(),
                    holder: None,
                },
            )],
        ),
        None => err.into(),
    }
}

/// Adds a member to a branch: the record, a permanent membership from the later of the
/// admission and the branch's founding, and a "created" event. `reader`: the subtrees the
/// actor reads (`User::scope_roots`), which decide whether a refusal may name a card's holder.
pub async fn create(
    pool: &PgPool,
    actor: Option<Uuid>,
    reader: Option<&[String]>,
    unit_id: Uuid,
    rec: &MemberRecord,
    event_kind: EventKind,
    on: NaiveDate,
) -> Result<Uuid, StoreError> {
    crate::db::transaction(pool, async |tx| {
        insert_member(tx, actor, reader, unit_id, rec, event_kind, on).await
    })
    .await
}

/// The body of [`create`], for callers that add many members in one transaction (import).
pub async fn insert_member(
    tx: &mut PgConnection,
    actor: Option<Uuid>,
    reader: Option<&[String]>,
    unit_id: Uuid,
    rec: &MemberRecord,
    event_kind: EventKind,
    on: NaiveDate,
) -> Result<Uuid, StoreError> {
    let (_, branch_from) = lock_open_branch(tx, unit_id, "form").await?;
    check_card_free(tx, rec.card_no.as_deref(), None, reader).await?;
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
    .execute(&mut *tx)
    .await
    .map_err(|e| card_raced(e, rec.card_no.as_deref()))?;
    let joined = rec.admission_date.max(branch_from);
    sqlx::query!(
        "INSERT INTO memberships (id, member_id, unit_id, kind, valid_from) VALUES ($1, $2, $3, 'permanent', $4)",
        Uuid::now_v7(),
        id,
        unit_id,
        joined
    )
    .execute(&mut *tx)
    .await?;
    // The dated history of the life-cycle state begins with the admission (see `set_state`).
    sqlx::query!(
        "INSERT INTO member_states (member_id, state, valid_from) VALUES ($1, $2, $3)",
        id,
        Lifecycle::Active.as_str(),
        rec.admission_date
    )
    .execute(&mut *tx)
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

/// Corrects a member's record; the previous values stay in the history.
pub async fn update(
    pool: &PgPool,
    actor: Option<Uuid>,
    reader: Option<&[String]>,
    id: Uuid,
    version: i32,
    rec: &MemberRecord,
    on: NaiveDate,
) -> Result<(), StoreError> {
    change_member(pool, id, version, async |tx, before| {
        check_card_free(tx, rec.card_no.as_deref(), Some(id), reader).await?;
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
        .await
        .map_err(|e| card_raced(e, rec.card_no.as_deref()))?;
        add_event(
            tx,
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
        Ok(())
    })
    .await
}
