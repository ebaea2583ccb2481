//! The member a request names, when the user may reach them: reading a record is open to the
//! member themself and to whoever reads a branch the member belongs or belonged to; keeping
//! it, to whoever keeps the member's current branch. Otherwise 404 before the handler runs.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use uuid::Uuid;

use super::store::{self, MemberDetail};
use crate::auth::User;
use crate::auth::scope::{Access, Keep, Read, requested_id};
use crate::error::AppError;
use crate::state::AppState;

pub struct MemberInScope<A = Read> {
    pub member: MemberDetail,
    /// The member's current branch, when the user may keep the member's record there.
    pub home: Option<Uuid>,
    pub user: User,
    pub access: PhantomData<A>,
}

/// The member's current branch, if `user` may keep records there.
async fn kept_home(state: &AppState, user: &User, id: Uuid) -> Result<Option<Uuid>, AppError> {
    Ok(match store::home_branch(&state.pool, id).await? {
        Some((unit, path)) if Keep::check(user, &path).is_ok() => Some(unit),
        _ => None,
    })
}

async fn load(
    parts: &mut Parts,
    state: &AppState,
) -> Result<(User, MemberDetail, Option<Uuid>), AppError> {
    let user = User::from_request_parts(parts, state).await?;
    let id = requested_id(parts, state).await?;
    let member = store::detail(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let home = kept_home(state, &user, id).await?;
    Ok((user, member, home))
}

/// May `user` read the record of `member`: their own, or a branch they read holds or held it.
async fn reads(state: &AppState, user: &User, member: &MemberDetail) -> Result<bool, AppError> {
    if user.member_id == Some(member.id) {
        return Ok(true);
    }
    let memberships = store::memberships(&state.pool, member.id).await?;
    Ok(memberships
        .iter()
        .any(|m| Read::check(user, &m.unit_path).is_ok()))
}

impl FromRequestParts<AppState> for MemberInScope<Read> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let (user, member, home) = load(parts, state).await?;
        if home.is_none() && !reads(state, &user, &member).await? {
            return Err(AppError::NotFound);
        }
        Ok(Self {
            member,
            home,
            user,
            access: PhantomData,
        })
    }
}

impl FromRequestParts<AppState> for MemberInScope<Keep> {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let (user, member, home) = load(parts, state).await?;
        if home.is_none() {
            // One who reads the record but does not keep it (a supervisor above) is told so;
            // anyone else learns nothing of the member.
            return Err(if reads(state, &user, &member).await? {
                AppError::Forbidden
            } else {
                AppError::NotFound
            });
        }
        Ok(Self {
            member,
            home,
            user,
            access: PhantomData,
        })
    }
}

impl MemberInScope<Keep> {
    /// The member's current branch (always known for a member the user keeps).
    pub fn branch(&self) -> Uuid {
        self.home
            .expect("the extractor admits only a member with a kept branch")
    }
}
