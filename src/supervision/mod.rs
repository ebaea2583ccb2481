//! Supervision of the branches below a committee: the monthly dashboard with its trend
//! charts, the compliance alerts and their thresholds, the model-meeting programme.

mod charts;
pub mod domain;
pub mod forms;
mod model;
pub mod pages;
pub mod store;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard/{id}", get(pages::dashboard))
        .route("/alerts/{id}", get(pages::alerts))
        .route(
            "/admin/alerts",
            get(pages::thresholds_form).post(pages::thresholds_save),
        )
        .route("/model-meetings/{id}", get(model::list).post(model::plan))
        .route("/model-meetings/{id}/{planned}", post(model::review))
}
