//! The forms that plan meetings and mark attendance, as typed, and their parse.

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use super::text;
use crate::codes::text_code;
use crate::meetings::domain::{AbsenceReason, MeetingKind, Presence};
use crate::web::{FieldErrors, date_message, number_in, read_datetime, read_month, read_time};

text_code! {
    /// Where a new meeting's agenda comes from.
    pub enum AgendaSource {
        /// The agenda template of its kind (or of the branch type's variant).
        Template = "template",
        /// A copy of the branch's last meeting of the same kind.
        CopyLast = "copy",
    }
}

impl AgendaSource {
    pub fn label(self) -> &'static str {
        match self {
            AgendaSource::Template => "Theo chương trình mẫu",
            AgendaSource::CopyLast => "Sao chép buổi trước cùng loại",
        }
    }
}

/// "2026-11" or "11/2026" into the first day of that month (within the years a form may
/// name, `web::read_month`).
pub fn parse_month(raw: &str) -> Option<NaiveDate> {
    read_month(raw).ok()
}

/// A new meeting, as typed.
#[derive(Debug, Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct NewForm {
    pub kind: String,
    /// yyyy-mm, as a month input sends it (mm/yyyy also accepted).
    pub month: String,
    /// yyyy-mm-ddThh:mm, as a datetime-local input sends it.
    pub planned_at: String,
    pub location: String,
    pub topic: String,
    pub is_model: Option<String>,
    pub agenda: String,
}

/// A meeting to plan, as the store creates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMeeting {
    pub kind: MeetingKind,
    pub month: NaiveDate,
    pub is_model: bool,
    pub topic: Option<String>,
    /// Local time in Vietnam.
    pub planned_at: Option<NaiveDateTime>,
    pub location: Option<String>,
    /// Start from a copy of the previous meeting's agenda of the same kind.
    pub copy_last: bool,
}

impl NewForm {
    pub fn parse(&self) -> Result<NewMeeting, FieldErrors> {
        let mut errors = FieldErrors::control_chars(self);
        let kind = MeetingKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.add("kind", "Vui lòng chọn loại buổi sinh hoạt.");
        }
        let month = read_month(&self.month)
            .map_err(|p| errors.add("month", date_message(p, "Vui lòng chọn tháng (tháng/năm).")))
            .ok();
        let planned_at = if self.planned_at.trim().is_empty() {
            None
        } else {
            read_datetime(&self.planned_at)
                .map_err(|p| {
                    errors.add(
                        "planned_at",
                        date_message(p, "Thời gian họp không hợp lệ (ngày/tháng/năm giờ:phút)."),
                    )
                })
                .ok()
        };
        let topic = text(&self.topic, 300);
        if kind.is_some_and(MeetingKind::is_thematic) && topic.is_none() {
            errors.add("topic", "Sinh hoạt chuyên đề cần ghi tên chuyên đề.");
        }
        match (kind, month) {
            (Some(kind), Some(month)) if errors.is_empty() => Ok(NewMeeting {
                kind,
                month,
                is_model: self.is_model.is_some(),
                topic,
                planned_at,
                location: text(&self.location, 200),
                copy_last: AgendaSource::parse(self.agenda.trim()) == Some(AgendaSource::CopyLast),
            }),
            _ => Err(errors),
        }
    }
}

/// The regular meetings of the coming months, planned in one step, as typed.
#[derive(Debug, Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct SeriesForm {
    pub months: String,
    pub day: String,
    pub time: String,
    pub location: String,
}

/// The same day and time each month, for `months` months from this one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Series {
    pub months: u32,
    /// 1–28, so that every month has it.
    pub day: u32,
    pub time: NaiveTime,
    pub location: Option<String>,
}

impl SeriesForm {
    /// What the form offers first: three months, on the 15th at 19:30.
    pub fn suggested() -> Self {
        SeriesForm {
            months: "3".into(),
            day: "15".into(),
            time: "19:30".into(),
            location: String::new(),
        }
    }

