//! The header of a party document (docs/rules.md §6.1): who issues it, under whom, its number
//! and the place-and-date line. Pure: the names come from the caller, read on the document's
//! day.

use chrono::{Datelike, NaiveDate};

use crate::org::domain::UnitKind;

/// The kinds of document chibo issues, with their type codes in the number line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DocType {
    /// Báo cáo.
    Report,
    /// Thông báo.
    Notice,
    /// Biên bản.
    Minutes,
}

impl DocType {
    pub fn code(self) -> &'static str {
        match self {
            DocType::Report => "BC",
            DocType::Notice => "TB",
            DocType::Minutes => "BB",
        }
    }
}

/// One unit of the chain above a document's issuer, as named on the document's day.
#[derive(Clone, Debug)]
pub struct Named {
    pub name: String,
    pub kind: UnitKind,
}

/// The top of a document, as printed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Heading {
    /// The organisation directly above the issuer ("ĐẢNG BỘ PHƯỜNG SÔNG TRÍ"); none above a
    /// province.
    pub upper: Option<String>,
    /// The issuer, printed in bold: the branch ("CHI BỘ KHỐI PHỐ 1"), or for a committee's
    /// document the committee ("ĐẢNG ỦY PHƯỜNG SÔNG TRÍ", "THỊ ỦY KỲ ANH").
    pub issuer: String,
    /// "Số 03-BC/ĐU"; `None` for a document that carries no number (the minutes).
    pub number: Option<String>,
    /// "Sông Trí, ngày 05 tháng 02 năm 2026".
    pub place_date: String,
    /// What the signature block says the signer acts for: "T/M CHI BỘ", "T/M ĐẢNG ỦY"…
    pub on_behalf: String,
    /// The committee above the issuer, as "Nơi nhận" names it ("Đảng ủy phường Sông Trí").
    pub upper_committee: Option<String>,
}

/// The committee that issues a unit's documents, and its symbol in the number line. A
/// branch issues as itself (CB); a đảng bộ as its executive committee: a province's Tỉnh ủy,
/// a town's Thị ủy, a city's Thành ủy (TU), a district's Huyện ủy (HU), any other's Đảng ủy
/// (ĐU). In capitals, as the header prints it.
pub fn issuer(kind: UnitKind, name: &str) -> (String, &'static str) {
    let (committee, symbol) = committee(kind, name);
    (upper(&committee), symbol)
}

/// As [`issuer`], as a sentence names it ("Thị ủy Kỳ Anh", "Đảng ủy phường Sông Trí").
pub fn committee(kind: UnitKind, name: &str) -> (String, &'static str) {
    if kind.is_branch() || kind == UnitKind::Cell {
        return (name.to_owned(), "CB");
    }
    let Some(rest) = strip_prefix_ci(name, "Đảng bộ ").map(str::trim) else {
        // A committee named otherwise ("Công an tỉnh"): its đảng ủy.
        return (format!("Đảng ủy {name}"), "ĐU");
    };
    for (level, committee, symbol) in [
        ("tỉnh ", "Tỉnh ủy", "TU"),
        ("thành phố ", "Thành ủy", "TU"),
        ("thị xã ", "Thị ủy", "TU"),
        ("huyện ", "Huyện ủy", "HU"),
        ("quận ", "Quận ủy", "QU"),
    ] {
        if let Some(place) = strip_prefix_ci(rest, level) {
            return (format!("{committee} {}", place.trim()), symbol);
        }
    }
    (format!("Đảng ủy {rest}"), "ĐU")
}

/// What the signer acts for: the branch or the committee, collectively ("T/M").
pub fn on_behalf(kind: UnitKind, issuer: &str) -> String {
    if kind.is_branch() || kind == UnitKind::Cell {
        "T/M CHI BỘ".into()
    } else {
        // "T/M THỊ ỦY KỲ ANH" reads "T/M THỊ ỦY"; a đảng ủy signs as "T/M ĐẢNG ỦY".
        let committee = ["TỈNH ỦY", "THÀNH ỦY", "THỊ ỦY", "HUYỆN ỦY", "QUẬN ỦY"]
            .into_iter()
            .find(|c| issuer.starts_with(c))
            .unwrap_or("ĐẢNG ỦY");
        format!("T/M {committee}")
    }
}

/// The place of a document: the locality of the nearest unit of `chain` (the issuer first,
/// then those above it) named after one ("Đảng bộ phường Sông Trí" → "Sông Trí"); a branch
/// takes its ward's or commune's.
pub fn place(chain: &[Named]) -> Option<String> {
    chain.iter().find_map(|u| locality(&u.name))
}

