//! The audit trail: every change of a meeting's record, a member or a unit written with its
//! history row in the same transaction, histories nobody can rewrite, and the "Lịch sử"
//! pages that show them to those in scope (404 to others).

use reqwest::StatusCode;
use uuid::Uuid;

use crate::fixtures::demo::{BRANCH, WARD};
use crate::support::{TestApp, created_id, input_value, iso, text, this_month, today};

async fn display_name(app: &TestApp, username: &str) -> String {
    sqlx::query_scalar("SELECT display_name FROM users WHERE username = $1")
        .bind(username)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_model_meeting_review_always_has_its_history_row_even_when_reviews_race() {
    let app = TestApp::spawn().await;
    app.login_as("phuong").await;
    let ward = app.unit_id(WARD).await;
    let branch = app.unit_id(BRANCH).await;
    let path = format!("/model-meetings/{ward}");
    let r = app
        .post(
            &path,
            &[("branch", &branch.to_string()), ("month", &this_month())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (planned, version): (Uuid, i32) =
        sqlx::query_as("SELECT id, version FROM model_meetings WHERE branch_id = $1")
            .bind(branch)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    // Eight supervisors save a review from the same form at once: one wins, the others are
    // told the form is stale; the winner's review and its audit row are both there.
    let reviews: Vec<String> = (0..8).map(|i| format!("Nhận xét số {i}")).collect();
    let mut posts = tokio::task::JoinSet::new();
    for review in &reviews {
        let browser = app.other_browser();
        browser.login_as("phuong").await;
        let path = format!("{path}/{planned}");
        let (version, review) = (version.to_string(), review.clone());
        posts.spawn(async move {
            browser
                .post(
                    &path,
                    &[
                        ("upper_attendees", "Đồng chí Bí thư Đảng ủy phường"),
                        ("reviewed_at", &iso(today())),
                        ("review", &review),
                        ("version", &version),
                    ],
                )
                .await
                .status()
        });
    }
    let statuses: Vec<StatusCode> = posts.join_all().await;
    let saved = statuses
        .iter()
        .filter(|s| **s == StatusCode::SEE_OTHER)
        .count();
    assert_eq!(saved, 1, "{statuses:?}");
    assert!(
        statuses.iter().all(|s| !s.is_server_error()),
        "{statuses:?}"
    );
    let (review, now_version): (String, i32) =
        sqlx::query_as("SELECT review, version FROM model_meetings WHERE id = $1")
            .bind(planned)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(now_version, version + 1);
    let rows: Vec<(Option<Uuid>, serde_json::Value, serde_json::Value)> = sqlx::query_as(
        "SELECT user_id, before, after FROM audit_log
          WHERE action = 'model_meeting_reviewed' AND entity = 'model_meeting' AND entity_id = $1",
    )
    .bind(planned)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(rows.len(), 1, "one review saved, one audit row");
    let (user, before, after) = &rows[0];
    let phuong: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE username = 'phuong'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(*user, Some(phuong));
    assert_eq!(before["review"], serde_json::Value::Null);
    assert_eq!(after["review"], review.as_str());
    // Every reviewed plan in the database has its row.
    let unlogged: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM model_meetings p WHERE p.review IS NOT NULL AND p.created_by IS NOT NULL
            AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE a.entity = 'model_meeting'
                              AND a.entity_id = p.id AND a.action = 'model_meeting_reviewed')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(unlogged, 0);
    // The unit's history says so.
    let (status, page) = app.get(&format!("/units/{branch}/history")).await;
    assert_eq!(status, StatusCode::OK);
    let page = text(&page);
    assert!(page.contains("Nhận xét buổi sinh hoạt điểm"), "{page}");
    assert!(page.contains(&review), "{page}");
    assert!(page.contains(&display_name(&app, "phuong").await), "{page}");
}

#[tokio::test]
async fn no_history_row_can_be_edited_or_deleted() {
    let app = TestApp::spawn().await;
    let count = async |table: &str| -> i64 {
        sqlx::query_scalar(&format!("SELECT count(*) FROM {table}"))
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };
    for (table, column) in [
        ("audit_log", "action"),
        ("member_events", "reason"),
        ("meeting_events", "reason"),
    ] {
        let n = count(table).await;
        assert!(n > 0, "the demo wrote {table}");
        for sql in [
            format!("UPDATE {table} SET {column} = 'sửa lại'"),
            format!("DELETE FROM {table}"),
            format!("TRUNCATE {table} CASCADE"),
        ] {
            let err = sqlx::query(&sql).execute(&app.pool).await.expect_err(&sql);
            assert!(err.to_string().contains("append-only"), "{sql}: {err}");
        }
        assert_eq!(count(table).await, n, "{table} unchanged");
    }
    // Nor through a parent: a meeting with a history is not deleted with it.
    let err = sqlx::query(
        "DELETE FROM meetings WHERE id = (SELECT meeting_id FROM meeting_events LIMIT 1)",
    )
    .execute(&app.pool)
    .await
    .expect_err("a meeting with events");
    assert!(err.to_string().contains("append-only"), "{err}");
}

#[tokio::test]
async fn a_meetings_history_shows_who_changed_what_and_is_not_found_elsewhere() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    let r = app
        .plan_meeting(branch, &[("kind", "regular"), ("month", &this_month())])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id = created_id(&r, "/meetings/");
    let (member, name): (Uuid, String) = sqlx::query_as(
        "SELECT a.member_id, m.full_name FROM attendance a JOIN members m ON m.id = a.member_id
          WHERE a.meeting_id = $1 AND a.category = 'expected' ORDER BY m.id LIMIT 1",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let r = app
        .post(
            &format!("/meetings/{id}/attendance/{member}"),
            &[("presence", "absent_excused"), ("reason", "Đi công tác")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app
        .post(
            &format!("/meetings/{id}/guests"),
            &[
                ("name", "Nguyễn Văn Khách"),
                ("position", ""),
                ("from_unit", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app
        .post(
            &format!("/meetings/{id}/tasks"),
            &[
                ("member", &member.to_string()),
                ("description", "Vận động hội viên"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Each change has its row, written by bithu.
    let actions: Vec<String> = sqlx::query_scalar(
        "SELECT a.action FROM audit_log a JOIN users u ON u.id = a.user_id
          WHERE a.entity = 'meeting' AND a.entity_id = $1 AND u.username = 'bithu' ORDER BY a.id",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(actions, ["attendance_marked", "guest_added", "task_added"]);

    let (_, show) = app.get(&format!("/meetings/{id}")).await;
    assert!(show.contains(&format!("href=\"/meetings/{id}/history\"")));
    let (status, page) = app.get(&format!("/meetings/{id}/history")).await;
    assert_eq!(status, StatusCode::OK);
    let page = text(&page);
    let bithu = display_name(&app, "bithu").await;
    for needle in [
        "Lịch sử",
        "Điểm danh",
        name.as_str(),
        "Lý do: — → Đi công tác",
        // The stored code worded as the sheet words it.
        "Điểm danh: — → Vắng có lý do",
        "Mời khách",
        "Nguyễn Văn Khách",
        "Giao nhiệm vụ",
        "Vận động hội viên",
        "Lên kế hoạch",
        bithu.as_str(),
    ] {
        assert!(page.contains(needle), "{needle:?} in {page}");
    }
    assert!(
        !page.contains("absent_excused"),
        "no stored code shows: {page}"
    );

    // A supervisor of another commune: not found, as for an id that does not exist.
    let other = app.other_browser();
    other.login_as("xaductho").await;
    assert_eq!(
        other.get(&format!("/meetings/{id}/history")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other.get(&format!("/members/{member}/history")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other.get(&format!("/units/{branch}/history")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other
            .get(&format!("/meetings/{}/history", Uuid::now_v7()))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn a_members_history_shows_an_edit_before_and_after() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    let member: Uuid = sqlx::query_scalar(
        "SELECT m.id FROM memberships ms JOIN members m ON m.id = ms.member_id
          WHERE ms.unit_id = $1 AND ms.valid_to IS NULL AND ms.kind = 'permanent'
            AND m.status = 'full' AND m.lifecycle_state = 'active' ORDER BY m.id LIMIT 1",
    )
    .bind(branch)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let (_, form) = app.get(&format!("/members/{member}/edit")).await;
    let field = |name: &str| input_value(&form, name).unwrap_or_default();
    let mut pairs: Vec<(String, String)> = [
        "full_name",
        "birth_date",
        "hometown",
        "phone",
        "card_no",
        "admission_date",
        "admission_decision_date",
        "official_date",
        "version",
    ]
    .iter()
    .map(|n| (n.to_string(), field(n)))
    .collect();
    let gender: String = sqlx::query_scalar("SELECT gender FROM members WHERE id = $1")
        .bind(member)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    pairs.push(("gender".into(), gender));
    pairs.push(("status".into(), "full".into()));
    for p in pairs.iter_mut().filter(|(k, _)| k == "hometown") {
        p.1 = "Xã Kỳ Hoa, Hà Tĩnh".into();
    }
    let r = app
        .post_form(&format!("/members/{member}/edit"), &pairs)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, show) = app.get(&format!("/members/{member}")).await;
    assert!(show.contains(&format!("href=\"/members/{member}/history\"")));
    let (status, page) = app.get(&format!("/members/{member}/history")).await;
    assert_eq!(status, StatusCode::OK);
    let page = text(&page);
    assert!(page.contains("Sửa thông tin"), "{page}");
    assert!(page.contains("Quê quán:"), "{page}");
    assert!(page.contains("→ Xã Kỳ Hoa, Hà Tĩnh"), "{page}");
    assert!(page.contains(&display_name(&app, "bithu").await), "{page}");
}

#[tokio::test]
async fn a_units_history_shows_a_rename_by_the_administrator() {
    let app = TestApp::spawn().await;
    app.login_as("admin").await;
    let branch = app.unit_id(BRANCH).await;
    let version = app.unit_version(branch).await;
    let r = app
        .post(
            &format!("/admin/units/{branch}/rename"),
            &[
                ("name", "Chi bộ Tổ dân phố Hưng Lợi Mới"),
                ("version", &version.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, unit_page) = app.get(&format!("/units/{branch}")).await;
    assert!(unit_page.contains(&format!("href=\"/units/{branch}/history\"")));
    let (status, page) = app.get(&format!("/units/{branch}/history")).await;
    assert_eq!(status, StatusCode::OK);
    let page = text(&page);
    assert!(page.contains("Đổi tên đơn vị"), "{page}");
    assert!(
        page.contains("Chi bộ Tổ dân phố Hưng Lợi → Chi bộ Tổ dân phố Hưng Lợi Mới"),
        "{page}"
    );
    assert!(page.contains(&display_name(&app, "admin").await), "{page}");
}
