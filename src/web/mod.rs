//! What every page shares: the layout context, formatting, embedded static files.

use axum::extract::Path;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use rust_embed::Embed;

use crate::auth::User;

tokio::task_local! {
    /// The layout context of the request being served (set by a middleware in app.rs).
    pub static LAYOUT_CTX: Ctx;
}

/// The layout context of the current request, or an anonymous one outside a request.
pub fn current_ctx() -> Ctx {
    LAYOUT_CTX
        .try_with(Ctx::clone)
        .unwrap_or_else(|_| Ctx::anonymous())
}

/// The signed-in user as the layout shows them: name, role and unit.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub user: Option<UserBox>,
}

#[derive(Debug, Clone)]
pub struct UserBox {
    pub display_name: String,
    pub role_label: String,
    pub unit_name: String,
    pub is_admin: bool,
}

impl Ctx {
    pub fn anonymous() -> Self {
        Self { user: None }
    }

    pub fn for_user(user: &User) -> Self {
        let primary = user.primary_grant();
        Self {
            user: Some(UserBox {
                display_name: user.display_name.clone(),
                role_label: primary
                    .map(|g| g.role.label().to_owned())
                    .unwrap_or_default(),
                unit_name: primary
                    .and_then(|g| g.unit_name.clone())
                    .unwrap_or_else(|| "Toàn hệ thống".to_owned()),
                is_admin: user.is_admin_anywhere(),
            }),
        }
    }
}

/// dd/mm/yyyy, as every Vietnamese form and document writes dates.
pub fn vn_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// A moment shown in Vietnam's time: "19:30 ngày 05/11/2026".
pub fn vn_datetime(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .format("%H:%M ngày %d/%m/%Y")
        .to_string()
}

/// Parses dd/mm/yyyy (also d/m/yyyy) or the yyyy-mm-dd a date input sends.
pub fn parse_vn_date(input: &str) -> Option<NaiveDate> {
    let s = input.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .ok()
}

/// A date field of a form: required or not; a message on the field when it is missing or
/// not a date.
pub fn date_field(
    raw: &str,
    field: &'static str,
    required: bool,
    errors: &mut FieldErrors,
) -> Option<NaiveDate> {
    if raw.trim().is_empty() {
        if required {
            errors.add(field, "Vui lòng nhập ngày (ngày/tháng/năm).");
        }
        return None;
    }
    let date = parse_vn_date(raw);
    if date.is_none() {
        errors.add(
            field,
            "Ngày không hợp lệ; nhập theo dạng ngày/tháng/năm, ví dụ 01/07/2025.",
        );
    }
    date
}

/// Today in Vietnam (Asia/Ho_Chi_Minh), whatever the server's clock zone.
pub fn today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Ho_Chi_Minh)
        .date_naive()
}

pub fn url_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Only local paths are followed after login, never another site.
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let next = next?.trim();
    (next.starts_with('/')
        && !next.starts_with("//")
        && !next.contains('\\')
        && !next.contains("://"))
    .then(|| next.to_owned())
}

#[derive(Embed)]
#[folder = "static/"]
struct Assets;

/// Static files are compiled into the binary; browsers may keep them a day and revalidate
/// with the content hash.
pub async fn static_file(Path(path): Path<String>, headers: HeaderMap) -> Response {
    let Some(file) = Assets::get(&path) else {
        return crate::error::AppError::NotFound.into_response();
    };
    let etag = format!(
        "\"{}\"",
        file.metadata
            .sha256_hash()
            .iter()
            .take(12)
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    );
    let cache = "public, max-age=86400";
    if headers
        .get(header::IF_NONE_MATCH)
        .is_some_and(|v| v.as_bytes() == etag.as_bytes())
    {
        return (
            StatusCode::NOT_MODIFIED,
            [
                (header::ETAG, etag.as_str()),
                (header::CACHE_CONTROL, cache),
            ],
        )
            .into_response();
    }
    let mime = mime_guess::from_path(&path).first_or_octet_stream();
    (
        [
            (header::CONTENT_TYPE, mime.as_ref()),
            (header::ETAG, etag.as_str()),
            (header::CACHE_CONTROL, cache),
        ],
        file.data.into_owned(),
    )
        .into_response()
}

/// A text field of a form read as name → value: trimmed, cut to `max` characters, `None`
/// when empty or missing.
pub fn form_text(
    fields: &std::collections::HashMap<String, String>,
    name: &str,
    max: usize,
) -> Option<String> {
    fields
        .get(name)
        .map(|v| v.trim().chars().take(max).collect::<String>())
        .filter(|v| !v.is_empty())
}

/// Messages for the fields of a form that came back, by field name.
#[derive(Debug, Default, Clone)]
pub struct FieldErrors(Vec<(&'static str, String)>);

impl FieldErrors {
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&'static str, &str)> {
        self.0.iter().map(|(f, m)| (*f, m.as_str()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_and_read_the_vietnamese_way() {
        let d = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        assert_eq!(vn_date(d), "01/07/2025");
        assert_eq!(parse_vn_date("01/07/2025"), Some(d));
        assert_eq!(parse_vn_date("1/7/2025"), Some(d));
        assert_eq!(parse_vn_date("2025-07-01"), Some(d));
        assert_eq!(parse_vn_date("31/02/2025"), None);
        assert_eq!(parse_vn_date(""), None);
    }

    #[test]
    fn only_local_paths_are_followed_after_login() {
        assert_eq!(safe_next(Some("/units/1")), Some("/units/1".into()));
        assert_eq!(safe_next(Some("//evil.example")), None);
        assert_eq!(safe_next(Some("https://evil.example")), None);
        assert_eq!(safe_next(Some("/\\evil")), None);
        assert_eq!(safe_next(None), None);
    }
}
