//! The review of the branch's sheet: the branch agrees and submits it, the upper committee
//! returns or approves it.

use std::collections::HashMap;

use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use super::sheet::{Seat, build, facts_of, seat};
use crate::auth::scope::Keep;
use crate::error::{AppError, AppResult, StoreError};
use crate::evaluation::domain::{Scorer, Step};
use crate::evaluation::scoring;
use crate::evaluation::store;
use crate::meetings::scope::MeetingInScope;
use crate::state::AppState;
use crate::web::{FieldErrors, Unprocessable, form_text};

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
    Ok(Unprocessable(p).into_response())
}
