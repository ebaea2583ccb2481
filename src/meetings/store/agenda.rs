//! A meeting's agenda items and its guests.

use super::*;
use crate::error::StoreError;
use crate::meetings::domain::MeetingRefusal;
use crate::meetings::forms::{ItemInput, NewGuest};
use sqlx::PgPool;
use uuid::Uuid;

pub struct AgendaItem {
    pub id: Uuid,
    pub position: i32,
    pub title: String,
    pub presenter: Option<String>,
    pub notes: Option<String>,
    pub version: i32,
}

pub async fn agenda(pool: &PgPool, meeting: Uuid) -> Result<Vec<AgendaItem>, sqlx::Error> {
    sqlx::query_as!(
        AgendaItem,
        "SELECT id, position, title, presenter, notes, version FROM agenda_items WHERE meeting_id = $1 ORDER BY position",
        meeting
    )
    .fetch_all(pool)
    .await
}

/// Adds an item at the end of the agenda.
pub async fn add_item(
    pool: &PgPool,
    actor: Option<Uuid>,
    meeting: Uuid,
    item: &ItemInput,
) -> Result<(), StoreError> {
    let (title, presenter, notes) = (
        &item.title,
        item.presenter.as_deref(),
        item.notes.as_deref(),
    );
    edit(pool, meeting, None, async |tx, _| {
        let added = sqlx::query_scalar!(
            r#"INSERT INTO agenda_items (meeting_id, position, title, presenter, notes)
               SELECT $1, coalesce(max(position), 0) + 1, $2, $3, $4 FROM agenda_items WHERE meeting_id = $1
               RETURNING jsonb_build_object('about', title, 'title', title, 'presenter', presenter,
                                            'notes', notes, 'position', position) AS "row!""#,
            meeting,
            title,
            presenter,
            notes
        )
        .fetch_one(&mut *tx)
        .await?;
        audit(tx, actor, meeting, crate::audit::Action::AgendaItemAdded, None, Some(added)).await?;
        Ok(())
    })
    .await
}

pub async fn update_item(
    pool: &PgPool,
    actor: Option<Uuid>,
    meeting: Uuid,
    item: Uuid,
    input: &ItemInput,
) -> Result<(), StoreError> {
    let (title, presenter, notes) = (
        &input.title,
        input.presenter.as_deref(),
        input.notes.as_deref(),
    );
    edit(pool, meeting, None, async |tx, _| {
        let current = sqlx::query!(
            r#"SELECT version, jsonb_build_object('about', title, 'title', title, 'presenter', presenter,
                                                  'notes', notes) AS "row!"
                 FROM agenda_items WHERE id = $2 AND meeting_id = $1 FOR UPDATE"#,
            meeting,
            item
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        // Saved from the version the form showed, or refused: never over another's save.
        if input.version != Some(current.version) {
            return Err(StoreError::Stale);
        }
        let after = sqlx::query_scalar!(
            r#"UPDATE agenda_items SET title = $3, presenter = $4, notes = $5, version = version + 1
                WHERE id = $2 AND meeting_id = $1
               RETURNING jsonb_build_object('about', title, 'title', title, 'presenter', presenter,
                                            'notes', notes) AS "row!""#,
            meeting,
            item,
            title,
            presenter,
            notes
        )
        .fetch_one(&mut *tx)
        .await?;
        audit(
            tx,
            actor,
            meeting,
            crate::audit::Action::AgendaItemChanged,
            Some(current.row),
            Some(after),
        )
        .await?;
        Ok(())
    })
    .await
}

