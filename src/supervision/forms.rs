//! The supervisor's forms as typed, and their parse into the typed input the stores take:
//! a model-meeting plan and its review, the alert thresholds. Pure: no database (whether the
//! branch may host is the store's to say; today is a parameter).

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::store::Thresholds;
use crate::web::{DateProblem, FieldErrors, date_message, read_date, read_month};

/// A text field: trimmed, cut to `max` characters, `None` when empty.
fn text(raw: &str, max: usize) -> Option<String> {
    Some(raw.trim().chars().take(max).collect::<String>()).filter(|t| !t.is_empty())
}

/// A branch to host a model meeting in a month, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct PlanForm {
    pub branch: String,
    /// `YYYY-MM` (or `MM/YYYY`).
    pub month: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewPlan {
    pub branch: Uuid,
    pub month: NaiveDate,
}

impl PlanForm {
    /// Plans run from this month to the end of the year after next.
    pub fn parse(&self, this_month: NaiveDate) -> Result<NewPlan, FieldErrors> {
        let mut e = FieldErrors::control_chars(self);
        let branch = self.branch.trim().parse::<Uuid>().ok();
        if branch.is_none() {
            e.add("branch", "Chọn một chi bộ đang hoạt động thuộc đơn vị.");
        }
        let read = read_month(&self.month);
        let month = read.ok();
        match month {
            None => e.add(
                "month",
                date_message(
                    read.err().unwrap_or(DateProblem::Garbled),
                    "Chọn tháng (tháng/năm).",
                ),
            ),
            Some(m) if m < this_month => e.add(
                "month",
                format!(
                    "Tháng {} đã qua; chỉ lên kế hoạch từ tháng này trở đi.",
                    m.format("%m/%Y")
                ),
            ),
            Some(m) if m.year() > this_month.year() + 2 => {
                e.add("month", "Chỉ lên kế hoạch trong hai năm tới.")
            }
            _ => {}
        }
        match (branch, month) {
            (Some(branch), Some(month)) if e.is_empty() => Ok(NewPlan { branch, month }),
            _ => Err(e),
        }
    }
}

/// The on-the-spot review of a model meeting, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ModelReviewForm {
    pub review: String,
    pub upper_attendees: String,
    pub reviewed_at: String,
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelReview {
    pub review: String,
    pub upper_attendees: Option<String>,
    pub reviewed_at: NaiveDate,
    /// The version of the plan the form was built from (`None`: none sent, so stale).
    pub version: Option<i32>,
}

impl ModelReviewForm {
    pub fn parse(&self, today: NaiveDate) -> Result<ModelReview, FieldErrors> {
        let mut e = FieldErrors::control_chars(self);
        let review = text(&self.review, 8000);
        if review.is_none() {
            e.add("review", "Ghi nội dung rút kinh nghiệm.");
        }
        let read = read_date(&self.reviewed_at);
        let day = read.ok();
        match day {
            None => e.add(
                "reviewed_at",
                date_message(
                    read.err().unwrap_or(DateProblem::Garbled),
                    "Ngày rút kinh nghiệm không hợp lệ (ngày/tháng/năm).",
                ),
            ),
            Some(d) if d > today => e.add("reviewed_at", "Ngày rút kinh nghiệm chưa đến."),
            _ => {}
        }
        match (review, day) {
            (Some(review), Some(reviewed_at)) if e.is_empty() => Ok(ModelReview {
                review,
                upper_attendees: text(&self.upper_attendees, 2000),
                reviewed_at,
                version: self.version.trim().parse().ok(),
            }),
            _ => Err(e),
        }
    }
}

/// Each threshold: its field, its label, and the range allowed (the table's checks).
pub const FIELDS: [(&str, &str, i32, i32); 5] = [
    (
        "minutes_open_days",
        "Số ngày sau buổi sinh hoạt mà biên bản chưa khóa thì cảnh báo",
        1,
        60,
    ),
    (
        "score_unsent_days",
        "Số ngày sau buổi sinh hoạt mà chi bộ chưa gửi điểm thì cảnh báo",
        1,
        60,
    ),
    (
        "approval_days",
        "Số ngày điểm chờ cấp trên phê duyệt thì cảnh báo",
        1,
        90,
    ),
    (
        "unexcused_months",
        "Số tháng trong năm có vắng không lý do thì nhắc chi bộ xem xét",
        1,
        12,
    ),
    (
        "materials_days_before",
        "Số ngày tài liệu phải đăng trước buổi sinh hoạt",
        0,
        14,
    ),
];

/// The alert thresholds, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ThresholdsForm {
    pub minutes_open_days: String,
    pub score_unsent_days: String,
    pub approval_days: String,
    pub unexcused_months: String,
    pub materials_days_before: String,
    pub version: String,
}

/// Thresholds to save, with the version of them the form was built from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewThresholds {
    pub minutes_open_days: i32,
    pub score_unsent_days: i32,
    pub approval_days: i32,
    pub unexcused_months: i32,
    pub materials_days_before: i32,
    pub version: Option<i32>,
}

impl From<&Thresholds> for ThresholdsForm {
    fn from(t: &Thresholds) -> Self {
        Self {
            minutes_open_days: t.minutes_open_days.to_string(),
            score_unsent_days: t.score_unsent_days.to_string(),
            approval_days: t.approval_days.to_string(),
            unexcused_months: t.unexcused_months.to_string(),
            materials_days_before: t.materials_days_before.to_string(),
            version: t.version.to_string(),
        }
    }
}

