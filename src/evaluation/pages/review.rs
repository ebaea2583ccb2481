//! The review of the branch's sheet: the branch agrees and submits it, the upper committee
//! returns or approves it, and may withdraw its approval with a reason.

use std::collections::HashMap;

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::sheet::{Seat, build, facts_of, seat};
use crate::auth::scope::Keep;
use crate::error::{AppError, AppResult, Refusal, StoreError};
use crate::evaluation::domain::{Scorer, SheetRefusal, Step};
use crate::evaluation::forms::StepForm;
use crate::evaluation::scoring;
use crate::evaluation::store::{self, Evaluation};
use crate::meetings::scope::MeetingInScope;
use crate::meetings::store::Meeting;
use crate::state::AppState;
use crate::web::{FieldErrors, Unprocessable};

/// The branch's sheet scored again with the record as it now stands (the minutes may have
/// been closed since it was saved), and what keeps it from being sent up.
async fn sent_up(
    state: &AppState,
    m: &Meeting,
    b: &Evaluation,
) -> AppResult<(scoring::Scored, Vec<SheetRefusal>)> {
    let mut refused = vec![];
    if !m.is_closed() {
        refused.push(SheetRefusal::MinutesOpen);
    }
    let r = store::rubric(&state.pool, b.rubric_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let facts = facts_of(state, m, &r.rubric).await?;
    let (s, errs) = scoring::score(
        &r.rubric,
        &facts,
        &scoring::entries_from(&r.rubric, &b.items),
    );
    if !errs.is_empty() {
        refused.push(SheetRefusal::RescoreNeeded);
    }
    Ok((s, refused))
}

/// What a step writes besides its state: on the version seen, the committee's note and the
/// class it recognises, the sheet scored again when it is sent up.
struct Decided {
    version: i32,
    comment: Option<String>,
    approved_class: Option<String>,
    rescored: Option<scoring::Scored>,
}

/// A review step: agree, submit, return, approve, withdraw. The committee's steps are
/// those of a supervisor or administrator strictly above the branch (`Seat::Upper`), the
/// seat that approves; a holder of a branch post is refused, anyone else forbidden.
pub async fn step(
    State(state): State<AppState>,
    MeetingInScope {
        meeting: m,
        unit,
        user,
        ..
    }: MeetingInScope<Keep>,
    Form(form): Form<StepForm>,
) -> AppResult<Response> {
    let id = m.id;
    let input = form.parse().ok_or(AppError::BadRequest)?;
    let step = input.step;
    let seat = seat(&user, &unit);
    let all = store::evaluations(&state.pool, m.id).await?;
    let branch = all.iter().find(|e| e.scorer == Scorer::Branch);
    let mut errors = FieldErrors::default();
    // What the step writes (`None`: refused with messages already), or the store's refusal.
    let decided: Result<Option<Decided>, StoreError> = match (step, seat, branch, input.version) {
        (_, _, None, _) => Err(SheetRefusal::NotScored.into()),
        (_, _, _, None) => Err(StoreError::Stale),
        (Step::Agree | Step::Submit, Seat::Branch { leads: true }, Some(b), Some(version)) => {
            let (rescored, refused) = match step {
                Step::Submit => {
                    let (s, refused) = sent_up(&state, &m, b).await?;
                    (Some(s), refused)
                }
                _ => (None, vec![]),
            };
            for r in &refused {
                errors.add(r.field(), r.message());
            }
            Ok(refused.is_empty().then_some(Decided {
                version,
                comment: None,
                approved_class: None,
                rescored,
            }))
        }
        (Step::Agree | Step::Submit, _, _, _) => {
            return Err(AppError::Forbidden);
        }
        (Step::Return | Step::Approve | Step::Withdraw, Seat::Upper, Some(b), Some(version)) => {
            match input.note() {
                Err(refusal) => Err(refusal.into()),
                Ok(note) => {
                    // The class recognised: the committee's own score's, else the branch's.
                    let approved = all
                        .iter()
                        .find(|e| e.scorer == Scorer::Upper && e.scored_by == user.id)
                        .unwrap_or(b)
                        .class
                        .clone();
                    Ok(Some(Decided {
                        version,
                        comment: note.map(str::to_owned),
                        approved_class: (step == Step::Approve).then_some(approved),
                        rescored: None,
                    }))
                }
            }
        }
        (Step::Return | Step::Approve | Step::Withdraw, Seat::Branch { .. }, _, _) => {
            Err(SheetRefusal::OwnBranch.into())
        }
        (Step::Return | Step::Approve | Step::Withdraw, _, _, _) => {
            return Err(AppError::Forbidden);
        }
    };
    let result = match decided {
        Ok(Some(d)) => {
            let decision = store::Decision {
                step,
                user: user.id,
                version: d.version,
                comment: d.comment.as_deref(),
                approved_class: d.approved_class.as_deref(),
                rescored: d.rescored.as_ref(),
                at: state.clock.now(),
            };
            store::step(&state.pool, m.id, decision).await
        }
        Ok(None) => Ok(()),
        Err(e) => Err(e),
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
    let mut p = build(&state, &user, m, unit, None, errors, HashMap::new()).await?;
    // The committee's comment or reason, shown again as typed.
    p.comment = form.comment;
    Ok(Unprocessable(p).into_response())
}
