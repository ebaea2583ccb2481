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

/// Party terms run five years from 2020 (2020–2025, 2025–2030, …); report numbers restart
/// with each (docs/rules.md §6.1).
pub fn term_start(year: i32) -> i32 {
    2020 + (year - 2020).div_euclid(5) * 5
}
