//! The member's record and its rules (docs/rules.md §4.1–4.2, §9.1–9.2). Pure: no database.

use chrono::{Datelike, Months, NaiveDate};

use crate::codes::text_code;
use crate::web::{FieldErrors, date_field};

/// Age at admission (Điều lệ: 18 to 60, counted in months; above 60 needs the province).
pub const MIN_ADMISSION_AGE: u32 = 18;
pub const MAX_ADMISSION_AGE_WITHOUT_APPROVAL: u32 = 60;
/// Probation lasts 12 months from the admission ceremony.
pub const PROBATION_MONTHS: u32 = 12;

text_code! {
    pub enum Gender {
        Male = "male",
        Female = "female",
    }
}

impl Gender {
    pub fn label(self) -> &'static str {
        match self {
            Gender::Male => "Nam",
            Gender::Female => "Nữ",
        }
    }
}

text_code! {
    /// A member's standing (docs/rules.md §4.2).
    pub enum Status {
        /// Dự bị: within the 12 months of probation.
        Probationary = "probationary",
        /// Chính thức.
        Full = "full",
    }
}

impl Status {
    pub fn label(self) -> &'static str {
        match self {
            Status::Probationary => "Dự bị",
            Status::Full => "Chính thức",
        }
    }
}

text_code! {
    /// Where a member is in their life in the party (docs/rules.md §4.2–4.3).
    pub enum Lifecycle {
        Active = "active",
        /// Miễn công tác và sinh hoạt đảng.
        Exempt = "exempt",
        /// Sinh hoạt tạm thời at another branch.
        Away = "away",
        StruckOff = "struck_off",
        Expelled = "expelled",
        Deceased = "deceased",
        TransferredOut = "transferred_out",
    }
}

impl Lifecycle {
    pub fn label(self) -> &'static str {
        match self {
            Lifecycle::Active => "Đang sinh hoạt",
            Lifecycle::Exempt => "Miễn sinh hoạt",
            Lifecycle::Away => "Sinh hoạt tạm thời nơi khác",
            Lifecycle::StruckOff => "Đã xóa tên",
            Lifecycle::Expelled => "Đã khai trừ",
            Lifecycle::Deceased => "Đã từ trần",
            Lifecycle::TransferredOut => "Đã chuyển đi",
        }
    }

    /// Still on a branch's rolls (in đảng số).
    pub fn on_the_rolls(self) -> bool {
        matches!(
            self,
            Lifecycle::Active | Lifecycle::Exempt | Lifecycle::Away
        )
    }
}

text_code! {
    /// How a member belongs to a branch.
    pub enum MembershipKind {
        /// The member's own branch: counted in its đảng số.
        Permanent = "permanent",
        /// Attached for a time (sinh hoạt tạm thời): listed, not in đảng số.
        Temporary = "temporary",
    }
}

text_code! {
    /// A post on a branch's committee (chi ủy).
    pub enum PostRole {
        Secretary = "secretary",
        DeputySecretary = "deputy_secretary",
        CommitteeMember = "committee_member",
    }
}

impl PostRole {
    pub fn label(self) -> &'static str {
        match self {
            PostRole::Secretary => "Bí thư",
            PostRole::DeputySecretary => "Phó Bí thư",
            PostRole::CommitteeMember => "Chi ủy viên",
        }
    }
}

text_code! {
    /// What happened to a member's record, as its history lists it.
    pub enum EventKind {
        Created = "created",
        Imported = "imported",
        Edited = "edited",
        Recognised = "recognised",
        Exempted = "exempted",
        ExemptionEnded = "exemption_ended",
        Transferred = "transferred",
        TemporaryTransfer = "temporary_transfer",
        TemporaryTransferEnded = "temporary_transfer_ended",
        StruckOff = "struck_off",
        Expelled = "expelled",
        Deceased = "deceased",
    }
}

impl EventKind {
    pub fn label(self) -> &'static str {
        match self {
            EventKind::Created => "Thêm vào danh sách",
            EventKind::Imported => "Nhập từ bảng tính",
            EventKind::Edited => "Sửa thông tin",
            EventKind::Recognised => "Công nhận đảng viên chính thức",
            EventKind::Exempted => "Miễn công tác và sinh hoạt đảng",
            EventKind::ExemptionEnded => "Thôi miễn sinh hoạt",
            EventKind::Transferred => "Chuyển sinh hoạt đảng chính thức",
            EventKind::TemporaryTransfer => "Chuyển sinh hoạt đảng tạm thời",
            EventKind::TemporaryTransferEnded => "Kết thúc sinh hoạt tạm thời",
            EventKind::StruckOff => "Xóa tên",
            EventKind::Expelled => "Khai trừ",
            EventKind::Deceased => "Từ trần",
        }
    }
}

