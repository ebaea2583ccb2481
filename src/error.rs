//! One error type for every handler, rendered as a page in the common layout. Internal
//! details are logged once and never shown.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Not signed in: go to the login page.
    #[error("unauthenticated")]
    Unauthenticated { next: Option<String> },
    /// Does not exist, or outside the caller's scope (the two are never told apart).
    #[error("not found")]
    NotFound,
    /// Inside the scope, but the role does not allow this action.
    #[error("forbidden")]
    Forbidden,
    /// A request no form of ours sends (a tampered or truncated submission).
    #[error("bad request")]
    BadRequest,
    /// The request cannot be carried out as asked; the message is for the user.
    #[error("conflict: {0}")]
    Conflict(String),
    /// Input the database refused as text (a NUL that no form's parse caught): a 422 page
    /// with the message, nothing written.
    #[error("invalid input: {0}")]
    Invalid(String),
    /// More than the route accepts (an upload, a form): a 413 page stating the limit.
    #[error("payload too large (limit {limit} bytes)")]
    TooLarge { limit: usize },
    /// The database cannot be reached just now: a 503 page that asks to retry shortly.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// A multipart body that could not be read: too large for the route's `limit` (a 413
    /// page that says so), or malformed, which no form of ours sends.
    pub fn multipart(err: axum::extract::multipart::MultipartError, limit: usize) -> Self {
        tracing::debug!("multipart body: {err}");
        if err.status() == StatusCode::PAYLOAD_TOO_LARGE {
            AppError::TooLarge { limit }
        } else {
            AppError::BadRequest
        }
    }
}

/// What a 413 page says: the limit, in the unit a user knows.
pub fn too_large(limit: usize) -> String {
    const MB: usize = 1024 * 1024;
    let size = if limit >= MB {
        format!("{} MB", limit / MB)
    } else {
        format!("{} KB", limit / 1024)
    };
    format!(
        "Dữ liệu gửi lên lớn quá giới hạn {size}. Hãy gửi tệp nhỏ hơn, hoặc chia thành nhiều lần gửi."
    )
}

/// A `StoreError::Db` inside `err` that is the database being away. `StoreError` is
/// transparent, so the chain skips its `sqlx::Error` and [`crate::db::is_unavailable_any`]
/// cannot see it.
fn store_unavailable(err: &anyhow::Error) -> bool {
    err.chain().any(|e| {
        matches!(e.downcast_ref::<StoreError>(), Some(StoreError::Db(db)) if crate::db::is_unavailable(db))
    })
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::RowNotFound => AppError::NotFound,
            // 22021 character_not_in_repertoire: Postgres refuses NUL in text. Every form
            // marks such a field itself (`FieldErrors::control_chars`); this is the backstop
            // for a value that came another way, so that it is never a 500.
            sqlx::Error::Database(db) if db.code().as_deref() == Some("22021") => {
                tracing::info!("input refused by the database: {db}");
                AppError::Invalid(crate::web::CONTROL_CHARS.to_owned())
            }
            other if crate::db::is_unavailable(&other) => AppError::Unavailable(other.to_string()),
            other => AppError::Internal(other.into()),
        }
    }
}

/// A store's answer where no form is shown again: a refusal is a 409 page with its message.
impl From<StoreError> for AppError {
    fn from(err: StoreError) -> Self {
        match err {
            StoreError::Refused(r) => AppError::Conflict(r.message()),
            StoreError::Stale => AppError::Conflict(
                "Dữ liệu vừa được người khác thay đổi. Vui lòng tải lại trang rồi thử lại.".into(),
            ),
            StoreError::NotFound => AppError::NotFound,
            StoreError::Db(e) => e.into(),
        }
    }
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub status: u16,
    pub title: &'static str,
    pub message: String,
    /// The request's id on a 5xx page: what the user quotes to the administrator, who finds
    /// the same id in the log.
    pub request_id: Option<String>,
}

/// What the 503 page says while the database is away.
pub const DB_UNAVAILABLE: &str = "Hệ thống tạm thời không kết nối được cơ sở dữ liệu. \
     Vui lòng thử lại sau ít phút; dữ liệu đã lưu không bị mất.";

/// Seconds a client is asked to wait before retrying a 503.
pub const RETRY_AFTER_SECS: &str = "5";

impl ErrorPage {
    pub fn for_status(status: StatusCode, message: Option<String>) -> Self {
        let (title, default) = match status.as_u16() {
            400 => (
                "Yêu cầu không hợp lệ",
                "Dữ liệu gửi lên không đúng định dạng.",
            ),
            403 => (
                "Không được phép",
                "Bạn không có quyền thực hiện thao tác này.",
            ),
            404 => (
                "Không tìm thấy trang",
                "Trang bạn tìm không tồn tại hoặc nằm ngoài phạm vi của bạn.",
            ),
            408 => (
                "Quá thời gian chờ",
                "Máy chủ xử lý quá lâu. Vui lòng thử lại.",
            ),
            409 => (
                "Không thực hiện được",
                "Yêu cầu mâu thuẫn với dữ liệu hiện có.",
            ),
            413 => (
                "Dữ liệu quá lớn",
                "Dữ liệu gửi lên vượt quá giới hạn cho phép.",
            ),
            422 => (
                "Dữ liệu chưa hợp lệ",
                "Vui lòng kiểm tra lại dữ liệu đã nhập.",
            ),
            429 => ("Quá nhiều yêu cầu", "Vui lòng chờ một lát rồi thử lại."),
            503 => ("Tạm thời gián đoạn", DB_UNAVAILABLE),
            s if s >= 500 => (
                "Lỗi hệ thống",
                "Đã có lỗi xảy ra. Vui lòng thử lại sau; nếu lỗi còn lặp lại, hãy báo quản trị viên.",
            ),
            _ => ("Có lỗi", "Không thực hiện được yêu cầu."),
        };
        Self {
            status: status.as_u16(),
            title,
            message: message.unwrap_or_else(|| default.to_owned()),
            request_id: status
                .is_server_error()
                .then(crate::web::request_id)
                .flatten(),
        }
    }

