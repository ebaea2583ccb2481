//! The organisation tree: browsing within one's scope, and restructuring by administrators.

mod accounts;
mod admin;
pub mod domain;
pub mod forms;
pub mod scope;
pub mod store;

use axum::Router;
use axum::routing::get;

use self::store::Unit;
use crate::auth::User;
use crate::error::AppResult;
use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin", get(admin::admin_home))
        .route("/admin/locks", get(accounts::locks))
        .route(
            "/admin/users/{id}/unlock",
            axum::routing::post(accounts::unlock),
        )
        .route("/admin/units/new", get(admin::new_form).post(admin::create))
        .route(
            "/admin/units/{id}/rename",
            get(admin::rename_form).post(admin::rename),
        )
        .route(
            "/admin/units/{id}/move",
            get(admin::move_form).post(admin::move_unit),
        )
        .route(
            "/admin/units/{id}/close",
            get(admin::close_form).post(admin::close),
        )
        .route(
            "/admin/units/{id}/merge",
            get(admin::merge_form).post(admin::merge),
        )
}

/// Is the user an administrator of the whole installation ([`User::administers_all`])?
pub async fn is_system_admin(state: &AppState, user: &User) -> AppResult<bool> {
    if !user.is_admin_anywhere() {
        return Ok(false);
    }
    let tops = store::top_unit_paths(&state.pool).await?;
    Ok(user.administers_all(&tops))
}

/// Installation-wide pages (alert thresholds, the national agenda templates): a system
/// administrator's, and 404 to anyone else, a unit's administrator included.
pub async fn require_system_admin(state: &AppState, user: &User) -> AppResult<()> {
    if is_system_admin(state, user).await? {
        Ok(())
    } else {
        Err(crate::error::AppError::NotFound)
    }
}

/// A document's heading names, as they were `on` (the meeting's day, the month judged): the
/// unit's name and its upper unit's, for the top-left block. A minutes book printed today
/// of a meeting held before a rename is headed with the names the meeting was held under.
pub async fn document_names(
    state: &AppState,
    unit: &Unit,
    on: chrono::NaiveDate,
) -> AppResult<(String, String)> {
    if let Some(names) = store::names_on(&state.pool, unit.id, on).await? {
        return Ok(names);
    }
    // Before the unit was founded (a meeting planned on an earlier day): its names now.
    let parent = match unit.parent_id {
        Some(p) => store::get(&state.pool, p)
            .await?
            .map(|u| u.name)
            .unwrap_or_default(),
        None => String::new(),
    };
    Ok((unit.name.clone(), parent))
}

/// One step of a page's breadcrumbs: a link where the user may go.
pub struct Crumb {
    pub name: String,
    pub href: Option<String>,
}

/// The units above `unit` down to it, linked where the user may see them.
pub async fn crumbs(state: &AppState, user: &User, unit: &Unit) -> AppResult<Vec<Crumb>> {
    Ok(store::ancestors(&state.pool, &unit.path)
        .await?
        .into_iter()
        .map(|c| Crumb {
            href: (c.id != unit.id && user.sees_unit(&c.path)).then(|| format!("/units/{}", c.id)),
            name: c.name,
        })
        .collect())
}
