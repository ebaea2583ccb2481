//! Scoring meetings against the provincial criteria: the rubric registry (versioned data),
//! computed criteria from the meeting record, bands and gates, the branch's self-score and
//! the upper committee's review, the annual roll-up, the printed score sheet.

mod admin;
mod applicable;
pub mod domain;
pub mod forms;
mod history;
mod pages;
pub mod rubric;
pub mod scoring;
pub mod store;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub(crate) use history::months_counted;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/meetings/{id}/evaluation",
            get(pages::page).post(pages::save),
        )
        .route("/meetings/{id}/evaluation/step", post(pages::step))
        .route("/units/{id}/evaluations", get(history::page))
        .route("/units/{id}/rubrics", get(applicable::page))
        .route(
            "/admin/rubrics",
            get(admin::list)
                .post(admin::import)
                .layer(axum::extract::DefaultBodyLimit::max(
                    forms::MAX_FILE_BYTES + 64 * 1024,
                )),
        )
        .route("/admin/rubrics/{id}", get(admin::show))
        .route(
            "/admin/rubrics/{id}/edit",
            get(admin::edit_form).post(admin::edit),
        )
        .route("/admin/rubrics/{id}/export/{format}", get(admin::export))
        .route("/admin/rubrics/{id}/copy", post(admin::copy))
        .route("/admin/rubrics/{id}/publish", post(admin::publish))
}
