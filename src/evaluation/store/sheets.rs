//! Score sheets: one scorer's sheet as stored, the sheets of a meeting, saving a sheet and
//! moving the branch's through the review, with the events and audit rows of each change.

use chrono::{DateTime, Utc};
use serde_json::json;
use sqlx::{PgConnection, PgPool};
use uuid::Uuid;

use super::json_of;
use crate::audit;
use crate::db::transaction;
use crate::error::StoreError;
use crate::evaluation::domain::{Scorer, SheetEvent, SheetRefusal, SheetState, Step};
use crate::evaluation::rubric::Points;
use crate::evaluation::scoring::{Item, Scored};
use crate::meetings::domain::MeetingState;

/// One scorer's sheet as stored.
#[derive(Debug, Clone)]
pub struct Evaluation {
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub rubric_id: Uuid,
    pub scorer: Scorer,
    pub scored_by: Uuid,
    pub scorer_name: String,
    pub state: SheetState,
    pub items: Vec<Item>,
    pub total: Points,
    pub band: String,
    pub class: String,
    pub capped_by: Vec<String>,
    pub remarks: Option<String>,
    pub approved_class: Option<String>,
    pub review_comment: Option<String>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub version: i32,
    pub updated_at: DateTime<Utc>,
}

impl Evaluation {
    pub fn item(&self, code: &str) -> Option<&Item> {
        self.items.iter().find(|i| i.code == code)
    }

    pub fn state_label(&self) -> &'static str {
        self.state.label()
    }

    pub fn is_locked(&self) -> bool {
        self.state == SheetState::Approved
    }

    /// The branch may still change its score.
    pub fn is_editable(&self) -> bool {
        self.state.is_editable()
    }
}

struct EvalRow {
    id: Uuid,
    meeting_id: Uuid,
    rubric_id: Uuid,
    scorer: Scorer,
    scored_by: Uuid,
    scorer_name: String,
    state: SheetState,
    items: serde_json::Value,
    total_tenths: i32,
    band: String,
    class: String,
    capped_by: Vec<String>,
    remarks: Option<String>,
    approved_class: Option<String>,
    review_comment: Option<String>,
    decided_by_name: Option<String>,
    decided_at: Option<DateTime<Utc>>,
    version: i32,
    updated_at: DateTime<Utc>,
}

impl TryFrom<EvalRow> for Evaluation {
    type Error = sqlx::Error;

    fn try_from(r: EvalRow) -> Result<Self, sqlx::Error> {
        Ok(Evaluation {
            id: r.id,
            meeting_id: r.meeting_id,
            rubric_id: r.rubric_id,
            scorer: r.scorer,
            scored_by: r.scored_by,
            scorer_name: r.scorer_name,
            state: r.state,
            items: serde_json::from_value(r.items).map_err(|e| sqlx::Error::Decode(Box::new(e)))?,
            total: Points(r.total_tenths),
            band: r.band,
            class: r.class,
            capped_by: r.capped_by,
            remarks: r.remarks,
            approved_class: r.approved_class,
            review_comment: r.review_comment,
            decided_by_name: r.decided_by_name,
            decided_at: r.decided_at,
            version: r.version,
            updated_at: r.updated_at,
        })
    }
}

/// Every sheet of a meeting: the branch's first, then the supervisors' in the order scored.
pub async fn evaluations(pool: &PgPool, meeting: Uuid) -> Result<Vec<Evaluation>, sqlx::Error> {
    sqlx::query_as!(
        EvalRow,
        r#"SELECT e.id, e.meeting_id, e.rubric_id, e.scorer AS "scorer: Scorer", e.scored_by,
                  u.display_name AS scorer_name, e.state AS "state: SheetState", e.items, e.total_tenths, e.band, e.class, e.capped_by, e.remarks,
                  e.approved_class, e.review_comment, d.display_name AS "decided_by_name?",
                  e.decided_at, e.version, e.updated_at
             FROM evaluations e
             JOIN users u ON u.id = e.scored_by
             LEFT JOIN users d ON d.id = e.decided_by
            WHERE e.meeting_id = $1
            ORDER BY e.scorer = 'upper', e.created_at"#,
        meeting
    )
    .fetch_all(pool)
    .await?
    .into_iter()
    .map(Evaluation::try_from)
    .collect()
}

