//! What a branch still owes, from every month: the secretary's list on the branch's home.
//! Pure: the facts come from `store::owed`, the words and links from here.

use chrono::NaiveDate;
use uuid::Uuid;

use crate::web::vn_date;

/// One thing still to do, as the store finds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owed {
    /// A meeting held whose minutes are not closed.
    OpenMinutes { meeting: Uuid, month: NaiveDate },
    /// A meeting closed and not scored by the branch.
    Unscored { meeting: Uuid, month: NaiveDate },
    /// A score the upper committee returned.
    Returned { meeting: Uuid, month: NaiveDate },
    /// A score drafted or agreed and not sent up.
    NotSent { meeting: Uuid, month: NaiveDate },
    /// A task past its due day that no meeting has reviewed.
    TaskUnreviewed {
        meeting: Uuid,
        description: String,
        due: NaiveDate,
    },
    /// A probationer whose 12 months are over, not yet recognised.
    ToRecognise {
        member: Uuid,
        name: String,
        since: NaiveDate,
    },
}

/// An item as the home lists it: what, and where it is done.
pub struct OwedLine {
    pub text: String,
    pub href: String,
}

fn month(m: NaiveDate) -> String {
    m.format("%m/%Y").to_string()
}

impl Owed {
    pub fn line(&self) -> OwedLine {
        match self {
            Owed::OpenMinutes { meeting, month: m } => OwedLine {
                text: format!("Biên bản sinh hoạt tháng {} chưa khóa", month(*m)),
                href: format!("/meetings/{meeting}/minutes"),
            },
            Owed::Unscored { meeting, month: m } => OwedLine {
                text: format!("Buổi sinh hoạt tháng {} chưa tự chấm điểm", month(*m)),
                href: format!("/meetings/{meeting}/evaluation"),
            },
            Owed::Returned { meeting, month: m } => OwedLine {
                text: format!("Bảng điểm tháng {} bị cấp trên trả lại", month(*m)),
                href: format!("/meetings/{meeting}/evaluation"),
            },
            Owed::NotSent { meeting, month: m } => OwedLine {
                text: format!("Bảng điểm tháng {} chưa gửi lên cấp trên", month(*m)),
                href: format!("/meetings/{meeting}/evaluation"),
            },
            Owed::TaskUnreviewed {
                meeting,
                description,
                due,
            } => OwedLine {
                text: format!(
                    "Nhiệm vụ “{description}” (hạn {}) chưa được kiểm điểm",
                    vn_date(*due)
                ),
                href: format!("/meetings/{meeting}"),
            },
            Owed::ToRecognise {
                member,
                name,
                since,
            } => OwedLine {
                text: format!(
                    "Đồng chí {name} hết thời gian dự bị từ {}, chưa xét công nhận đảng viên chính thức",
                    vn_date(*since)
                ),
                href: format!("/members/{member}"),
            },
        }
    }

    /// The order of the list: the oldest first, whatever its kind.
    pub fn day(&self) -> NaiveDate {
        match self {
            Owed::OpenMinutes { month, .. }
            | Owed::Unscored { month, .. }
            | Owed::Returned { month, .. }
            | Owed::NotSent { month, .. } => *month,
            Owed::TaskUnreviewed { due, .. } => *due,
            Owed::ToRecognise { since, .. } => *since,
        }
    }
}

/// The list, the oldest first.
pub fn in_order(mut owed: Vec<Owed>) -> Vec<OwedLine> {
    owed.sort_by_key(Owed::day);
    owed.iter().map(Owed::line).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_list_runs_oldest_first_each_with_its_page() {
        let m = Uuid::from_u128(7);
        let lines = in_order(vec![
            Owed::NotSent {
                meeting: m,
                month: d(2026, 11, 1),
            },
            Owed::OpenMinutes {
                meeting: m,
                month: d(2026, 10, 1),
            },
            Owed::ToRecognise {
                member: Uuid::from_u128(9),
                name: "Lê Văn An".into(),
                since: d(2026, 10, 15),
            },
        ]);
        let texts: Vec<&str> = lines.iter().map(|l| l.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                "Biên bản sinh hoạt tháng 10/2026 chưa khóa",
                "Đồng chí Lê Văn An hết thời gian dự bị từ 15/10/2026, chưa xét công nhận đảng viên chính thức",
                "Bảng điểm tháng 11/2026 chưa gửi lên cấp trên",
            ]
        );
        assert_eq!(lines[0].href, format!("/meetings/{m}/minutes"));
        assert_eq!(lines[2].href, format!("/meetings/{m}/evaluation"));
    }
}
