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
use tower_http::request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use crate::auth::{self, AuthSession, User};
use crate::error::{AppError, ErrorPage, too_large};
use crate::web::{self, Ctx};

/// Forms are small; the member import (a later feature) raises its own limit.
const BODY_LIMIT: usize = 2 * 1024 * 1024;
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(30);
/// A client has this long to send a request's headers: a connection that trickles them
/// (or sends half a request line and waits) is closed, and cannot hold a shutdown open.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// After SIGTERM, requests in flight get this long to finish; then the process exits.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);
/// `/readyz` waits this long for the database's answer.
const READY_TIMEOUT: Duration = Duration::from_secs(1);
const REQUEST_ID: &str = "x-request-id";
const CSP: &str = "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
                   form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

use crate::state::AppState;

pub fn router(state: AppState) -> Router {
    router_with(state, Router::new(), REQUEST_TIMEOUT)
}

/// The application with `extra` routes served inside every layer, exactly as the features'
/// routes are, and the request timeout given (the tests add a route that panics or answers
/// slowly; the server passes none).
pub fn router_with(state: AppState, extra: Router<AppState>, request_timeout: Duration) -> Router {
    // Served outside the session and auth layers: the probes and the static files never
    // read or write a session, so they answer while the database is away.
    let open = Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/static/{*path}", get(web::static_file));

    let pages = Router::new()
        .merge(auth::router(state.login_limit))
        .merge(crate::home::router())
        .merge(crate::org::router())
        .merge(crate::members::router())
        .merge(crate::meetings::router())
        .merge(crate::evaluation::router())
        .merge(crate::documents::router())
        .merge(crate::supervision::router())
        .merge(crate::reports::router())
        .merge(extra)
        .fallback(|| async { AppError::NotFound });

    let sessions = auth::session_layer(state.pool.clone(), state.secure_cookies);
    // axum-login's default data key ("axum-login.data"): the session load reads the user it
    // names in the same statement (`auth::sessions`), so a key set here must be set there.
    let auth_layer = AuthManagerLayerBuilder::new(
        auth::Backend::new(state.pool.clone(), state.sign_ins.clone()),
        sessions,
    )
    .build();

    // Around the pages only, outermost first: the body limit, the session, the layout
    // context, and CSRF innermost (so that its refusal is rendered with the user's
    // navigation).
    let session_stack = ServiceBuilder::new()
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // Around the session: the slot its load fills with the signed-in user.
        .layer(middleware::from_fn(auth::sessions::with_session_user_slot))
        .layer(auth_layer)
        .layer(middleware::from_fn(with_layout_ctx))
        .layer(middleware::from_fn(refuse_control_chars))
        // Inside the layout context, so that its refusal page keeps the user's navigation.
        .layer(middleware::from_fn(from_a_browser))
        .layer(CsrfLayer::new());

    // Around everything, outermost first: the request id (kept from a proxy when it looks
    // like one, else a new UUID), tracing with that id in the span, the id copied onto the
    // response, compression, the headers every response carries, then the error pages (one
    // pipeline: a bare 4xx/5xx from any layer inside, a panic included, becomes the common
    // page in the user's layout, with the request id on a 5xx), panics caught inside them
    // (so that the 500 page carries every header), and the timeout.
    let outer = ServiceBuilder::new()
        .layer(middleware::map_request(sane_request_id))
        .layer(SetRequestIdLayer::x_request_id(MakeRequestUuid))
        .layer(TraceLayer::new_for_http().make_span_with(request_span))
        .layer(PropagateRequestIdLayer::x_request_id())
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
        .layer(CatchPanicLayer::custom(panic_response))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            request_timeout,
        ));

    open.merge(pages.layer(session_stack))
        .layer(outer)
        .with_state(state)
}

/// An `x-request-id` from outside (a proxy's) is kept only when it looks like an id: short,
/// letters, digits and dashes. Anything else is dropped, and a fresh UUID is made.
async fn sane_request_id(mut req: Request) -> Request {
    let sane = req.headers().get(REQUEST_ID).is_some_and(|v| {
        let v = v.as_bytes();
        (1..=64).contains(&v.len())
            && v.iter()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    });
    if !sane {
        req.headers_mut().remove(REQUEST_ID);
    }
    req
}

