//! Editing a meeting's agenda (add, edit, reorder, remove items; a presenter and notes for
//! each) and its guests (invited from other branches and the upper level).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use uuid::Uuid;

use super::scope::MeetingInScope;
use super::store::{self, AgendaItem, Guest, Meeting};
use crate::auth::scope::{Keep, Read};
use crate::error::{AppError, AppResult, StoreError};
use crate::org::store::Unit;
use crate::state::AppState;
use crate::web::{FieldErrors, Unprocessable, form_text as text};

type Fields = HashMap<String, String>;

#[derive(Template, WebTemplate)]
#[template(path = "meetings/agenda.html")]
pub struct AgendaPage {
    unit: Unit,
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
    errors: FieldErrors,
) -> AppResult<AgendaPage> {
    let meeting = store::get(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(AgendaPage {
        items: store::agenda(&state.pool, id).await?,
        guests: store::guests(&state.pool, id).await?,
        unit,
        meeting,
        errors,
    })
}

pub async fn page(
    State(state): State<AppState>,
    MeetingInScope { meeting, unit, .. }: MeetingInScope<Read>,
) -> AppResult<AgendaPage> {
    render(&state, unit, meeting.id, FieldErrors::default()).await
}

async fn done(
    state: &AppState,
    unit: Unit,
    id: Uuid,
    result: Result<(), StoreError>,
) -> AppResult<Response> {
    match result {
        Ok(()) => Ok(Redirect::to(&format!("/meetings/{id}/agenda")).into_response()),
        Err(e) => {
            let errors = e.into_form_errors()?;
            let page = render(state, unit, id, errors).await?;
            Ok(Unprocessable(page).into_response())
        }
    }
}

fn title_of(f: &Fields) -> Result<String, StoreError> {
    text(f, "title", 300).ok_or_else(|| StoreError::invalid("title", "Vui lòng ghi tên nội dung."))
}

pub async fn add(
    State(state): State<AppState>,
    MeetingInScope { meeting, unit, .. }: MeetingInScope<Keep>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let id = meeting.id;
    let f: Fields = f.into_iter().collect();
    let result = match title_of(&f) {
        Ok(title) => {
            store::add_item(
                &state.pool,
                id,
                &title,
                text(&f, "presenter", 120).as_deref(),
                text(&f, "notes", 1000).as_deref(),
            )
            .await
        }
        Err(e) => Err(e),
    };
    done(&state, unit, id, result).await
}

pub async fn update(
    State(state): State<AppState>,
    MeetingInScope { meeting, unit, .. }: MeetingInScope<Keep>,
    Path((_, item)): Path<(Uuid, Uuid)>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let id = meeting.id;
    let f: Fields = f.into_iter().collect();
    let result = match f.get("action").map(String::as_str) {
        Some("up") => store::move_item(&state.pool, id, item, true).await,
        Some("down") => store::move_item(&state.pool, id, item, false).await,
        Some("delete") => store::remove_item(&state.pool, id, item).await,
        _ => match title_of(&f) {
            Ok(title) => {
                store::update_item(
                    &state.pool,
                    id,
                    item,
                    &title,
                    text(&f, "presenter", 120).as_deref(),
                    text(&f, "notes", 1000).as_deref(),
                )
                .await
            }
            Err(e) => Err(e),
        },
    };
    done(&state, unit, id, result).await
}

pub async fn add_guest(
    State(state): State<AppState>,
    MeetingInScope { meeting, unit, .. }: MeetingInScope<Keep>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let id = meeting.id;
    let f: Fields = f.into_iter().collect();
    let result = match text(&f, "name", 120) {
        None => Err(StoreError::invalid(
            "name",
            "Vui lòng ghi họ tên khách mời.",
        )),
        Some(name) => {
            store::add_guest(
                &state.pool,
                id,
                &name,
                text(&f, "position", 120).as_deref(),
                text(&f, "from_unit", 200).as_deref(),
            )
            .await
        }
    };
    done(&state, unit, id, result).await
}

pub async fn remove_guest(
    State(state): State<AppState>,
    MeetingInScope { meeting, unit, .. }: MeetingInScope<Keep>,
    Path((_, guest)): Path<(Uuid, Uuid)>,
) -> AppResult<Response> {
    let id = meeting.id;
    let result = store::remove_guest(&state.pool, id, guest).await;
    done(&state, unit, id, result).await
}
