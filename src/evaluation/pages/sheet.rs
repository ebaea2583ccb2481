//! The evaluation page of a meeting: the user's seat, the rubric a sheet is scored with, the
//! page with the form and the sheets, and saving the user's sheet (or only totalling it).

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};

use super::compare::{CompareRow, compare};
use super::form::{GroupView, InputKind, groups};
use crate::auth::User;
use crate::auth::scope::Read;
use crate::error::{AppError, AppResult};
use crate::evaluation::domain::{Scorer, SheetState, Step};
use crate::evaluation::forms::{CriterionErrors, SheetAction, SheetForm, TypedSheet};
use crate::evaluation::rubric::{Points, Rubric};
use crate::evaluation::scoring::{self, Facts, Scored, TICKED};
use crate::evaluation::store::{self, EvalEvent, Evaluation, StoredRubric};
use crate::meetings::domain::MeetingState;
use crate::meetings::scope::MeetingInScope;
use crate::meetings::store::Meeting;
use crate::org::store::Unit;
use crate::state::AppState;
use crate::web::{FieldErrors, Unprocessable, vn_datetime};

/// Which sheet the user's form writes, and what else they may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seat {
    /// A bí thư, phó bí thư or chi ủy viên of the branch.
    Branch { leads: bool },
    /// A supervisor or administrator of a committee above.
    Upper,
    /// Sees the meeting, scores nothing.
    Reader,
}

/// Does the user sit on the committee directly above the branch (its parent in today's
/// tree: a ward's or commune's đảng ủy after the 2025 reorganisation), the one that returns,
/// approves or withdraws its score (docs/rules.md §3.6)?
pub fn decides(user: &User, unit: &Unit) -> bool {
    unit.path
        .rsplit_once('.')
        .is_some_and(|(parent, _)| user.sits_on(parent))
}

pub fn seat(user: &User, unit: &Unit) -> Seat {
    if user.holds_branch_post(&unit.path) {
        Seat::Branch {
            leads: user.leads_branch(&unit.path),
        }
    } else if user.supervises(&unit.path) {
        Seat::Upper
    } else {
        Seat::Reader
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "evaluation/meeting.html")]
pub struct EvalPage {
    unit: Unit,
    meeting: Meeting,
    rubric: Option<StoredRubric>,
    seat: Seat,
    /// Why no sheet can be scored yet.
    blocked: Option<String>,
    groups: Vec<GroupView>,
    scored: Option<Scored>,
    remarks: String,
    version: String,
    branch: Option<Evaluation>,
    uppers: Vec<Evaluation>,
    mine: Option<Evaluation>,
    compare: Vec<CompareRow>,
    /// The review log: the branch's sheet's events and the reopenings of the minutes.
    log: Vec<LogLine>,
    errors: FieldErrors,
    /// The committee's comment or reason as typed (a refused step shows it again).
    pub(super) comment: String,
    /// Why the rubric applies to this meeting (the page "Bộ tiêu chí áp dụng" says the same).
    rubric_reason: String,
    /// The user sits on the committee directly above the branch: returns, approves, withdraws.
    decides: bool,
    /// The branch's adoption vote as typed (for, against, abstain), and its eligible base.
    pub(super) votes: (String, String, String),
    eligible: usize,
    /// The adoption vote recorded for the branch's sheet.
    adoption: Option<crate::meetings::store::VoteRow>,
    /// The month ("10/2026") of the branch's last sheet a first sheet may start from.
    earlier: Option<String>,
    /// The month the form's judged criteria were filled from, still unsaved.
    started_from: Option<String>,
}

/// One line of the review log.
pub struct LogLine {
    pub at: chrono::DateTime<chrono::Utc>,
    pub label: &'static str,
    pub who: Option<String>,
    pub note: Option<String>,
}

/// The review log, oldest first: what happened to the branch's sheet, and each reopening
/// of the minutes (the record the score reads changed; docs/rules.md §3.6).
fn review_log(
    sheet: Vec<EvalEvent>,
    meeting: Vec<crate::meetings::store::MeetingEventRow>,
) -> Vec<LogLine> {
    let mut log: Vec<LogLine> = sheet
        .into_iter()
        .map(|e| LogLine {
            at: e.at,
            label: e.kind.label(),
            who: e.user_name,
            note: e.comment,
        })
        .chain(
            meeting
                .into_iter()
                .filter(|e| e.kind == crate::meetings::domain::MeetingEvent::Reopened)
                .map(|e| LogLine {
                    at: e.at,
                    label: "Chi bộ mở lại biên bản",
                    who: e.user_name,
                    note: e.reason,
                }),
        )
        .collect();
    log.sort_by_key(|l| l.at);
    log
}

