//! Bodies larger than a route accepts: a 413 page that states the limit, nothing written.

use reqwest::StatusCode;

use crate::fixtures::demo::{BRANCH, PROVINCE};
use crate::support::{TestApp, text};

async fn multipart(
    app: &TestApp,
    path: &str,
    form: reqwest::multipart::Form,
) -> (StatusCode, String) {
    let r = app
        .client
        .post(app.url(path))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let status = r.status();
    (status, text(&r.text().await.unwrap()))
}

fn file(name: &str, bytes: usize) -> reqwest::multipart::Form {
    let part = reqwest::multipart::Part::bytes(vec![b'a'; bytes]).file_name(name.to_owned());
    reqwest::multipart::Form::new().part("file", part)
}

#[tokio::test]
async fn an_oversized_upload_or_form_answers_413_with_the_limit() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    let import = format!("/units/{branch}/members/import");
    for size in [8_500_000, 10_000_000] {
        let (status, page) = multipart(&app, &import, file("ds.csv", size)).await;
        assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{size} bytes");
        assert!(page.contains("lớn quá giới hạn 8 MB"), "{page}");
        assert!(
            page.contains("Đăng xuất"),
            "in the signed-in layout: {page}"
        );
    }
    let staged: i64 = sqlx::query_scalar("SELECT count(*) FROM member_imports")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(staged, 0);

    // A 400 KB rubric file.
    app.login_as("admin").await;
    // A form beyond the 2 MB of every form.
    let long = "a".repeat(3 * 1024 * 1024);
    let r = app
        .post(
            &format!("/admin/units/{branch}/rename"),
            &[("name", &long), ("version", "1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(text(&r.text().await.unwrap()).contains("lớn quá giới hạn 2 MB"));

    let province = app.unit_id(PROVINCE).await;
    let drafts = async || -> i64 {
        sqlx::query_scalar("SELECT count(*) FROM rubrics WHERE status = 'draft'")
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };
    let before = drafts().await;
    let form = file("bo.toml", 400 * 1024).text("scope", province.to_string());
    let (status, page) = multipart(&app, "/admin/rubrics", form).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert!(page.contains("lớn quá giới hạn 256 KB"), "{page}");
    assert_eq!(drafts().await, before);
}