    pub fn parse(&self) -> Result<Series, FieldErrors> {
        let mut errors = FieldErrors::control_chars(self);
        let months = number_in(&self.months, 1..=12);
        if months.is_none() {
            errors.add("months", "Số tháng từ 1 đến 12.");
        }
        let day = number_in(&self.day, 1..=28);
        if day.is_none() {
            errors.add("day", "Ngày họp từ 1 đến 28 (để tháng nào cũng có).");
        }
        let time = read_time(&self.time).ok();
        if time.is_none() {
            errors.add("time", "Giờ họp dạng giờ:phút, ví dụ 19:30.");
        }
        match (months, day, time) {
            (Some(months), Some(day), Some(time)) if errors.is_empty() => Ok(Series {
                months,
                day,
                time,
                location: text(&self.location, 200),
            }),
            _ => Err(errors),
        }
    }
}

impl Series {
    /// The regular meetings of the series, from `first_month` on.
    pub fn meetings(&self, first_month: NaiveDate) -> Vec<NewMeeting> {
        (0..self.months)
            // Checked: a month past chrono's range ends the series rather than panicking.
            .map_while(|i| first_month.checked_add_months(Months::new(i)))
            .map(|month| NewMeeting {
                kind: MeetingKind::Regular,
                month,
                is_model: false,
                topic: None,
                planned_at: month.with_day(self.day).map(|d| d.and_time(self.time)),
                location: self.location.clone(),
                copy_last: false,
            })
            .collect()
    }
}

/// One member's attendance, as ticked: the presence alone (the reason and "spoke" have
/// their own forms, so that a tap on one never carries the other's stale value). `reason`
/// is still read from a post that sends it (a form of an older page): the detail of an
/// excused absence.
#[derive(Debug, Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct MarkForm {
    pub presence: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkInput {
    pub presence: Presence,
    /// The detail of an excused absence, when the post gave one.
    pub reason: Option<String>,
}

impl MarkForm {
    /// The mark. An excused absence needs no reason before its tap: the sheet then offers
    /// the reason's own form for that row.
    pub fn parse(&self) -> Result<MarkInput, FieldErrors> {
        let e = FieldErrors::control_chars(self);
        if !e.is_empty() {
            return Err(e);
        }
        let Some(presence) = Presence::parse(self.presence.trim()) else {
            return Err(FieldErrors::one(
                "presence",
                "Vui lòng chọn có mặt, đến muộn hoặc vắng.",
            ));
        };
        Ok(MarkInput {
            presence,
            reason: (presence == Presence::AbsentExcused)
                .then(|| text(&self.reason, 300))
                .flatten(),
        })
    }
}

/// The reason of an excused absence, as typed: a code and the detail.
#[derive(Debug, Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct ExcuseForm {
    pub reason_code: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExcuseInput {
    pub code: AbsenceReason,
    pub detail: Option<String>,
}

impl ExcuseForm {
    /// A code the sheet offered, and for "khác" the text that says what it is.
    pub fn parse(&self) -> Result<ExcuseInput, FieldErrors> {
        let mut e = FieldErrors::control_chars(self);
        if !e.is_empty() {
            return Err(e);
        }
        let code = AbsenceReason::parse(self.reason_code.trim());
        let detail = text(&self.reason, 300);
        match code {
            None => e.add("reason_code", "Vui lòng chọn lý do vắng."),
            Some(c) if c.needs_detail() && detail.is_none() => {
                e.add("reason", "Lý do khác: vui lòng ghi rõ lý do.")
            }
            Some(_) => {}
        }
        match code {
            Some(code) if e.is_empty() => Ok(ExcuseInput { code, detail }),
            _ => Err(e),
        }
    }
}

/// "Spoke" as toggled: `1` ticks it, `0` clears it.
#[derive(Debug, Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct SpokeForm {
    pub spoke: String,
}

