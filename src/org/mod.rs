//! The organisation tree: browsing within one's scope, and restructuring by administrators.

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

/// The upper unit's name for the top-left block of a party document.
pub async fn upper_unit_name(state: &AppState, unit: &Unit) -> AppResult<String> {
    Ok(match unit.parent_id {
        Some(p) => crate::org::store::get(&state.pool, p)
            .await?
            .map(|u| u.name)
            .unwrap_or_default(),
        None => String::new(),
    })
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
