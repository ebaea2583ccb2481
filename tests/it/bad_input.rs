use reqwest::StatusCode;

use chibo::org::store;

use crate::fixtures::demo::{BRANCH, NEIGHBOUR, TOWN, WARD};
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
        // The form comes back with its message, above it and at the field.
        let page = text(&r.text().await.unwrap());
        assert!(
            page.contains("Có ô chứa ký tự điều khiển") && page.contains(chibo::web::CONTROL_CHARS),
            "{field}: {page}"
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

/// This month's meeting of `branch`, planned (nobody marked yet).
async fn planned_meeting(app: &TestApp, branch: &str) -> uuid::Uuid {
    let branch = app.unit_id(branch).await;
    crate::fixtures::meeting(app, branch, crate::fixtures::State::Planned)
        .await
        .id
}

#[tokio::test]
async fn a_vote_count_that_would_wrap_the_sum_is_refused_at_its_field() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let id = planned_meeting(&app, BRANCH).await;
    // 1 + 4294967295 + 1 wrapped a u32 sum to 1, which passed the eligible check; the
    // insert then broke the table's CHECK: a 500.
    let r = app
        .post(
            &format!("/meetings/{id}/votes"),
            &[
                ("subject", "Thông qua nghị quyết tháng"),
                ("votes_for", "1"),
                ("against", "4294967295"),
                ("abstain", "1"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(
        text(&body).contains("Số phiếu phải là số tự nhiên, từ 0 đến 100000."),
        "{}",
        text(&body)
    );
    assert_eq!(
        input_value(&body, "subject").as_deref(),
        Some("Thông qua nghị quyết tháng")
    );
    assert_eq!(input_value(&body, "against").as_deref(), Some("4294967295"));
    // A count beyond any branch is refused the same way, whatever its neighbours.
    let r = app
        .post(
            &format!("/meetings/{id}/votes"),
            &[
                ("subject", "Thông qua nghị quyết tháng"),
                ("votes_for", "99999999999999999999"),
                ("against", "0"),
                ("abstain", "0"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.count("SELECT count(*) FROM votes WHERE meeting_id = $1", id)
            .await,
        0
    );
}

#[tokio::test]
async fn a_time_or_a_date_outside_1930_to_2100_is_refused_at_its_field() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let id = planned_meeting(&app, BRANCH).await;
    let v = app.meeting_version(id).await.to_string();
    // Year −262143: seven hours earlier is before chrono's first day, a panic in the store.
    let r = app
        .post(
            &format!("/meetings/{id}/minutes"),
            &[
                ("version", v.as_str()),
                ("started_at", "-262143-01-01T00:00"),
                ("ended_at", "9999-12-31T23:59"),
                ("resolution", "Nghị quyết tháng"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    let page = text(&body);
    assert_eq!(
        page.matches("Ngày phải trong khoảng 01/01/1930 – 31/12/2100.")
            .count(),
        2,
        "{page}"
    );
    assert!(body.contains("Nghị quyết tháng"), "input kept");
    let started: Option<chrono::DateTime<chrono::Utc>> =
        sqlx::query_scalar("SELECT started_at FROM meetings WHERE id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(started, None);
    assert_eq!(
        app.meeting_version(id).await.to_string(),
        v,
        "nothing saved"
    );

    // A task due in year 9999 and a unit founded in 1800: the same message.
    let r = app
        .post(
            &format!("/meetings/{id}/tasks"),
            &[
                ("description", "Vận động đóng đảng phí"),
                ("group", "Chi ủy"),
                ("due_on", "31/12/9999"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("Ngày phải trong khoảng 01/01/1930"));
    assert_eq!(
        app.count("SELECT count(*) FROM tasks WHERE meeting_id = $1", id)
            .await,
        0
    );
    app.login_as("admin").await;
    let ward = app.unit_id(WARD).await;
    let r = app
        .post(
            "/admin/units/new",
            &[
                ("parent", &ward.to_string()),
                ("name", "Chi bộ Quá Xưa"),
                ("kind", "branch"),
                ("branch_type", "village"),
                ("valid_from", "01/01/1800"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(text(&body).contains("Ngày phải trong khoảng 01/01/1930 – 31/12/2100."));
    assert_eq!(
        input_value(&body, "name").as_deref(),
        Some("Chi bộ Quá Xưa")
    );
}

#[tokio::test]
async fn a_transfer_to_a_branch_the_form_does_not_offer_is_refused() {
    let app = TestApp::spawn().await;
    crate::fixtures::login_ward_keeper(&app).await;
    let home = app.unit_id(BRANCH).await;
    let member = crate::members::plain_member(&app, home).await;
    // An open branch outside the town: another commune's, not among the form's choices.
    let far: uuid::Uuid = sqlx::query_scalar(
        "SELECT b.id FROM units b, units t
          WHERE t.name = $1 AND b.kind IN ('branch', 'grassroots_branch') AND b.valid_to IS NULL
            AND NOT b.path <@ t.path
          ORDER BY b.id LIMIT 1",
    )
    .bind(TOWN)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let (_, form) = app.get(&format!("/members/{member}/transfer")).await;
    assert!(
        !form.contains(&far.to_string()),
        "the form does not offer it"
    );
    let v = app.member_version(member).await.to_string();
    for kind in ["temporary", "permanent"] {
        let r = app
            .post(
                &format!("/members/{member}/transfer"),
                &[
                    ("kind", kind),
                    ("target", &far.to_string()),
                    ("on_date", &iso(crate::support::today())),
                    ("reference", "07/GGT"),
                    ("confirm", "1"),
                    ("version", &v),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{kind}");
        let body = r.text().await.unwrap();
        assert!(
            text(&body).contains("Không tìm thấy chi bộ đến trong danh sách có thể chọn."),
            "{kind}: {}",
            text(&body)
        );
    }
    let elsewhere: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM memberships WHERE member_id = $1 AND unit_id = $2",
    )
    .bind(member)
    .bind(far)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(elsewhere, 0);
    assert_eq!(app.member_version(member).await.to_string(), v);
}

#[tokio::test]
async fn a_guest_or_an_item_of_another_meeting_is_not_found_and_stays() {
    let app = TestApp::spawn().await;
    crate::fixtures::login_ward_keeper(&app).await;
    let mine = planned_meeting(&app, BRANCH).await;
    let theirs = planned_meeting(&app, NEIGHBOUR).await;
    let r = app
        .post(
            &format!("/meetings/{theirs}/guests"),
            &[
                ("name", "Nguyễn Văn Khách"),
                ("from_unit", "Đảng ủy phường"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let guest: uuid::Uuid =
        sqlx::query_scalar("SELECT id FROM meeting_guests WHERE meeting_id = $1")
            .bind(theirs)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let r = app
        .post(&format!("/meetings/{mine}/guests/{guest}/delete"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("SELECT count(*) FROM meeting_guests WHERE id = $1", guest)
            .await,
        1,
        "the other meeting's guest stays"
    );
    // An agenda item, a task review and an attendance line of the other meeting alike.
    let item: uuid::Uuid = sqlx::query_scalar(
        "SELECT id FROM agenda_items WHERE meeting_id = $1 ORDER BY position LIMIT 1",
    )
    .bind(theirs)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let r = app
        .post(
            &format!("/meetings/{mine}/agenda/{item}"),
            &[("action", "delete")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("SELECT count(*) FROM agenda_items WHERE id = $1", item)
            .await,
        1
    );
    let neighbour: uuid::Uuid = sqlx::query_scalar(
        "SELECT member_id FROM attendance WHERE meeting_id = $1 AND member_id NOT IN
           (SELECT member_id FROM attendance WHERE meeting_id = $2) LIMIT 1",
    )
    .bind(theirs)
    .bind(mine)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let rows = "SELECT count(*) FROM attendance WHERE member_id = $1 AND presence IS NOT NULL";
    let before = app.count(rows, neighbour).await;
    let r = app
        .post(
            &format!("/meetings/{mine}/attendance/{neighbour}"),
            &[("presence", "present")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let in_mine: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM attendance WHERE meeting_id = $1 AND member_id = $2",
    )
    .bind(mine)
    .bind(neighbour)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        in_mine, 0,
        "no attendance row for a member of another branch"
    );
    assert_eq!(app.count(rows, neighbour).await, before);
}

#[tokio::test]
async fn a_control_character_is_refused_at_its_field_with_the_form_kept() {
    let app = TestApp::spawn().await;
    app.login_as("admin").await;
    let ward = app.unit_id(WARD).await;
    let r = app
        .post(
            "/admin/units/new",
            &[
                ("parent", &ward.to_string()),
                ("name", "Chi bộ\u{0} Mới"),
                ("kind", "branch"),
                ("branch_type", "village"),
                ("valid_from", "2026-01-15"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert_eq!(
        crate::support::texts(&body, "#name-err"),
        ["Không được chứa ký tự điều khiển."]
    );
    assert_eq!(
        input_value(&body, "valid_from").as_deref(),
        Some("2026-01-15")
    );
    assert!(
        body.contains("value=\"village\" selected"),
        "the choice kept"
    );
    let count: i64 = sqlx::query_scalar("SELECT count(*) FROM units WHERE name LIKE 'Chi bộ%Mới'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(count, 0);

    // A form whose parse has no field for it (a quarter's topic): the database's refusal of
    // NUL is a 422 page, never a 500.
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    let r = app
        .post(
            &format!("/units/{branch}/thematic"),
            &[
                ("year", "2027"),
                ("quarter", "1"),
                ("topic", "Chuyên đề\u{0}"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("Không được chứa ký tự điều khiển."));
    // In a path or a query, no page of ours sends one.
    let (status, _) = app.get("/members?q=%00").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// A NUL typed into a quarter's topic: refused at that quarter with the rest of the text
/// kept, nothing saved (it was the database's refusal, on a page without the form).
#[tokio::test]
async fn a_control_character_in_a_thematic_topic_is_refused_with_the_text_kept() {
    let app = TestApp::spawn().await;
    let branch = app.unit_id(BRANCH).await;
    app.login_as("bithu").await;
    let year = crate::support::today().format("%Y").to_string();
    let before: i64 = sqlx::query_scalar("SELECT count(*) FROM thematic_plans WHERE unit_id = $1")
        .bind(branch)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let r = app
        .post(
            &format!("/units/{branch}/thematic"),
            &[
                ("year", year.as_str()),
                ("quarter", "3"),
                ("topic", "Học tập\0 Nghị quyết"),
                ("version", "0"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        text(&html).contains("Chuyên đề quý 3: Không được chứa ký tự điều khiển."),
        "{}",
        text(&html)
    );
    assert!(
        input_value(&html, "topic").is_some(),
        "the quarters' forms are shown again"
    );
    assert!(html.contains("Học tập Nghị quyết"), "the text kept");
    let after: i64 = sqlx::query_scalar("SELECT count(*) FROM thematic_plans WHERE unit_id = $1")
        .bind(branch)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(after, before, "nothing saved");
}
