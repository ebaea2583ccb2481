//! What every form shares: messages by field, and the parsing of text and date fields.
//! A leaf module: the domain modules of every feature use it.

use chrono::NaiveDate;

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

    /// One message on one field.
    pub fn one(field: &'static str, message: impl Into<String>) -> Self {
        let mut errors = Self::default();
        errors.add(field, message);
        errors
    }
}

/// Whether typed text holds a control character (NUL and the like, which Postgres refuses
/// in text and no keyboard types); tab and line breaks are ordinary text in a textarea.
pub fn has_control_chars(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// What a form with a control character in a field is told.
pub fn control_chars_message(field: &str) -> String {
    format!(
        "Trường «{field}» có ký tự điều khiển (như ký tự NUL) không được phép. Hãy xóa ký tự đó (thường do dán từ tệp khác) rồi gửi lại. Chưa có gì được lưu."
    )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_but_tabs_and_line_breaks_are_found() {
        assert!(has_control_chars("Kỳ\0Anh"));
        assert!(has_control_chars("a\u{7}b"));
        assert!(has_control_chars("a\u{9b}b"));
        assert!(!has_control_chars("Dòng một\r\n\tDòng hai"));
        assert!(!has_control_chars("Nguyễn Văn An"));
    }

    #[test]
    fn dates_are_read_the_vietnamese_way() {
        let d = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        assert_eq!(parse_vn_date("01/07/2025"), Some(d));
        assert_eq!(parse_vn_date("1/7/2025"), Some(d));
        assert_eq!(parse_vn_date("2025-07-01"), Some(d));
        assert_eq!(parse_vn_date("31/02/2025"), None);
        assert_eq!(parse_vn_date(""), None);
    }

    #[test]
    fn a_required_date_field_says_what_is_wrong() {
        let mut errors = FieldErrors::default();
        assert_eq!(date_field("", "on", true, &mut errors), None);
        assert_eq!(date_field("32/01/2025", "off", true, &mut errors), None);
        assert_eq!(date_field("", "opt", false, &mut errors), None);
        assert!(errors.get("on").unwrap().contains("Vui lòng nhập ngày"));
        assert!(errors.get("off").unwrap().contains("không hợp lệ"));
        assert!(errors.get("opt").is_none());
    }
}