/// The member form as typed: every field a string, so that it can be shown again unchanged.
#[derive(Debug, Clone, Default, serde::Deserialize)]
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

/// The day probation ends: 12 months after the admission ceremony.
pub fn probation_end(admission: NaiveDate) -> NaiveDate {
    admission
        .checked_add_months(Months::new(PROBATION_MONTHS))
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
        let mut e = FieldErrors::default();
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

/// Where a probationer stands on `today`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probation {
    /// A full member.
    Done,
    /// Still within the 12 months.
    Running { ends: NaiveDate },
    /// The 12 months are over within the last 30 days: the branch should review now.
    Due { ended: NaiveDate },
    /// Over for more than 30 days without recognition.
    Overdue { ended: NaiveDate, days: i64 },
}

pub fn probation(status: Status, admission: NaiveDate, today: NaiveDate) -> Probation {
    if status == Status::Full {
        return Probation::Done;
    }
    let end = probation_end(admission);
    let days = (today - end).num_days();
    if days < 0 {
        Probation::Running { ends: end }
    } else if days <= 30 {
        Probation::Due { ended: end }
    } else {
        Probation::Overdue { ended: end, days }
    }
}

/// Age in whole years on `on`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// The counts at the top of a branch's member list (docs/rules.md §9.2).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct BranchCounts {
    /// Đảng số: members whose permanent branch this is.
    pub dang_so: usize,
    pub chinh_thuc: usize,
    pub du_bi: usize,
    /// Exempt from activity (miễn sinh hoạt): in đảng số, not in the attendance base.
    pub exempt: usize,
    /// On temporary transfer to another branch: in đảng số, not in the attendance base.
    pub away: usize,
    /// Attached here temporarily: listed and recorded, not counted in đảng số.
    pub temporary: usize,
    /// Đảng số less the exempt and those away: who is expected at a meeting.
    pub attendance_base: usize,
}

/// One open membership of the branch, as the counts need it.
pub struct CountInput {
    pub permanent: bool,
    pub status: Status,
    pub lifecycle: Lifecycle,
}

pub fn branch_counts(rows: impl IntoIterator<Item = CountInput>) -> BranchCounts {
    let mut c = BranchCounts::default();
    for r in rows {
        if !r.permanent {
            c.temporary += 1;
            continue;
        }
        c.dang_so += 1;
        match r.status {
            Status::Full => c.chinh_thuc += 1,
            Status::Probationary => c.du_bi += 1,
        }
        match r.lifecycle {
            Lifecycle::Exempt => c.exempt += 1,
            Lifecycle::Away => c.away += 1,
            _ => c.attendance_base += 1,
        }
    }
    c
}

/// A committee post held now: the role and the holder's status.
pub struct Post<'a> {
    pub role: PostRole,
    pub holder: &'a str,
    pub holder_status: Status,
}

