//! The meeting a request names, loaded with its branch when the user may reach it with the
//! access asked for (the branch's rule: `org::scope`); otherwise 404 before the handler runs.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;

use super::store::{self, Meeting};
use crate::auth::User;
use crate::auth::scope::{Access, Read, requested_id};
use crate::error::AppError;
use crate::org::store::Unit;
use crate::state::AppState;

pub struct MeetingInScope<A = Read> {
    pub meeting: Meeting,
    pub unit: Unit,
    pub user: User,
    pub access: PhantomData<A>,
}

impl<A: Access> FromRequestParts<AppState> for MeetingInScope<A> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let user = User::from_request_parts(parts, state).await?;
        let id = requested_id(parts, state).await?;
        let meeting = store::get(&state.pool, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let unit = crate::org::scope::load_branch::<A>(state, &user, meeting.unit_id).await?;
        Ok(Self {
            meeting,
            unit,
            user,
            access: PhantomData,
        })
    }
}
