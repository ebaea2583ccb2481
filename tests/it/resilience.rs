//! One error pipeline and a server that heals: a panic is the 500 page in the user's layout
//! with every security header and the request id; a page drawn by a middleware (a timeout)
//! keeps the user's layout; while the database is away pages answer 503 quickly, the
//! probes and static files still answer, and everything recovers by itself.

use std::time::{Duration, Instant};

use axum::routing::get;
use reqwest::StatusCode;

use crate::support::{TestApp, text};

async fn display_name(app: &TestApp, username: &str) -> String {
    sqlx::query_scalar("SELECT display_name FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

fn assert_security_headers(r: &reqwest::Response) {
    let h = r.headers();
    for name in [
        "content-security-policy",
        "x-frame-options",
        "x-content-type-options",
        "referrer-policy",
    ] {
        assert!(h.contains_key(name), "{name} missing on {}: {h:?}", r.url());
    }
}

async fn panicking() -> &'static str {
    panic!("a handler bug")
}

/// Routes only a test serves, inside every layer exactly as a feature's routes are.
fn failing_routes() -> axum::Router<chibo::state::AppState> {
    axum::Router::new()
        .route("/test/panic", get(panicking))
        .route(
            "/test/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(5)).await;
                "late"
            }),
        )
}

#[tokio::test]
async fn a_panic_is_the_500_page_in_the_users_layout_with_its_headers_and_request_id() {
    let app = TestApp::spawn_with(failing_routes(), chibo::app::REQUEST_TIMEOUT).await;
    app.login_as("bithu").await;
    let name = display_name(&app, "bithu").await;

    let r = app.client.get(app.url("/test/panic")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::INTERNAL_SERVER_ERROR);
    assert_security_headers(&r);
    let id = r
        .headers()
        .get("x-request-id")
        .expect("x-request-id on the 500")
        .to_str()
        .unwrap()
        .to_owned();
    assert!(!id.is_empty());
    let page = text(&r.text().await.unwrap());
    assert!(page.contains("Lỗi hệ thống"), "{page}");
    assert!(page.contains(&name), "the user's layout: {page}");
    assert!(page.contains(&format!("Mã lỗi: {id}")), "{id} on {page}");
    assert!(!page.contains("Service panicked"), "{page}");

    // A proxy's own id is kept; one that is no id at all is replaced.
    let r = app
        .client
        .get(app.url("/test/panic"))
        .header("x-request-id", "proxy-42")
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["x-request-id"], "proxy-42");
    assert!(text(&r.text().await.unwrap()).contains("Mã lỗi: proxy-42"));
    let r = app
        .client
        .get(app.url("/test/panic"))
        .header("x-request-id", "<script>alert(1)</script>")
        .send()
        .await
        .unwrap();
    let id = r.headers()["x-request-id"].to_str().unwrap().to_owned();
    assert!(!id.contains('<') && !id.is_empty(), "{id}");

    // The server lives on: the next request is served.
    let (status, _) = app.get("/account/password").await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn a_timeout_is_the_408_page_in_the_users_layout() {
    let app = TestApp::spawn_with(failing_routes(), Duration::from_millis(500)).await;
    app.login_as("bithu").await;
    let name = display_name(&app, "bithu").await;
    let r = app.client.get(app.url("/test/slow")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::REQUEST_TIMEOUT);
    assert_security_headers(&r);
    let page = text(&r.text().await.unwrap());
    assert!(page.contains("Quá thời gian chờ"), "{page}");
    assert!(
        page.contains(&name),
        "the user's layout on the 408 page: {page}"
    );
}

/// Closes the test's database to every connection (as a dead server would be), or opens it.
async fn database_reachable(app: &TestApp, reachable: bool) {
    let mut admin = app.cluster_admin().await;
    let name = app.database_name().to_owned();
    sqlx::query(&format!(
        "ALTER DATABASE {name} ALLOW_CONNECTIONS {reachable}"
    ))
    .execute(&mut admin)
    .await
    .unwrap();
    if !reachable {
        sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
            .bind(&name)
            .execute(&mut admin)
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn while_the_database_is_away_pages_answer_503_and_recover_by_themselves() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let (status, _) = app.get("/account/password").await;
    assert_eq!(status, StatusCode::OK);
    let stranger = app.other_browser();

    database_reachable(&app, false).await;

    // A signed-in page (the session is read from the database) and a sign-in.
    for (who, path) in [(&app, "/"), (&app, "/account/password")] {
        let started = Instant::now();
        let r = who.client.get(who.url(path)).send().await.unwrap();
        let took = started.elapsed();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE, "{path}");
        assert!(
            took < Duration::from_secs(5),
            "{path} answered after {took:?}"
        );
        assert!(r.headers().contains_key("retry-after"), "{path}");
        assert_security_headers(&r);
        let page = text(&r.text().await.unwrap());
        assert!(
            page.contains("Hệ thống tạm thời không kết nối được cơ sở dữ liệu"),
            "{path}: {page}"
        );
    }
    let started = Instant::now();
    let r = stranger
        .post(
            "/login",
            &[
                ("username", "bithu"),
                ("password", crate::support::DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(started.elapsed() < Duration::from_secs(5));

    // The probes and the static files need no session: they answer at once.
    let started = Instant::now();
    let (status, body) = app.get("/healthz").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
    let (status, _) = app.get("/readyz").await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    let (status, css) = app.get("/static/app.css").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!css.is_empty());
    assert!(started.elapsed() < Duration::from_secs(5));

    // Back: the very next requests are served, the session still valid, no restart.
    database_reachable(&app, true).await;
    let (status, _) = app.get("/readyz").await;
    assert_eq!(status, StatusCode::OK);
    let (status, page) = app.get("/account/password").await;
    assert_eq!(status, StatusCode::OK, "{}", text(&page));
    let r = stranger
        .post(
            "/login",
            &[
                ("username", "bithu"),
                ("password", crate::support::DEMO_PASSWORD),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}