fn locality(name: &str) -> Option<String> {
    let rest = strip_prefix_ci(name, "Đảng bộ ")?.trim();
    [
        "thị trấn ",
        "thị xã ",
        "thành phố ",
        "phường ",
        "xã ",
        "huyện ",
        "quận ",
        "tỉnh ",
    ]
    .into_iter()
    .find_map(|level| strip_prefix_ci(rest, level))
    .map(|p| p.trim().to_owned())
    .filter(|p| !p.is_empty())
}

/// "Sông Trí, ngày 05 tháng 02 năm 2026": days below 10 and the months 1 and 2 with a
/// leading zero (docs/rules.md §6.1); "…" where the place is not known.
pub fn place_date(place: Option<&str>, day: NaiveDate) -> String {
    let month = match day.month() {
        m @ 1..=2 => format!("{m:02}"),
        m => m.to_string(),
    };
    format!(
        "{}, ngày {:02} tháng {month} năm {}",
        place.unwrap_or("…"),
        day.day(),
        day.year()
    )
}

/// "Số 03-BC/ĐU", or "Số …-BC/ĐU" while the document has no number yet.
pub fn number_line(number: Option<i32>, doc: DocType, symbol: &str) -> String {
    match number {
        Some(n) => format!("Số {n:02}-{}/{symbol}", doc.code()),
        None => format!("Số …-{}/{symbol}", doc.code()),
    }
}

/// Party terms run five years from 2020 (2020–2025, 2025–2030, …): a document's number
/// runs from 01 within each (docs/rules.md §6.1).
pub fn term_start(year: i32) -> i32 {
    2020 + (year - 2020).div_euclid(5) * 5
}

/// The heading of a document issued by `chain[0]` on `day`: `chain` is the issuer then the
/// units above it, as named that day; `number` as [`number_line`], `None` for a document
/// without one.
pub fn heading(chain: &[Named], day: NaiveDate, number: Option<(DocType, Option<i32>)>) -> Heading {
    let (issuer_name, symbol, on) = match chain.first() {
        Some(u) => {
            let (name, symbol) = issuer(u.kind, &u.name);
            let on = on_behalf(u.kind, &name);
            (name, symbol, on)
        }
        None => (String::new(), "CB", "T/M CHI BỘ".to_owned()),
    };
    Heading {
        upper: chain.get(1).map(|u| upper(&u.name)),
        issuer: issuer_name,
        number: number.map(|(doc, n)| number_line(n, doc, symbol)),
        place_date: place_date(place(chain).as_deref(), day),
        on_behalf: on,
        upper_committee: chain.get(1).map(|u| committee(u.kind, &u.name).0),
    }
}

/// Upper case, Vietnamese letters included ("Sông Trí" → "SÔNG TRÍ").
fn upper(s: &str) -> String {
    s.to_uppercase()
}