/// The branch's own sheet at its latest meeting before `before` that was scored with
/// `rubric` and adopted by the branch (agreed, sent up or approved: never a draft nor one
/// the committee above returned), with that meeting's month: what a new sheet may start
/// from.
pub async fn earlier_branch_sheet(
    pool: &PgPool,
    unit: Uuid,
    before: chrono::NaiveDate,
    rubric: Uuid,
) -> Result<Option<(chrono::NaiveDate, Vec<Item>)>, sqlx::Error> {
    let row = sqlx::query!(
        "SELECT m.month, e.items FROM evaluations e JOIN meetings m ON m.id = e.meeting_id
          WHERE m.unit_id = $1 AND m.month < $2 AND e.scorer = 'branch' AND e.rubric_id = $3
            AND e.state IN ('agreed', 'submitted', 'approved')
          ORDER BY m.month DESC, m.id DESC LIMIT 1",
        unit,
        before,
        rubric
    )
    .fetch_optional(pool)
    .await?;
    row.map(|r| {
        let items =
            serde_json::from_value(r.items).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
        Ok((r.month, items))
    })
    .transpose()
}

pub struct EvalEvent {
    pub kind: SheetEvent,
    pub comment: Option<String>,
    pub user_name: Option<String>,
    pub at: DateTime<Utc>,
}

impl EvalEvent {
    pub fn label(&self) -> &'static str {
        self.kind.label()
    }
}

pub async fn events(pool: &PgPool, evaluation: Uuid) -> Result<Vec<EvalEvent>, sqlx::Error> {
    sqlx::query_as!(
        EvalEvent,
        r#"SELECT ev.kind AS "kind: SheetEvent", ev.comment, u.display_name AS "user_name?", ev.at
             FROM evaluation_events ev LEFT JOIN users u ON u.id = ev.user_id
            WHERE ev.evaluation_id = $1 ORDER BY ev.id"#,
        evaluation
    )
    .fetch_all(pool)
    .await
}

async fn log(
    tx: &mut PgConnection,
    evaluation: Uuid,
    kind: SheetEvent,
    comment: Option<&str>,
    (user, at): (Uuid, DateTime<Utc>),
    before: serde_json::Value,
    after: serde_json::Value,
) -> Result<(), sqlx::Error> {
    sqlx::query!(
        "INSERT INTO evaluation_events (evaluation_id, kind, comment, user_id, at) VALUES ($1, $2, $3, $4, $5)",
        evaluation,
        kind.as_str(),
        comment,
        user,
        at
    )
    .execute(&mut *tx)
    .await?;
    audit::record(
        tx,
        audit::Entry {
            user: Some(user),
            action: match kind {
                SheetEvent::Saved => audit::Action::EvaluationSaved,
                SheetEvent::Agreed => audit::Action::EvaluationAgreed,
                SheetEvent::Submitted => audit::Action::EvaluationSubmitted,
                SheetEvent::Returned => audit::Action::EvaluationReturned,
                SheetEvent::Approved => audit::Action::EvaluationApproved,
                SheetEvent::Reopened => audit::Action::EvaluationReopened,
                SheetEvent::Withdrawn => audit::Action::EvaluationWithdrawn,
            },
            entity: "evaluation",
            entity_id: Some(evaluation),
            before: Some(before),
            after: Some(after),
        },
    )
    .await
}

fn snapshot(state: SheetState, total: i32, class: &str) -> serde_json::Value {
    json!({ "state": state, "total_tenths": total, "class": class })
}

/// One change to a meeting's sheets, in one transaction: the meeting row locked first (it
/// serialises every change to its sheets, the branch's and the supervisors', with every
/// change to the meeting's record), then `write`, given the meeting's state and whether its
/// score is approved. Nothing is written unless `write` answers `Ok`.
async fn edit_sheets<T>(
    pool: &PgPool,
    meeting: Uuid,
    write: impl AsyncFnOnce(&mut PgConnection, (MeetingState, bool)) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    transaction(pool, async move |tx| {
        let locked = crate::meetings::store::lock_for_review(tx, meeting).await?;
        write(tx, locked).await
    })
    .await
}

/// A sheet to save: whose, for which meeting, scored with which rubric.
pub struct Saving<'a> {
    pub meeting: Uuid,
    pub rubric: Uuid,
    pub scorer: Scorer,
    pub user: Uuid,
    pub scored: &'a Scored,
    pub remarks: Option<&'a str>,
    /// The version the form was built on; none for a first save.
    pub version: Option<i32>,
    /// When (the application clock).
    pub at: DateTime<Utc>,
}

