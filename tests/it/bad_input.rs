use reqwest::StatusCode;

use chibo::org::store;

use crate::fixtures::demo::{BRANCH, TOWN, WARD};
use crate::support::{TestApp, input_value, iso, text};

#[tokio::test]
async fn an_empty_or_too_long_name_is_refused_with_the_input_kept() {
    let app = TestApp::spawn().await;
    app.login_as("admin").await;
    let id = app.unit_id(BRANCH).await;
    let before = store::get(&app.pool, id).await.unwrap().unwrap();

    let r = app
        .post(
            &format!("/admin/units/{id}/rename"),
            &[("name", "   "), ("version", "1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("Tên đơn vị không được để trống."));

    let long = format!("Chi bộ {}", "Tổ dân phố rất dài ".repeat(12));
    let r = app
        .post(
            &format!("/admin/units/{id}/rename"),
            &[("name", &long), ("version", "1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(text(&body).contains("Tên đơn vị không được dài quá 200 ký tự."));
    assert_eq!(
        input_value(&body, "name").as_deref(),
        Some(long.as_str()),
        "what was typed is kept"
    );

    let after = store::get(&app.pool, id).await.unwrap().unwrap();
    assert_eq!(
        (after.name, after.version),
        (before.name, before.version),
        "nothing changed"
    );
}

#[tokio::test]
async fn a_move_that_would_make_a_cycle_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.login_as("admin").await;
    let town = app.unit_id(TOWN).await;
    let ward = app.unit_id(WARD).await;
    let paths_before: Vec<String> = sqlx::query_scalar("SELECT path::text FROM units ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    let version = app.unit_version(town).await.to_string();
    let r = app
        .post(
            &format!("/admin/units/{town}/move"),
            &[("parent", &ward.to_string()), ("version", &version)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(
        text(&body)
            .contains("Không thể chuyển một đơn vị vào chính nó hoặc vào đơn vị trực thuộc nó.")
    );
    // Moving a unit under itself is the same cycle.
    let r = app
        .post(
            &format!("/admin/units/{town}/move"),
            &[("parent", &town.to_string()), ("version", &version)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let paths_after: Vec<String> = sqlx::query_scalar("SELECT path::text FROM units ORDER BY id")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(paths_before, paths_after);
}

#[tokio::test]
async fn a_merge_into_a_closed_unit_is_refused_and_changes_nothing() {
    let app = TestApp::spawn().await;
    app.login_as("admin").await;
    let ward = app.unit_id(WARD).await;
    let today = crate::support::today();
    // An empty branch, opened and closed again.
    let closed = store::create(
        &app.pool,
        None,
        store::NewUnit {
            parent_id: Some(ward),
            kind: chibo::org::domain::UnitKind::Branch,
            branch_type: Some(chibo::org::domain::BranchType::ToDanPho),
            name: "Chi bộ Tổ dân phố Đã Giải Thể".into(),
            valid_from: today,
        },
    )
    .await
    .unwrap();
    store::close(&app.pool, None, closed, 1, today, &[])
        .await
        .unwrap();

    let source = app.unit_id(BRANCH).await;
    let members_before: i64 = app.open_members(source).await;
    let date = iso(today);
    let r = app
        .post(
            &format!("/admin/units/{source}/merge"),
            &[
                ("target", &closed.to_string()),
                ("date", &date),
                ("version", "1"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(text(&body).contains("Đơn vị nhận sáp nhập đã ngừng hoạt động."));
    let unit = store::get(&app.pool, source).await.unwrap().unwrap();
    assert!(unit.is_open());
    let members_after: i64 = app.open_members(source).await;
    assert_eq!(members_before, members_after);
    // A branch cannot merge into a committee either.
    let r = app
        .post(
            &format!("/admin/units/{source}/merge"),
            &[
                ("target", &ward.to_string()),
                ("date", &date),
                ("version", "1"),
            ],
        )
        .await;
    assert!(text(&r.text().await.unwrap()).contains("Chỉ sáp nhập chi bộ vào chi bộ"));
}

#[tokio::test]
async fn a_unit_with_members_cannot_just_be_closed() {
    let app = TestApp::spawn().await;
    app.login_as("admin").await;
    let id = app.unit_id(BRANCH).await;
    let r = app
        .post(
            &format!("/admin/units/{id}/close"),
            &[("date", "2026-06-01"), ("successor", ""), ("version", "1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(text(&body).contains("đảng viên đang sinh hoạt"));
    assert_eq!(input_value(&body, "date").as_deref(), Some("2026-06-01"));
    assert!(store::get(&app.pool, id).await.unwrap().unwrap().is_open());
}

#[tokio::test]
async fn a_stale_form_is_refused_and_the_typed_name_is_kept() {
    let app = TestApp::spawn().await;
    app.login_as("admin").await;
    let id = app.unit_id(BRANCH).await;
    // Someone else renames the unit after our form was loaded at version 1.
    let r = app
        .post(
            &format!("/admin/units/{id}/rename"),
            &[("name", "Chi bộ TDP Hưng Lợi"), ("version", "1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app
        .post(
            &format!("/admin/units/{id}/rename"),
            &[("name", "Chi bộ Tổ dân phố Hưng Lợi Mới"), ("version", "1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(text(&body).contains("Dữ liệu vừa được người khác thay đổi"));
    assert_eq!(
        input_value(&body, "name").as_deref(),
        Some("Chi bộ Tổ dân phố Hưng Lợi Mới")
    );
    assert_eq!(
        input_value(&body, "version").as_deref(),
        Some("2"),
        "the form now carries the current version"
    );
    assert_eq!(
        store::get(&app.pool, id).await.unwrap().unwrap().name,
        "Chi bộ TDP Hưng Lợi"
    );
}

#[tokio::test]
async fn a_new_unit_form_with_missing_fields_answers_each_field() {
    let app = TestApp::spawn().await;
    app.login_as("admin").await;
    let ward = app.unit_id(WARD).await;
    let r = app
        .post(
            "/admin/units/new",
            &[
                ("parent", &ward.to_string()),
                ("name", "Chi bộ Thiếu Loại"),
                ("kind", "branch"),
                ("branch_type", ""),
                ("valid_from", "31/02/2026"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    let page = text(&body);
    assert!(page.contains("Vui lòng chọn loại hình chi bộ."));
    assert!(page.contains("Ngày không hợp lệ"));
    assert_eq!(
        input_value(&body, "name").as_deref(),
        Some("Chi bộ Thiếu Loại")
    );
    // A branch cannot be placed under a branch, nor a unit founded before its parent.
    let branch = app.unit_id(BRANCH).await;
    let r = app
        .post(
            "/admin/units/new",
            &[
                ("parent", &branch.to_string()),
                ("name", "Chi bộ Con"),
                ("kind", "branch"),
                ("branch_type", "village"),
                ("valid_from", "2026-01-01"),
            ],
        )
        .await;
    assert!(text(&r.text().await.unwrap()).contains("Dưới chi bộ hoặc tổ đảng chỉ có tổ đảng."));
    let r = app
        .post(
            "/admin/units/new",
            &[
                ("parent", &ward.to_string()),
                ("name", "Chi bộ Quá Sớm"),
                ("kind", "branch"),
                ("branch_type", "village"),
                ("valid_from", "2001-01-01"),
            ],
        )
        .await;
    assert!(text(&r.text().await.unwrap()).contains(
        "Ngày thành lập không thể trước ngày thành lập của đơn vị cấp trên (10/04/2015)."
    ));
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM units WHERE name IN ('Chi bộ Thiếu Loại', 'Chi bộ Con', 'Chi bộ Quá Sớm')")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn a_control_character_in_any_form_field_is_refused_and_nothing_is_written() {
    let app = TestApp::spawn().await;
    let branch = app.unit_id(BRANCH).await;
    let members = || async {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM members")
            .fetch_one(&app.pool)
            .await
            .unwrap()
    };
    let (members_before, unit_before) = (
        members().await,
        store::get(&app.pool, branch).await.unwrap().unwrap(),
    );
    // Who posts, where, the form, and the field that carries the character.
    type Case = (&'static str, String, Vec<(String, String)>, &'static str);
    let cases: Vec<Case> = vec![
        (
            "admin",
            format!("/admin/units/{branch}/rename"),
            vec![
                ("name".into(), "Chi bộ\0 Hưng Lợi".into()),
                ("version".into(), "1".into()),
            ],
            "name",
        ),
        (
            "bithu",
            format!("/members/new?unit={branch}"),
            crate::members::member_form(&[("hometown", "Kỳ\0Anh")]),
            "hometown",
        ),
        (
            "bithu",
            format!("/members/new?unit={branch}"),
            crate::members::member_form(&[("full_name", "Chu Thị\u{7} Nghiệm")]),
            "full_name",
        ),
    ];
    for (who, path, form, field) in cases {
        app.login_as(who).await;
        let r = app.post_form(&path, &form).await;
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{path} {field}"
        );
        let page = text(&r.text().await.unwrap());
        assert!(
            page.contains(&format!("Trường «{field}» có ký tự điều khiển")),
            "{page}"
        );
    }
    assert_eq!(members().await, members_before);
    let after = store::get(&app.pool, branch).await.unwrap().unwrap();
    assert_eq!(
        (after.name, after.version),
        (unit_before.name, unit_before.version)
    );
    // Tabs and line breaks are text.
    app.login_as("bithu").await;
    let r = app
        .post_form(
            &format!("/members/new?unit={branch}"),
            &crate::members::member_form(&[("hometown", "Kỳ Anh,\r\n\tHà Tĩnh")]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}
