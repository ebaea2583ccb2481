//! The rate limit on sign-ins per client address (tower_governor, a token bucket keyed by
//! the peer's IP): a burst, then one attempt per period. Beyond it POST /login answers 429
//! with the error page, before any password is checked or counted.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::Request;
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodRouter, post};
use tower_governor::governor::GovernorConfigBuilder;
use tower_governor::key_extractor::PeerIpKeyExtractor;

use crate::config::LoginLimit;
use crate::error::ErrorPage;
use crate::state::AppState;

/// POST /login behind the limit: the governor layer for `limit`, inside the page for its
/// refusal. The limiter's table of addresses is swept every minute (`retain_recent`) by a
/// task that ends with the router.
pub fn post_login(limit: LoginLimit) -> MethodRouter<AppState> {
    let config = GovernorConfigBuilder::default()
        .period(limit.every)
        .burst_size(limit.burst.max(1))
        .key_extractor(PeerIpKeyExtractor)
        .finish()
        .expect("a non-zero burst and period (checked by the command line)");
    let config = Arc::new(config);
    let limiter = Arc::downgrade(config.limiter());
    if let Ok(runtime) = tokio::runtime::Handle::try_current() {
        runtime.spawn(async move {
            let mut every_minute = tokio::time::interval(Duration::from_secs(60));
            loop {
                every_minute.tick().await;
                let Some(limiter) = limiter.upgrade() else {
                    break;
                };
                limiter.retain_recent();
            }
        });
    }
    post(super::handlers::login)
        .layer(tower_governor::GovernorLayer::new(config))
        .layer(axum::middleware::from_fn(too_many_page))
}

/// The governor's own 429 is bare text: the error page in the layout instead, saying how
/// long to wait (its `retry-after`, kept on the answer).
pub async fn too_many_page(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    if response.status() != StatusCode::TOO_MANY_REQUESTS {
        return response;
    }
    let wait: u64 = response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(1);
    tracing::warn!(wait, "sign-in refused: too many attempts from one address");
    let mut page = ErrorPage::for_status(StatusCode::TOO_MANY_REQUESTS, Some(too_many(wait)))
        .into_response_with(StatusCode::TOO_MANY_REQUESTS);
    if let Ok(v) = wait.to_string().parse() {
        page.headers_mut().insert(header::RETRY_AFTER, v);
    }
    page.into_response()
}

/// The 429 page's words for a wait of `secs` seconds (at least one second; minutes from
/// one minute on, rounded up).
pub fn too_many(secs: u64) -> String {
    let wait = if secs < 60 {
        format!("{} giây", secs.max(1))
    } else {
        format!("{} phút", secs.div_ceil(60))
    };
    format!("Quá nhiều lần đăng nhập từ địa chỉ này. Vui lòng thử lại sau {wait}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wait_is_said_in_seconds_then_minutes() {
        assert_eq!(
            too_many(0),
            "Quá nhiều lần đăng nhập từ địa chỉ này. Vui lòng thử lại sau 1 giây."
        );
        assert!(too_many(59).ends_with("sau 59 giây."));
        assert!(too_many(60).ends_with("sau 1 phút."));
        assert!(too_many(61).ends_with("sau 2 phút."));
    }
}
