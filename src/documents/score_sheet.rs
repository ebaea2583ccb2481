//! The score sheet of a meeting as printed: every criterion with the branch's and the upper
//! committee's points, and the signatures. Printed alone or at the end of the minutes.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::State;

use crate::auth::scope::Read;
use crate::error::AppResult;
use crate::evaluation;
use crate::evaluation::domain::Scorer;
use crate::evaluation::rubric::{Points, Provenance};
use crate::evaluation::store::{Evaluation, StoredRubric};
use crate::meetings::scope::MeetingInScope;
use crate::meetings::store::Meeting;
use crate::org::store::Unit;
use crate::state::AppState;

/// The score sheet as printed, attached to the minutes.
#[derive(Template, WebTemplate)]
#[template(path = "evaluation/print.html")]
pub struct PrintPage {
    head: super::Heading,
    back: super::Back,
    sheet: Option<PrintedSheet>,
    meeting: Meeting,
    unit: Unit,
}

/// The printed score sheet: every criterion with the branch's and the committee's points.
pub struct PrintedSheet {
    pub rubric: StoredRubric,
    pub rows: Vec<PrintRow>,
    /// The footnotes: the sources of the numbers that are not official.
    pub notes: Vec<Provenance>,
    pub branch: Option<Evaluation>,
    pub upper: Option<Evaluation>,
    /// The branch's signer on the meeting's day.
    pub signer: super::Signer,
    /// What the upper committee signs for ("T/M ĐẢNG ỦY").
    pub upper_behalf: String,
}

pub struct PrintRow {
    pub number: String,
    pub title: String,
    pub max: Points,
    pub is_group: bool,
    /// The footnote of a row whose number is not official.
    pub note: Option<usize>,
    pub branch: String,
    pub upper: String,
}

impl PrintedSheet {
    pub fn label(&self, class: &str) -> String {
        self.rubric.rubric.band_label(class)
    }

    /// The sheet's HTML, for the score-sheet print and for the end of the printed minutes.
    pub fn html(&self, m: &Meeting) -> String {
        SheetPart {
            sheet: self,
            kind_label: m.kind_label(),
            month_label: m.month_label(),
        }
        .render()
        .unwrap_or_default()
    }
}

#[derive(Template)]
#[template(path = "evaluation/sheet.html")]
struct SheetPart<'a> {
    sheet: &'a PrintedSheet,
    kind_label: &'static str,
    month_label: String,
}

impl PrintPage {
    pub fn sheet_html(&self) -> String {
        self.sheet
            .as_ref()
            .map(|s| s.html(&self.meeting))
            .unwrap_or_default()
    }
}

/// The sheet to print for a meeting, when it has been scored.
pub async fn printed_sheet(state: &AppState, m: &Meeting) -> AppResult<Option<PrintedSheet>> {
    let all = evaluation::store::evaluations(&state.pool, m.id).await?;
    let branch = all.iter().find(|e| e.scorer == Scorer::Branch).cloned();
    // Several supervisors at a model meeting: the one whose decision stands is the latest.
    let upper = all.iter().rfind(|e| e.scorer == Scorer::Upper).cloned();
    let Some(first) = branch.as_ref().or(upper.as_ref()) else {
        return Ok(None);
    };
    let Some(rubric) = evaluation::store::rubric(&state.pool, first.rubric_id).await? else {
        return Ok(None);
    };
    let pts = |e: &Option<Evaluation>, codes: &[&str]| -> String {
        e.as_ref()
            .map(|e| {
                Points(
                    e.items
                        .iter()
                        .filter(|i| codes.contains(&i.code.as_str()))
                        .map(|i| i.points.0)
                        .sum(),
                )
                .to_string()
            })
            .unwrap_or_default()
    };
    let mut rows = Vec::new();
    for (gi, g) in rubric.rubric.groups.iter().enumerate() {
        let codes: Vec<&str> = g.criteria.iter().map(|c| c.code.as_str()).collect();
        rows.push(PrintRow {
            number: roman(gi + 1),
            title: g.title.clone(),
            max: g.max,
            is_group: true,
            note: rubric.rubric.footnote(&g.provenance),
            branch: pts(&branch, &codes),
            upper: pts(&upper, &codes),
        });
        for (ci, c) in g.criteria.iter().enumerate() {
            rows.push(PrintRow {
                number: (ci + 1).to_string(),
                title: c.title.clone(),
                max: c.max,
                is_group: false,
                note: rubric.rubric.footnote(&c.provenance),
                branch: pts(&branch, &[c.code.as_str()]),
                upper: pts(&upper, &[c.code.as_str()]),
            });
        }
    }
    let notes = rubric.rubric.footnotes();
    let day = m.list_day();
    let chain = crate::org::store::chain_on(&state.pool, m.unit_id, day).await?;
    let upper_behalf = match chain.get(1) {
        Some(l) => {
            let kind = crate::org::domain::UnitKind::parse(&l.kind)
                .unwrap_or(crate::org::domain::UnitKind::GrassrootsCommittee);
            super::heading::on_behalf(kind, &super::heading::issuer(kind, &l.name).0)
        }
        None => "T/M CẤP ỦY CẤP TRÊN".to_owned(),
    };
    let signer = super::branch_signer(state, m.unit_id, day).await?;
    Ok(Some(PrintedSheet {
        rubric,
        rows,
        notes,
        branch,
        upper,
        signer,
        upper_behalf,
    }))
}

fn roman(n: usize) -> String {
    [
        "", "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
    ]
    .get(n)
    .map(|s| s.to_string())
    .unwrap_or_else(|| n.to_string())
}

pub async fn page(
    State(state): State<AppState>,
    MeetingInScope {
        meeting: m, unit, ..
    }: MeetingInScope<Read>,
) -> AppResult<PrintPage> {
    let sheet = printed_sheet(&state, &m).await?;
    let mut unit = unit;
    (unit.name, _) = crate::org::document_names(&state, &unit, m.list_day()).await?;
    let day = m.list_day();
    Ok(PrintPage {
        head: super::heading_of(&state, &unit, day, day, None).await?,
        back: super::Back {
            href: format!("/meetings/{}/evaluation", m.id),
            label: "Trở lại trang chấm điểm",
        },
        sheet,
        meeting: m,
        unit,
    })
}
