//! A meeting's evaluation: the scoring form (the branch's self-score, or a supervisor's own
//! score), the sheets side by side, the review steps and the printed score sheet.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};

use super::domain::{Scorer, SheetState, Step};
use super::rubric::{Input, Points, Rubric};
use super::scoring::{self, Entries, Entry, Facts, Scored};
use super::store::{self, EvalEvent, Evaluation, StoredRubric};
use crate::auth::User;
use crate::auth::scope::{Keep, Read};
use crate::error::{AppError, AppResult, StoreError};
use crate::meetings::domain::MeetingState;
use crate::meetings::scope::MeetingInScope;
use crate::meetings::store::Meeting;
use crate::org::store::Unit;
use crate::state::AppState;
use crate::web::{FieldErrors, form_text, vn_datetime};

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
        self.value == "on"
    }

    pub fn is_chosen(&self, i: &usize) -> bool {
        self.value == i.to_string()
    }
}

pub struct GroupView {
    pub title: String,
    pub max: Points,
    pub subtotal: Points,
    pub has_error: bool,
    pub criteria: Vec<CritView>,
}

/// The figure a computed criterion reads, as the scorer sees it.
fn fact_label(source: super::rubric::Source, v: Option<f64>) -> String {
    use super::rubric::Source as S;
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
        ) => {
            format!(
                "{}%",
                format!("{v:.1}").trim_end_matches(".0").replace('.', ",")
            )
        }
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
                max: g.max,
                subtotal: Points(criteria.iter().map(|c| c.points.0).sum()),
                has_error: criteria.iter().any(|c| c.error.is_some()),
                criteria,
            }
        })
        .collect()
}

/// A row of the side-by-side comparison: a group, the branch's points, each supervisor's.
pub struct CompareRow {
    pub title: String,
    pub max: Points,
    pub branch: Option<Points>,
    pub uppers: Vec<Points>,
    pub difference: String,
}

fn signed(p: Points) -> String {
    if p.0 > 0 {
        format!("+{p}")
    } else {
        p.to_string()
    }
}

fn compare(r: &Rubric, branch: Option<&Evaluation>, uppers: &[Evaluation]) -> Vec<CompareRow> {
    let group_sum = |e: &Evaluation, codes: &[&str]| {
        Points(
            e.items
                .iter()
                .filter(|i| codes.contains(&i.code.as_str()))
                .map(|i| i.points.0)
                .sum(),
        )
    };
    let mut rows: Vec<CompareRow> = r
        .groups
        .iter()
        .map(|g| {
            let codes: Vec<&str> = g.criteria.iter().map(|c| c.code.as_str()).collect();
            let b = branch.map(|e| group_sum(e, &codes));
            let u: Vec<Points> = uppers.iter().map(|e| group_sum(e, &codes)).collect();
            CompareRow {
                title: g.title.clone(),
                max: g.max,
                difference: diff(b, &u),
                branch: b,
                uppers: u,
            }
        })
        .collect();
    let b = branch.map(|e| e.total);
    let u: Vec<Points> = uppers.iter().map(|e| e.total).collect();
    rows.push(CompareRow {
        title: "Tổng điểm".into(),
        max: r.total,
        difference: diff(b, &u),
        branch: b,
        uppers: u,
    });
    rows
}

