//! The composition root: every feature's routes and every piece of middleware, assembled in
//! one place. Nothing below imports it.

use std::future::Future;
use std::time::Duration;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum_login::AuthManagerLayerBuilder;
use tower::ServiceBuilder;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::csrf::CsrfLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::auth::{self, AuthSession, User};
use crate::error::{AppError, ErrorPage, too_large};
use crate::web::{self, Ctx};

/// Forms are small; the member import (a later feature) raises its own limit.
const BODY_LIMIT: usize = 2 * 1024 * 1024;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

use crate::state::AppState;

pub fn router(state: AppState) -> Router {
    let routes = Router::new()
        .route("/healthz", get(healthz))
        .route("/static/{*path}", get(web::static_file))
        .merge(auth::router(state.login_limit))
        .merge(crate::home::router())
        .merge(crate::org::router())
        .merge(crate::members::router())
        .merge(crate::meetings::router())
        .merge(crate::evaluation::router())
        .merge(crate::documents::router())
        .merge(crate::supervision::router())
        .merge(crate::reports::router())
        .fallback(|| async { AppError::NotFound });

    let sessions = auth::session_layer(state.pool.clone(), state.secure_cookies);
    let auth_layer =
        AuthManagerLayerBuilder::new(auth::Backend::new(state.pool.clone()), sessions).build();

    // Outermost first: trace everything, turn panics into 500s, then the headers every
    // response carries, the error pages, the limits, the session, the layout context, and
    // CSRF innermost (so that its refusal is rendered with the user's navigation).
    let middleware = ServiceBuilder::new()
        .layer(TraceLayer::new_for_http())
        .layer(CatchPanicLayer::new())
        .layer(CompressionLayer::new())
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(CSP),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::overriding(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(middleware::from_fn(error_pages))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        .layer(auth_layer)
        .layer(middleware::from_fn(with_layout_ctx))
        .layer(middleware::from_fn(refuse_control_chars))
        // Inside the layout context, so that its refusal page keeps the user's navigation.
        .layer(middleware::from_fn(from_a_browser))
        .layer(CsrfLayer::new());

    routes.layer(middleware).with_state(state)
}

/// Makes the signed-in user known to every page of the request, the error pages of the
/// layers inside this one included (a CSRF refusal, a rejected form or path), which are
/// rendered here while the context is set.
async fn with_layout_ctx(auth: AuthSession, req: Request, next: Next) -> Response {
    let ctx = auth
        .user
        .as_ref()
        .map(User::layout_ctx)
        .unwrap_or_else(Ctx::anonymous);
    web::LAYOUT_CTX
        .scope(ctx, async move { as_error_page(next.run(req).await) })
        .await
}

/// tower-http's CSRF layer lets a request with neither `Origin` nor `Sec-Fetch-Site` through
/// as "not a browser". Every browser chibo supports sends one of them with a form, so a
/// write without both comes from no page of ours: refused (403), before it touches anything.
async fn from_a_browser(req: Request, next: Next) -> Response {
    if states_its_origin(req.method(), req.headers()) {
        next.run(req).await
    } else {
        StatusCode::FORBIDDEN.into_response()
    }
}

/// Is this request a read, or a write that says where it comes from?
fn states_its_origin(method: &Method, headers: &HeaderMap) -> bool {
    method.is_safe()
        || headers.contains_key(header::ORIGIN)
        || headers.contains_key("sec-fetch-site")
}

/// Error statuses produced by middleware (CSRF refusal, timeout, body too large, panic)
/// come as bare text: give them the same page as every other error.
async fn error_pages(req: Request, next: Next) -> Response {
    as_error_page(next.run(req).await)
}

/// A bare 4xx/5xx answer (no HTML) becomes the common error page.
fn as_error_page(response: Response) -> Response {
    let status = response.status();
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if (status.is_client_error() || status.is_server_error()) && !is_html {
        // A form larger than the body limit (uploads say their own limit).
        let message = (status == StatusCode::PAYLOAD_TOO_LARGE).then(|| too_large(BODY_LIMIT));
        return ErrorPage::for_status(status, message).into_response_with(status);
    }
    response
}

/// A control character in a request's path or query (`/members?q=%00`) comes from no link
/// or search box of ours: refused with 400 before any handler reads it. Form bodies are not
/// checked here: each form's parse marks the field that holds one (`FieldErrors::
/// control_chars`) so that the form comes back as typed, and a NUL that still reached
/// Postgres is a 422 page, never a 500 (`AppError::from(sqlx::Error)`).
pub async fn refuse_control_chars(req: Request, next: Next) -> Response {
    let uri = req.uri();
    let decoded = |raw: &str| {
        percent_decoded(raw)
            .map(|s| web::has_control_chars(&s))
            .unwrap_or(true)
    };
    let bad_path = decoded(uri.path());
    let bad_query = uri.query().is_some_and(|q| decoded(&q.replace('+', " ")));
    if bad_path || bad_query {
        tracing::info!("request refused: control characters in its path or query");
        return ErrorPage::for_status(StatusCode::BAD_REQUEST, None)
            .into_response_with(StatusCode::BAD_REQUEST);
    }
    next.run(req).await
}

/// `%xx` escapes decoded (`None` for bytes that are not UTF-8, which no page of ours sends).
fn percent_decoded(raw: &str) -> Option<String> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(h), Some(l)) = (
                bytes.get(i + 1).and_then(|b| hex(*b)),
                bytes.get(i + 2).and_then(|b| hex(*b)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

async fn healthz(State(state): State<AppState>) -> Response {
    match crate::db::healthy(&state.pool).await {
        Ok(_) => (StatusCode::OK, "ok").into_response(),
        Err(err) => {
            tracing::error!("health check: {err}");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
        }
    }
}

/// Serves until `shutdown` resolves, then lets requests in flight finish.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    auth::password::warm_up().await;
    let store = auth::session_store(state.pool.clone());
    let pool = state.pool.clone();
    let cleanup = tokio::spawn(async move {
        use tower_sessions::session_store::ExpiredDeletion;
        let mut hourly = tokio::time::interval(Duration::from_secs(3600));
        loop {
            hourly.tick().await;
            if let Err(err) = store.delete_expired().await {
                tracing::warn!("deleting expired sessions: {err}");
            }
            if let Err(err) = auth::store::forget_old_failures(&pool).await {
                tracing::warn!("forgetting old sign-in failures: {err}");
            }
        }
    });
    let app = router(state);
    // The peer's address reaches the handlers (`ConnectInfo`): the sign-in rate limit and
    // the failure counts are kept per client address.
    let result = axum::serve(
        listener,
        app.into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await;
    cleanup.abort();
    result?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_write_must_say_where_it_comes_from() {
        let with = |pairs: &[(&'static str, &'static str)]| {
            let mut h = HeaderMap::new();
            for (k, v) in pairs {
                h.insert(*k, HeaderValue::from_static(v));
            }
            h
        };
        let table: &[(Method, HeaderMap, bool)] = &[
            (Method::GET, with(&[]), true),
            (Method::HEAD, with(&[]), true),
            (Method::POST, with(&[]), false),
            (Method::PUT, with(&[]), false),
            (Method::DELETE, with(&[]), false),
            (Method::POST, with(&[("origin", "http://localhost")]), true),
            (
                Method::POST,
                with(&[("sec-fetch-site", "same-origin")]),
                true,
            ),
            (
                Method::POST,
                with(&[("referer", "http://localhost/")]),
                false,
            ),
        ];
        for (method, headers, expected) in table {
            assert_eq!(
                states_its_origin(method, headers),
                *expected,
                "{method} {headers:?}"
            );
        }
    }
}
