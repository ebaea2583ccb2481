//! Party members. This first part holds what the tree and the accounts need: a branch's
//! roster and a member's own page. The full registry (life-cycle, transfers, import) builds
//! on it.

mod actions;
mod committee;
pub mod domain;
pub mod forms;
mod import;
mod pages;
pub mod scope;
mod sheet;
pub mod store;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub use pages::branch_summary;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/units/{id}/members", get(pages::list))
        .route("/units/{id}/members.xlsx", get(pages::export))
        .route("/members/new", get(pages::new_form).post(pages::create))
        .route("/members/{id}", get(pages::show))
        .route("/members/{id}/history", get(pages::history))
        .route(
            "/members/{id}/edit",
            get(pages::edit_form).post(pages::update),
        )
        .route(
            "/members/{id}/{action}",
            get(actions::form).post(actions::submit),
        )
        .route(
            "/units/{id}/committee",
            get(committee::page).post(committee::add),
        )
        .route(
            "/units/{id}/members/import",
            get(import::upload_form).post(import::upload).layer(
                axum::extract::DefaultBodyLimit::max(import::MAX_UPLOAD_BYTES),
            ),
        )
        .route(
            "/units/{id}/members/import/template.xlsx",
            get(import::template_xlsx),
        )
        .route(
            "/units/{id}/members/import/template.csv",
            get(import::template_csv),
        )
        .route("/units/{id}/members/import/{batch}", get(import::preview))
        .route(
            "/units/{id}/members/import/{batch}/commit",
            post(import::commit),
        )
        .route(
            "/units/{id}/members/import/{batch}/rows/{line}",
            post(import::fix_row),
        )
        .route(
            "/units/{id}/members/import/{batch}/rows/{line}/skip",
            post(import::toggle_skip),
        )
        .route("/units/{id}/committee/{post}/end", post(committee::end))
}
