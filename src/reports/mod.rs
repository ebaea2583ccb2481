//! The committee's monthly report (printable in the party document layout, and as .xlsx)
//! and the yearly report with each branch's annual roll-up.

mod forms;
mod monthly;
pub mod statement;
mod store;
mod workbook;
mod yearly;

use forms::*;
use monthly::*;
use store::*;
use workbook::*;

use axum::Router;
use axum::routing::get;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/reports/monthly/{file}",
            get(monthly::monthly).post(monthly::save_summary),
        )
        .route("/reports/yearly/{id}", get(yearly::yearly))
}

/// Report numbers restart with each party term.
pub use crate::documents::heading::term_start;
