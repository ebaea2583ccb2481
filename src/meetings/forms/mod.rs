//! The forms of a meeting's record as typed, and their parse into the typed input the store
//! takes: every field a string, every rule about the values checked here, before any SQL.
//! Pure: no database.

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::domain::{MeetingKind, MeetingState, PrepStep, Review};
use crate::org::domain::BranchType;
use crate::web::{FieldErrors, date_message, number_in, read_date, read_datetime};

mod meeting;
pub use meeting::*;

/// The names of the preparation dates on the minutes form, in the order of
/// `MinutesInput::prep` (docs/rules.md §3.2).
pub const PREP_FIELDS: [&str; 5] = [
    PrepStep::Prepared.field(),
    PrepStep::CommitteeMet.field(),
    PrepStep::NoticeSent.field(),
    PrepStep::MaterialsPosted.field(),
    PrepStep::DraftResolution.field(),
];

/// The minutes form as typed: one value per field name, the agenda items' text under
/// `minutes-<item id>` and `conclusion-<item id>`, and the box "nothing to record" under
/// `empty-<item id>` (so a map, not a struct).
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(transparent)]
pub struct MinutesForm(pub HashMap<String, String>);

/// The minutes form's field (its second save button) that marks every item left blank
/// "Không có nội dung ghi".
pub const REST_EMPTY: &str = "rest_empty";

/// The record of the meeting as the store saves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MinutesInput {
    /// The meeting's version the form was built from (a stale form is refused).
    pub version: i32,
    pub started_at: Option<NaiveDateTime>,
    pub ended_at: Option<NaiveDateTime>,
    pub chair_id: Option<Uuid>,
    pub secretary_id: Option<Uuid>,
    pub resolution: Option<String>,
    pub prep: [Option<NaiveDate>; 5],
    /// Each agenda item's minutes and conclusion, or the mark that it has none.
    pub items: Vec<ItemMinutesInput>,
}

/// One agenda item's minutes as the store saves them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemMinutesInput {
    pub id: Uuid,
    pub minutes: Option<String>,
    pub conclusion: Option<String>,
    /// The secretary ticked "Không có nội dung ghi" (docs/rules.md §3.5).
    pub nothing_to_record: bool,
}

impl MinutesForm {
    pub fn get(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or("")
    }

    /// The typed record; `items` are the meeting's agenda items in their order (a field for
    /// another id is ignored). A missing or garbled version reads as -1, which the store
    /// refuses as stale. An item both written and ticked "nothing to record" is refused:
    /// the record would say two things.
    pub fn parse(&self, items: &[Uuid]) -> Result<MinutesInput, FieldErrors> {
        let mut errors = FieldErrors::control_chars(self);
        let mut when = |name: &'static str| {
            let raw = self.get(name).trim();
            if raw.is_empty() {
                return None;
            }
            read_datetime(raw)
                .map_err(|p| errors.add(name, date_message(p, "Thời gian không hợp lệ.")))
                .ok()
        };
        let started_at = when("started_at");
        let ended_at = when("ended_at");
        let mut prep = [None; 5];
        for (slot, name) in prep.iter_mut().zip(PREP_FIELDS) {
            let raw = self.get(name).trim();
            if !raw.is_empty() {
                *slot = read_date(raw)
                    .map_err(|p| errors.add(name, date_message(p, "Ngày không hợp lệ.")))
                    .ok();
            }
        }
        // "Lưu và đánh dấu các nội dung còn trống": one tap marks every item left
        // blank, instead of a tick on each procedural item (opening, roll call...).
        let rest_empty = !self.get(REST_EMPTY).trim().is_empty();
        let items: Vec<ItemMinutesInput> = items
            .iter()
            .map(|id| {
                let minutes = text(self.get(&format!("minutes-{id}")), 10_000);
                let conclusion = text(self.get(&format!("conclusion-{id}")), 4_000);
                let ticked = !self.get(&format!("empty-{id}")).trim().is_empty();
                let blank = minutes.is_none() && conclusion.is_none();
                ItemMinutesInput {
                    id: *id,
                    nothing_to_record: ticked || (rest_empty && blank),
                    minutes,
                    conclusion,
                }
            })
            .collect();
        if let Some(n) = items
            .iter()
            .position(|i| i.nothing_to_record && (i.minutes.is_some() || i.conclusion.is_some()))
        {
            errors.add(
                "form",
                format!(
                    "Nội dung {} đã ghi biên bản nhưng lại đánh dấu “Không có nội dung ghi”: vui lòng bỏ đánh dấu hoặc xóa phần đã ghi.",
                    n + 1
                ),
            );
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let person = |name: &str| Uuid::parse_str(self.get(name).trim()).ok();
        Ok(MinutesInput {
            version: self.get("version").trim().parse().unwrap_or(-1),
            started_at,
            ended_at,
            chair_id: person("chair_id"),
            secretary_id: person("secretary_id"),
            resolution: text(self.get("resolution"), 20_000),
            prep,
            items,
        })
    }
}

