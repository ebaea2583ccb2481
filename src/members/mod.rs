//! Party members. This first part holds what the tree and the accounts need: a branch's
//! roster and a member's own page. The full registry (life-cycle, transfers, import) builds
//! on it.

pub mod store;

use askama::Template;
use askama_web::WebTemplate;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use uuid::Uuid;

use crate::app::AppState;
use crate::auth::User;
use crate::error::{AppError, AppResult};
use crate::web::{Ctx, vn_date};

pub fn router() -> Router<AppState> {
    Router::new().route("/members/{id}", get(member_page))
}

pub fn status_label(status: &str) -> &'static str {
    match status {
        "chinh_thuc" => "Chính thức",
        "du_bi" => "Dự bị",
        _ => "",
    }
}

pub fn state_label(state: &str) -> &'static str {
    match state {
        "active" => "Đang sinh hoạt",
        "exempt" => "Miễn sinh hoạt",
        "away" => "Vắng mặt dài ngày",
        "struck_off" => "Đã xóa tên",
        "expelled" => "Đã khai trừ",
        "deceased" => "Đã từ trần",
        "transferred_out" => "Đã chuyển đi",
        _ => "",
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "members/show.html")]
struct MemberPage {
    ctx: Ctx,
    member: store::MemberDetail,
    birth_date: String,
    admission_date: String,
    official_date: Option<String>,
    status: &'static str,
    state: &'static str,
    gender: &'static str,
    memberships: Vec<store::MembershipView>,
    own: bool,
}

/// A member's page: the member themself, or anyone who sees one of their branches.
async fn member_page(
    State(state): State<AppState>,
    user: User,
    Path(id): Path<Uuid>,
) -> AppResult<MemberPage> {
    let member = store::detail(&state.pool, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let memberships = store::memberships(&state.pool, id).await?;
    let own = user.member_id == Some(id);
    let in_scope = memberships
        .iter()
        .any(|m| m.open && user.sees_unit(&m.unit_path));
    if !own && !in_scope {
        return Err(AppError::NotFound);
    }
    Ok(MemberPage {
        ctx: Ctx::for_user(&user),
        birth_date: vn_date(member.birth_date),
        admission_date: vn_date(member.admission_date),
        official_date: member.official_date.map(vn_date),
        status: status_label(&member.status),
        state: state_label(&member.lifecycle_state),
        gender: if member.gender == "nu" { "Nữ" } else { "Nam" },
        member,
        memberships,
        own,
    })
}