impl EvalPage {
    pub fn label(&self, class: &str) -> String {
        self.rubric
            .as_ref()
            .map(|r| r.rubric.band_label(class))
            .unwrap_or_else(|| class.to_owned())
    }

    pub fn at(&self, e: &Evaluation) -> String {
        vn_datetime(e.updated_at)
    }

    pub fn log_at(&self, l: &LogLine) -> String {
        vn_datetime(l.at)
    }

    pub fn form_open(&self) -> bool {
        match self.seat {
            Seat::Branch { .. } => self.branch.as_ref().is_none_or(Evaluation::is_editable),
            Seat::Upper => self.branch.as_ref().is_none_or(|b| !b.is_locked()),
            Seat::Reader => false,
        }
    }

    /// The running total, rendered as the htmx fragment is.
    pub fn bar(&self, scored: &Scored, r: &StoredRubric) -> String {
        ScoreBar {
            scored: scored.clone(),
            rubric: r.rubric.clone(),
            groups: false,
        }
        .render()
        .unwrap_or_default()
    }

    pub fn leads(&self) -> bool {
        matches!(self.seat, Seat::Branch { leads: true })
    }

    pub fn is_upper(&self) -> bool {
        self.seat == Seat::Upper
    }

    /// The class an approval would record: the approver's own score's, else the branch's.
    pub fn approval_class(&self) -> String {
        match (&self.mine, &self.branch) {
            (Some(m), _) if self.is_upper() => {
                format!("{} (theo điểm cấp trên chấm)", self.label(&m.class))
            }
            (_, Some(b)) => format!("{} (theo điểm chi bộ tự chấm)", self.label(&b.class)),
            _ => String::new(),
        }
    }
}

/// The rubric a sheet is scored with: the one it started with, else the one in force.
async fn rubric_for(
    state: &AppState,
    m: &Meeting,
    existing: Option<&Evaluation>,
) -> AppResult<Option<StoredRubric>> {
    if let Some(e) = existing {
        return Ok(store::rubric(&state.pool, e.rubric_id).await?);
    }
    Ok(store::rubric_in_force(
        &state.pool,
        m.unit_id,
        m.kind.as_str(),
        store::meeting_day(m),
    )
    .await?)
}

fn blocked_reason(m: &Meeting, rubric: Option<&StoredRubric>) -> Option<String> {
    let kind = m.kind;
    if !crate::evaluation::rubric::SCORED_KINDS.contains(&kind) {
        return Some(format!("{} không chấm điểm chất lượng.", kind.label()));
    }
    if m.state == MeetingState::Planned {
        return Some(
            "Buổi sinh hoạt chưa diễn ra. Ghi biên bản và chuyển sang “Đã họp” rồi mới chấm điểm."
                .into(),
        );
    }
    if rubric.is_none() {
        return Some(format!(
            "Chưa có bộ tiêu chí nào có hiệu lực cho buổi sinh hoạt ngày {}; quản trị viên cần ban hành bộ tiêu chí.",
            crate::web::vn_date(store::meeting_day(m))
        ));
    }
    None
}

pub(super) async fn build(
    state: &AppState,
    user: &User,
    m: Meeting,
    unit: Unit,
    typed: Option<TypedSheet>,
    errors: FieldErrors,
    criterion_errors: CriterionErrors,
) -> AppResult<EvalPage> {
    build_from(state, user, m, unit, typed, errors, criterion_errors, false).await
}

