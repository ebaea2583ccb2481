use reqwest::StatusCode;

use crate::fixtures::demo::BRANCH;
use crate::support::{TestApp, text};

#[tokio::test]
async fn the_readiness_check_reaches_the_database_and_the_liveness_check_does_not() {
    let app = TestApp::spawn().await;
    let (status, body) = app.get("/readyz").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
    app.pool.close().await;
    let r = app.client.get(app.url("/readyz")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
    // The process lives: a supervisor has no reason to restart it for the database's sake.
    let (status, body) = app.get("/healthz").await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "ok"));
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = TestApp::spawn().await;
    for path in [
        "/login",
        "/healthz",
        "/khong-co-trang-nay",
        "/static/app.css",
    ] {
        let r = app.client.get(app.url(path)).send().await.unwrap();
        let h = r.headers();
        assert_eq!(h["x-frame-options"], "DENY", "{path}");
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert!(
            h["content-security-policy"]
                .to_str()
                .unwrap()
                .contains("frame-ancestors 'none'"),
            "{path}"
        );
    }
}

#[tokio::test]
async fn unknown_pages_get_a_vietnamese_error_page_in_the_layout() {
    let app = TestApp::spawn().await;
    app.login_as("thixa").await;
    let (status, body) = app.get("/khong-co-trang-nay").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains("<html lang=\"vi\">"));
    let page = text(&body);
    assert!(page.contains("Không tìm thấy trang"));
    assert!(
        page.contains("Ban Tổ chức Thị ủy Kỳ Anh"),
        "the user's navigation stays: {page}"
    );
    let (status, _) = app.get("/units/khong-phai-ma-so").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn a_cross_site_post_is_refused() {
    let app = TestApp::spawn().await;
    app.login_as("admin").await;
    let id = app.unit_id(BRANCH).await;
    let r = app
        .client
        .post(app.url(&format!("/admin/units/{id}/rename")))
        .header("sec-fetch-site", "cross-site")
        .header("origin", "https://evil.example")
        .form(&[("name", "Bị giả mạo"), ("version", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let page = text(&r.text().await.unwrap());
    assert!(page.contains("Không được phép"));
    assert!(
        page.contains("Đăng xuất"),
        "the refusal keeps the signed-in user's navigation: {page}"
    );
    let name: String = sqlx::query_scalar("SELECT name FROM units WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(name, BRANCH);
    // The same form from the app's own pages goes through.
    let r = app
        .client
        .post(app.url(&format!("/admin/units/{id}/rename")))
        .header("sec-fetch-site", "same-origin")
        .form(&[("name", "Chi bộ TDP Hưng Lợi"), ("version", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn static_files_are_cached_and_revalidated() {
    let app = TestApp::spawn().await;
    let r = app
        .client
        .get(app.url("/static/app.css"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.headers()["content-type"], "text/css");
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap()
            .contains("max-age")
    );
    let etag = r.headers()["etag"].clone();
    let css = r.text().await.unwrap();
    assert!(
        css.contains("@media print"),
        "a print stylesheet ships with every page"
    );
    let r = app
        .client
        .get(app.url("/static/app.css"))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(
        app.get("/static/khong-co.css").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn oversized_bodies_are_refused() {
    let app = TestApp::spawn().await;
    let big = "x".repeat(3 * 1024 * 1024);
    let r = app
        .post("/login", &[("username", big.as_str()), ("password", "x")])
        .await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(text(&r.text().await.unwrap()).contains("Dữ liệu quá lớn"));
}

/// Every browser chibo supports sends `Origin` or `Sec-Fetch-Site` with a form: a POST with
/// neither is not from one of its pages (a script, a plugin, an old proxy), and is refused
/// before it writes anything; a foreign `Origin` is refused too; the app's own passes.
#[tokio::test]
async fn a_post_without_origin_and_sec_fetch_site_is_refused() {
    let app = TestApp::spawn().await;
    let id = app.unit_id(BRANCH).await;
    // A client without the test browser's default `Origin`.
    let bare = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let rename = |client: &reqwest::Client, name: &str| {
        client
            .post(app.url(&format!("/admin/units/{id}/rename")))
            .form(&[("name", name.to_owned()), ("version", "1".to_owned())])
    };
    // Signing in is a POST too: refused without both headers, and no session opened.
    let form = [
        ("username", "admin"),
        ("password", crate::support::DEMO_PASSWORD),
    ];
    let r = bare
        .post(app.url("/login"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(text(&r.text().await.unwrap()).contains("Không được phép"));
    let r = bare
        .post(app.url("/login"))
        .header("sec-fetch-site", "same-origin")
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = rename(&bare, "Bị giả mạo").send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let page = text(&r.text().await.unwrap());
    assert!(page.contains("Không được phép"), "{page}");
    let r = rename(&bare, "Bị giả mạo")
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let name: String = sqlx::query_scalar("SELECT name FROM units WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(name, BRANCH, "nothing written");
    let r = rename(&bare, "Chi bộ TDP Hưng Lợi")
        .header("origin", format!("http://{}", app.addr))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}
