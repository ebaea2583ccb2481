//! The evaluation's forms as typed, and their parse into the typed input the stores take:
//! the score sheet, a step of its review, the rubric editor. Every rule about the values is
//! checked here, before any SQL. Pure: no database (the meeting's figures arrive as `Facts`).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Deserialize;
use uuid::Uuid;

use super::domain::{SheetRefusal, Step};
use super::rubric::Rubric;
use super::scoring::{self, Entries, Entry, Facts, Scored};
use crate::codes::text_code;
use crate::web::FieldErrors;

/// A text field: trimmed, cut to `max` characters, `None` when empty.
fn text(raw: &str, max: usize) -> Option<String> {
    Some(raw.trim().chars().take(max).collect::<String>()).filter(|t| !t.is_empty())
}

/// The version a form was built on: `None` when it has none (a first save) or a garbled one.
fn version(raw: &str) -> Option<i32> {
    raw.trim().parse().ok()
}

text_code! {
    /// What the score sheet's buttons ask (and every change of the form, through htmx).
    pub enum SheetAction {
        /// Only total it (htmx adds `fragment` to get the running total alone).
        Preview = "preview",
        Save = "save",
    }
}

/// The score sheet as posted. Its fields are the rubric's criteria, so it is read as a map:
/// `v-<code>` the value (a tick, points, the index of a level), and for a computed criterion
/// `o-<code>` the overriding points and `r-<code>` their reason; then `remarks`, `version`,
/// `action` and `fragment`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct SheetForm(HashMap<String, String>);

impl<K: Into<String>, V: Into<String>> FromIterator<(K, V)> for SheetForm {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(fields: I) -> Self {
        Self(
            fields
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        )
    }
}

/// A score sheet as typed: what the form shows again (each criterion's entry, the remarks,
/// the version it was built on), from the post or from the stored sheet.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct TypedSheet {
    pub entries: Entries,
    pub remarks: String,
    pub version: String,
}

/// A score sheet to save: scored against the meeting's figures, every criterion correct.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetInput {
    pub scored: Scored,
    pub remarks: Option<String>,
    /// The version the form was built on; none for a first save.
    pub version: Option<i32>,
}

/// What is wrong on a score sheet: a message for each criterion, by its code.
pub type CriterionErrors = HashMap<String, String>;

impl SheetForm {
    fn get(&self, name: &str) -> &str {
        self.0.get(name).map(String::as_str).unwrap_or_default()
    }

    /// Save, unless the form asks only for the total.
    pub fn action(&self) -> SheetAction {
        match SheetAction::parse(self.get("action")) {
            Some(SheetAction::Preview) => SheetAction::Preview,
            _ => SheetAction::Save,
        }
    }

    /// Only the running total is wanted (an htmx change of the form).
    pub fn fragment(&self) -> bool {
        self.0.contains_key("fragment")
    }

    /// The sheet as typed, criterion by criterion of `r` (fields of other criteria ignored).
    pub fn typed(&self, r: &Rubric) -> TypedSheet {
        let entries = r
            .criteria()
            .map(|c| {
                (
                    c.code.clone(),
                    Entry {
                        value: self.get(&format!("v-{}", c.code)).to_owned(),
                        override_points: self.get(&format!("o-{}", c.code)).to_owned(),
                        reason: self
                            .get(&format!("r-{}", c.code))
                            .chars()
                            .take(1000)
                            .collect(),
                    },
                )
            })
            .collect();
        TypedSheet {
            entries,
            remarks: text(self.get("remarks"), 4000).unwrap_or_default(),
            version: self.get("version").to_owned(),
        }
    }

    /// The sheet to save, scored against the meeting's `facts`; or the criteria scored wrong.
    pub fn parse(&self, r: &Rubric, facts: &Facts) -> Result<SheetInput, CriterionErrors> {
        self.typed(r).parse(r, facts)
    }
}

impl TypedSheet {
    /// The sheet as it stands (a wrong entry counts 0), with what is wrong by criterion.
    pub fn score(&self, r: &Rubric, facts: &Facts) -> (Scored, CriterionErrors) {
        let (scored, errors) = scoring::score(r, facts, &self.entries);
        (scored, errors.into_iter().collect())
    }

    pub fn parse(&self, r: &Rubric, facts: &Facts) -> Result<SheetInput, CriterionErrors> {
        let (scored, errors) = self.score(r, facts);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(SheetInput {
            scored,
            remarks: Some(self.remarks.clone()).filter(|r| !r.is_empty()),
            version: version(&self.version),
        })
    }
}