/// The page; with `from_earlier`, a branch's first sheet of the meeting starts from the
/// judged criteria of its latest earlier sheet (unsaved until the committee saves it).
#[allow(clippy::too_many_arguments)]
async fn build_from(
    state: &AppState,
    user: &User,
    m: Meeting,
    unit: Unit,
    typed: Option<TypedSheet>,
    mut errors: FieldErrors,
    criterion_errors: CriterionErrors,
    from_earlier: bool,
) -> AppResult<EvalPage> {
    let seat = seat(user, &unit);
    let all = store::evaluations(&state.pool, m.id).await?;
    let (branch, uppers): (Vec<Evaluation>, Vec<Evaluation>) =
        all.into_iter().partition(|e| e.scorer == Scorer::Branch);
    let branch = branch.into_iter().next();
    let mine = match seat {
        Seat::Branch { .. } => branch.clone(),
        Seat::Upper => uppers.iter().find(|e| e.scored_by == user.id).cloned(),
        Seat::Reader => None,
    };
    let rubric = rubric_for(state, &m, mine.as_ref().or(branch.as_ref())).await?;
    let blocked = blocked_reason(&m, rubric.as_ref());
    // A branch scoring the meeting for the first time may start from its last sheet.
    let earlier = match (seat, &mine, &rubric, &blocked) {
        (Seat::Branch { .. }, None, Some(r), None) => {
            store::earlier_branch_sheet(&state.pool, m.unit_id, m.month, r.id).await?
        }
        _ => None,
    };
    let mut started_from = None;
    let typed = match (typed, &earlier, &rubric) {
        (None, Some((month, items)), Some(r)) if from_earlier => {
            started_from = Some(month.format("%m/%Y").to_string());
            Some(TypedSheet {
                entries: scoring::judged_entries_from(&r.rubric, items),
                remarks: String::new(),
                version: String::new(),
            })
        }
        (typed, ..) => typed,
    };
    let (mut groups_v, mut scored, mut remarks, mut version) =
        (vec![], None, String::new(), String::new());
    if let (Some(r), None) = (&rubric, &blocked) {
        let facts = facts_of(state, &m, &r.rubric).await?;
        let typed = typed.unwrap_or_else(|| TypedSheet {
            entries: mine
                .as_ref()
                .map(|e| scoring::entries_from(&r.rubric, &e.items))
                .unwrap_or_default(),
            remarks: mine
                .as_ref()
                .and_then(|e| e.remarks.clone())
                .unwrap_or_default(),
            version: mine
                .as_ref()
                .map(|e| e.version.to_string())
                .unwrap_or_default(),
        });
        let (s, _) = typed.score(&r.rubric, &facts);
        groups_v = groups(&r.rubric, &facts, &typed.entries, &s, &criterion_errors);
        scored = Some(s);
        remarks = typed.remarks;
        version = typed.version;
    }
    if !criterion_errors.is_empty() && errors.get("form").is_none() {
        errors.add(
            "form",
            format!(
                "Còn {} tiêu chí chưa chấm đúng; xem các dòng được đánh dấu. Chưa có gì được lưu.",
                criterion_errors.len()
            ),
        );
    }
    let compare = match &rubric {
        Some(r) if branch.is_some() || !uppers.is_empty() => {
            compare(&r.rubric, branch.as_ref(), &uppers)
        }
        _ => vec![],
    };
    let log = match &branch {
        Some(b) => review_log(
            store::events(&state.pool, b.id).await?,
            crate::meetings::store::events(&state.pool, m.id).await?,
        ),
        None => vec![],
    };
    let day = store::meeting_day(&m);
    let mut rubric_reason =
        crate::evaluation::applicable::reason_for(state, m.unit_id, m.kind, day)
            .await?
            .label();
    if let (Some(r), Some(now)) = (
        &rubric,
        store::rubric_in_force(&state.pool, m.unit_id, m.kind.as_str(), day).await?,
    ) && r.id != now.id
    {
        rubric_reason = format!(
            "Bảng điểm giữ bộ tiêu chí đã dùng khi chấm lần đầu; nay ngày này áp dụng {} phiên bản {}: {}",
            now.rubric.code, now.version, rubric_reason
        );
    }
    let marks: Vec<crate::meetings::domain::Mark> =
        crate::meetings::store::attendance(&state.pool, m.id)
            .await?
            .iter()
            .map(crate::meetings::store::AttendanceRow::mark)
            .collect();
    let eligible = crate::meetings::domain::eligible_voters(&marks);
    // The adoption vote starts as everyone there agreeing; changed when it went otherwise.
    let votes = (
        crate::meetings::domain::voters_present(&marks).to_string(),
        "0".to_owned(),
        "0".to_owned(),
    );
    let adoption = match &branch {
        Some(b) => crate::meetings::store::votes(&state.pool, m.id)
            .await?
            .into_iter()
            .find(|v| v.evaluation_id == Some(b.id)),
        None => None,
    };
    Ok(EvalPage {
        earlier: earlier
            .filter(|_| started_from.is_none())
            .map(|(month, _)| month.format("%m/%Y").to_string()),
        started_from,
        decides: seat == Seat::Upper && decides(user, &unit),
        votes,
        eligible,
        adoption,
        rubric_reason,
        unit,
        meeting: m,
        rubric,
        seat,
        blocked,
        groups: groups_v,
        scored,
        remarks,
        version,
        branch,
        uppers,
        mine,
        compare,
        log,
        errors,
        comment: String::new(),
    })
}

/// The figures the rubric reads from the meeting's record.
pub(super) async fn facts_of(state: &AppState, m: &Meeting, r: &Rubric) -> AppResult<Facts> {
    let records = store::records(&state.pool, &[m.id]).await?;
    let rec = records.get(&m.id).cloned().unwrap_or_default();
    Ok(scoring::facts(r, &rec))
}

/// Where a first sheet starts: empty, or (`?start=earlier`) from the branch's last sheet.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Start {
    #[default]
    Empty,
    Earlier,
    /// Any other value: as if none were given.
    #[serde(other)]
    Unknown,
}