/// The rules of docs/rules.md §4.1 on a branch's committee, as warnings to show (they do not
/// block anything: the upper committee decides).
pub fn committee_warnings(full_members: usize, posts: &[Post<'_>]) -> Vec<String> {
    let mut w = Vec::new();
    let count = |role: PostRole| posts.iter().filter(|p| p.role == role).count();
    if full_members < 3 {
        w.push(format!(
            "Chi bộ chỉ có {full_members} đảng viên chính thức (cần ít nhất 3): cần củng cố, kiện toàn hoặc sáp nhập."
        ));
    }
    if count(PostRole::Secretary) == 0 {
        w.push("Chi bộ chưa có bí thư.".to_owned());
    }
    if count(PostRole::DeputySecretary) > 1 {
        w.push(format!(
            "Chi bộ có {} phó bí thư; chỉ được có một.",
            count(PostRole::DeputySecretary)
        ));
    }
    if full_members >= 9 && count(PostRole::CommitteeMember) == 0 {
        w.push(format!(
            "Chi bộ có {full_members} đảng viên chính thức (từ 9 trở lên) nhưng chưa có chi ủy."
        ));
    }
    if full_members < 9 && count(PostRole::CommitteeMember) > 0 {
        w.push(format!(
            "Chi bộ dưới 9 đảng viên chính thức ({full_members}) không bầu chi ủy, chỉ bầu bí thư và phó bí thư."
        ));
    }
    if posts.len() > 7 {
        w.push(format!("Chi ủy có {} người, vượt quá 7.", posts.len()));
    }
    for p in posts.iter().filter(|p| p.holder_status != Status::Full) {
        w.push(format!(
            "{} là đảng viên dự bị, không được giữ chức vụ trong chi ủy.",
            p.holder
        ));
    }
    w
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
    fn probation_runs_twelve_months_from_the_ceremony() {
        let admitted = d(2025, 11, 1);
        assert_eq!(probation_end(admitted), d(2026, 11, 1));
        assert_eq!(
            probation(Status::Probationary, admitted, d(2026, 10, 31)),
            Probation::Running {
                ends: d(2026, 11, 1)
            }
        );
        assert_eq!(
            probation(Status::Probationary, admitted, d(2026, 11, 1)),
            Probation::Due {
                ended: d(2026, 11, 1)
            }
        );
        assert_eq!(
            probation(Status::Probationary, admitted, d(2026, 12, 15)),
            Probation::Overdue {
                ended: d(2026, 11, 1),
                days: 44
            }
        );
        assert_eq!(
            probation(Status::Full, admitted, d(2030, 1, 1)),
            Probation::Done
        );
        // 29 February: the anniversary falls on the last day of February.
        assert_eq!(probation_end(d(2024, 2, 29)), d(2025, 2, 28));
    }

    #[test]
    fn ages_count_whole_years() {
        assert_eq!(age_on(d(2000, 6, 15), d(2018, 6, 14)), 17);
        assert_eq!(age_on(d(2000, 6, 15), d(2018, 6, 15)), 18);
    }

    fn counts_of(rows: &[(Status, Lifecycle, bool)]) -> BranchCounts {
        branch_counts(
            rows.iter()
                .map(|&(status, lifecycle, permanent)| CountInput {
                    permanent,
                    status,
                    lifecycle,
                }),
        )
    }

    #[test]
    fn counts_by_hand() {
        // 6 permanent: 4 full (1 exempt, 1 away), 2 probationary; 1 attached temporarily.
        let c = counts_of(&[
            (Status::Full, Lifecycle::Active, true),
            (Status::Full, Lifecycle::Active, true),
            (Status::Full, Lifecycle::Exempt, true),
            (Status::Full, Lifecycle::Away, true),
            (Status::Probationary, Lifecycle::Active, true),
            (Status::Probationary, Lifecycle::Active, true),
            (Status::Full, Lifecycle::Active, false),
        ]);
        assert_eq!(
            c,
            BranchCounts {
                dang_so: 6,
                chinh_thuc: 4,
                du_bi: 2,
                exempt: 1,
                away: 1,
                temporary: 1,
                attendance_base: 4
            }
        );
    }

    fn post(role: PostRole, status: Status) -> Post<'static> {
        Post {
            role,
            holder: "Nguyễn Văn An",
            holder_status: status,
        }
    }

    #[test]
    fn committee_rules_become_warnings() {
        assert!(committee_warnings(5, &[post(PostRole::Secretary, Status::Full)]).is_empty());
        let w = committee_warnings(2, &[]);
        assert!(w.iter().any(|m| m.contains("ít nhất 3")));
        assert!(w.iter().any(|m| m.contains("chưa có bí thư")));
        let w = committee_warnings(
            12,
            &[
                post(PostRole::Secretary, Status::Full),
                post(PostRole::DeputySecretary, Status::Full),
            ],
        );
        assert!(w.iter().any(|m| m.contains("chưa có chi ủy")), "{w:?}");
        let w = committee_warnings(
            12,
            &[
                post(PostRole::Secretary, Status::Full),
                post(PostRole::DeputySecretary, Status::Full),
                post(PostRole::DeputySecretary, Status::Full),
                post(PostRole::CommitteeMember, Status::Full),
                post(PostRole::CommitteeMember, Status::Full),
                post(PostRole::CommitteeMember, Status::Full),
                post(PostRole::CommitteeMember, Status::Full),
                post(PostRole::CommitteeMember, Status::Probationary),
            ],
        );
        assert!(w.iter().any(|m| m.contains("2 phó bí thư")));
        assert!(w.iter().any(|m| m.contains("vượt quá 7")));
        assert!(w.iter().any(|m| m.contains("dự bị")));
        let w = committee_warnings(
            6,
            &[
                post(PostRole::Secretary, Status::Full),
                post(PostRole::CommitteeMember, Status::Full),
            ],
        );
        assert!(w.iter().any(|m| m.contains("không bầu chi ủy")));
    }
}