/// A step of the review as posted: the button pressed, the version of the sheet shown, and
/// the committee's note.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct StepForm {
    pub step: String,
    pub version: String,
    pub comment: String,
    /// The branch's vote adopting its self-score (the "agree" step): for, against, abstain.
    pub votes_for: String,
    pub against: String,
    pub abstain: String,
}

/// A step of the review as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepInput {
    pub step: Step,
    /// The version of the sheet the user saw (`None`: a form without one, answered as stale).
    pub version: Option<i32>,
    pub comment: Option<String>,
}

impl StepForm {
    /// The step read; `None` for a step no form of ours sends (a tampered request, answered
    /// 400 rather than with a message).
    pub fn parse(&self) -> Option<StepInput> {
        Some(StepInput {
            step: Step::parse(&self.step)?,
            version: version(&self.version),
            comment: text(&self.comment, 2000),
        })
    }
}

impl StepForm {
    /// The counts of the branch's vote adopting its score, checked as whole numbers (the
    /// eligible base is the store's to check).
    pub fn adoption(&self) -> Result<(u32, u32, u32), FieldErrors> {
        // Bounded like a meeting's vote, so that no sum of three can wrap.
        let count = |s: &str| -> Option<u32> {
            if s.trim().is_empty() {
                Some(0)
            } else {
                crate::web::number_in(s, 0..=crate::meetings::MAX_VOTES)
            }
        };
        let mut errors = FieldErrors::default();
        if self.votes_for.trim().is_empty() {
            errors.add("votes_for", "Ghi số phiếu tán thành của chi bộ.");
        }
        match (
            count(&self.votes_for),
            count(&self.against),
            count(&self.abstain),
        ) {
            (Some(a), Some(b), Some(c)) if errors.is_empty() => Ok((a, b, c)),
            _ => {
                if errors.is_empty() {
                    errors.add(
                        "votes_for",
                        format!(
                            "Số phiếu phải là số tự nhiên, từ 0 đến {}.",
                            crate::meetings::MAX_VOTES
                        ),
                    );
                }
                Err(errors)
            }
        }
    }
}

impl StepInput {
    /// The note of the committee's decision: a return must say what to correct, a
    /// withdrawal why the approval no longer stands.
    pub fn note(&self) -> Result<Option<&str>, SheetRefusal> {
        match (self.step, self.comment.as_deref()) {
            (Step::Return, None) => Err(SheetRefusal::ReturnWithoutReason),
            (Step::Withdraw, None) => Err(SheetRefusal::WithdrawWithoutReason),
            (_, note) => Ok(note),
        }
    }
}

/// Rubric files are small; a sheet of a few hundred criteria is well under this.
pub const MAX_FILE_BYTES: usize = 256 * 1024;

/// The text of an uploaded rubric file.
pub fn file_text(bytes: &[u8]) -> Result<String, &'static str> {
    if bytes.len() > MAX_FILE_BYTES {
        return Err("Tệp lớn quá 256 KB; đây không phải tệp bộ tiêu chí.");
    }
    String::from_utf8(bytes.to_vec()).map_err(|_| "Tệp không phải văn bản UTF-8 (JSON hoặc TOML).")
}

/// The rubric editor as typed: the file's text (JSON or TOML), the scope (a unit's id, or
/// empty for the whole country) and, when a draft is edited, the version it was built on.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct RubricForm {
    pub text: String,
    pub scope: String,
    pub lock_version: String,
}

/// A rubric to write, with the scope it is limited to.
#[derive(Debug, Clone, PartialEq)]
pub struct RubricInput {
    pub rubric: Rubric,
    pub scope: Option<Uuid>,
}

/// Why a rubric form is refused: messages by field, or the problems the checks found in
/// the text (listed above the editor).
#[derive(Debug, Default)]
pub struct RubricErrors {
    pub fields: FieldErrors,
    pub problems: Vec<String>,
}

impl RubricErrors {
    fn field(field: &'static str, message: &str) -> Self {
        Self {
            fields: FieldErrors::one(field, message),
            problems: vec![],
        }
    }
}

impl RubricForm {
    fn scope(&self) -> Result<Option<Uuid>, RubricErrors> {
        match self.scope.trim() {
            "" => Ok(None),
            raw => raw
                .parse()
                .map(Some)
                .map_err(|_| RubricErrors::field("scope", "Phạm vi áp dụng không hợp lệ.")),
        }
    }

