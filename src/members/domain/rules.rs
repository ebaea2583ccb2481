//! The rules on a member's standing and a branch's make-up: probation and its end, the counts
//! at the top of a branch's list, the committee's rules as warnings.

use chrono::{Months, NaiveDate};

use super::*;

/// Probation lasts 12 months from the admission ceremony.
pub const PROBATION_MONTHS: u32 = 12;

/// The day probation ends: 12 months after the admission ceremony.
pub fn probation_end(admission: NaiveDate) -> NaiveDate {
    admission
        .checked_add_months(Months::new(PROBATION_MONTHS))
        .unwrap_or(NaiveDate::MAX)
}

/// A member's status on `day` (docs/rules.md §4.2): chính thức from the day of recognition
/// on, dự bị before it. The registry keeps only the recognition's date, so the status of any
/// past day follows from it.
pub fn status_on(official_date: Option<NaiveDate>, day: NaiveDate) -> Status {
    match official_date {
        Some(recognised) if recognised <= day => Status::Full,
        _ => Status::Probationary,
    }
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

    #[test]
    fn a_member_is_full_from_the_day_of_recognition_on() {
        let recognised = Some(d(2026, 3, 15));
        assert_eq!(status_on(recognised, d(2026, 1, 10)), Status::Probationary);
        assert_eq!(status_on(recognised, d(2026, 3, 14)), Status::Probationary);
        assert_eq!(status_on(recognised, d(2026, 3, 15)), Status::Full);
        assert_eq!(status_on(recognised, d(2026, 12, 2)), Status::Full);
        assert_eq!(status_on(None, d(2026, 12, 2)), Status::Probationary);
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