pub async fn remove_item(
    pool: &PgPool,
    actor: Option<Uuid>,
    meeting: Uuid,
    item: Uuid,
) -> Result<(), StoreError> {
    edit(pool, meeting, None, async |tx, _| {
        let removed = sqlx::query_scalar!(
            r#"DELETE FROM agenda_items WHERE id = $2 AND meeting_id = $1
               RETURNING jsonb_build_object('about', title, 'title', title, 'presenter', presenter,
                                            'notes', notes) AS "row!""#,
            meeting,
            item
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        audit(
            tx,
            actor,
            meeting,
            crate::audit::Action::AgendaItemRemoved,
            Some(removed),
            None,
        )
        .await?;
        Ok(())
    })
    .await
}

/// Swaps an item with its neighbour above (`up`) or below.
pub async fn move_item(
    pool: &PgPool,
    actor: Option<Uuid>,
    meeting: Uuid,
    item: Uuid,
    up: bool,
) -> Result<(), StoreError> {
    edit(pool, meeting, None, async |tx, _| {
        let ids: Vec<Uuid> = sqlx::query_scalar!(
            "SELECT id FROM agenda_items WHERE meeting_id = $1 ORDER BY position, id FOR UPDATE",
            meeting
        )
        .fetch_all(&mut *tx)
        .await?;
        let i = ids
            .iter()
            .position(|x| *x == item)
            .ok_or(StoreError::NotFound)?;
        let j = if up {
            i.checked_sub(1)
        } else {
            Some(i + 1).filter(|j| *j < ids.len())
        };
        if let Some(j) = j {
            let mut order = ids.clone();
            order.swap(i, j);
            // Renumber 1..n in the new order.
            sqlx::query!(
                "UPDATE agenda_items a SET position = o.pos
                   FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, pos)
                  WHERE a.id = o.id",
                &order
            )
            .execute(&mut *tx)
            .await?;
            let title = sqlx::query_scalar!("SELECT title FROM agenda_items WHERE id = $1", item)
                .fetch_one(&mut *tx)
                .await?;
            let at = |p: usize| serde_json::json!({ "about": title, "position": p + 1 });
            audit(
                tx,
                actor,
                meeting,
                crate::audit::Action::AgendaItemMoved,
                Some(at(i)),
                Some(at(j)),
            )
            .await?;
        }
        Ok(())
    })
    .await
}

pub struct Guest {
    pub id: Uuid,
    pub name: String,
    pub position: Option<String>,
    pub from_unit: Option<String>,
}

pub async fn guests(pool: &PgPool, meeting: Uuid) -> Result<Vec<Guest>, sqlx::Error> {
    sqlx::query_as!(
        Guest,
        "SELECT id, name, position, from_unit FROM meeting_guests WHERE meeting_id = $1 ORDER BY id",
        meeting
    )
    .fetch_all(pool)
    .await
}

/// Invites a guest. The same guest twice (same name, same unit) is refused: under the
/// meeting's lock, so two people adding them at once are told, not listed twice.
pub async fn add_guest(
    pool: &PgPool,
    actor: Option<Uuid>,
    meeting: Uuid,
    guest: &NewGuest,
) -> Result<(), StoreError> {
    let (name, position, from_unit) = (
        &guest.name,
        guest.position.as_deref(),
        guest.from_unit.as_deref(),
    );
    edit(pool, meeting, None, async |tx, _| {
        let invited = sqlx::query_scalar!(
            r#"SELECT EXISTS (SELECT 1 FROM meeting_guests
                               WHERE meeting_id = $1 AND name = $2 AND from_unit IS NOT DISTINCT FROM $3) AS "e!""#,
            meeting,
            name,
            from_unit
        )
        .fetch_one(&mut *tx)
        .await?;
        if invited {
            return Err(MeetingRefusal::GuestInvited { name: name.clone() }.into());
        }
        let added = sqlx::query_scalar!(
            r#"INSERT INTO meeting_guests (meeting_id, name, position, from_unit) VALUES ($1, $2, $3, $4)
               RETURNING jsonb_build_object('about', name, 'name', name, 'position', position,
                                            'from_unit', from_unit) AS "row!""#,
            meeting,
            name,
            position,
            from_unit
        )
        .fetch_one(&mut *tx)
        .await?;
        audit(tx, actor, meeting, crate::audit::Action::GuestAdded, None, Some(added)).await?;
        Ok(())
    })
    .await
}

/// Removes a guest; one removed already (a second click, another person) is refused with
/// its message rather than passed over in silence. A guest of another meeting is not this
/// meeting's to remove: `NotFound` (404), and that guest stays.
pub async fn remove_guest(
    pool: &PgPool,
    actor: Option<Uuid>,
    meeting: Uuid,
    guest: Uuid,
) -> Result<(), StoreError> {
    edit(pool, meeting, None, async |tx, _| {
        let removed = sqlx::query_scalar!(
            r#"DELETE FROM meeting_guests WHERE id = $2 AND meeting_id = $1
               RETURNING jsonb_build_object('about', name, 'name', name, 'position', position,
                                            'from_unit', from_unit) AS "row!""#,
            meeting,
            guest
        )
        .fetch_optional(&mut *tx)
        .await?;
        let Some(removed) = removed else {
            let elsewhere = sqlx::query_scalar!(
                r#"SELECT EXISTS (SELECT 1 FROM meeting_guests WHERE id = $1) AS "e!""#,
                guest
            )
            .fetch_one(&mut *tx)
            .await?;
            return Err(if elsewhere {
                StoreError::NotFound
            } else {
                MeetingRefusal::GuestGone.into()
            });
        };
        audit(
            tx,
            actor,
            meeting,
            crate::audit::Action::GuestRemoved,
            Some(removed),
            None,
        )
        .await?;
        Ok(())
    })
    .await
}
