//! Authority levels: the installation's settings (alert thresholds, the national agenda
//! templates) are a system administrator's — a grant over the whole tree — and a ward's or a
//! town's administrator, who manages inside their unit, reaches none of them. A supervisor
//! reads a branch's records and writes none of them.

use chibo::auth::Role;
use reqwest::StatusCode;

use crate::fixtures::{
    self,
    demo::{BRANCH, TOWN, WARD},
};
use crate::support::{TestApp, text};

/// What the installation's settings are now: the thresholds' version and values, and every
/// template item.
async fn settings(app: &TestApp) -> (String, String) {
    let thresholds: String =
        sqlx::query_scalar("SELECT row_to_json(t)::text FROM alert_settings t")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let templates: String = sqlx::query_scalar(
        "SELECT coalesce(string_agg(t.id::text || t.kind || coalesce(t.branch_type, '') || i.title, '|'
                                    ORDER BY t.id, i.position), '')
           FROM agenda_templates t LEFT JOIN agenda_template_items i ON i.template_id = t.id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    (thresholds, templates)
}

#[tokio::test]
async fn a_unit_administrator_changes_nothing_of_the_installation() {
    let app = TestApp::spawn().await;
    let ward = app.unit_id(WARD).await;
    let town = app.unit_id(TOWN).await;
    fixtures::login(&app, "quantriphuong", Role::Admin, Some(ward)).await;
    fixtures::login(&app, "quantrithixa", Role::Admin, Some(town)).await;
    let template: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM agenda_templates ORDER BY id LIMIT 1")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let version: i32 = sqlx::query_scalar("SELECT version FROM alert_settings")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let before = settings(&app).await;

    for who in ["quantriphuong", "quantrithixa"] {
        let admin = app.other_browser();
        admin.login_as(who).await;
        // Their own unit they administer.
        let unit = if who == "quantriphuong" { ward } else { town };
        assert_eq!(
            admin.get(&format!("/admin/units/{unit}/rename")).await.0,
            StatusCode::OK,
            "{who} manages inside the unit"
        );
        // The administration page offers no installation setting.
        let (status, page) = admin.get("/admin").await;
        assert_eq!(status, StatusCode::OK);
        assert!(
            !page.contains("/admin/alerts") && !page.contains("/admin/templates"),
            "{who}"
        );
        for path in [
            "/admin/alerts".to_owned(),
            "/admin/templates".to_owned(),
            format!("/admin/templates/{template}"),
        ] {
            assert_eq!(
                admin.get(&path).await.0,
                StatusCode::NOT_FOUND,
                "{who} GET {path}"
            );
        }
        let v = version.to_string();
        let writes: Vec<(String, Vec<(&str, &str)>)> = vec![
            (
                "/admin/alerts".into(),
                vec![
                    ("minutes_open_days", "60"),
                    ("score_unsent_days", "7"),
                    ("approval_days", "10"),
                    ("unexcused_months", "3"),
                    ("materials_days_before", "1"),
                    ("version", &v),
                ],
            ),
            (
                "/admin/templates".into(),
                vec![("kind", "regular"), ("branch_type", "armed_forces")],
            ),
            (
                format!("/admin/templates/{template}/items/new"),
                vec![
                    ("title", "Mục của phường"),
                    ("presenter", ""),
                    ("notes", ""),
                    ("action", ""),
                    ("version", ""),
                ],
            ),
        ];
        for (path, form) in &writes {
            let r = admin.post(path, form).await;
            assert_eq!(r.status(), StatusCode::NOT_FOUND, "{who} POST {path}");
            assert!(
                !text(&r.text().await.unwrap()).contains("Ngưỡng"),
                "names nothing"
            );
        }
    }
    assert_eq!(
        settings(&app).await,
        before,
        "nothing of the installation changed"
    );

    // The province's administrator, whose grant covers the whole tree, keeps them.
    app.login_as("admin").await;
    let (status, page) = app.get("/admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("/admin/alerts") && page.contains("/admin/templates"));
    assert_eq!(app.get("/admin/alerts").await.0, StatusCode::OK);
    assert_eq!(app.get("/admin/templates").await.0, StatusCode::OK);
    let r = app
        .post(
            "/admin/templates",
            &[("kind", "regular"), ("branch_type", "armed_forces")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_ne!(settings(&app).await, before);
}

#[tokio::test]
async fn a_ward_supervisor_reads_a_branch_without_being_offered_its_forms_and_writes_nothing() {
    let app = TestApp::spawn().await;
    let branch = app.unit_id(BRANCH).await;
    let planned = fixtures::meeting(&app, branch, fixtures::State::Planned).await;
    let (meeting, member) = (planned.id, planned.expected[0]);
    let secretary = app.other_browser();
    secretary.login_as("bithu").await;
    app.login_as("phuong").await;

    // The same pages: the secretary is offered the forms, the supervisor reads.
    for (who, offered) in [(&secretary, true), (&app, false)] {
        let (status, home) = who.get(&format!("/units/{branch}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(text(&home).contains("Thêm đảng viên"), offered, "{home}");
        let (status, list) = who.get(&format!("/units/{branch}/members")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(text(&list).contains("Nhập từ bảng tính"), offered);
        let (status, page) = who.get(&format!("/units/{branch}/thematic")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page.contains("name=\"topic\""), offered);
        let (status, page) = who.get(&format!("/meetings/{meeting}/attendance")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page.contains("name=\"presence\""), offered);
        let (status, page) = who.get(&format!("/meetings/{meeting}")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            page.contains(&format!("href=\"/meetings/{meeting}/minutes\"")),
            offered
        );
        let (status, page) = who.get(&format!("/units/{branch}/committee")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(
            page.contains(&format!("action=\"/units/{branch}/committee\"")),
            offered
        );
        let (status, page) = who.get(&format!("/units/{branch}/meetings")).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(page.contains("Lên kế hoạch buổi sinh hoạt"), offered);
        // Reading the thematic plan is open to both.
        assert!(page.contains(&format!("href=\"/units/{branch}/thematic\"")));
    }
    // What the supervisor is not offered, it cannot do by hand either: 403, nothing written.
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let r = app
        .post(
            &format!("/meetings/{meeting}/attendance/{member}"),
            &[("presence", "present")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(text(&r.text().await.unwrap()).contains("Bạn không có quyền"));
    let (status, _) = app.get(&format!("/members/new?unit={branch}")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let presence: Option<String> = sqlx::query_scalar(
        "SELECT presence::text FROM attendance WHERE meeting_id = $1 AND member_id = $2",
    )
    .bind(meeting)
    .bind(member)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM audit_log")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!((presence, after), (None, before));
    // The secretary's tick goes through.
    let r = secretary
        .post(
            &format!("/meetings/{meeting}/attendance/{member}"),
            &[("presence", "present")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}