    /// Parses and checks the text: the rubric, or the problems found.
    fn rubric(&self) -> Result<Rubric, RubricErrors> {
        let problems = match Rubric::parse_file(&self.text) {
            Err(e) => vec![e],
            Ok(r) => {
                let problems: Vec<String> = r.validate().iter().map(ToString::to_string).collect();
                if problems.is_empty() {
                    return Ok(r);
                }
                problems
            }
        };
        Err(RubricErrors {
            fields: FieldErrors::default(),
            problems,
        })
    }

    /// A new draft (an imported file or pasted text).
    pub fn parse(&self) -> Result<RubricInput, RubricErrors> {
        let scope = self.scope()?;
        Ok(RubricInput {
            rubric: self.rubric()?,
            scope,
        })
    }

    /// A draft's new content, with the version the editor was built on.
    pub fn parse_edit(&self) -> Result<(RubricInput, i32), RubricErrors> {
        let scope = self.scope()?;
        let lock = version(&self.lock_version).ok_or_else(|| {
            RubricErrors::field("form", "Biểu mẫu thiếu số phiên bản; tải lại trang.")
        })?;
        let rubric = self.rubric()?;
        Ok((RubricInput { rubric, scope }, lock))
    }
}

/// Publishing a draft as posted: the version of the page it was asked from.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PublishForm {
    pub lock_version: String,
    /// The day it takes effect (dd/mm/yyyy); empty: the draft's own date.
    pub effective_from: String,
}

impl PublishForm {
    /// The version, `None` when the form has none (answered as stale).
    pub fn parse(&self) -> Option<i32> {
        version(&self.lock_version)
    }

