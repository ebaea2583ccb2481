//! The forms of a meeting's record as typed, and their parse into the typed input the store
//! takes: every field a string, every rule about the values checked here, before any SQL.
//! Pure: no database. (A refused vote, task or item is answered on the minutes or agenda
//! page read afresh, with the message; the typed sub-form is not refilled yet.)

use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::domain::{MeetingState, Review};
use crate::web::{FieldErrors, parse_vn_date};

/// A text field: trimmed, cut to `max` characters, `None` when empty.
fn text(raw: &str, max: usize) -> Option<String> {
    Some(raw.trim().chars().take(max).collect::<String>()).filter(|t| !t.is_empty())
}

/// A vote taken at the meeting, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct VoteForm {
    pub subject: String,
    pub votes_for: String,
    pub against: String,
    pub abstain: String,
}

/// A vote to record: its subject and the counts (checked against the eligible base by the
/// store, which knows the attendance).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewVote {
    pub subject: String,
    pub votes_for: u32,
    pub against: u32,
    pub abstain: u32,
}

impl VoteForm {
    pub fn parse(&self) -> Result<NewVote, FieldErrors> {
        let mut e = FieldErrors::default();
        let subject = text(&self.subject, 300);
        if subject.is_none() {
            e.add("subject", "Vui lòng ghi nội dung biểu quyết.");
        }
        let count = |raw: &str| raw.trim().parse::<u32>().ok();
        let counts = (
            count(&self.votes_for),
            count(&self.against),
            count(&self.abstain),
        );
        match (subject, counts) {
            (Some(subject), (Some(votes_for), Some(against), Some(abstain))) if e.is_empty() => {
                Ok(NewVote {
                    subject,
                    votes_for,
                    against,
                    abstain,
                })
            }
            (_, (Some(_), Some(_), Some(_))) => Err(e),
            _ => {
                e.add("votes_for", "Số phiếu phải là số tự nhiên.");
                Err(e)
            }
        }
    }
}

/// A task the meeting gives, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct TaskForm {
    pub description: String,
    /// A member of the meeting's list, or empty for a group.
    pub member: String,
    pub group: String,
    pub due_on: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    pub description: String,
    pub member: Option<Uuid>,
    pub group: Option<String>,
    pub due_on: Option<NaiveDate>,
}

impl TaskForm {
    pub fn parse(&self) -> Result<NewTask, FieldErrors> {
        let mut e = FieldErrors::default();
        let description = text(&self.description, 1_000);
        if description.is_none() {
            e.add("description", "Vui lòng ghi nội dung nhiệm vụ.");
        }
        let due_on = match self.due_on.trim() {
            "" => None,
            raw => {
                let d = parse_vn_date(raw);
                if d.is_none() {
                    e.add("due_on", "Thời hạn không hợp lệ.");
                }
                d
            }
        };
        match description {
            Some(description) if e.is_empty() => Ok(NewTask {
                description,
                member: Uuid::parse_str(self.member.trim()).ok(),
                group: text(&self.group, 120),
                due_on,
            }),
            _ => Err(e),
        }
    }
}

/// The review of one of the previous meeting's tasks, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ReviewForm {
    pub review: String,
    pub note: String,
}

impl ReviewForm {
    pub fn parse(&self) -> Result<(Review, Option<String>), FieldErrors> {
        match Review::parse(&self.review) {
            Some(review) => Ok((review, text(&self.note, 500))),
            None => Err(FieldErrors::one(
                "review",
                "Vui lòng chọn mức độ hoàn thành.",
            )),
        }
    }
}

/// A change of the meeting's state, as typed: where to, and the reason (required to reopen,
/// which the state rule checks).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StateForm {
    pub to: String,
    pub reason: String,
}

impl StateForm {
    pub fn parse(&self) -> Result<(MeetingState, Option<String>), FieldErrors> {
        match MeetingState::parse(&self.to) {
            Some(to) => Ok((to, text(&self.reason, 500))),
            None => Err(FieldErrors::one(
                "form",
                "Không chuyển được trạng thái này.",
            )),
        }
    }
}

/// An agenda item, as typed; on the edit form also the button pressed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ItemForm {
    pub title: String,
    pub presenter: String,
    pub notes: String,
    /// `up`, `down` or `delete` from the item's buttons; empty when the item is saved.
    pub action: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemInput {
    pub title: String,
    pub presenter: Option<String>,
    pub notes: Option<String>,
}

