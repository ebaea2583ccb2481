//! "Bộ tiêu chí áp dụng": the rubrics that apply to a unit over time, and for a day and a
//! kind of meeting, which one applies and why (docs/rules.md §1). The choice is the
//! registry's own rule (`domain::applicable`), so the page says what scoring does.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::Deserialize;

use super::domain::{Reason, applicable};
use super::store::{self, Applying};
use crate::auth::scope::Read;
use crate::error::AppResult;
use crate::meetings::domain::MeetingKind;
use crate::org::scope::UnitInScope;
use crate::org::store::Unit;
use crate::state::AppState;
use crate::web::{FieldErrors, Unprocessable, vn_date};

/// One line of the timeline.
pub struct TimelineRow {
    pub a: Applying,
    pub scope_label: String,
    pub from: String,
    pub to: String,
    pub kinds: String,
}

/// The answer for the day and kind asked.
pub struct Answer {
    pub rubric: Option<Applying>,
    pub reason: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "evaluation/applicable.html")]
pub struct ApplicablePage {
    unit: Unit,
    rows: Vec<TimelineRow>,
    kinds: Vec<(&'static str, &'static str)>,
    form: AskForm,
    errors: FieldErrors,
    answer: Option<Answer>,
}

/// The question as typed: a day (dd/mm/yyyy) and a kind of meeting.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AskForm {
    pub day: String,
    pub kind: String,
}

impl AskForm {
    /// The day and the kind; a Vietnamese message on each field that is not one.
    pub fn parse(&self) -> Result<(NaiveDate, MeetingKind), FieldErrors> {
        let mut errors = FieldErrors::default();
        let day = crate::web::date_field(&self.day, "day", true, &mut errors);
        let kind = MeetingKind::parse(self.kind.trim());
        if kind.is_none() {
            errors.add("kind", "Chọn một loại buổi sinh hoạt trong danh sách.");
        }
        match (day, kind) {
            (Some(d), Some(k)) if errors.is_empty() => Ok((d, k)),
            _ => Err(errors),
        }
    }
}

fn kinds_label(kinds: &[String]) -> String {
    kinds
        .iter()
        .map(|k| {
            MeetingKind::parse(k)
                .map(|k| k.label())
                .unwrap_or(k.as_str())
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why the rubric applies to a meeting of this unit, kind and day: the sheet's one line.
pub async fn reason_for(
    state: &AppState,
    unit: uuid::Uuid,
    kind: MeetingKind,
    day: NaiveDate,
) -> AppResult<Reason> {
    let candidates: Vec<_> = store::applying(&state.pool, &[unit])
        .await?
        .into_iter()
        .map(|(_, a)| a.candidate)
        .collect();
    Ok(applicable(&candidates, kind.as_str(), day).1)
}

pub async fn page(
    State(state): State<AppState>,
    UnitInScope { unit, .. }: UnitInScope<Read>,
    Query(form): Query<AskForm>,
) -> AppResult<Response> {
    let applying: Vec<Applying> = store::applying(&state.pool, &[unit.id])
        .await?
        .into_iter()
        .map(|(_, a)| a)
        .collect();
    let asked = !form.day.is_empty() || !form.kind.is_empty();
    let (answer, errors) = if asked {
        match form.parse() {
            Ok((day, kind)) => {
                let candidates: Vec<_> = applying.iter().map(|a| a.candidate.clone()).collect();
                let (pick, reason) = applicable(&candidates, kind.as_str(), day);
                let rubric = pick.and_then(|p| applying.iter().find(|a| a.candidate.id == p.id));
                (
                    Some(Answer {
                        rubric: rubric.cloned(),
                        reason: reason.label(),
                    }),
                    FieldErrors::default(),
                )
            }
            Err(e) => (None, e),
        }
    } else {
        (None, FieldErrors::default())
    };
    let form = if asked {
        form
    } else {
        AskForm {
            day: vn_date(state.clock.today()),
            kind: MeetingKind::Regular.as_str().to_owned(),
        }
    };
    let rows = applying
        .into_iter()
        .map(|a| TimelineRow {
            scope_label: a
                .candidate
                .scope_name
                .clone()
                .unwrap_or_else(|| "Toàn quốc".to_owned()),
            from: vn_date(a.candidate.effective_from),
            to: a.candidate.effective_to.map(vn_date).unwrap_or_default(),
            kinds: kinds_label(&a.candidate.kinds),
            a,
        })
        .collect();
    let page = ApplicablePage {
        unit,
        rows,
        kinds: MeetingKind::ALL
            .iter()
            .map(|k| (k.as_str(), k.label()))
            .collect(),
        form,
        errors: errors.clone(),
        answer,
    };
    Ok(if errors.is_empty() {
        page.into_response()
    } else {
        Unprocessable(page).into_response()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_question_needs_a_date_and_a_kind() {
        let ask = |d: &str, k: &str| AskForm {
            day: d.into(),
            kind: k.into(),
        };
        assert_eq!(
            ask("02/06/2023", "thematic").parse().unwrap(),
            (
                NaiveDate::from_ymd_opt(2023, 6, 2).unwrap(),
                MeetingKind::Thematic
            )
        );
        let e = ask("32/01/2024", "regular").parse().unwrap_err();
        assert!(e.get("day").is_some() && e.get("kind").is_none());
        let e = ask("", "họp").parse().unwrap_err();
        assert!(e.get("day").is_some() && e.get("kind").is_some());
    }
}
