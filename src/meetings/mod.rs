//! Meetings: planning from a template, the agenda and guests, attendance from the registry,
//! minutes, votes, tasks and their review, holding, closing and reopening, printing.

mod agenda;
pub mod domain;
pub mod forms;
mod minutes;
mod pages;
pub mod scope;
pub mod store;
mod templates_admin;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub use forms::MAX_VOTES;
pub(crate) use forms::parse_month;
pub use pages::Counts;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/units/{id}/meetings",
            get(pages::list).post(pages::plan_series),
        )
        .route(
            "/units/{id}/thematic",
            get(pages::thematic).post(pages::plan_topic),
        )
        .route(
            "/admin/templates",
            get(templates_admin::list).post(templates_admin::create_variant),
        )
        .route("/admin/templates/{id}", get(templates_admin::edit))
        .route(
            "/admin/templates/{id}/items/{item}",
            post(templates_admin::change),
        )
        .route("/meetings/new", get(pages::new_form).post(pages::create))
        .route("/meetings/{id}", get(pages::show))
        .route("/meetings/{id}/history", get(pages::history))
        .route("/meetings/{id}/attendance", get(pages::attendance))
        .route("/meetings/{id}/attendance/{member}", post(pages::mark))
        .route(
            "/meetings/{id}/attendance/{member}/reason",
            post(pages::excuse),
        )
        .route(
            "/meetings/{id}/attendance/{member}/spoke",
            post(pages::spoke),
        )
        .route("/meetings/{id}/all-present", post(pages::all_present))
        .route("/meetings/{id}/agenda", get(agenda::page).post(agenda::add))
        .route("/meetings/{id}/agenda/{item}", post(agenda::update))
        .route("/meetings/{id}/guests", post(agenda::add_guest))
        .route(
            "/meetings/{id}/guests/{guest}/delete",
            post(agenda::remove_guest),
        )
        .route(
            "/meetings/{id}/minutes",
            get(minutes::form).post(minutes::save),
        )
        .route("/meetings/{id}/votes", post(minutes::add_vote))
        .route("/meetings/{id}/tasks", post(minutes::add_task))
        .route("/meetings/{id}/reviews/{task}", post(minutes::review_task))
        .route("/meetings/{id}/state", post(minutes::change_state))
}