/// What a press on an agenda item asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemChange {
    Up,
    Down,
    Delete,
    Save(ItemInput),
}

impl ItemForm {
    pub fn parse(&self) -> Result<ItemInput, FieldErrors> {
        match text(&self.title, 300) {
            Some(title) => Ok(ItemInput {
                title,
                presenter: text(&self.presenter, 120),
                notes: text(&self.notes, 1_000),
            }),
            None => Err(FieldErrors::one("title", "Vui lòng ghi tên nội dung.")),
        }
    }

    pub fn change(&self) -> Result<ItemChange, FieldErrors> {
        Ok(match self.action.trim() {
            "up" => ItemChange::Up,
            "down" => ItemChange::Down,
            "delete" => ItemChange::Delete,
            _ => ItemChange::Save(self.parse()?),
        })
    }
}

/// A guest of the meeting, as typed.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct GuestForm {
    pub name: String,
    pub position: String,
    pub from_unit: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewGuest {
    pub name: String,
    pub position: Option<String>,
    pub from_unit: Option<String>,
}

impl GuestForm {
    pub fn parse(&self) -> Result<NewGuest, FieldErrors> {
        match text(&self.name, 120) {
            Some(name) => Ok(NewGuest {
                name,
                position: text(&self.position, 120),
                from_unit: text(&self.from_unit, 200),
            }),
            None => Err(FieldErrors::one("name", "Vui lòng ghi họ tên khách mời.")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vote(subject: &str, a: &str, b: &str, c: &str) -> VoteForm {
        VoteForm {
            subject: subject.into(),
            votes_for: a.into(),
            against: b.into(),
            abstain: c.into(),
        }
    }

    #[test]
    fn a_vote_needs_a_subject_and_whole_numbers() {
        let v = vote("  Thông qua nghị quyết ", "10", "1", "0")
            .parse()
            .unwrap();
        assert_eq!(v.subject, "Thông qua nghị quyết");
        assert_eq!((v.votes_for, v.against, v.abstain), (10, 1, 0));
        let e = vote("", "10", "0", "0").parse().unwrap_err();
        assert!(e.get("subject").is_some());
        let e = vote("Nghị quyết", "-1", "0", "0").parse().unwrap_err();
        assert!(e.get("votes_for").is_some());
        let e = vote("", "x", "0", "0").parse().unwrap_err();
        assert!(e.get("subject").is_some() && e.get("votes_for").is_some());
    }

    #[test]
    fn a_task_needs_a_description_and_a_real_date() {
        let t = TaskForm {
            description: "Vận động đóng đảng phí".into(),
            due_on: "31/12/2026".into(),
            ..Default::default()
        };
        let t = t.parse().unwrap();
        assert_eq!(t.due_on, NaiveDate::from_ymd_opt(2026, 12, 31));
        assert_eq!(t.member, None);
        let bad = TaskForm {
            description: "Việc".into(),
            due_on: "31/02/2026".into(),
            ..Default::default()
        };
        assert!(bad.parse().unwrap_err().get("due_on").is_some());
        let none = TaskForm::default().parse().unwrap_err();
        assert!(none.get("description").is_some());
    }

    #[test]
    fn agenda_presses_and_guests_are_read_before_any_write() {
        let press = |action: &str, title: &str| ItemForm {
            title: title.into(),
            action: action.into(),
            ..Default::default()
        };
        assert_eq!(press("up", "").change().unwrap(), ItemChange::Up);
        assert_eq!(press("delete", "").change().unwrap(), ItemChange::Delete);
        assert!(press("", "  ").change().unwrap_err().get("title").is_some());
        match press("", " Báo cáo tình hình ").change().unwrap() {
            ItemChange::Save(i) => assert_eq!(i.title, "Báo cáo tình hình"),
            other => panic!("{other:?}"),
        }
        assert!(
            GuestForm::default()
                .parse()
                .unwrap_err()
                .get("name")
                .is_some()
        );
    }

    #[test]
    fn reviews_and_state_changes_take_known_codes_only() {
        let r = ReviewForm {
            review: "partly".into(),
            note: " ".into(),
        };
        assert_eq!(r.parse().unwrap(), (Review::Partly, None));
        assert!(ReviewForm::default().parse().is_err());
        let s = StateForm {
            to: "closed".into(),
            reason: String::new(),
        };
        assert_eq!(s.parse().unwrap().0, MeetingState::Closed);
        assert!(
            StateForm {
                to: "archived".into(),
                ..Default::default()
            }
            .parse()
            .is_err()
        );
    }
}
