//! Scope extractors for units: a handler names what it needs (`UnitInScope`,
//! `BranchInScope`, `CommitteeInScope`, with the access it wants) and gets the loaded unit,
//! or the request ends in 404 (or 403) before the handler runs.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use uuid::Uuid;

use super::store::{self, Unit};
use crate::auth::User;
use crate::auth::scope::{Access, Read, requested_id};
use crate::error::AppError;
use crate::state::AppState;

/// Any unit the user may reach with access `A`.
pub struct UnitInScope<A = Read> {
    pub unit: Unit,
    pub user: User,
    pub access: PhantomData<A>,
}

/// A branch (chi bộ): members and meetings belong to branches. A committee's id is "not found".
pub struct BranchInScope<A = Read> {
    pub unit: Unit,
    pub user: User,
    pub access: PhantomData<A>,
}

/// A unit seen as a committee: its dashboard, alerts, reports and programmes cover its
/// whole subtree. The same rule as any unit; the name says what the handler does with it.
pub type CommitteeInScope<A = Read> = UnitInScope<A>;

/// Loads unit `id` for `user` with access `A`: the one rule every extractor above follows.
pub async fn load<A: Access>(state: &AppState, user: &User, id: Uuid) -> Result<Unit, AppError> {
    let unit = store::get(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    A::check(user, &unit.path)?;
    Ok(unit)
}

/// As [`load`], for a branch.
pub async fn load_branch<A: Access>(
    state: &AppState,
    user: &User,
    id: Uuid,
) -> Result<Unit, AppError> {
    let unit = load::<A>(state, user, id).await?;
    if !unit.kind.is_branch() {
        return Err(AppError::NotFound);
    }
    Ok(unit)
}

async fn user_and_id(parts: &mut Parts, state: &AppState) -> Result<(User, Uuid), AppError> {
    let user = User::from_request_parts(parts, state).await?;
    let id = requested_id(parts, state).await?;
    Ok((user, id))
}

impl<A: Access> FromRequestParts<AppState> for UnitInScope<A> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let (user, id) = user_and_id(parts, state).await?;
        let unit = load::<A>(state, &user, id).await?;
        Ok(Self {
            unit,
            user,
            access: PhantomData,
        })
    }
}

impl<A: Access> FromRequestParts<AppState> for BranchInScope<A> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let (user, id) = user_and_id(parts, state).await?;
        let unit = load_branch::<A>(state, &user, id).await?;
        Ok(Self {
            unit,
            user,
            access: PhantomData,
        })
    }
}
