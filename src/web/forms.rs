//! What every form shares: messages by field, and the bounded parsing of text, number,
//! date and time fields. A leaf module: the domain modules of every feature use it.
//!
//! Every value a form sends is read here within limits a person could mean (dates within
//! 1930–2100, counts within a range, no control characters), so that a typed value can never
//! overflow a date's arithmetic or a sum, nor reach Postgres as text it refuses: a value
//! outside them is a message on its field, never a 500.

use std::borrow::Cow;
use std::ops::RangeInclusive;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};

/// Messages for the fields of a form that came back, by field name.
#[derive(Debug, Default, Clone)]
pub struct FieldErrors(Vec<(Cow<'static, str>, String)>);

impl FieldErrors {
    /// A message on `field`; a field's first message is the one shown (`get`).
    pub fn add(&mut self, field: impl Into<Cow<'static, str>>, message: impl Into<String>) {
        self.0.push((field.into(), message.into()));
    }

    /// A message on every field of `form` that holds a control character (see
    /// `has_control_chars`): the form is shown again as typed with the field marked, and
    /// nothing reaches the store. `form` is a form struct (or map) of strings.
    pub fn control_chars<T: serde::Serialize + ?Sized>(form: &T) -> Self {
        let mut errors = Self::default();
        let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(form) else {
            return errors;
        };
        let mut bad: Vec<&String> = fields
            .iter()
            .filter(|(name, value)| {
                has_control_chars(name) || value.as_str().is_some_and(has_control_chars)
            })
            .map(|(name, _)| name)
            .collect();
        bad.sort();
        // Also said for the whole form: not every page shows a message beside every field.
        if !bad.is_empty() {
            errors.add("form", CONTROL_CHARS_FORM);
        }
        for name in bad {
            let name: String = name.chars().filter(|c| !c.is_control()).collect();
            errors.add(name, CONTROL_CHARS);
        }
        errors
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(f, m)| (f.as_ref(), m.as_str()))
    }

    /// Adds `other`'s messages after these.
    pub fn extend(&mut self, other: FieldErrors) {
        self.0.extend(other.0);
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

/// What a field with a control character is told.
pub const CONTROL_CHARS: &str = "Không được chứa ký tự điều khiển.";

/// What the form with such a field is told, above it.
pub const CONTROL_CHARS_FORM: &str = "Có ô chứa ký tự điều khiển (như ký tự NUL, thường do dán từ tệp khác): hãy xóa ký tự đó rồi gửi lại. Chưa có gì được lưu.";

/// What a date outside the years a record can be about is told.
pub const DATE_RANGE: &str = "Ngày phải trong khoảng 01/01/1930 – 31/12/2100.";

/// The first and last day a form may name: no member, unit or meeting of the registry is
/// dated outside them, and any date inside them stays far from chrono's limits, so the
/// arithmetic done on it (a month later, seven hours earlier) cannot overflow.
pub const FIRST_DAY: NaiveDate = NaiveDate::from_ymd_opt(1930, 1, 1).unwrap();
pub const LAST_DAY: NaiveDate = NaiveDate::from_ymd_opt(2100, 12, 31).unwrap();

/// Why a typed date or time was not read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateProblem {
    /// Not a date (or time) in any form we read.
    Garbled,
    /// A date, but outside `FIRST_DAY..=LAST_DAY`.
    OutOfRange,
}

/// A day within the years a form may name.
pub fn within_years(day: NaiveDate) -> Result<NaiveDate, DateProblem> {
    if (FIRST_DAY..=LAST_DAY).contains(&day) {
        Ok(day)
    } else {
        Err(DateProblem::OutOfRange)
    }
}

/// Reads dd/mm/yyyy (also d/m/yyyy) or the yyyy-mm-dd a date input sends, within the years
/// a form may name.
pub fn read_date(input: &str) -> Result<NaiveDate, DateProblem> {
    let s = input.trim();
    let day = NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%d/%m/%Y"))
        .map_err(|_| DateProblem::Garbled)?;
    within_years(day)
}

/// Reads a local date and time: the yyyy-mm-ddThh:mm a datetime-local input sends, or
/// dd/mm/yyyy hh:mm; its day within the years a form may name.
pub fn read_datetime(input: &str) -> Result<NaiveDateTime, DateProblem> {
    let s = input.trim();
    let at = NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%d/%m/%Y %H:%M"))
        .map_err(|_| DateProblem::Garbled)?;
    within_years(at.date()).map(|_| at)
}

/// Reads a month, "2026-11" (a month input) or "11/2026", as its first day, within the
/// years a form may name.
pub fn read_month(input: &str) -> Result<NaiveDate, DateProblem> {
    let s = input.trim();
    let (y, m) = if let Some((y, m)) = s.split_once('-') {
        (y, m)
    } else {
        let (m, y) = s.split_once('/').ok_or(DateProblem::Garbled)?;
        (y, m)
    };
    let number = |t: &str| {
        // Digits only: `parse` would take "+11" too.
        if t.is_empty() || t.len() > 4 || !t.bytes().all(|b| b.is_ascii_digit()) {
            return Err(DateProblem::Garbled);
        }
        t.parse::<u32>().map_err(|_| DateProblem::Garbled)
    };
    let (y, m) = (number(y)?, number(m)?);
    let first = NaiveDate::from_ymd_opt(y as i32, m, 1).ok_or(DateProblem::Garbled)?;
    within_years(first)
}

/// Reads hh:mm, as a time input sends it.
pub fn read_time(input: &str) -> Result<NaiveTime, DateProblem> {
    NaiveTime::parse_from_str(input.trim(), "%H:%M").map_err(|_| DateProblem::Garbled)
}

/// A date as typed, `None` when it is not one or outside the years a form may name (for
/// callers with their own message).
pub fn parse_vn_date(input: &str) -> Option<NaiveDate> {
    read_date(input).ok()
}

/// A date field of a form: required or not; a message on the field when it is missing, not
/// a date, or outside the years a form may name.
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
    match read_date(raw) {
        Ok(day) => Some(day),
        Err(problem) => {
            errors.add(
                field,
                date_message(
                    problem,
                    "Ngày không hợp lệ; nhập theo dạng ngày/tháng/năm, ví dụ 01/07/2025.",
                ),
            );
            None
        }
    }
}

/// The message for a date that was not read: the field's own for a garbled one, the range
/// for one outside it.
pub fn date_message(problem: DateProblem, garbled: &str) -> String {
    match problem {
        DateProblem::Garbled => garbled.to_owned(),
        DateProblem::OutOfRange => DATE_RANGE.to_owned(),
    }
}

/// A whole number typed in a field, within `range`: `None` for anything else (a sign, a
/// decimal, a number too large for the type). The caller words the message.
pub fn number_in<T>(raw: &str, range: RangeInclusive<T>) -> Option<T>
where
    T: std::str::FromStr + PartialOrd,
{
    let s = raw.trim();
    // Digits only: `parse` would take "+5", and an i32 field "-0".
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<T>().ok().filter(|n| range.contains(n))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;

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

    #[test]
    fn dates_outside_1930_to_2100_are_refused_as_such() {
        assert_eq!(read_date("01/01/1930"), Ok(FIRST_DAY));
        assert_eq!(read_date("2100-12-31"), Ok(LAST_DAY));
        assert_eq!(read_date("31/12/1929"), Err(DateProblem::OutOfRange));
        assert!(read_date("+262143-01-01").is_err());
        assert_eq!(read_date("01/01/2101"), Err(DateProblem::OutOfRange));
        assert_eq!(parse_vn_date("01/01/9999"), None);
        let mut errors = FieldErrors::default();
        assert_eq!(date_field("01/01/0001", "old", true, &mut errors), None);
        assert_eq!(errors.get("old"), Some(DATE_RANGE));
    }

    #[test]
    fn times_and_months_are_bounded_the_same_way() {
        assert_eq!(
            read_datetime("2026-11-05T19:30"),
            Ok(NaiveDate::from_ymd_opt(2026, 11, 5)
                .unwrap()
                .and_hms_opt(19, 30, 0)
                .unwrap())
        );
        assert_eq!(
            read_datetime("05/11/2026 19:30").map(|t| t.date().day()),
            Ok(5)
        );
        assert_eq!(
            read_datetime("-262143-01-01T00:00"),
            Err(DateProblem::OutOfRange)
        );
        assert_eq!(read_datetime("19h30"), Err(DateProblem::Garbled));
        assert_eq!(
            read_month("2026-11"),
            NaiveDate::from_ymd_opt(2026, 11, 1).ok_or(DateProblem::Garbled)
        );
        assert_eq!(
            read_month("11/2026"),
            NaiveDate::from_ymd_opt(2026, 11, 1).ok_or(DateProblem::Garbled)
        );
        assert_eq!(read_month("13/2026"), Err(DateProblem::Garbled));
        assert_eq!(read_month("+11/2026"), Err(DateProblem::Garbled));
        assert_eq!(read_month("1800-01"), Err(DateProblem::OutOfRange));
        assert_eq!(read_month("99999-01"), Err(DateProblem::Garbled));
        assert_eq!(
            read_time("19:30"),
            Ok(NaiveTime::from_hms_opt(19, 30, 0).unwrap())
        );
        assert_eq!(read_time("25:00"), Err(DateProblem::Garbled));
    }

    #[test]
    fn numbers_are_whole_and_within_their_range() {
        assert_eq!(number_in::<u32>(" 12 ", 0..=100), Some(12));
        assert_eq!(number_in::<u32>("4294967295", 0..=100_000), None);
        assert_eq!(number_in::<u32>("99999999999999999999", 0..=100_000), None);
        assert_eq!(number_in::<u32>("+5", 0..=100), None);
        assert_eq!(number_in::<u32>("-1", 0..=100), None);
        assert_eq!(number_in::<u32>("1.5", 0..=100), None);
        assert_eq!(number_in::<i32>("", 0..=100), None);
    }

    #[test]
    fn every_field_with_a_control_character_gets_its_message() {
        #[derive(serde::Serialize)]
        struct Form {
            name: String,
            note: String,
            hometown: String,
            ticked: Option<String>,
        }
        let errors = FieldErrors::control_chars(&Form {
            name: "Chi bộ\0 Hưng Lợi".into(),
            note: "Dòng một\r\n\tDòng hai".into(),
            hometown: "Kỳ\u{7}Anh".into(),
            ticked: None,
        });
        assert_eq!(errors.get("name"), Some(CONTROL_CHARS));
        assert_eq!(errors.get("hometown"), Some(CONTROL_CHARS));
        assert_eq!(errors.get("note"), None);
        assert_eq!(errors.get("form"), Some(CONTROL_CHARS_FORM));
        assert_eq!(errors.iter().count(), 3);
    }
}
