//! How pages and documents write dates, times and links.

use chrono::NaiveDate;

/// dd/mm/yyyy, as every Vietnamese form and document writes dates.
pub fn vn_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

/// A moment shown in Vietnam's time: "19:30 ngày 05/11/2026".
pub fn vn_datetime(at: chrono::DateTime<chrono::Utc>) -> String {
    at.with_timezone(&crate::clock::ZONE)
        .format("%H:%M ngày %d/%m/%Y")
        .to_string()
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

/// Where a `next` parameter may lead: a path on this site, never another site. Browsers
/// drop tabs and newlines inside a URL and read a backslash as `/`, so `/\t/evil.example`
/// is followed to `//evil.example`; and a control character in a `Location` header is a
/// 500. Hence: one leading `/`, not followed by another, no backslash at all, and nothing but
/// visible ASCII (a path and query as a browser sends them are percent-encoded). Anything
/// else answers none, and the caller goes to `/`.
pub fn safe_next(next: Option<&str>) -> Option<String> {
    let next = next?;
    let rest = next.strip_prefix('/')?;
    let ok = !rest.starts_with('/')
        && !next.contains('\\')
        && next.bytes().all(|b| b.is_ascii_graphic());
    ok.then(|| next.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_written_the_vietnamese_way() {
        let d = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
        assert_eq!(vn_date(d), "01/07/2025");
    }

    #[test]
    fn only_paths_of_this_site_are_followed() {
        let table: &[(&str, Option<&str>)] = &[
            ("/", Some("/")),
            ("/units/1", Some("/units/1")),
            (
                "/units/1?tab=members&q=a%20b",
                Some("/units/1?tab=members&q=a%20b"),
            ),
            ("/search?u=http://x", Some("/search?u=http://x")),
            ("", None),
            ("units/1", None),
            ("//evil.example", None),
            ("///evil.example", None),
            ("/\\evil.example", None),
            ("/a\\b", None),
            ("\\\\evil.example", None),
            ("https://evil.example", None),
            ("javascript:alert(1)", None),
            ("/\t/evil.example", None),
            ("/\n/x", None),
            ("/\r\nSet-Cookie:x", None),
            ("/\0", None),
            (" /units/1", None),
            ("/units/1 ", None),
            ("/a b", None),
            ("/\u{7f}", None),
            ("/đơn-vị", None),
            ("/\u{2028}/evil", None),
        ];
        for (input, expected) in table {
            assert_eq!(
                safe_next(Some(input)).as_deref(),
                *expected,
                "next = {input:?}"
            );
        }
        assert_eq!(safe_next(None), None);
    }
}
