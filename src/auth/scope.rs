//! The rules by which a signed-in user reaches a unit, stated once each, and the path id the
//! scope extractors of the features (`org::scope`, `members::scope`, `meetings::scope`)
//! start from. Outside the scope the answer is 404, exactly as for an id that does not
//! exist; inside it but without the right, 403.

use axum::extract::{FromRequestParts, RawPathParams};
use axum::http::request::Parts;
use uuid::Uuid;

use super::User;
use crate::error::AppError;

/// What a user wants to do with a unit's pages, and the rule that allows it.
pub trait Access: Send + Sync + 'static {
    fn check(user: &User, unit_path: &str) -> Result<(), AppError>;
}

/// Reading a unit's pages: its officers and every committee above it (not a plain member:
/// a member reads their own record only).
pub struct Read;

/// Keeping a unit's records (members, meetings, attendance, minutes, committee posts): the
/// branch's bí thư, phó bí thư and chi ủy viên, the unit's administrators, and for a
/// committee's own records the committee itself. A supervisor above reads them but does
/// not write them: what supervisors write (their own score sheets, the review of a score,
/// model meetings, reports) is checked by its own rule on a [`Read`] scope.
pub struct Keep;

/// Restructuring a unit (rename, move, close, merge, add below): its administrators.
pub struct Administer;

impl Access for Read {
    fn check(user: &User, unit_path: &str) -> Result<(), AppError> {
        if user.sees_unit(unit_path) {
            Ok(())
        } else {
            Err(AppError::NotFound)
        }
    }
}

impl Access for Keep {
    fn check(user: &User, unit_path: &str) -> Result<(), AppError> {
        Read::check(user, unit_path)?;
        if user.keeps(unit_path) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

impl Access for Administer {
    fn check(user: &User, unit_path: &str) -> Result<(), AppError> {
        Read::check(user, unit_path)?;
        if user.administers(unit_path) {
            Ok(())
        } else {
            Err(AppError::Forbidden)
        }
    }
}

/// The id a scope extractor loads: the path's `{id}`, or, on a page that starts something
/// new under a unit (`/members/new?unit=…`), the query's `unit`. Not an id: 400, as for any
/// request no page of ours makes.
pub async fn requested_id<S: Send + Sync>(parts: &mut Parts, state: &S) -> Result<Uuid, AppError> {
    let params = RawPathParams::from_request_parts(parts, state)
        .await
        .map_err(|_| AppError::BadRequest)?;
    let raw = match params.iter().find(|(k, _)| *k == "id") {
        Some((_, v)) => v.to_owned(),
        None => parts
            .uri
            .query()
            .and_then(|q| {
                q.split('&')
                    .filter_map(|kv| kv.split_once('='))
                    .find(|(k, _)| *k == "unit")
                    .map(|(_, v)| v.to_owned())
            })
            .ok_or(AppError::BadRequest)?,
    };
    Uuid::parse_str(raw.trim()).map_err(|_| AppError::BadRequest)
}
