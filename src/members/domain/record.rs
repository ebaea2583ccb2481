//! The member form as typed and the record that passed its checks: names, card and phone
//! numbers, the order of the dates, the warnings that do not block saving, ages.

use chrono::{Datelike, Months, NaiveDate};

use super::*;
use crate::web::{FieldErrors, date_field};

/// Age at admission (Điều lệ: 18 to 60, counted in months; above 60 needs the province).
pub const MIN_ADMISSION_AGE: u32 = 18;
pub const MAX_ADMISSION_AGE_WITHOUT_APPROVAL: u32 = 60;

/// The member form as typed: every field a string, so that it can be shown again unchanged.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(default)]
pub struct MemberForm {
    pub full_name: String,
    pub gender: String,
    pub birth_date: String,
    pub hometown: String,
    pub phone: String,
    pub card_no: String,
    pub admission_date: String,
    pub admission_decision_date: String,
    pub official_date: String,
    pub status: String,
    pub version: i32,
}

/// A member record that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberRecord {
    pub full_name: String,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    pub hometown: Option<String>,
    pub phone: Option<String>,
    pub card_no: Option<String>,
    /// Lễ kết nạp: probation runs from this date.
    pub admission_date: NaiveDate,
    /// The competent committee's admission decision.
    pub admission_decision_date: Option<NaiveDate>,
    /// Recognised as a full member.
    pub official_date: Option<NaiveDate>,
    pub status: Status,
}

fn years_after(date: NaiveDate, years: u32) -> NaiveDate {
    date.checked_add_months(Months::new(12 * years))
        .unwrap_or(NaiveDate::MAX)
}

/// Full name as typed: spaces collapsed; family and given name both present.
pub fn parse_full_name(input: &str) -> Result<String, &'static str> {
    let name = input.split_whitespace().collect::<Vec<_>>().join(" ");
    let words = name.split(' ').filter(|w| !w.is_empty()).count();
    if name.is_empty() {
        Err("Vui lòng nhập họ và tên.")
    } else if words < 2 {
        Err("Vui lòng nhập đủ họ và tên (ít nhất hai chữ).")
    } else if name.chars().count() > 120 {
        Err("Họ và tên không được dài quá 120 ký tự.")
    } else if name
        .chars()
        .any(|c| c.is_ascii_digit() || "<>{}[]@#$%^&*=+_|\\/;:\"".contains(c))
    {
        Err("Họ và tên chỉ gồm chữ cái và khoảng trắng.")
    } else {
        Ok(name)
    }
}

/// Party card numbers: digits, possibly grouped with dots or spaces (6–15 digits).
pub fn parse_card_no(input: &str) -> Result<Option<String>, &'static str> {
    let s = input.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let digits: String = s.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) || !(6..=15).contains(&digits.len()) {
        return Err("Số thẻ đảng viên gồm 6–15 chữ số.");
    }
    Ok(Some(digits))
}

/// Vietnamese phone numbers: 9–11 digits, an optional leading +84.
pub fn parse_phone(input: &str) -> Result<Option<String>, &'static str> {
    let s: String = input
        .chars()
        .filter(|c| !matches!(c, ' ' | '.' | '-'))
        .collect();
    if s.is_empty() {
        return Ok(None);
    }
    let digits = s.strip_prefix('+').unwrap_or(&s);
    if !digits.chars().all(|c| c.is_ascii_digit()) || !(9..=12).contains(&digits.len()) {
        return Err("Số điện thoại không hợp lệ (9–11 chữ số).");
    }
    Ok(Some(s))
}