/// A text field: trimmed, cut to `max` characters, `None` when empty.
fn text(raw: &str, max: usize) -> Option<String> {
    Some(raw.trim().chars().take(max).collect::<String>()).filter(|t| !t.is_empty())
}

/// The most votes one count may hold: far above any branch (the store then checks the sum
/// against the meeting's eligible base), and small enough that no sum of three can wrap.
pub const MAX_VOTES: u32 = 100_000;

/// A vote taken at the meeting, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
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
        let mut e = FieldErrors::control_chars(self);
        let subject = text(&self.subject, 300);
        if subject.is_none() {
            e.add("subject", "Vui lòng ghi nội dung biểu quyết.");
        }
        // Each count on its own field, so that the one mistyped is the one marked.
        let mut count = |raw: &str, field: &'static str| {
            let n = number_in(raw, 0..=MAX_VOTES);
            if n.is_none() {
                e.add(
                    field,
                    format!("Số phiếu phải là số tự nhiên, từ 0 đến {MAX_VOTES}."),
                );
            }
            n
        };
        let counts = (
            count(&self.votes_for, "votes_for"),
            count(&self.against, "against"),
            count(&self.abstain, "abstain"),
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
            _ => Err(e),
        }
    }
}

/// A task the meeting gives, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
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
        let mut e = FieldErrors::control_chars(self);
        let description = text(&self.description, 1_000);
        if description.is_none() {
            e.add("description", "Vui lòng ghi nội dung nhiệm vụ.");
        }
        let due_on = match self.due_on.trim() {
            "" => None,
            raw => read_date(raw)
                .map_err(|p| e.add("due_on", date_message(p, "Thời hạn không hợp lệ.")))
                .ok(),
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
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ReviewForm {
    pub review: String,
    pub note: String,
}

impl ReviewForm {
    pub fn parse(&self) -> Result<(Review, Option<String>), FieldErrors> {
        let e = FieldErrors::control_chars(self);
        if !e.is_empty() {
            return Err(e);
        }
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
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct StateForm {
    pub to: String,
    pub reason: String,
}

impl StateForm {
    pub fn parse(&self) -> Result<(MeetingState, Option<String>), FieldErrors> {
        let e = FieldErrors::control_chars(self);
        if !e.is_empty() {
            return Err(e);
        }
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
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(default)]
pub struct ItemForm {
    pub title: String,
    pub presenter: String,
    pub notes: String,
    /// `up`, `down` or `delete` from the item's buttons; empty when the item is saved.
    pub action: String,
    /// The item's version the form was built from (empty for a new item).
    pub version: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemInput {
    pub title: String,
    pub presenter: Option<String>,
    pub notes: Option<String>,
    /// For a saved item, the version its form was built from; a save from another is stale.
    pub version: Option<i32>,
}

/// What a press on an agenda item asks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ItemChange {
    Up,
    Down,
    Delete,
    Save(ItemInput),
}

impl ItemChange {
    /// The `action` values of the item's buttons (templates write them from here).
    pub const UP: &'static str = "up";
    pub const DOWN: &'static str = "down";
    pub const DELETE: &'static str = "delete";
}

impl ItemForm {
    pub fn parse(&self) -> Result<ItemInput, FieldErrors> {
        let e = FieldErrors::control_chars(self);
        if !e.is_empty() {
            return Err(e);
        }
        // A title is one line: the line breaks a phone's text area lets in become spaces.
        let title = self.title.split_whitespace().collect::<Vec<_>>().join(" ");
        match text(&title, 300) {
            Some(title) => Ok(ItemInput {
                title,
                presenter: text(&self.presenter, 120),
                notes: text(&self.notes, 1_000),
                version: self.version.trim().parse().ok(),
            }),
            None => Err(FieldErrors::one("title", "Vui lòng ghi tên nội dung.")),
        }
    }

    pub fn change(&self) -> Result<ItemChange, FieldErrors> {
        Ok(match self.action.trim() {
            ItemChange::UP => ItemChange::Up,
            ItemChange::DOWN => ItemChange::Down,
            ItemChange::DELETE => ItemChange::Delete,
            _ => ItemChange::Save(self.parse()?),
        })
    }
}

/// A new agenda-template variant, as chosen: a meeting kind and a branch type.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct VariantForm {
    pub kind: String,
    pub branch_type: String,
}

impl VariantForm {
    pub fn parse(&self) -> Result<(MeetingKind, BranchType), FieldErrors> {
        match (
            MeetingKind::parse(self.kind.trim()),
            BranchType::parse(self.branch_type.trim()),
        ) {
            (Some(kind), Some(branch_type)) => Ok((kind, branch_type)),
            _ => Err(FieldErrors::one(
                "branch_type",
                "Vui lòng chọn loại buổi sinh hoạt và loại hình chi bộ.",
            )),
        }
    }
}

/// A guest of the meeting, as typed.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
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
        let e = FieldErrors::control_chars(self);
        if !e.is_empty() {
            return Err(e);
        }
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
    #[test]
    fn a_template_variant_needs_a_kind_and_a_branch_type() {
        let form = |kind: &str, branch_type: &str| VariantForm {
            kind: kind.into(),
            branch_type: branch_type.into(),
        };
        assert_eq!(
            form("regular", "village").parse().ok(),
            Some((MeetingKind::Regular, BranchType::Thon))
        );
        for (kind, branch_type) in [("regular", ""), ("", "village"), ("weekly", "village")] {
            assert_eq!(
                form(kind, branch_type)
                    .parse()
                    .unwrap_err()
                    .get("branch_type"),
                Some("Vui lòng chọn loại buổi sinh hoạt và loại hình chi bộ."),
                "{kind}/{branch_type}"
            );
        }
    }

    fn minutes(pairs: &[(&str, &str)]) -> MinutesForm {
        MinutesForm(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
        )
    }

    #[test]
    fn the_minutes_form_reads_times_people_dates_and_each_items_text() {
        let item = Uuid::now_v7();
        let chair = Uuid::now_v7();
        let form = minutes(&[
            ("version", "3"),
            ("started_at", "2026-11-05T19:30"),
            ("ended_at", ""),
            ("chair_id", &chair.to_string()),
            ("secretary_id", "not-an-id"),
            ("notice_sent_on", "02/11/2026"),
            ("resolution", "  Nghị quyết  "),
            (&format!("minutes-{item}"), "Ý kiến"),
            (
                &format!("minutes-{}", Uuid::now_v7()),
                "another meeting's item",
            ),
        ]);
        let input = form.parse(&[item]).unwrap();
        assert_eq!(input.version, 3);
        assert_eq!(
            input.started_at,
            NaiveDate::from_ymd_opt(2026, 11, 5)
                .unwrap()
                .and_hms_opt(19, 30, 0)
        );
        assert_eq!(input.ended_at, None);
        assert_eq!(input.chair_id, Some(chair));
        assert_eq!(input.secretary_id, None);
        assert_eq!(input.prep[2], NaiveDate::from_ymd_opt(2026, 11, 2));
        assert_eq!(input.resolution.as_deref(), Some("Nghị quyết"));
        assert_eq!(
            input.items,
            vec![ItemMinutesInput {
                id: item,
                minutes: Some("Ý kiến".into()),
                conclusion: None,
                nothing_to_record: false
            }]
        );
    }

    #[test]
    fn an_item_is_written_or_marked_empty_never_both() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let input = minutes(&[("version", "1"), (&format!("empty-{b}"), "1")])
            .parse(&[a, b])
            .unwrap();
        assert_eq!(
            input
                .items
                .iter()
                .map(|i| i.nothing_to_record)
                .collect::<Vec<_>>(),
            [false, true]
        );
        let errors = minutes(&[
            (&format!("empty-{b}"), "1"),
            (&format!("conclusion-{b}"), "Thống nhất"),
        ])
        .parse(&[a, b])
        .unwrap_err();
        assert_eq!(
            errors.get("form"),
            Some(
                "Nội dung 2 đã ghi biên bản nhưng lại đánh dấu “Không có nội dung ghi”: vui lòng bỏ đánh dấu hoặc xóa phần đã ghi."
            )
        );
    }

    #[test]
    fn the_second_save_marks_only_the_items_left_blank_as_nothing_to_record() {
        let (a, b, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        let typed = [
            ("version", "1"),
            (&*format!("minutes-{a}"), "Đồng chí Hà báo cáo"),
            (&*format!("conclusion-{c}"), "  "),
        ];
        let empty = |input: MinutesInput| -> Vec<bool> {
            input.items.iter().map(|i| i.nothing_to_record).collect()
        };
        assert_eq!(
            empty(minutes(&typed).parse(&[a, b, c]).unwrap()),
            [false, false, false]
        );
        let mut rest = typed.to_vec();
        rest.push((REST_EMPTY, "1"));
        let input = minutes(&rest).parse(&[a, b, c]).unwrap();
        assert_eq!(
            input.items[0].minutes.as_deref(),
            Some("Đồng chí Hà báo cáo")
        );
        assert_eq!(empty(input), [false, true, true]);
    }

    #[test]
    fn a_garbled_time_or_date_is_refused_at_its_field_and_a_lost_version_is_stale() {
        let errors = minutes(&[("ended_at", "19h30"), ("prepared_on", "31/02/2026")])
            .parse(&[])
            .unwrap_err();
        assert_eq!(errors.get("ended_at"), Some("Thời gian không hợp lệ."));
        assert_eq!(errors.get("prepared_on"), Some("Ngày không hợp lệ."));
        assert_eq!(minutes(&[]).parse(&[]).unwrap().version, -1);
    }

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
