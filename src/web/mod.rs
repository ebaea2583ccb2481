//! What every page shares, below every feature: the layout context, form fields and their
//! messages, date formatting, static files, and a page answered with its status. This module
//! imports nothing from the features (nor from `auth` or `error`).

mod assets;
mod format;
mod forms;
mod layout;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

pub use assets::static_file;
pub use format::{safe_next, url_encode, vn_date, vn_datetime};
pub use forms::{
    CONTROL_CHARS, DATE_RANGE, DateProblem, FIRST_DAY, FieldErrors, LAST_DAY, date_field,
    date_message, has_control_chars, number_in, parse_vn_date, read_date, read_datetime,
    read_month, read_time, within_years,
};
pub use layout::{
    Ctx, LAYOUT_CTX, UserBox, current_ctx, db_was_unavailable, note_db_unavailable,
    remember_layout_ctx, request_id, request_scope,
};

/// A form page shown again with its messages: 422, the page, the user's input kept in it.
pub struct Unprocessable<T>(pub T);

impl<T: IntoResponse> IntoResponse for Unprocessable<T> {
    fn into_response(self) -> Response {
        (StatusCode::UNPROCESSABLE_ENTITY, self.0).into_response()
    }
}