/// `s` without `prefix`, compared without regard to case.
fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    // The prefixes' letters take as many bytes in either case; `get` refuses a cut inside a
    // character.
    let head = s.get(..prefix.len())?;
    (head.to_lowercase() == prefix.to_lowercase()).then(|| &s[prefix.len()..])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str, kind: UnitKind) -> Named {
        Named {
            name: name.into(),
            kind,
        }
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn terms_run_five_years_from_2020() {
        assert_eq!(term_start(2020), 2020);
        assert_eq!(term_start(2024), 2020);
        assert_eq!(term_start(2025), 2025);
        assert_eq!(term_start(2029), 2025);
        assert_eq!(term_start(2030), 2030);
        assert_eq!(term_start(2019), 2015);
    }

    #[test]
    fn the_date_line_has_leading_zeros_for_days_below_ten_and_for_january_and_february() {
        assert_eq!(
            place_date(Some("Sông Trí"), d(2026, 2, 5)),
            "Sông Trí, ngày 05 tháng 02 năm 2026"
        );
        assert_eq!(
            place_date(Some("Sông Trí"), d(2026, 11, 23)),
            "Sông Trí, ngày 23 tháng 11 năm 2026"
        );
        assert_eq!(
            place_date(Some("Kỳ Anh"), d(2026, 3, 9)),
            "Kỳ Anh, ngày 09 tháng 3 năm 2026"
        );
        assert_eq!(
            place_date(None, d(2027, 1, 10)),
            "…, ngày 10 tháng 01 năm 2027"
        );
    }

    #[test]
    fn a_committee_issues_as_its_committee_with_its_symbol() {
        use UnitKind::*;
        assert_eq!(
            issuer(GrassrootsCommittee, "Đảng bộ phường Sông Trí"),
            ("ĐẢNG ỦY PHƯỜNG SÔNG TRÍ".into(), "ĐU")
        );
        assert_eq!(
            issuer(UpperCommittee, "Đảng bộ thị xã Kỳ Anh"),
            ("THỊ ỦY KỲ ANH".into(), "TU")
        );
        assert_eq!(
            issuer(UpperCommittee, "Đảng bộ huyện Đức Thọ"),
            ("HUYỆN ỦY ĐỨC THỌ".into(), "HU")
        );
        assert_eq!(
            issuer(UpperCommittee, "Đảng bộ thành phố Hà Tĩnh"),
            ("THÀNH ỦY HÀ TĨNH".into(), "TU")
        );
        assert_eq!(
            issuer(Province, "Đảng bộ tỉnh Hà Tĩnh"),
            ("TỈNH ỦY HÀ TĨNH".into(), "TU")
        );
        assert_eq!(
            issuer(GrassrootsCommittee, "Đảng bộ xã Hưng Lợi"),
            ("ĐẢNG ỦY XÃ HƯNG LỢI".into(), "ĐU")
        );
        assert_eq!(
            issuer(GrassrootsCommittee, "Công an tỉnh"),
            ("ĐẢNG ỦY CÔNG AN TỈNH".into(), "ĐU")
        );
        assert_eq!(
            issuer(Branch, "Chi bộ Khối phố 1"),
            ("CHI BỘ KHỐI PHỐ 1".into(), "CB")
        );
    }

    #[test]
    fn the_signer_acts_for_the_branch_or_the_committee() {
        assert_eq!(on_behalf(UnitKind::Branch, "CHI BỘ A"), "T/M CHI BỘ");
        assert_eq!(
            on_behalf(UnitKind::GrassrootsCommittee, "ĐẢNG ỦY PHƯỜNG SÔNG TRÍ"),
            "T/M ĐẢNG ỦY"
        );
        assert_eq!(
            on_behalf(UnitKind::UpperCommittee, "THỊ ỦY KỲ ANH"),
            "T/M THỊ ỦY"
        );
        assert_eq!(
            on_behalf(UnitKind::Province, "TỈNH ỦY HÀ TĨNH"),
            "T/M TỈNH ỦY"
        );
    }

    #[test]
    fn a_branch_takes_the_place_of_its_ward_and_an_agency_that_of_the_unit_above() {
        let branch = [
            named("Chi bộ Khối phố 1", UnitKind::Branch),
            named("Đảng bộ phường Sông Trí", UnitKind::GrassrootsCommittee),
            named("Đảng bộ thị xã Kỳ Anh", UnitKind::UpperCommittee),
        ];
        assert_eq!(place(&branch).as_deref(), Some("Sông Trí"));
        let agency = [
            named("Chi bộ Văn phòng", UnitKind::Branch),
            named("Đảng bộ Công an tỉnh", UnitKind::GrassrootsCommittee),
            named("Đảng bộ tỉnh Hà Tĩnh", UnitKind::Province),
        ];
        assert_eq!(place(&agency).as_deref(), Some("Hà Tĩnh"));
        assert_eq!(place(&[named("Chi bộ A", UnitKind::Branch)]), None);
    }

    #[test]
    fn the_heading_of_a_town_report_names_the_province_above_and_the_town_committee() {
        let chain = [
            named("Đảng bộ thị xã Kỳ Anh", UnitKind::UpperCommittee),
            named("Đảng bộ tỉnh Hà Tĩnh", UnitKind::Province),
        ];
        let h = heading(&chain, d(2026, 12, 3), Some((DocType::Report, Some(7))));
        assert_eq!(h.upper.as_deref(), Some("ĐẢNG BỘ TỈNH HÀ TĨNH"));
        assert_eq!(h.issuer, "THỊ ỦY KỲ ANH");
        assert_eq!(h.number.as_deref(), Some("Số 07-BC/TU"));
        assert_eq!(h.place_date, "Kỳ Anh, ngày 03 tháng 12 năm 2026");
        assert_eq!(h.on_behalf, "T/M THỊ ỦY");
        assert_eq!(h.upper_committee.as_deref(), Some("Tỉnh ủy Hà Tĩnh"));
        let province = heading(&chain[1..], d(2026, 12, 3), Some((DocType::Report, None)));
        assert_eq!(province.upper, None);
        assert_eq!(province.number.as_deref(), Some("Số …-BC/TU"));
        let minutes = heading(&chain, d(2026, 12, 3), None);
        assert_eq!(minutes.number, None);
    }
}
