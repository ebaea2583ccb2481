use reqwest::StatusCode;
use uuid::Uuid;

use crate::fixtures::demo::{BRANCH, CLOSED_DISTRICT, NEIGHBOUR, OTHER_WARD, TOWN, WARD};
use crate::support::{TestApp, location, text};

async fn branches_of(app: &TestApp, committee: &str) -> Vec<(Uuid, String)> {
    sqlx::query_as(
        "SELECT b.id, b.name FROM units b JOIN units w ON b.path <@ w.path
          WHERE w.name = $1 AND b.kind = 'branch' AND b.valid_to IS NULL ORDER BY b.name",
    )
    .bind(committee)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

async fn a_member_of(app: &TestApp, branch: Uuid) -> Uuid {
    sqlx::query_scalar(
        "SELECT member_id FROM memberships WHERE unit_id = $1 AND valid_to IS NULL LIMIT 1",
    )
    .bind(branch)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_secretary_gets_not_found_for_everything_of_another_branch() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let own = app.unit_id(BRANCH).await;
    let neighbour = app.unit_id(NEIGHBOUR).await; // same ward
    let far = app.unit_id("Chi bộ Thôn Tân Hoa").await; // another commune
    let ward = app.unit_id(WARD).await;

    assert_eq!(app.get(&format!("/units/{own}")).await.0, StatusCode::OK);
    let own_member = a_member_of(&app, own).await;
    assert_eq!(
        app.get(&format!("/members/{own_member}")).await.0,
        StatusCode::OK
    );

    for other in [neighbour, far] {
        let member = a_member_of(&app, other).await;
        for path in [
            format!("/units/{other}"),
            format!("/members/{member}"),
            format!("/admin/units/{other}/rename"),
            format!("/admin/units/{other}/merge"),
        ] {
            let (status, body) = app.get(&path).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
            assert!(text(&body).contains("Không tìm thấy trang"), "{path}");
        }
        let r = app
            .post(
                &format!("/admin/units/{other}/rename"),
                &[("name", "Chiếm quyền"), ("version", "1")],
            )
            .await;
        assert_eq!(r.status(), StatusCode::NOT_FOUND);
    }
    // The ward above the secretary's branch is not theirs to see either, and an id that
    // does not exist answers exactly like one outside the scope.
    assert_eq!(
        app.get(&format!("/units/{ward}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, missing) = app.get(&format!("/units/{}", Uuid::now_v7())).await;
    let (_, outside) = app.get(&format!("/units/{far}")).await;
    assert_eq!(text(&missing), text(&outside));
    let renamed: i64 = sqlx::query_scalar("SELECT count(*) FROM units WHERE name = 'Chiếm quyền'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(renamed, 0);
}

#[tokio::test]
async fn a_ward_supervisor_sees_every_branch_of_the_ward_and_none_of_another() {
    let app = TestApp::spawn().await;
    app.login_as("phuong").await;
    let ward = app.unit_id(WARD).await;
    let (status, body) = app.get(&format!("/units/{ward}")).await;
    assert_eq!(status, StatusCode::OK);
    let page = text(&body);
    let own = branches_of(&app, WARD).await;
    assert_eq!(own.len(), 12);
    for (id, name) in &own {
        assert!(
            page.contains(name.as_str()),
            "{name} listed on the ward page"
        );
        assert_eq!(
            app.get(&format!("/units/{id}")).await.0,
            StatusCode::OK,
            "{name}"
        );
    }
    let others = branches_of(&app, OTHER_WARD).await;
    assert!(!others.is_empty(), "{OTHER_WARD} has branches");
    for (id, name) in others {
        assert_eq!(
            app.get(&format!("/units/{id}")).await.0,
            StatusCode::NOT_FOUND,
            "{name}"
        );
    }
    let town = app.unit_id(TOWN).await;
    assert_eq!(
        app.get(&format!("/units/{town}")).await.0,
        StatusCode::NOT_FOUND
    );
    // Inside the scope but not an administrator: restructuring is forbidden, not hidden.
    let (status, body) = app.get(&format!("/admin/units/{}/rename", own[0].0)).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(text(&body).contains("Không được phép"));
}

#[tokio::test]
async fn the_administrator_sees_the_whole_province_including_closed_units() {
    let app = TestApp::spawn().await;
    app.login_as("admin").await;
    let all: Vec<(Uuid, String)> = sqlx::query_as("SELECT id, name FROM units ORDER BY path")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert!(all.len() > 200);
    // Every committee and a sample of branches.
    for (id, name) in all
        .iter()
        .filter(|(_, n)| !n.starts_with("Chi bộ"))
        .chain(all.iter().step_by(17))
    {
        assert_eq!(
            app.get(&format!("/units/{id}")).await.0,
            StatusCode::OK,
            "{name}"
        );
    }
    let (_, body) = app
        .get(&format!("/units/{}", app.unit_id(CLOSED_DISTRICT).await))
        .await;
    assert!(text(&body).contains("Đã ngừng hoạt động từ 01/07/2025"));
}

#[tokio::test]
async fn a_member_sees_their_own_record_and_nothing_else() {
    let app = TestApp::spawn().await;
    app.login_as("dangvien").await;
    let me: Uuid = sqlx::query_scalar("SELECT member_id FROM users WHERE username = 'dangvien'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let r = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(location(&r), format!("/members/{me}"));
    let (status, body) = app.get(&format!("/members/{me}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&body).contains("Hồ sơ của bạn"));
    let branch = app.unit_id(BRANCH).await;
    assert_eq!(
        app.get(&format!("/units/{branch}")).await.0,
        StatusCode::NOT_FOUND
    );
    let neighbour: Uuid = sqlx::query_scalar(
        "SELECT member_id FROM memberships WHERE unit_id = $1 AND valid_to IS NULL AND member_id <> $2 LIMIT 1",
    )
    .bind(branch)
    .bind(me)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        app.get(&format!("/members/{neighbour}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/admin").await.0, StatusCode::NOT_FOUND);
}
