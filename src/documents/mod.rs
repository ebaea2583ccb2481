//! The printed documents of a meeting in the party layout: the minutes (with the score sheet
//! attached), the notice, and the score sheet alone. They combine meetings and evaluation, so
//! they live above both.

mod minutes;
mod score_sheet;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/meetings/{id}/print", get(minutes::minutes))
        .route("/meetings/{id}/notice", get(minutes::notice))
        .route("/meetings/{id}/evaluation/print", get(score_sheet::page))
}