/// The span every log line of a request is written in: its id, method and path (not the
/// query, which may carry a name searched for).
fn request_span(req: &Request) -> tracing::Span {
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-");
    tracing::info_span!("request", id = %id, method = %req.method(), path = %req.uri().path())
}

/// A panic, logged in the request's span (so the log line carries the id the page shows),
/// answers a bare 500 that `error_pages` turns into the 500 page.
fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let what = panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    tracing::error!(panic = %what, "request handler panicked");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
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
    // Also for the error pages drawn outside this scope (timeout, panic).
    web::remember_layout_ctx(&ctx);
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
/// come as bare text: give them the same page as every other error. The request context
/// set here carries the request id to every 5xx page and the signed-in user (once the
/// session layer has found them) to the pages drawn outside the layout context.
async fn error_pages(req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(REQUEST_ID)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    web::request_scope(id, async move { as_error_page(next.run(req).await) }).await
}

/// A bare 4xx/5xx answer (no HTML) becomes the common error page.
fn as_error_page(response: Response) -> Response {
    let status = response.status();
    let is_html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"text/html"));
    if (status.is_client_error() || status.is_server_error()) && !is_html {
        // A layer that could not reach the database (the session's, the user's) answers a
        // bare 500: the user reads that the database is away, and when to retry.
        let status = if status == StatusCode::INTERNAL_SERVER_ERROR && web::db_was_unavailable() {
            StatusCode::SERVICE_UNAVAILABLE
        } else {
            status
        };
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

/// Liveness: the process answers. Touches nothing (no database, no session), so that a
/// supervisor does not restart chibo for the database's sake.
async fn healthz() -> &'static str {
    "ok"
}

/// Readiness: the database answers `SELECT 1` within a second. A load balancer sends no
/// traffic here while it answers 503.
async fn readyz(State(state): State<AppState>) -> Response {
    match crate::db::healthy(&state.pool, READY_TIMEOUT).await {
        Ok(()) => (StatusCode::OK, "ok").into_response(),
        Err(err) => {
            tracing::warn!("readiness check: {err}");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::RETRY_AFTER, crate::error::RETRY_AFTER_SECS)],
                "database unavailable",
            )
                .into_response()
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
    let app = router(state.clone());
    serve_router(listener, state, app, shutdown).await
}

/// Serves `app` (built by [`router_with`]) until `shutdown` resolves; then stops accepting,
/// lets requests in flight finish for at most [`SHUTDOWN_GRACE`], and returns. Connections
/// are served by hyper directly (axum::serve has neither a header-read timeout nor a
/// shutdown deadline); each request carries its peer's address (`ConnectInfo`): the sign-in
/// rate limit and the failure counts are kept per client address.
pub async fn serve_router(
    listener: tokio::net::TcpListener,
    state: AppState,
    app: Router,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> anyhow::Result<()> {
    use axum::extract::ConnectInfo;
    use hyper_util::rt::{TokioIo, TokioTimer};
    use hyper_util::server::graceful::GracefulShutdown;
    use tower::ServiceExt;

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

    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(err) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!("accepting a connection: {err}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let _ = stream.set_nodelay(true);
        let service = app
            .clone()
            .map_request(move |mut req: Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(ConnectInfo(peer));
                req
            });
        let conn = http.serve_connection(
            TokioIo::new(stream),
            hyper_util::service::TowerToHyperService::new(service),
        );
        let conn = graceful.watch(conn);
        tokio::spawn(async move {
            if let Err(err) = conn.await {
                tracing::debug!("connection from {peer}: {err}");
            }
        });
    }
    drop(listener);
    cleanup.abort();
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(SHUTDOWN_GRACE) => {
            tracing::warn!(
                "requests still open {} s after the stop signal: stopping anyway",
                SHUTDOWN_GRACE.as_secs()
            );
        }
    }
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