/// Saves a sheet. `version` is the one the form was built on (none for a first save). The
/// branch's sheet goes back to draft; nothing is saved once the branch's score is approved
/// or while it waits at the upper committee.
pub async fn save(pool: &PgPool, s: Saving<'_>) -> Result<Uuid, StoreError> {
    let Saving {
        meeting,
        rubric,
        scorer,
        user,
        scored,
        remarks,
        version,
        at,
    } = s;
    let items = json_of(&scored.items)?;
    edit_sheets(pool, meeting, async move |tx, (_, approved)| {
        let branch = sqlx::query!(
            r#"SELECT id, state AS "state: SheetState", version, total_tenths, class FROM evaluations
              WHERE meeting_id = $1 AND scorer = 'branch'"#,
            meeting
        )
        .fetch_optional(&mut *tx)
        .await?;
        if approved
            || branch
                .as_ref()
                .is_some_and(|b| b.state == SheetState::Approved)
        {
            return Err(SheetRefusal::Approved.into());
        }
        let existing = match scorer {
            Scorer::Branch => branch.map(|b| (b.id, b.state, b.version, b.total_tenths, b.class)),
            Scorer::Upper => sqlx::query!(
                r#"SELECT id, state AS "state: SheetState", version, total_tenths, class FROM evaluations
                  WHERE meeting_id = $1 AND scorer = 'upper' AND scored_by = $2"#,
                meeting,
                user
            )
            .fetch_optional(&mut *tx)
            .await?
            .map(|b| (b.id, b.state, b.version, b.total_tenths, b.class)),
        };
        let id = match existing {
            Some((id, state, current, before_total, before_class)) => {
                if version != Some(current) {
                    return Err(StoreError::Stale);
                }
                if scorer == Scorer::Branch && state == SheetState::Submitted {
                    return Err(SheetRefusal::AwaitingReview.into());
                }
                if scorer == Scorer::Branch {
                    // The score the branch adopted is changed: it votes again when it agrees.
                    crate::meetings::store::drop_adoption(tx, id).await?;
                }
                sqlx::query!(
                    "UPDATE evaluations
                        SET rubric_id = $2, items = $3, total_tenths = $4, band = $5, class = $6,
                            capped_by = $7, remarks = $8, state = 'draft', scored_by = CASE WHEN scorer = 'branch' THEN $9 ELSE scored_by END,
                            version = version + 1, updated_at = $10
                      WHERE id = $1",
                    id,
                    rubric,
                    items,
                    scored.total.0,
                    scored.band,
                    scored.class,
                    &scored.capped_by,
                    remarks,
                    user,
                    at
                )
                .execute(&mut *tx)
                .await?;
                log(
                    tx,
                    id,
                    if state == SheetState::Agreed {
                        SheetEvent::Reopened
                    } else {
                        SheetEvent::Saved
                    },
                    None,
                    (user, at),
                    snapshot(state, before_total, &before_class),
                    snapshot(SheetState::Draft, scored.total.0, &scored.class),
                )
                .await?;
                id
            }
            None => {
                if version.is_some() {
                    // The form was built on a sheet that has since gone: someone else's change.
                    return Err(StoreError::Stale);
                }
                let id = sqlx::query_scalar!(
                    "INSERT INTO evaluations (meeting_id, rubric_id, scorer, scored_by, state, items,
                                              total_tenths, band, class, capped_by, remarks,
                                              created_at, updated_at)
                     VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $10, $11, $11)
                     RETURNING id",
                    meeting,
                    rubric,
                    scorer.as_str(),
                    user,
                    items,
                    scored.total.0,
                    scored.band,
                    scored.class,
                    &scored.capped_by,
                    remarks,
                    at
                )
                .fetch_one(&mut *tx)
                .await?;
                log(
                    tx,
                    id,
                    SheetEvent::Saved,
                    None,
                    (user, at),
                    serde_json::Value::Null,
                    snapshot(SheetState::Draft, scored.total.0, &scored.class),
                )
                .await?;
                id
            }
        };
        Ok(id)
    })
    .await
}

/// The branch's vote adopting its self-score, as counted at the meeting; its subject worded
/// by the domain (`adoption_subject`).
pub struct AdoptionVote<'a> {
    pub subject: &'a str,
    pub votes_for: u32,
    pub against: u32,
    pub abstain: u32,
}

/// One step of the review as decided by a user.
pub struct Decision<'a> {
    pub step: Step,
    pub user: Uuid,
    /// The version of the sheet the user saw.
    pub version: i32,
    pub comment: Option<&'a str>,
    pub approved_class: Option<&'a str>,
    /// The sheet scored again with the record's current figures (when it is sent up).
    pub rescored: Option<&'a Scored>,
    /// The branch's vote adopting the score (the "agree" step; docs/rules.md §3.6).
    pub adoption: Option<AdoptionVote<'a>>,
    /// When (the application clock).
    pub at: DateTime<Utc>,
}

