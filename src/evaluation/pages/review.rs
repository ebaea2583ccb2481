//! The review of the branch's sheet: the branch agrees and submits it, the upper committee
//! returns or approves it, and may withdraw its approval with a reason.

use std::collections::HashMap;

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::sheet::{Seat, build, decides, facts_of, seat};
use crate::auth::scope::Read;
use crate::error::{AppError, AppResult, Refusal, StoreError};
use crate::evaluation::domain::{Scorer, SheetRefusal, SheetState, Step, adoption_subject};
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

/// A review step: agree (with the branch's vote adopting the score), submit, return,
/// approve, withdraw. The committee's steps are those of the committee directly above the
/// branch (`decides`): another supervisor further up is refused with a message, a holder of
/// a branch post is refused, anyone else forbidden.
pub async fn step(
    State(state): State<AppState>,
    MeetingInScope {
        meeting: m,
        unit,
        user,
        ..
    }: MeetingInScope<Read>,
    Form(form): Form<StepForm>,
) -> AppResult<Response> {
    let id = m.id;
    let input = form.parse().ok_or(AppError::BadRequest)?;
    let step = input.step;
    let seat = seat(&user, &unit);
    let all = store::evaluations(&state.pool, m.id).await?;
    let branch = all.iter().find(|e| e.scorer == Scorer::Branch);
    let mut errors = FieldErrors::default();
    // A control character in the comment is told at the comment, nothing written (the
    // database refused it, on a page without the form).
    if crate::web::has_control_chars(&form.comment) {
        errors.add("comment", crate::web::CONTROL_CHARS);
        let mut p = build(&state, &user, m, unit, None, errors, HashMap::new()).await?;
        p.comment = form
            .comment
            .chars()
            .filter(|c| !c.is_control() || *c == '\n')
            .collect();
        p.votes = (form.votes_for, form.against, form.abstain);
        return Ok(Unprocessable(p).into_response());
    }
    let mut adoption: Option<(String, (u32, u32, u32))> = None;
    // What the step writes (`None`: refused with messages already), or the store's refusal.
    let decided: Result<Option<Decided>, StoreError> = match (step, seat, branch, input.version) {
        (_, _, None, _) => Err(SheetRefusal::NotScored.into()),
        (_, _, _, None) => Err(StoreError::Stale),
        (Step::Agree, Seat::Branch { leads: true }, Some(b), Some(version)) => {
            match form.adoption() {
                Err(e) => {
                    for (field, msg) in e.iter() {
                        errors.add(field.to_owned(), msg.to_owned());
                    }
                    Ok(None)
                }
                Ok(counts) => {
                    let r = store::rubric(&state.pool, b.rubric_id)
                        .await?
                        .ok_or(AppError::NotFound)?;
                    adoption = Some((
                        adoption_subject(&b.total.to_string(), &r.rubric.band_label(&b.class)),
                        counts,
                    ));
                    Ok(Some(Decided {
                        version,
                        comment: None,
                        approved_class: None,
                        rescored: None,
                    }))
                }
            }
        }
        (Step::Submit, Seat::Branch { leads: true }, Some(b), Some(version)) => {
            let (rescored, mut refused) = {
                let (s, refused) = sent_up(&state, &m, b).await?;
                (Some(s), refused)
            };
            // Quy định 17-QĐ/TU: what goes up is the score the branch adopted by its vote.
            if matches!(b.state, SheetState::Draft | SheetState::Returned) {
                refused.insert(0, SheetRefusal::NotAdopted);
            }
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
        (Step::Return | Step::Approve | Step::Withdraw, Seat::Upper, _, _)
            if !decides(&user, &unit) =>
        {
            let committee = match unit.parent_id {
                Some(p) => crate::org::store::get(&state.pool, p)
                    .await?
                    .map(|u| u.name)
                    .unwrap_or_default(),
                None => String::new(),
            };
            Err(SheetRefusal::NotDirectlyAbove { committee }.into())
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
                adoption: adoption
                    .as_ref()
                    .map(|(subject, (f, a, x))| store::AdoptionVote {
                        subject,
                        votes_for: *f,
                        against: *a,
                        abstain: *x,
                    }),
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
                if field == "form" {
                    "state".to_owned()
                } else {
                    field.to_owned()
                },
                msg.to_owned(),
            );
        }
    }
    if errors.is_empty() {
        return Ok(Redirect::to(&format!("/meetings/{id}/evaluation#xet-duyet")).into_response());
    }
    let mut p = build(&state, &user, m, unit, None, errors, HashMap::new()).await?;
    // The committee's comment or reason, and the adoption's counts, shown again as typed.
    p.comment = form.comment;
    p.votes = (form.votes_for, form.against, form.abstain);
    Ok(Unprocessable(p).into_response())
}