impl SpokeForm {
    pub fn parse(&self) -> Result<bool, FieldErrors> {
        match self.spoke.trim() {
            "1" => Ok(true),
            "0" => Ok(false),
            _ => Err(FieldErrors::one(
                "spoke",
                "Vui lòng chọn có hoặc không phát biểu.",
            )),
        }
    }
}

/// "Everyone present": the meeting's version the sheet was drawn from, so that a list
/// retaken or a state changed since is not marked unseen.
#[derive(Debug, Deserialize, Serialize, Default, Clone)]
#[serde(default)]
pub struct AllPresentForm {
    pub version: String,
}

impl AllPresentForm {
    pub fn parse(&self) -> Result<i32, FieldErrors> {
        self.version
            .trim()
            .parse::<i32>()
            .ok()
            .filter(|v| *v >= 0 && !self.version.trim().starts_with('+'))
            .ok_or_else(|| {
                FieldErrors::one(
                    "form",
                    "Trang điểm danh đã cũ: vui lòng tải lại trang rồi thử lại.",
                )
            })
    }
}

/// A quarter's planned thematic topic.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct TopicForm {
    pub year: String,
    pub quarter: String,
    pub topic: String,
    /// The quarter's plan version the form was built from; 0 when there was none.
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedTopic {
    pub year: i32,
    pub quarter: i32,
    /// `None` clears the quarter's topic.
    pub topic: Option<String>,
    /// 0: the form saw no plan for the quarter.
    pub version: i32,
}