/// The supervisors' mean less the branch's points.
fn diff(branch: Option<Points>, uppers: &[Points]) -> String {
    match branch {
        Some(b) if !uppers.is_empty() => {
            let mean = uppers.iter().map(|p| p.0).sum::<i32>() as f64 / uppers.len() as f64;
            signed(Points(mean.round() as i32 - b.0))
        }
        _ => "—".into(),
    }
}

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
    events: Vec<EvalEvent>,
    errors: FieldErrors,
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

    pub fn event_at(&self, e: &EvalEvent) -> String {
        vn_datetime(e.at)
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
    if !super::rubric::SCORED_KINDS.contains(&kind) {
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

struct Typed {
    entries: Entries,
    remarks: String,
    version: String,
}

fn parse_form(f: &HashMap<String, String>, r: &Rubric) -> Typed {
    let get = |k: String| f.get(&k).cloned().unwrap_or_default();
    let entries = r
        .criteria()
        .map(|c| {
            (
                c.code.clone(),
                Entry {
                    value: get(format!("v-{}", c.code)),
                    override_points: get(format!("o-{}", c.code)),
                    reason: get(format!("r-{}", c.code)).chars().take(1000).collect(),
                },
            )
        })
        .collect();
    Typed {
        entries,
        remarks: form_text(f, "remarks", 4000).unwrap_or_default(),
        version: f.get("version").cloned().unwrap_or_default(),
    }
}

async fn build(
    state: &AppState,
    user: &User,
    m: Meeting,
    unit: Unit,
    typed: Option<Typed>,
    mut errors: FieldErrors,
    criterion_errors: HashMap<String, String>,
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
    let (mut groups_v, mut scored, mut remarks, mut version) =
        (vec![], None, String::new(), String::new());
    if let (Some(r), None) = (&rubric, &blocked) {
        let facts = facts_of(state, &m, &r.rubric).await?;
        let typed = typed.unwrap_or_else(|| Typed {
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
        let (s, _) = scoring::score(&r.rubric, &facts, &typed.entries);
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
    let events = match &branch {
        Some(b) => store::events(&state.pool, b.id).await?,
        None => vec![],
    };
    Ok(EvalPage {
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
        events,
        errors,
    })
}

async fn facts_of(state: &AppState, m: &Meeting, r: &Rubric) -> AppResult<Facts> {
    let records = store::records(&state.pool, &[m.id]).await?;
    let rec = records.get(&m.id).cloned().unwrap_or_default();
    Ok(scoring::facts(r, &rec))
}

pub async fn page(
    State(state): State<AppState>,
    MeetingInScope {
        meeting: m,
        unit,
        user,
        ..
    }: MeetingInScope<Read>,
) -> AppResult<EvalPage> {
    build(
        &state,
        &user,
        m,
        unit,
        None,
        FieldErrors::default(),
        HashMap::new(),
    )
    .await
}

/// Saves the user's sheet, or (action=preview, and every htmx change) only totals it.
pub async fn save(
    State(state): State<AppState>,
    MeetingInScope {
        meeting: m,
        unit,
        user,
        ..
    }: MeetingInScope<Keep>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let id = m.id;
    let f: HashMap<String, String> = f.into_iter().collect();
    let scorer = match seat(&user, &unit) {
        Seat::Branch { .. } => Scorer::Branch,
        Seat::Upper => Scorer::Upper,
        Seat::Reader => return Err(AppError::Forbidden),
    };
    let all = store::evaluations(&state.pool, m.id).await?;
    let existing = all.iter().find(|e| match scorer {
        Scorer::Branch => e.scorer == Scorer::Branch,
        Scorer::Upper => e.scorer == Scorer::Upper && e.scored_by == user.id,
    });
    let branch_eval = all.iter().find(|e| e.scorer == Scorer::Branch);
    let rubric = rubric_for(&state, &m, existing.or(branch_eval)).await?;
    if let Some(why) = blocked_reason(&m, rubric.as_ref()) {
        let mut errors = FieldErrors::default();
        errors.add("form", why);
        let p = build(&state, &user, m, unit, None, errors, HashMap::new()).await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
    }
    let r = rubric.expect("checked above");
    let typed = parse_form(&f, &r.rubric);
    let facts = facts_of(&state, &m, &r.rubric).await?;
    let (scored, errs) = scoring::score(&r.rubric, &facts, &typed.entries);
    if f.get("action").map(String::as_str) == Some("preview") {
        if f.contains_key("fragment") {
            return Ok(ScoreBar {
                scored,
                rubric: r.rubric,
            }
            .into_response());
        }
        let p = build(
            &state,
            &user,
            m,
            unit,
            Some(typed),
            FieldErrors::default(),
            HashMap::new(),
        )
        .await?;
        return Ok(p.into_response());
    }
    let criterion_errors: HashMap<String, String> = errs.into_iter().collect();
    if !criterion_errors.is_empty() {
        let p = build(
            &state,
            &user,
            m,
            unit,
            Some(typed),
            FieldErrors::default(),
            criterion_errors,
        )
        .await?;
        return Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response());
    }
    let version = typed.version.trim().parse::<i32>().ok();
    let remarks = (!typed.remarks.is_empty()).then_some(typed.remarks.as_str());
    let saving = store::Saving {
        meeting: m.id,
        rubric: r.id,
        scorer,
        user: user.id,
        scored: &scored,
        remarks,
        version,
        at: state.clock.now(),
    };
    match store::save(&state.pool, saving).await {
        Ok(_) => Ok(Redirect::to(&format!("/meetings/{id}/evaluation#bang-diem")).into_response()),
        Err(e) => {
            let errors = e.into_form_errors()?;
            // A stale form keeps what was typed, on top of the sheet as it now stands.
            let mut typed = typed;
            if let Some(cur) = store::evaluations(&state.pool, m.id)
                .await?
                .iter()
                .find(|e| match scorer {
                    Scorer::Branch => e.scorer == Scorer::Branch,
                    Scorer::Upper => e.scorer == Scorer::Upper && e.scored_by == user.id,
                })
            {
                typed.version = cur.version.to_string();
            }
            let p = build(&state, &user, m, unit, Some(typed), errors, HashMap::new()).await?;
            Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
        }
    }
}

/// The running total and projected class (swapped in by htmx as the form changes).
#[derive(Template, WebTemplate)]
#[template(path = "evaluation/score_bar.html")]
pub struct ScoreBar {
    scored: Scored,
    rubric: Rubric,
}

/// A review step: agree, submit, return, approve.
pub async fn step(
    State(state): State<AppState>,
    MeetingInScope {
        meeting: m,
        unit,
        user,
        ..
    }: MeetingInScope<Keep>,
    Form(f): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let id = m.id;
    let f: HashMap<String, String> = f.into_iter().collect();
    let step = f
        .get("step")
        .and_then(|s| Step::parse(s))
        .ok_or(AppError::BadRequest)?;
    let seat = seat(&user, &unit);
    let all = store::evaluations(&state.pool, m.id).await?;
    let branch = all.iter().find(|e| e.scorer == Scorer::Branch);
    let version = f.get("version").and_then(|v| v.trim().parse::<i32>().ok());
    let comment = form_text(&f, "comment", 2000);
    let mut errors = FieldErrors::default();
    let result: Result<(), StoreError> = match (step, seat, branch, version) {
        (_, _, None, _) => Err(StoreError::invalid(
            "state",
            "Chi bộ chưa chấm điểm buổi sinh hoạt này.",
        )),
        (_, _, _, None) => Err(StoreError::Stale),
        (Step::Agree | Step::Submit, Seat::Branch { leads: true }, Some(b), Some(v)) => {
            let mut rescored = None;
            if step == Step::Submit {
                // Sent up with the figures as the record now stands (the minutes may have
                // been closed since the sheet was saved).
                if !m.is_closed() {
                    errors.add(
                        "state",
                        "Khóa biên bản buổi sinh hoạt trước khi gửi điểm lên cấp trên.",
                    );
                }
                let r = store::rubric(&state.pool, b.rubric_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let facts = facts_of(&state, &m, &r.rubric).await?;
                let (s, errs) = scoring::score(
                    &r.rubric,
                    &facts,
                    &scoring::entries_from(&r.rubric, &b.items),
                );
                if !errs.is_empty() {
                    errors.add("state", "Có tiêu chí cần chấm lại theo số liệu mới của biên bản; lưu lại bảng điểm rồi gửi.");
                }
                rescored = Some(s);
            }
            if errors.is_empty() {
                store::step(
                    &state.pool,
                    b.id,
                    store::Decision {
                        step,
                        user: user.id,
                        version: v,
                        comment: None,
                        approved_class: None,
                        rescored: rescored.as_ref(),
                        at: state.clock.now(),
                    },
                )
                .await
            } else {
                Ok(())
            }
        }
        (Step::Agree | Step::Submit, _, _, _) => {
            return Err(AppError::Forbidden);
        }
        (Step::Return | Step::Approve, Seat::Upper, Some(b), Some(v)) => {
            if step == Step::Return && comment.is_none() {
                errors.add("comment", "Ghi rõ lý do trả lại để chi bộ biết cần sửa gì.");
                Ok(())
            } else {
                let approved = all
                    .iter()
                    .find(|e| e.scorer == Scorer::Upper && e.scored_by == user.id)
                    .map(|e| e.class.clone())
                    .unwrap_or_else(|| b.class.clone());
                store::step(
                    &state.pool,
                    b.id,
                    store::Decision {
                        step,
                        user: user.id,
                        version: v,
                        comment: comment.as_deref(),
                        approved_class: (step == Step::Approve).then_some(approved.as_str()),
                        rescored: None,
                        at: state.clock.now(),
                    },
                )
                .await
            }
        }
        (Step::Return | Step::Approve, Seat::Branch { .. }, _, _) => Err(StoreError::invalid(
            "state",
            "Đồng chí giữ chức vụ trong chi ủy của chi bộ này nên không thể tự phê duyệt hoặc trả lại điểm của chi bộ mình; việc này do cấp ủy cấp trên thực hiện.",
        )),
        (Step::Return | Step::Approve, _, _, _) => return Err(AppError::Forbidden),
    };
    if let Err(e) = result {
        for (field, msg) in e.into_form_errors()?.iter() {
            errors.add(
                if field == "form" { "state" } else { field },
                msg.to_owned(),
            );
        }
    }
    if errors.is_empty() {
        return Ok(Redirect::to(&format!("/meetings/{id}/evaluation#xet-duyet")).into_response());
    }
    let p = build(&state, &user, m, unit, None, errors, HashMap::new()).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, p).into_response())
}
