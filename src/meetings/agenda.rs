//! Editing a meeting's agenda (add, edit, reorder, remove items; a presenter and notes for
//! each) and its guests (invited from other branches and the upper level).

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::forms::{GuestForm, ItemChange, ItemForm};
use super::scope::MeetingInScope;
use super::store::{self, AgendaItem, Guest, Meeting};
use crate::auth::scope::{Keep, Read};
use crate::error::{AppError, AppResult, refused};
use crate::org::store::Unit;
use crate::state::AppState;
use crate::web::{FieldErrors, Unprocessable};

#[derive(Template, WebTemplate)]
#[template(path = "meetings/agenda.html")]
pub struct AgendaPage {
    unit: Unit,
    /// May the user write this branch's records (a supervisor above only reads them).
    keeps: bool,

    meeting: Meeting,
    items: Vec<AgendaItem>,
    guests: Vec<Guest>,
    errors: FieldErrors,
}

/// The agenda page of a meeting, read afresh (after a refused change, the stored state).
async fn render(
    state: &AppState,
    unit: Unit,
    id: Uuid,
    keeps: bool,
    errors: FieldErrors,
) -> AppResult<AgendaPage> {
    let meeting = store::get(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(AgendaPage {
        keeps,
        items: store::agenda(&state.pool, id).await?,
        guests: store::guests(&state.pool, id).await?,
        unit,
        meeting,
        errors,
    })
}

pub async fn page(
    State(state): State<AppState>,
    MeetingInScope {
        meeting,
        unit,
        user,
        ..
    }: MeetingInScope<Read>,
) -> AppResult<AgendaPage> {
    let keeps = user.keeps(&unit.path);
    render(&state, unit, meeting.id, keeps, FieldErrors::default()).await
}

/// After a change: back to the agenda at `anchor` (the item changed, so that a phone does
/// not land at the top of the page), or the page with the refusal.
async fn done(
    state: &AppState,
    unit: Unit,
    id: Uuid,
    anchor: &str,
    result: Result<(), FieldErrors>,
) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/meetings/{id}/agenda#{anchor}")).into_response()),
        Err(errors) => {
            // Only a keeper's write is refused for its content.
            let page = render(state, unit, id, true, errors).await?;
            Ok(Unprocessable(page).into_response())
        }
    }
}

pub async fn add(
    State(state): State<AppState>,
    MeetingInScope {
        meeting,
        unit,
        user,
        ..
    }: MeetingInScope<Keep>,
    Form(form): Form<ItemForm>,
) -> AppResult<Response> {
    let id = meeting.id;
    let result = match form.parse() {
        Ok(item) => refused(store::add_item(&state.pool, Some(user.id), id, &item).await)?,
        Err(errors) => Err(errors),
    };
    done(&state, unit, id, "agenda-list", result).await
}

pub async fn update(
    State(state): State<AppState>,
    MeetingInScope {
        meeting,
        unit,
        user,
        ..
    }: MeetingInScope<Keep>,
    Path((_, item)): Path<(Uuid, Uuid)>,
    Form(form): Form<ItemForm>,
) -> AppResult<Response> {
    let id = meeting.id;
    let pool = &state.pool;
    let change = form.change();
    let anchor = match &change {
        Ok(ItemChange::Delete) => "agenda-list".to_owned(),
        _ => format!("item-{item}"),
    };
    let result = match change {
        Ok(ItemChange::Up) => refused(store::move_item(pool, Some(user.id), id, item, true).await)?,
        Ok(ItemChange::Down) => {
            refused(store::move_item(pool, Some(user.id), id, item, false).await)?
        }
        Ok(ItemChange::Delete) => refused(store::remove_item(pool, Some(user.id), id, item).await)?,
        Ok(ItemChange::Save(input)) => {
            refused(store::update_item(pool, Some(user.id), id, item, &input).await)?
        }
        Err(errors) => Err(errors),
    };
    done(&state, unit, id, &anchor, result).await
}

pub async fn add_guest(
    State(state): State<AppState>,
    MeetingInScope {
        meeting,
        unit,
        user,
        ..
    }: MeetingInScope<Keep>,
    Form(form): Form<GuestForm>,
) -> AppResult<Response> {
    let id = meeting.id;
    let result = match form.parse() {
        Ok(guest) => refused(store::add_guest(&state.pool, Some(user.id), id, &guest).await)?,
        Err(errors) => Err(errors),
    };
    done(&state, unit, id, "khach-moi", result).await
}

pub async fn remove_guest(
    State(state): State<AppState>,
    MeetingInScope {
        meeting,
        unit,
        user,
        ..
    }: MeetingInScope<Keep>,
    Path((_, guest)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let id = meeting.id;
    let result = refused(store::remove_guest(&state.pool, Some(user.id), id, guest).await)?;
    done(&state, unit, id, "khach-moi", result).await
}
