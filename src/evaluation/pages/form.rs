//! The scoring form as shown: the rubric's groups and criteria with the figures, what was
//! typed and its points (the posted form is read by `evaluation::forms::SheetForm`).

use std::collections::HashMap;

use crate::evaluation::rubric::{Input, Marker, Points, Rubric};
use crate::evaluation::scoring::{self, Entries, Entry, Facts, Scored};

/// How the form asks for a criterion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    Check,
    Number,
    Choice,
    Computed,
}

/// One criterion as the form shows it.
pub struct CritView {
    pub code: String,
    pub title: String,
    pub guidance: Option<String>,
    /// Beside a criterion whose points are not official: the footnote and its source.
    pub marker: Option<Marker>,
    pub max: Points,
    pub kind: InputKind,
    pub options: Vec<(usize, String, Points)>,
    pub value: String,
    pub fact: String,
    pub computed: Option<Points>,
    pub override_points: String,
    pub reason: String,
    pub points: Points,
    pub error: Option<String>,
}

impl CritView {
    pub fn is_checked(&self) -> bool {
        self.value == scoring::TICKED
    }

    pub fn is_chosen(&self, i: &usize) -> bool {
        self.value == i.to_string()
    }
}

pub struct GroupView {
    pub title: String,
    pub marker: Option<Marker>,
    pub max: Points,
    pub subtotal: Points,
    pub has_error: bool,
    pub criteria: Vec<CritView>,
}

/// The figure a computed criterion reads, as the scorer sees it.
fn fact_label(source: crate::evaluation::rubric::Source, v: Option<f64>) -> String {
    use crate::evaluation::rubric::Source as S;
    match (source, v) {
        (_, None) => "chưa có số liệu".into(),
        (S::MaterialsDaysBefore | S::NoticeDaysBefore, Some(d)) if d < 0.0 => {
            "chưa thực hiện".into()
        }
        (S::MaterialsDaysBefore | S::NoticeDaysBefore, Some(d)) if d < 1.0 => {
            "trong ngày họp".into()
        }
        (S::MaterialsDaysBefore | S::NoticeDaysBefore, Some(d)) => format!("trước {d:.0} ngày"),
        (
            S::CommitteeMetBefore | S::DraftResolution | S::ResolutionPassed | S::MinutesClosed,
            Some(v),
        ) => if v >= 1.0 { "có" } else { "chưa" }.into(),
        (
            S::AttendanceRate | S::SpeakingShare | S::TaskCompletion | S::DurationPercent,
            Some(v),
        ) => crate::rate::Rate::label(crate::rate::Rate::of_fraction(v / 100.0)),
        (S::DurationMinutes, Some(v)) => format!("{v:.0} phút"),
        (_, Some(v)) => format!("{v:.0}"),
    }
}

/// Builds the form's groups from the rubric, the figures, what was typed and its score.
pub fn groups(
    r: &Rubric,
    facts: &Facts,
    entries: &Entries,
    scored: &Scored,
    errors: &HashMap<String, String>,
) -> Vec<GroupView> {
    let empty = Entry::default();
    r.groups
        .iter()
        .map(|g| {
            let criteria: Vec<CritView> = g
                .criteria
                .iter()
                .map(|c| {
                    let e = entries.get(&c.code).unwrap_or(&empty);
                    let item = scored.item(&c.code);
                    let (kind, options, fact, computed) = match &c.input {
                        Input::Check => (InputKind::Check, vec![], String::new(), None),
                        Input::Number => (InputKind::Number, vec![], String::new(), None),
                        Input::Choice { options } => (
                            InputKind::Choice,
                            options
                                .iter()
                                .enumerate()
                                .map(|(i, o)| (i, o.label.clone(), o.points))
                                .collect(),
                            String::new(),
                            None,
                        ),
                        Input::Computed { source, steps } => {
                            let v = facts.get(*source);
                            (
                                InputKind::Computed,
                                steps
                                    .iter()
                                    .enumerate()
                                    .map(|(i, s)| (i, s.when.label(), s.points))
                                    .collect(),
                                format!("{}: {}", source.label(), fact_label(*source, v)),
                                v.map(|v| scoring::step_points(steps, v)),
                            )
                        }
                    };
                    CritView {
                        code: c.code.clone(),
                        title: c.title.clone(),
                        guidance: c.guidance.clone(),
                        marker: r.marker(&c.provenance),
                        max: c.max,
                        kind,
                        options,
                        value: e.value.clone(),
                        fact,
                        computed,
                        override_points: e.override_points.clone(),
                        reason: e.reason.clone(),
                        points: item.map(|i| i.points).unwrap_or_default(),
                        error: errors.get(&c.code).cloned(),
                    }
                })
                .collect();
            GroupView {
                title: g.title.clone(),
                marker: r.marker(&g.provenance),
                max: g.max,
                subtotal: Points(criteria.iter().map(|c| c.points.0).sum()),
                has_error: criteria.iter().any(|c| c.error.is_some()),
                criteria,
            }
        })
        .collect()
}