impl TopicForm {
    /// `None` for a year or quarter no form of ours sends (a tampered request).
    pub fn parse(&self) -> Option<PlannedTopic> {
        let year = self
            .year
            .trim()
            .parse()
            .ok()
            .filter(|y| (2000..=2100).contains(y))?;
        let quarter = self
            .quarter
            .trim()
            .parse()
            .ok()
            .filter(|q| (1..=4).contains(q))?;
        Some(PlannedTopic {
            year,
            quarter,
            topic: text(&self.topic, 300),
            version: self.version.trim().parse().ok()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_from_a_month_input_or_as_written() {
        assert_eq!(parse_month("2026-11"), NaiveDate::from_ymd_opt(2026, 11, 1));
        assert_eq!(parse_month("11/2026"), NaiveDate::from_ymd_opt(2026, 11, 1));
        assert_eq!(parse_month("13/2026"), None);
        assert_eq!(parse_month(""), None);
    }

    #[test]
    fn a_new_meeting_needs_a_kind_a_month_and_for_a_theme_its_topic() {
        let form = NewForm {
            kind: "regular".into(),
            month: "12/2026".into(),
            planned_at: "2026-12-05T19:30".into(),
            location: " Nhà văn hóa ".into(),
            agenda: "copy".into(),
            ..NewForm::default()
        };
        let m = form.parse().unwrap();
        assert_eq!(m.kind, MeetingKind::Regular);
        assert_eq!(m.month, NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        assert_eq!(
            m.planned_at,
            NaiveDate::from_ymd_opt(2026, 12, 5)
                .unwrap()
                .and_hms_opt(19, 30, 0)
        );
        assert_eq!(m.location.as_deref(), Some("Nhà văn hóa"));
        assert!(m.copy_last && !m.is_model);

        let thematic = NewForm {
            kind: "thematic".into(),
            month: "2026-12".into(),
            planned_at: "5/12".into(),
            ..NewForm::default()
        };
        let e = thematic.parse().unwrap_err();
        assert_eq!(
            e.get("topic"),
            Some("Sinh hoạt chuyên đề cần ghi tên chuyên đề.")
        );
        assert!(e.get("planned_at").is_some());
        let e = NewForm::default().parse().unwrap_err();
        assert!(e.get("kind").is_some() && e.get("month").is_some());
    }

    #[test]
    fn a_series_is_the_same_day_and_time_each_month_across_the_new_year() {
        let form = SeriesForm {
            months: "3".into(),
            day: "28".into(),
            time: "19:30".into(),
            location: String::new(),
        };
        let series = form.parse().unwrap();
        let meetings = series.meetings(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap());
        let days: Vec<_> = meetings
            .iter()
            .map(|m| m.planned_at.unwrap().date())
            .collect();
        assert_eq!(
            days,
            [(2026, 12, 28), (2027, 1, 28), (2027, 2, 28)]
                .map(|(y, m, d)| NaiveDate::from_ymd_opt(y, m, d).unwrap())
        );
        assert!(meetings.iter().all(|m| m.kind == MeetingKind::Regular));
        let e = SeriesForm {
            months: "13".into(),
            day: "31".into(),
            time: "7h".into(),
            location: String::new(),
        }
        .parse()
        .unwrap_err();
        assert!(e.get("months").is_some() && e.get("day").is_some() && e.get("time").is_some());
    }

    #[test]
    fn a_reason_is_a_code_offered_and_other_needs_its_text() {
        let form = |code: &str, detail: &str| ExcuseForm {
            reason_code: code.into(),
            reason: detail.into(),
        };
        assert_eq!(
            form("illness", "").parse().ok(),
            Some(ExcuseInput {
                code: AbsenceReason::Illness,
                detail: None
            })
        );
        assert_eq!(
            form("other", " Đám cưới con ")
                .parse()
                .ok()
                .map(|i| i.detail),
            Some(Some("Đám cưới con".into()))
        );
        let e = form("other", "  ").parse().unwrap_err();
        assert_eq!(e.get("reason"), Some("Lý do khác: vui lòng ghi rõ lý do."));
        let e = form("om", "").parse().unwrap_err();
        assert_eq!(e.get("reason_code"), Some("Vui lòng chọn lý do vắng."));
        let e = form("illness", "sốt\u{7}").parse().unwrap_err();
        assert!(e.get("reason").is_some());
        assert_eq!(SpokeForm { spoke: "1".into() }.parse().ok(), Some(true));
        assert_eq!(SpokeForm { spoke: "0".into() }.parse().ok(), Some(false));
        assert!(
            SpokeForm {
                spoke: "yes".into()
            }
            .parse()
            .is_err()
        );
        assert_eq!(
            AllPresentForm {
                version: "3".into()
            }
            .parse()
            .ok(),
            Some(3)
        );
        assert!(
            AllPresentForm {
                version: "-1".into()
            }
            .parse()
            .is_err()
        );
        assert!(AllPresentForm::default().parse().is_err());
    }

    #[test]
    fn a_mark_needs_a_presence_and_a_topic_a_real_quarter() {
        assert!(
            MarkForm::default()
                .parse()
                .unwrap_err()
                .get("presence")
                .is_some()
        );
        let mark = MarkForm {
            presence: "absent_excused".into(),
            reason: "  Ốm ".into(),
        }
        .parse()
        .unwrap();
        assert_eq!(mark.presence, Presence::AbsentExcused);
        assert_eq!(mark.reason.as_deref(), Some("Ốm"));
        // No reason before the tap: the row's reason form follows it.
        let bare = MarkForm {
            presence: "absent_excused".into(),
            reason: String::new(),
        };
        assert_eq!(bare.parse().unwrap().reason, None);
        // A reason is the detail of an excused absence only.
        let present = MarkForm {
            presence: "present".into(),
            reason: "Ốm".into(),
        };
        assert_eq!(present.parse().unwrap().reason, None);
        let topic = |year: &str, quarter: &str| TopicForm {
            year: year.into(),
            quarter: quarter.into(),
            topic: "Học tập và làm theo".into(),
            version: "0".into(),
        };
        assert_eq!(
            topic("2027", "1").parse().map(|t| (t.year, t.quarter)),
            Some((2027, 1))
        );
        assert_eq!(topic("2027", "5").parse(), None);
        assert_eq!(topic("x", "1").parse(), None);
    }
}