impl MemberForm {
    /// Checks every field and the order of the dates; on failure, a message per field.
    pub fn parse(&self, today: NaiveDate) -> Result<MemberRecord, FieldErrors> {
        let mut e = FieldErrors::control_chars(self);
        let full_name = parse_full_name(&self.full_name)
            .map_err(|m| e.add("full_name", m))
            .ok();
        let gender = Gender::parse(&self.gender);
        if gender.is_none() {
            e.add("gender", "Vui lòng chọn giới tính.");
        }
        let status = Status::parse(&self.status);
        if status.is_none() {
            e.add("status", "Vui lòng chọn đảng viên dự bị hoặc chính thức.");
        }
        let birth = date_field(&self.birth_date, "birth_date", true, &mut e);
        let admission = date_field(&self.admission_date, "admission_date", true, &mut e);
        let decision = date_field(
            &self.admission_decision_date,
            "admission_decision_date",
            false,
            &mut e,
        );
        let official = date_field(&self.official_date, "official_date", false, &mut e);
        let hometown = Some(
            self.hometown
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
        )
        .filter(|h| !h.is_empty());
        if hometown.as_ref().is_some_and(|h| h.chars().count() > 200) {
            e.add("hometown", "Quê quán không được dài quá 200 ký tự.");
        }
        let phone = parse_phone(&self.phone)
            .map_err(|m| e.add("phone", m))
            .ok()
            .flatten();
        let card_no = parse_card_no(&self.card_no)
            .map_err(|m| e.add("card_no", m))
            .ok()
            .flatten();

        if let Some(b) = birth
            && b > today
        {
            e.add("birth_date", "Ngày sinh không thể ở tương lai.");
        }
        if let Some(a) = admission {
            if a > today {
                e.add("admission_date", "Ngày kết nạp không thể ở tương lai.");
            }
            if let Some(b) = birth {
                if a <= b {
                    e.add("admission_date", "Ngày kết nạp phải sau ngày sinh.");
                } else if a < years_after(b, MIN_ADMISSION_AGE) {
                    e.add(
                        "admission_date",
                        "Người vào Đảng phải đủ 18 tuổi tại ngày kết nạp.",
                    );
                }
            }
            if let Some(d) = decision
                && d > a
            {
                e.add(
                    "admission_decision_date",
                    "Quyết định kết nạp phải có trước (hoặc cùng ngày) lễ kết nạp.",
                );
            }
            if let Some(o) = official {
                if o <= a {
                    e.add(
                        "official_date",
                        "Ngày công nhận chính thức phải sau ngày kết nạp.",
                    );
                } else if o < probation_end(a) {
                    e.add(
                        "official_date",
                        "Chỉ công nhận đảng viên chính thức khi đã hết 12 tháng dự bị kể từ ngày kết nạp.",
                    );
                }
                if o > today {
                    e.add(
                        "official_date",
                        "Ngày công nhận chính thức không thể ở tương lai.",
                    );
                }
            }
        }
        match (status, official) {
            (Some(Status::Full), None) if self.official_date.trim().is_empty() => {
                e.add("official_date", "Đảng viên chính thức cần ngày công nhận chính thức.")
            }
            (Some(Status::Probationary), Some(_)) => e.add(
                "official_date",
                "Đảng viên dự bị chưa có ngày công nhận chính thức; hãy để trống hoặc chọn “chính thức”.",
            ),
            _ => {}
        }
        if !e.is_empty() {
            return Err(e);
        }
        // Every Option below is Some: a None always added an error above.
        match (full_name, gender, birth, admission, status) {
            (
                Some(full_name),
                Some(gender),
                Some(birth_date),
                Some(admission_date),
                Some(status),
            ) => Ok(MemberRecord {
                full_name,
                gender,
                birth_date,
                hometown,
                phone,
                card_no,
                admission_date,
                admission_decision_date: decision,
                official_date: official,
                status,
            }),
            _ => Err(e),
        }
    }
}

/// Warnings about a record that do not block saving.
pub fn record_warnings(birth: NaiveDate, admission: NaiveDate) -> Vec<String> {
    let mut w = Vec::new();
    if admission >= years_after(birth, MAX_ADMISSION_AGE_WITHOUT_APPROVAL) {
        w.push("Kết nạp khi đã trên 60 tuổi: cần có ý kiến của cấp ủy tỉnh.".to_owned());
    }
    w
}