#[derive(Debug, Default, serde::Deserialize)]
pub struct PageQuery {
    #[serde(default)]
    start: Start,
}

pub async fn page(
    State(state): State<AppState>,
    MeetingInScope {
        meeting: m,
        unit,
        user,
        ..
    }: MeetingInScope<Read>,
    Query(q): Query<PageQuery>,
) -> AppResult<EvalPage> {
    build_from(
        &state,
        &user,
        m,
        unit,
        None,
        FieldErrors::default(),
        HashMap::new(),
        q.start == Start::Earlier,
    )
    .await
}

/// The user's own sheet among the meeting's: the branch's for its committee, a
/// supervisor's own for a supervisor.
fn own<'a>(all: &'a [Evaluation], scorer: Scorer, user: &User) -> Option<&'a Evaluation> {
    all.iter().find(|e| match scorer {
        Scorer::Branch => e.scorer == Scorer::Branch,
        Scorer::Upper => e.scorer == Scorer::Upper && e.scored_by == user.id,
    })
}

/// Saves the user's sheet, or (action=preview, and every htmx change) only totals it.
pub async fn save(
    State(state): State<AppState>,
    MeetingInScope {
        meeting: m,
        unit,
        user,
        ..
    }: MeetingInScope<Read>,
    Form(form): Form<SheetForm>,
) -> AppResult<Response> {
    let id = m.id;
    let scorer = match seat(&user, &unit) {
        Seat::Branch { .. } => Scorer::Branch,
        Seat::Upper => Scorer::Upper,
        Seat::Reader => return Err(AppError::Forbidden),
    };
    let all = store::evaluations(&state.pool, m.id).await?;
    let existing = own(&all, scorer, &user);
    let branch_eval = all.iter().find(|e| e.scorer == Scorer::Branch);
    let rubric = rubric_for(&state, &m, existing.or(branch_eval)).await?;
    if let Some(why) = blocked_reason(&m, rubric.as_ref()) {
        let errors = FieldErrors::one("form", why);
        let p = build(&state, &user, m, unit, None, errors, HashMap::new()).await?;
        return Ok(Unprocessable(p).into_response());
    }
    let r = rubric.expect("checked above");
    let facts = facts_of(&state, &m, &r.rubric).await?;
    let mut typed = form.typed(&r.rubric);
    if form.action() == SheetAction::Preview {
        if form.fragment() {
            let (scored, _) = typed.score(&r.rubric, &facts);
            return Ok(ScoreBar {
                scored,
                rubric: r.rubric,
                groups: true,
            }
            .into_response());
        }
        let errors = FieldErrors::default();
        let p = build(&state, &user, m, unit, Some(typed), errors, HashMap::new()).await?;
        return Ok(p.into_response());
    }
    let input = match form.parse(&r.rubric, &facts) {
        Ok(input) => input,
        Err(criterion_errors) => {
            let errors = FieldErrors::default();
            let p = build(
                &state,
                &user,
                m,
                unit,
                Some(typed),
                errors,
                criterion_errors,
            )
            .await?;
            return Ok(Unprocessable(p).into_response());
        }
    };
    let saving = store::Saving {
        meeting: m.id,
        rubric: r.id,
        scorer,
        user: user.id,
        scored: &input.scored,
        remarks: input.remarks.as_deref(),
        version: input.version,
        at: state.clock.now(),
    };
    match store::save(&state.pool, saving).await {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}/evaluation#bang-diem")).into_response()),
        Err(e) => {
            let errors = e.into_form_errors()?;
            // A stale form keeps what was typed, on top of the sheet as it now stands.
            let all = store::evaluations(&state.pool, m.id).await?;
            if let Some(cur) = own(&all, scorer, &user) {
                typed.version = cur.version.to_string();
            }
            let p = build(&state, &user, m, unit, Some(typed), errors, HashMap::new()).await?;
            Ok(Unprocessable(p).into_response())
        }
    }
}

/// The running total and projected class (swapped in by htmx as the form changes).
#[derive(Template, WebTemplate)]
#[template(path = "evaluation/score_bar.html")]
pub struct ScoreBar {
    scored: Scored,
    rubric: Rubric,
    /// Whether the groups' subtotals go with it (the htmx fragment swaps them in place of
    /// the form's, which otherwise stayed as first drawn while the total moved).
    groups: bool,
}

impl ScoreBar {
    /// Each group's points of the running score and its maximum, in the rubric's order.
    pub fn subtotals(&self) -> Vec<(Points, Points)> {
        self.rubric
            .groups
            .iter()
            .map(|g| {
                let sum = g
                    .criteria
                    .iter()
                    .filter_map(|c| self.scored.item(&c.code))
                    .map(|i| i.points.0)
                    .sum();
                (Points(sum), g.max)
            })
            .collect()
    }
}