    pub fn into_response_with(self, status: StatusCode) -> Response {
        let mut response = match self.render() {
            Ok(body) => (status, Html(body)).into_response(),
            Err(err) => {
                tracing::error!("rendering the error page: {err}");
                (status, self.title).into_response()
            }
        };
        if status == StatusCode::SERVICE_UNAVAILABLE {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static(RETRY_AFTER_SECS),
            );
        }
        response
    }
}

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let (status, message) = match self {
            AppError::Unauthenticated { next } => {
                // Back to the page asked for, if it is one of ours (the login page checks
                // `next` again: it may come from anywhere).
                let target = match next.as_deref().and_then(|n| crate::web::safe_next(Some(n))) {
                    Some(next) => format!("/login?next={}", crate::web::url_encode(&next)),
                    None => "/login".to_owned(),
                };
                return Redirect::to(&target).into_response();
            }
            AppError::NotFound => (StatusCode::NOT_FOUND, None),
            AppError::Forbidden => (StatusCode::FORBIDDEN, None),
            AppError::BadRequest => (StatusCode::BAD_REQUEST, None),
            AppError::Conflict(msg) => (StatusCode::CONFLICT, Some(msg)),
            AppError::Invalid(msg) => (StatusCode::UNPROCESSABLE_ENTITY, Some(msg)),
            AppError::TooLarge { limit } => (StatusCode::PAYLOAD_TOO_LARGE, Some(too_large(limit))),
            AppError::Unavailable(err) => {
                tracing::warn!("database unavailable: {err}");
                (StatusCode::SERVICE_UNAVAILABLE, None)
            }
            AppError::Internal(err)
                if crate::db::is_unavailable_any(&err)
                    || store_unavailable(&err)
                    || crate::web::db_was_unavailable() =>
            {
                tracing::warn!("database unavailable: {err:#}");
                (StatusCode::SERVICE_UNAVAILABLE, None)
            }
            AppError::Internal(err) => {
                tracing::error!("internal error: {err:#}");
                (StatusCode::INTERNAL_SERVER_ERROR, None)
            }
        };
        ErrorPage::for_status(status, message).into_response_with(status)
    }
}

/// A store's answer as a form sees it: done, or refused with messages by field (anything
/// else, such as a lost connection, is an error page).
pub fn refused(result: Result<(), StoreError>) -> AppResult<Result<(), crate::web::FieldErrors>> {
    match result {
        Ok(()) => Ok(Ok(())),
        Err(e) => e.into_form_errors().map(Err),
    }
}

/// A refusal a store decides from the database's state (a duplicate, a closed record, a
/// date before the unit existed): a typed value from the feature's domain, not text. The
/// domain words it next to its other labels; `into_form_errors` puts the message under
/// `field` on the form that is shown again.
pub trait Refusal: std::any::Any + std::fmt::Debug + Send + Sync {
    /// The form field the message belongs to (`"form"` for the whole form).
    fn field(&self) -> &'static str;
    /// What the user reads, in Vietnamese.
    fn message(&self) -> String;
}

/// Why a write was refused by the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{}", .0.message())]
    Refused(Box<dyn Refusal>),
    /// The form was built from an older version of the record.
    #[error("stale form")]
    Stale,
    #[error("not found")]
    NotFound,
    #[error(transparent)]
    Db(#[from] sqlx::Error),
}

impl<R: Refusal> From<R> for StoreError {
    fn from(refusal: R) -> Self {
        StoreError::Refused(Box::new(refusal))
    }
}

impl StoreError {
    /// The refusal, when this is one of type `R` (for a caller that reacts to one case).
    pub fn refusal<R: Refusal>(&self) -> Option<&R> {
        match self {
            StoreError::Refused(r) => (r.as_ref() as &dyn std::any::Any).downcast_ref::<R>(),
            _ => None,
        }
    }

    /// A violation of one of the `known` constraints (name, refusal) becomes that refusal:
    /// the check before the write tells the user in the common case, and the constraint
    /// still answers in words when two requests race past it.
    pub fn on_constraint<R: Refusal + Clone>(err: sqlx::Error, known: &[(&str, R)]) -> StoreError {
        if let Some(db) = err.as_database_error()
            && let Some(name) = db.constraint()
            && let Some((_, refusal)) = known.iter().find(|(c, _)| *c == name)
        {
            return refusal.clone().into();
        }
        StoreError::Db(err)
    }

    /// Turns a refusal into form messages (the form is shown again with the input kept);
    /// anything else becomes an error page.
    pub fn into_form_errors(self) -> AppResult<crate::web::FieldErrors> {
        let mut errors = crate::web::FieldErrors::default();
        match self {
            StoreError::Refused(r) => errors.add(r.field(), r.message()),
            StoreError::Stale => errors.add(
                "form",
                "Dữ liệu vừa được người khác thay đổi. Dữ liệu mới đã được tải lại, nội dung bạn nhập vẫn giữ nguyên; vui lòng kiểm tra rồi gửi lại.",
            ),
            StoreError::NotFound => return Err(AppError::NotFound),
            StoreError::Db(e) => return Err(e.into()),
        }
        Ok(errors)
    }
}