/// Age in whole years on `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn form() -> MemberForm {
        MemberForm {
            full_name: "  Nguyễn   Thị Lan ".into(),
            gender: "female".into(),
            birth_date: "12/05/1980".into(),
            hometown: "Kỳ Anh, Hà Tĩnh".into(),
            phone: "0912 345 678".into(),
            card_no: "12.345.678".into(),
            admission_date: "03/02/2005".into(),
            admission_decision_date: "2005-01-20".into(),
            official_date: "03/02/2006".into(),
            status: "full".into(),
            version: 0,
        }
    }

    const TODAY: (i32, u32, u32) = (2026, 11, 22);

    fn today() -> NaiveDate {
        d(TODAY.0, TODAY.1, TODAY.2)
    }

    #[test]
    fn a_complete_form_parses_into_a_record() {
        let r = form().parse(today()).unwrap();
        assert_eq!(r.full_name, "Nguyễn Thị Lan");
        assert_eq!(r.card_no.as_deref(), Some("12345678"));
        assert_eq!(r.phone.as_deref(), Some("0912345678"));
        assert_eq!(r.admission_decision_date, Some(d(2005, 1, 20)));
        assert_eq!(r.status, Status::Full);
    }

    fn errors_of(f: MemberForm) -> FieldErrors {
        f.parse(today()).unwrap_err()
    }

    #[test]
    fn impossible_dates_are_refused_with_a_message_on_the_field() {
        let mut f = form();
        f.birth_date = "01/01/2000".into();
        f.admission_date = "01/01/1999".into();
        assert_eq!(
            errors_of(f).get("admission_date"),
            Some("Ngày kết nạp phải sau ngày sinh.")
        );

        let mut f = form();
        f.admission_date = "01/01/1997".into(); // aged 16
        assert!(
            errors_of(f)
                .get("admission_date")
                .unwrap()
                .contains("đủ 18 tuổi")
        );

        let mut f = form();
        f.official_date = "01/01/2005".into(); // before admission
        assert!(
            errors_of(f)
                .get("official_date")
                .unwrap()
                .contains("sau ngày kết nạp")
        );

        let mut f = form();
        f.official_date = "01/12/2005".into(); // before 12 months
        assert!(
            errors_of(f)
                .get("official_date")
                .unwrap()
                .contains("12 tháng")
        );

        let mut f = form();
        f.admission_decision_date = "01/03/2005".into(); // after the ceremony
        assert!(errors_of(f).get("admission_decision_date").is_some());

        let mut f = form();
        f.birth_date = "31/02/1980".into();
        assert!(
            errors_of(f)
                .get("birth_date")
                .unwrap()
                .contains("không hợp lệ")
        );

        let mut f = form();
        f.admission_date = "01/01/2027".into();
        assert!(
            errors_of(f)
                .get("admission_date")
                .unwrap()
                .contains("tương lai")
        );
    }

    #[test]
    fn status_and_recognition_date_must_agree() {
        let mut f = form();
        f.official_date = String::new();
        assert!(
            errors_of(f)
                .get("official_date")
                .unwrap()
                .contains("cần ngày công nhận")
        );
        let mut f = form();
        f.status = "probationary".into();
        assert!(errors_of(f).get("official_date").is_some());
        let mut f = form();
        f.status = "probationary".into();
        f.official_date = String::new();
        assert_eq!(f.parse(today()).unwrap().status, Status::Probationary);
        let mut f = form();
        f.status = "khong-ro".into();
        assert!(errors_of(f).get("status").is_some());
    }

    #[test]
    fn names_cards_and_phones() {
        assert!(parse_full_name("Lan").is_err());
        assert!(parse_full_name("Nguyễn Văn 3").is_err());
        assert_eq!(parse_full_name(" Lê  Văn   Ân ").unwrap(), "Lê Văn Ân");
        assert_eq!(parse_card_no("").unwrap(), None);
        assert!(parse_card_no("12ab").is_err());
        assert!(parse_card_no("123").is_err());
        assert_eq!(
            parse_phone("+84 912 345 678").unwrap().as_deref(),
            Some("+84912345678")
        );
        assert!(parse_phone("12").is_err());
    }

    #[test]
    fn admission_after_sixty_is_a_warning_not_an_error() {
        let mut f = form();
        f.birth_date = "01/01/1950".into();
        f.admission_date = "02/01/2012".into();
        f.admission_decision_date = String::new();
        f.official_date = "02/01/2013".into();
        let r = f.parse(today()).unwrap();
        assert_eq!(record_warnings(r.birth_date, r.admission_date).len(), 1);
        assert!(record_warnings(d(1980, 1, 1), d(2005, 1, 1)).is_empty());
    }

    #[test]
    fn ages_count_whole_years() {
        assert_eq!(age_on(d(2000, 6, 15), d(2018, 6, 14)), 17);
        assert_eq!(age_on(d(2000, 6, 15), d(2018, 6, 15)), 18);
    }
}
