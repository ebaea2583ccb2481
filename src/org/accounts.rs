//! The administrators' list of accounts locked by wrong passwords, and unlocking one. An
//! administrator sees and unlocks the accounts inside the units they administer
//! ([`User::administers_account`]); any other account is 404 to them, as if it did not exist.

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{Path, Query, State};
use axum::response::Redirect;
use serde::Deserialize;
use uuid::Uuid;

use crate::auth::User;
use crate::auth::store as accounts;
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::vn_datetime;

pub(super) struct LockedRow {
    user_id: Uuid,
    username: String,
    display_name: String,
    address: String,
    failures: i32,
    until: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "org/locks.html")]
pub(super) struct LocksPage {
    rows: Vec<LockedRow>,
    /// The account just unlocked (after the redirect).
    unlocked: Option<String>,
}

/// After an unlock: the account's id, not its name, so that a crafted link cannot make
/// the page announce an unlock that did not happen (the name shown is looked up).
#[derive(Deserialize)]
pub(super) struct DoneQuery {
    unlocked: Option<Uuid>,
}

pub(super) async fn locks(
    State(state): State<AppState>,
    user: User,
    Query(q): Query<DoneQuery>,
) -> AppResult<LocksPage> {
    if !user.is_admin_anywhere() {
        return Err(AppError::NotFound);
    }
    let all = super::is_system_admin(&state, &user).await?;
    let rows = accounts::locked_pairs(&state.pool)
        .await?
        .into_iter()
        .filter(|p| user.administers_account(&p.grant_paths, all))
        .map(|p| LockedRow {
            user_id: p.user_id,
            username: p.username,
            display_name: p.display_name,
            address: p.address,
            failures: p.failures,
            until: vn_datetime(p.locked_until),
        })
        .collect();
    // Named only to one who manages the account: an id guessed from elsewhere names nobody.
    let unlocked = match q.unlocked {
        Some(id) => match accounts::account_grant_paths(&state.pool, id).await? {
            Some(grants) if user.administers_account(&grants, all) => {
                accounts::username_of(&state.pool, id).await?
            }
            _ => None,
        },
        None => None,
    };
    Ok(LocksPage { rows, unlocked })
}

pub(super) async fn unlock(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<Uuid>,
) -> AppResult<Redirect> {
    let grants = accounts::account_grant_paths(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let all = super::is_system_admin(&state, &user).await?;
    if !user.is_admin_anywhere() || !user.administers_account(&grants, all) {
        return Err(AppError::NotFound);
    }
    accounts::unlock_user(&state.pool, id, Some(user.id)).await?;
    tracing::info!(by = %user.username, account = %id, "account unlocked");
    Ok(Redirect::to(&format!("/admin/locks?unlocked={id}")))
}