/// Moves the branch's sheet of `meeting` one step. `approved_class` is the class the
/// committee recognises (its own score's, or the branch's). An approval needs the minutes
/// closed and freezes the meeting's record (`meetings::store::set_approval`, in this
/// transaction); a withdrawal hands the branch its sheet back (returned, with the reason as
/// the committee's comment), puts the supervisors' sheets back to draft, forgets the
/// recognised class and unfreezes the record.
pub async fn step(pool: &PgPool, meeting: Uuid, d: Decision<'_>) -> Result<(), StoreError> {
    let Decision {
        step,
        user,
        version,
        comment,
        approved_class,
        rescored,
        adoption,
        at,
    } = d;
    let rescored_items = rescored.map(|s| json_of(&s.items)).transpose()?;
    edit_sheets(pool, meeting, async move |tx, (meeting_state, _)| {
        let cur = sqlx::query!(
            r#"SELECT e.id, e.state AS "state: SheetState", e.version, e.total_tenths, e.class
                 FROM evaluations e
                WHERE e.meeting_id = $1 AND e.scorer = 'branch' FOR UPDATE"#,
            meeting
        )
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let evaluation = cur.id;
        if cur.version != version {
            return Err(StoreError::Stale);
        }
        let (from, to, kind) = step.transition();
        if !from.contains(&cur.state) {
            return Err(SheetRefusal::WrongState { state: cur.state }.into());
        }
        // Quy định 17-QĐ/TU: the branch agrees its score by a vote of the meeting, on the
        // meeting's eligible base, recorded with its votes; a vote that does not pass leaves
        // the sheet a draft.
        if step == Step::Agree {
            let a = adoption.as_ref();
            let vote = crate::meetings::forms::NewVote {
                subject: a.map(|a| a.subject.to_owned()).unwrap_or_default(),
                votes_for: a.map_or(0, |a| a.votes_for),
                against: a.map_or(0, |a| a.against),
                abstain: a.map_or(0, |a| a.abstain),
            };
            let (passed, eligible) = crate::meetings::store::insert_vote(
                tx,
                meeting,
                &vote,
                Some(crate::meetings::store::Adoption {
                    evaluation,
                    total_tenths: cur.total_tenths,
                    class: &cur.class,
                }),
            )
            .await?;
            if !passed {
                return Err(SheetRefusal::AdoptionNotPassed {
                    votes_for: vote.votes_for,
                    eligible,
                }
                .into());
            }
        }
        // Submitted with closed minutes, then reopened: what would be frozen is a draft.
        if step == Step::Approve && meeting_state != MeetingState::Closed {
            return Err(SheetRefusal::MinutesReopened.into());
        }
        if let (Some(s), Some(items)) = (rescored, rescored_items) {
            sqlx::query!(
                "UPDATE evaluations SET items = $2, total_tenths = $3, band = $4, class = $5, capped_by = $6
                  WHERE id = $1",
                evaluation,
                items,
                s.total.0,
                s.band,
                s.class,
                &s.capped_by
            )
            .execute(&mut *tx)
            .await?;
        }
        let decided = step.is_decision();
        sqlx::query!(
            "UPDATE evaluations
                SET state = $2, version = version + 1, updated_at = $7,
                    review_comment = CASE WHEN $3 THEN $4 ELSE review_comment END,
                    approved_class = CASE WHEN $2 = 'approved' THEN $5
                                          WHEN $8 THEN NULL ELSE approved_class END,
                    decided_by = CASE WHEN $3 THEN $6 ELSE decided_by END,
                    decided_at = CASE WHEN $3 THEN $7 ELSE decided_at END
              WHERE id = $1",
            evaluation,
            to.as_str(),
            decided,
            comment,
            approved_class,
            user,
            at,
            step == Step::Withdraw
        )
        .execute(&mut *tx)
        .await?;
        match step {
            Step::Approve => {
                // Approval locks the supervisors' sheets too, and the meeting's record.
                sqlx::query!(
                    "UPDATE evaluations SET state = 'approved', version = version + 1
                      WHERE meeting_id = $1 AND scorer = 'upper'",
                    meeting
                )
                .execute(&mut *tx)
                .await?;
                crate::meetings::store::set_approval(tx, meeting, user, true, None, at).await?;
            }
            Step::Withdraw => {
                // The supervisors may score again the record the branch now corrects.
                sqlx::query!(
                    "UPDATE evaluations SET state = 'draft', version = version + 1, updated_at = $2
                      WHERE meeting_id = $1 AND scorer = 'upper'",
                    meeting,
                    at
                )
                .execute(&mut *tx)
                .await?;
                crate::meetings::store::set_approval(tx, meeting, user, false, comment, at)
                    .await?;
            }
            Step::Agree | Step::Submit | Step::Return => {}
        }
        let (total, class) = rescored
            .map(|s| (s.total.0, s.class.clone()))
            .unwrap_or((cur.total_tenths, cur.class.clone()));
        log(
            tx,
            evaluation,
            kind,
            comment,
            (user, at),
            snapshot(cur.state, cur.total_tenths, &cur.class),
            json!({ "state": to, "total_tenths": total, "class": class, "approved_class": approved_class }),
        )
        .await?;
        Ok(())
    })
    .await
}