    /// The day to publish from, if one was typed.
    pub fn from_date(&self) -> Result<Option<NaiveDate>, FieldErrors> {
        let mut errors = FieldErrors::default();
        let day =
            crate::web::date_field(&self.effective_from, "effective_from", false, &mut errors);
        if errors.is_empty() {
            Ok(day)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::evaluation::rubric::tests::sample;
    use crate::evaluation::rubric::{Points, Source};

    fn facts() -> Facts {
        let mut f = Facts::default();
        f.set(Source::AttendanceRate, Some(95.0));
        f.set(Source::UnexcusedAbsences, Some(0.0));
        f.set(Source::DurationPercent, Some(100.0));
        f
    }

    #[test]
    fn a_sheet_is_read_by_criterion_and_saved_only_when_every_criterion_scores() {
        let r = sample();
        let form: SheetForm = [
            ("v-noi_dung", "5,5"),
            ("v-phe_binh", "on"),
            ("v-quy_trinh", "0"),
            ("v-khong_co", "9"),
            ("remarks", "  Tốt  "),
            ("version", "3"),
            ("action", "save"),
        ]
        .into_iter()
        .collect();
        assert_eq!(form.action(), SheetAction::Save);
        assert!(!form.fragment());
        let typed = form.typed(&r);
        assert_eq!(typed.remarks, "Tốt");
        assert_eq!(typed.entries["noi_dung"].value, "5,5");
        assert!(
            !typed.entries.contains_key("khong_co"),
            "only the rubric's criteria"
        );
        let input = form.parse(&r, &facts()).unwrap();
        assert_eq!(input.version, Some(3));
        assert_eq!(input.remarks.as_deref(), Some("Tốt"));
        assert_eq!(input.scored.total, Points(200));

        // A number above its maximum, a level not chosen, an override without its reason.
        let bad: SheetForm = [
            ("v-noi_dung", "6"),
            ("o-thoi_luong", "2"),
            ("action", "preview"),
            ("fragment", "1"),
        ]
        .into_iter()
        .collect();
        assert_eq!(bad.action(), SheetAction::Preview);
        assert!(bad.fragment());
        let errors = bad.parse(&r, &facts()).unwrap_err();
        let mut codes: Vec<&str> = errors.keys().map(String::as_str).collect();
        codes.sort();
        assert_eq!(codes, ["noi_dung", "quy_trinh", "thoi_luong"]);
        assert_eq!(
            errors["thoi_luong"],
            "Sửa điểm do hệ thống tính phải ghi rõ lý do."
        );
        let first: SheetForm = [("v-noi_dung", "1"), ("v-quy_trinh", "1")]
            .into_iter()
            .collect();
        let input = first.parse(&r, &facts()).unwrap();
        assert_eq!((input.version, input.remarks), (None, None));
    }

    #[test]
    fn a_review_step_takes_known_steps_and_a_return_says_why() {
        let form = |step: &str, comment: &str| StepForm {
            step: step.into(),
            version: "4".into(),
            comment: comment.into(),
            ..Default::default()
        };
        let votes = |a: &str, b: &str| StepForm {
            votes_for: a.into(),
            against: b.into(),
            ..form("agree", "")
        };
        assert_eq!(votes("12", "").adoption().unwrap(), (12, 0, 0));
        assert!(
            votes("", "1")
                .adoption()
                .unwrap_err()
                .get("votes_for")
                .is_some()
        );
        assert!(
            votes("12", "4294967295")
                .adoption()
                .unwrap_err()
                .get("votes_for")
                .is_some(),
            "a count that would wrap the sum is refused"
        );
        assert!(
            votes("12", "-1")
                .adoption()
                .unwrap_err()
                .get("votes_for")
                .is_some()
        );
        let approve = form("approve", " ").parse().unwrap();
        assert_eq!(
            approve,
            StepInput {
                step: Step::Approve,
                version: Some(4),
                comment: None
            }
        );
        assert_eq!(approve.note(), Ok(None));
        let bare = form("return", "").parse().unwrap();
        assert_eq!(bare.note(), Err(SheetRefusal::ReturnWithoutReason));
        let why = form("return", " Điểm cao hơn thực tế ").parse().unwrap();
        assert_eq!(why.note(), Ok(Some("Điểm cao hơn thực tế")));
        let bare = form("withdraw", "  ").parse().unwrap();
        assert_eq!(bare.note(), Err(SheetRefusal::WithdrawWithoutReason));
        let why = form("withdraw", "Chi bộ điểm danh sai").parse().unwrap();
        assert_eq!(why.note(), Ok(Some("Chi bộ điểm danh sai")));
        assert_eq!(form("archive", "").parse(), None);
        assert_eq!(StepForm::default().parse(), None);
        let no_version = StepForm {
            step: "agree".into(),
            ..Default::default()
        };
        assert_eq!(no_version.parse().unwrap().version, None);
    }

    #[test]
    fn a_rubric_form_names_the_scope_the_version_and_the_problems_of_its_text() {
        let good = sample().to_toml();
        let form = |text: &str, scope: &str, lock: &str| RubricForm {
            text: text.into(),
            scope: scope.into(),
            lock_version: lock.into(),
        };
        let input = form(&good, "", "").parse().unwrap();
        assert_eq!((input.rubric, input.scope), (sample(), None));
        let unit = Uuid::now_v7();
        assert_eq!(
            form(&good, &unit.to_string(), "").parse().unwrap().scope,
            Some(unit)
        );
        let e = form(&good, "nowhere", "2").parse_edit().unwrap_err();
        assert_eq!(e.fields.get("scope"), Some("Phạm vi áp dụng không hợp lệ."));
        let e = form("", "", "").parse_edit().unwrap_err();
        assert!(e.fields.get("form").is_some() && e.problems.is_empty());
        let e = form("", "", "2").parse_edit().unwrap_err();
        assert_eq!(e.problems, ["Tệp trống."]);
        assert_eq!(form(&good, "", "2").parse_edit().unwrap().1, 2);
        let mut wrong = sample();
        wrong.total = Points(300);
        assert!(
            !form(&wrong.to_toml(), "", "")
                .parse()
                .unwrap_err()
                .problems
                .is_empty()
        );
        assert!(file_text(&vec![b'a'; MAX_FILE_BYTES + 1]).is_err());
        assert!(file_text(&[0xff, 0xfe]).is_err());
        assert_eq!(file_text(b"code = 1").as_deref(), Ok("code = 1"));
        assert_eq!(PublishForm::default().parse(), None);
        assert_eq!(PublishForm::default().from_date().unwrap(), None);
        let typed = |d: &str| PublishForm {
            lock_version: "1".into(),
            effective_from: d.into(),
        };
        assert_eq!(
            typed("02/06/2027").from_date().unwrap(),
            NaiveDate::from_ymd_opt(2027, 6, 2)
        );
        assert!(
            typed("31/02/2027")
                .from_date()
                .unwrap_err()
                .get("effective_from")
                .is_some()
        );
    }
}
