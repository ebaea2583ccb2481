use askama::Template;
use askama_web::WebTemplate;
use axum::Form;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;

use std::net::{IpAddr, SocketAddr};

use super::store::{self, CurrentPassword, LoginOutcome};
use super::{AuthSession, User, password};
use crate::error::{AppError, AppResult};
use crate::state::AppState;
use crate::web::{Unprocessable, safe_next};

/// The one answer to a sign-in that failed, whatever the reason.
const WRONG_LOGIN: &str = "Tên đăng nhập hoặc mật khẩu không đúng.";

#[derive(Template, WebTemplate)]
#[template(path = "auth/login.html")]
pub struct LoginPage {
    username: String,
    next: Option<String>,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

pub async fn login_form(auth: AuthSession, Query(q): Query<NextQuery>) -> Response {
    let next = safe_next(q.next.as_deref());
    if auth.user.is_some() {
        return Redirect::to(next.as_deref().unwrap_or("/")).into_response();
    }
    LoginPage {
        username: String::new(),
        next,
        error: None,
    }
    .into_response()
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

/// The address failures are counted under: the peer's (an IPv4 client seen through an IPv6
/// socket counts as its IPv4 address).
fn client_address(peer: SocketAddr) -> IpAddr {
    peer.ip().to_canonical()
}

pub async fn login(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut auth: AuthSession,
    Form(form): Form<LoginForm>,
) -> AppResult<Response> {
    let next = safe_next(form.next.as_deref());
    let address = client_address(peer);
    let outcome = store::check_login(
        &state.pool,
        &state.sign_ins,
        &form.username,
        &form.password,
        address,
    )
    .await?;
    let error = match outcome {
        LoginOutcome::Success(user) => {
            auth.login(&user)
                .await
                .map_err(|e| anyhow::anyhow!("login: {e}"))?;
            // axum-login renews the id only for a session without a user; renew it always, so
            // that signing in on a session someone else prepared never keeps its id.
            auth.session
                .cycle_id()
                .await
                .map_err(|e| anyhow::anyhow!("session: {e}"))?;
            tracing::info!(user = %user.username, "signed in");
            return Ok(Redirect::to(next.as_deref().unwrap_or("/")).into_response());
        }
        // An unknown name, a wrong password and a locked pair get one answer: a different
        // one ("tạm khóa") would tell an attacker which names exist.
        LoginOutcome::Wrong => WRONG_LOGIN,
        LoginOutcome::Locked { until } => {
            // The name as typed, quoted and escaped (`?`): it may hold anything, control
            // characters included, and must not forge a line of the log.
            tracing::warn!(user = ?form.username, %address, %until, "sign-in refused: locked");
            WRONG_LOGIN
        }
    };
    let page = LoginPage {
        username: form.username,
        next,
        error: Some(error.to_owned()),
    };
    Ok((StatusCode::UNAUTHORIZED, page).into_response())
}

pub async fn logout(mut auth: AuthSession) -> AppResult<Redirect> {
    auth.logout()
        .await
        .map_err(|e| anyhow::anyhow!("logout: {e}"))?;
    Ok(Redirect::to("/login"))
}

#[derive(Default)]
pub struct PasswordErrors {
    current: Option<String>,
    new: Option<&'static str>,
    confirm: Option<&'static str>,
}

#[derive(Template, WebTemplate)]
#[template(path = "auth/password.html")]
pub struct PasswordPage {
    username: String,
    done: bool,
    errors: PasswordErrors,
}

#[derive(Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

pub async fn password_form(user: User, Query(q): Query<DoneQuery>) -> PasswordPage {
    PasswordPage {
        username: user.username.clone(),
        done: q.done.is_some(),
        errors: PasswordErrors::default(),
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
}

pub async fn change_password(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    mut auth: AuthSession,
    user: User,
    Form(form): Form<PasswordForm>,
) -> AppResult<Response> {
    let mut errors = PasswordErrors::default();
    let address = client_address(peer);
    match store::verify_current_password(
        &state.pool,
        &state.sign_ins,
        &user,
        &form.current,
        address,
    )
    .await?
    {
        CurrentPassword::Right => {}
        CurrentPassword::Wrong => errors.current = Some("Mật khẩu hiện tại không đúng.".into()),
        // The user is signed in: saying that it is locked tells nobody which names exist.
        CurrentPassword::Locked { until } => {
            tracing::warn!(user = %user.username, %address, %until, "password change refused: locked");
            let minutes = super::lockout::minutes_left(until, crate::clock::wall_now());
            errors.current = Some(format!(
                "Đã nhập sai mật khẩu hiện tại quá nhiều lần. Vui lòng thử lại sau {minutes} phút."
            ));
        }
    }
    if let Err(msg) = password::check_new(&form.new) {
        errors.new = Some(msg);
    } else if form.new == form.current {
        errors.new = Some("Mật khẩu mới phải khác mật khẩu hiện tại.");
    }
    if form.confirm != form.new {
        errors.confirm = Some("Hai lần nhập mật khẩu mới không khớp.");
    }
    if errors.current.is_some() || errors.new.is_some() || errors.confirm.is_some() {
        let page = PasswordPage {
            username: user.username.clone(),
            done: false,
            errors,
        };
        return Ok(Unprocessable(page).into_response());
    }
    store::set_password(&state.pool, user.id, &form.new).await?;
    // Sessions carry a hash of the password: every other session is now invalid. Log this
    // one in again so the user stays signed in here.
    let fresh = store::load_user(&state.pool, user.id)
        .await?
        .ok_or(AppError::NotFound)?;
    auth.login(&fresh)
        .await
        .map_err(|e| anyhow::anyhow!("login: {e}"))?;
    Ok(Redirect::to("/account/password?done=1").into_response())
}