impl ThresholdsForm {
    /// The typed value of a field by its name (one of `FIELDS`, or `version`).
    pub fn value(&self, name: &str) -> &str {
        match name {
            "minutes_open_days" => &self.minutes_open_days,
            "score_unsent_days" => &self.score_unsent_days,
            "approval_days" => &self.approval_days,
            "unexcused_months" => &self.unexcused_months,
            "materials_days_before" => &self.materials_days_before,
            "version" => &self.version,
            _ => "",
        }
    }

    pub fn parse(&self) -> Result<NewThresholds, FieldErrors> {
        let mut e = FieldErrors::default();
        let mut nums = [0; 5];
        for (i, (name, label, lo, hi)) in FIELDS.into_iter().enumerate() {
            match self.value(name).trim().parse::<i32>() {
                Ok(v) if (lo..=hi).contains(&v) => nums[i] = v,
                _ => e.add(name, format!("{label}: nhập số nguyên từ {lo} đến {hi}.")),
            }
        }
        if !e.is_empty() {
            return Err(e);
        }
        let [
            minutes_open_days,
            score_unsent_days,
            approval_days,
            unexcused_months,
            materials_days_before,
        ] = nums;
        Ok(NewThresholds {
            minutes_open_days,
            score_unsent_days,
            approval_days,
            unexcused_months,
            materials_days_before,
            version: self.version.trim().parse().ok(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn a_plan_runs_from_this_month_to_the_year_after_next() {
        let this_month = d(2026, 5, 1);
        let branch = Uuid::now_v7();
        let form = |month: &str| PlanForm {
            branch: branch.to_string(),
            month: month.into(),
        };
        assert_eq!(
            form("2026-05").parse(this_month).ok(),
            Some(NewPlan {
                branch,
                month: this_month
            })
        );
        assert!(form("12/2028").parse(this_month).is_ok());
        let past = form("2026-04").parse(this_month).unwrap_err();
        assert_eq!(
            past.get("month"),
            Some("Tháng 04/2026 đã qua; chỉ lên kế hoạch từ tháng này trở đi.")
        );
        let far = form("2029-01").parse(this_month).unwrap_err();
        assert_eq!(
            far.get("month"),
            Some("Chỉ lên kế hoạch trong hai năm tới.")
        );
        let neither = PlanForm::default().parse(this_month).unwrap_err();
        assert_eq!(
            neither.get("branch"),
            Some("Chọn một chi bộ đang hoạt động thuộc đơn vị.")
        );
        assert_eq!(neither.get("month"), Some("Chọn tháng (tháng/năm)."));
    }

    #[test]
    fn a_review_needs_its_text_and_a_day_not_in_the_future() {
        let today = d(2026, 5, 20);
        let form = ModelReviewForm {
            review: "  Chuẩn bị chu đáo. ".into(),
            upper_attendees: " ".into(),
            reviewed_at: "20/05/2026".into(),
            version: " 3 ".into(),
        };
        assert_eq!(
            form.parse(today).ok(),
            Some(ModelReview {
                review: "Chuẩn bị chu đáo.".into(),
                upper_attendees: None,
                reviewed_at: today,
                version: Some(3),
            })
        );
        let tomorrow = ModelReviewForm {
            reviewed_at: "2026-05-21".into(),
            ..form.clone()
        };
        assert_eq!(
            tomorrow.parse(today).unwrap_err().get("reviewed_at"),
            Some("Ngày rút kinh nghiệm chưa đến.")
        );
        let empty = ModelReviewForm::default().parse(today).unwrap_err();
        assert_eq!(empty.get("review"), Some("Ghi nội dung rút kinh nghiệm."));
        assert_eq!(
            empty.get("reviewed_at"),
            Some("Ngày rút kinh nghiệm không hợp lệ (ngày/tháng/năm).")
        );
        let no_version = ModelReviewForm {
            version: String::new(),
            ..form
        };
        assert_eq!(no_version.parse(today).unwrap().version, None);
    }

    #[test]
    fn thresholds_are_whole_numbers_within_their_ranges() {
        let stored = Thresholds {
            minutes_open_days: 3,
            score_unsent_days: 7,
            approval_days: 10,
            unexcused_months: 3,
            materials_days_before: 0,
            version: 4,
        };
        let form = ThresholdsForm::from(&stored);
        assert_eq!(form.value("version"), "4");
        assert_eq!(
            form.parse().ok(),
            Some(NewThresholds {
                minutes_open_days: 3,
                score_unsent_days: 7,
                approval_days: 10,
                unexcused_months: 3,
                materials_days_before: 0,
                version: Some(4),
            })
        );
        let bad = ThresholdsForm {
            minutes_open_days: "61".into(),
            unexcused_months: "ba".into(),
            ..form
        }
        .parse()
        .unwrap_err();
        assert_eq!(
            bad.get("minutes_open_days"),
            Some(
                "Số ngày sau buổi sinh hoạt mà biên bản chưa khóa thì cảnh báo: nhập số nguyên từ 1 đến 60."
            )
        );
        assert!(
            bad.get("unexcused_months")
                .unwrap()
                .ends_with("từ 1 đến 12.")
        );
        assert!(bad.get("approval_days").is_none());
    }
}
