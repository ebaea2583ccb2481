use std::collections::HashMap;

use chrono::Duration;
use reqwest::StatusCode;
use uuid::Uuid;

use crate::fixtures::demo::{BRANCH, COMMUNE, NEIGHBOUR, WARD};
use crate::fixtures::{self, Status};
use crate::support::{TestApp, input_value, iso, location, number_after, text};

/// A valid new member, with `changes` applied.
pub(crate) fn member_form(changes: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut f: HashMap<&str, String> = [
        ("full_name", "Chu Thị Nghiệm"),
        ("gender", "female"),
        ("birth_date", "1985-04-12"),
        ("hometown", "Kỳ Anh, Hà Tĩnh"),
        ("phone", "0912 000 111"),
        ("card_no", "98765432"),
        ("admission_date", "2010-06-01"),
        ("admission_decision_date", "2010-05-20"),
        ("official_date", "2011-06-01"),
        ("status", "full"),
        ("version", "0"),
    ]
    .into_iter()
    .map(|(k, v)| (k, v.to_owned()))
    .collect();
    for (k, v) in changes {
        f.insert(k, (*v).to_owned());
    }
    f.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

async fn member_named(app: &TestApp, name: &str) -> Uuid {
    sqlx::query_scalar("SELECT id FROM members WHERE full_name = $1")
        .bind(name)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// A full, active member of `branch` without a committee post, a login or a temporary
/// membership elsewhere (the demo attaches a few members to another branch while they stay
/// active at home; which ones depends on the date it is generated around).
pub(crate) async fn plain_member(app: &TestApp, branch: Uuid) -> Uuid {
    sqlx::query_scalar(
        "SELECT m.id FROM memberships ms JOIN members m ON m.id = ms.member_id
          WHERE ms.unit_id = $1 AND ms.valid_to IS NULL AND ms.kind = 'permanent'
            AND m.status = 'full' AND m.lifecycle_state = 'active'
            AND NOT EXISTS (SELECT 1 FROM committee_roles r WHERE r.member_id = m.id AND r.valid_to IS NULL)
            AND NOT EXISTS (SELECT 1 FROM memberships t WHERE t.member_id = m.id AND t.kind = 'temporary'
                              AND t.valid_to IS NULL)
            AND NOT EXISTS (SELECT 1 FROM users u WHERE u.member_id = m.id)
          ORDER BY m.id LIMIT 1",
    )
    .bind(branch)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn a_secretary_adds_a_member_who_appears_in_the_list_with_history() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    let before = app.open_members(branch).await;
    let r = app
        .post_form(&format!("/members/new?unit={branch}"), &member_form(&[]))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id = member_named(&app, "Chu Thị Nghiệm").await;
    assert_eq!(location(&r), format!("/members/{id}"));
    assert_eq!(app.open_members(branch).await, before + 1);
    let (_, list) = app.get(&format!("/units/{branch}/members")).await;
    let list = text(&list);
    assert!(list.contains("Chu Thị Nghiệm"));
    assert!(list.contains(&format!("Đảng số {}", before + 1)), "{list}");
    let (_, page) = app.get(&format!("/members/{id}")).await;
    let page = text(&page);
    assert!(page.contains("Thêm vào danh sách"), "history: {page}");
    assert!(page.contains("20/05/2010") && page.contains("01/06/2010"));
}

#[tokio::test]
async fn impossible_records_and_duplicate_cards_are_refused_with_the_form_kept() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    let before = app
        .count(
            "SELECT count(*) FROM members WHERE $1::uuid IS NOT NULL",
            branch,
        )
        .await;
    let path = format!("/members/new?unit={branch}");
    // (changed fields, the message expected)
    type Case<'a> = (&'a [(&'a str, &'a str)], &'a str);
    let cases: [Case; 5] = [
        (
            &[("birth_date", "2012-01-01")],
            "Ngày kết nạp phải sau ngày sinh.",
        ),
        (&[("birth_date", "1995-01-01")], "đủ 18 tuổi"),
        (&[("official_date", "2009-01-01")], "sau ngày kết nạp"),
        (&[("full_name", "Nghiệm")], "đủ họ và tên"),
        (&[("status", "")], "dự bị hoặc chính thức"),
    ];
    for (changes, message) in cases {
        let r = app.post_form(&path, &member_form(changes)).await;
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "{changes:?}");
        let body = r.text().await.unwrap();
        assert!(
            text(&body).contains(message),
            "{changes:?}: {}",
            text(&body)
        );
        assert_eq!(
            input_value(&body, "hometown").as_deref(),
            Some("Kỳ Anh, Hà Tĩnh"),
            "input kept"
        );
    }
    // A card number a member of the branch already holds: the message names the holder.
    let (card, holder) = card_held_under(&app, BRANCH).await;
    let r = app
        .post_form(&path, &member_form(&[("card_no", &card)]))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains(&format!(
        "Số thẻ {card} đã được cấp cho đảng viên {holder}."
    )));
    let after = app
        .count(
            "SELECT count(*) FROM members WHERE $1::uuid IS NOT NULL",
            branch,
        )
        .await;
    assert_eq!(before, after, "nothing written");
}

#[tokio::test]
async fn a_secretary_cannot_see_or_change_another_branchs_members() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let other = app.unit_id(NEIGHBOUR).await;
    let member = plain_member(&app, other).await;
    for path in [
        format!("/units/{other}/members"),
        format!("/units/{other}/members.xlsx"),
        format!("/units/{other}/committee"),
        format!("/units/{other}/members/import"),
        format!("/members/new?unit={other}"),
        format!("/members/{member}"),
        format!("/members/{member}/edit"),
        format!("/members/{member}/transfer"),
    ] {
        assert_eq!(app.get(&path).await.0, StatusCode::NOT_FOUND, "{path}");
    }
    let v = app.member_version(member).await.to_string();
    let r = app
        .post_form(
            &format!("/members/{member}/edit"),
            &member_form(&[("version", &v), ("card_no", "")]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = app
        .post_form(&format!("/members/new?unit={other}"), &member_form(&[]))
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(app.member_version(member).await.to_string(), v, "unchanged");
}

#[tokio::test]
async fn exemption_changes_the_counts_and_is_kept_in_history() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    let member = plain_member(&app, branch).await;
    let list_text = |body: String| text(&body);
    let (_, before) = app.get(&format!("/units/{branch}/members")).await;
    let before = list_text(before);
    let exempt_before: usize = number_after(&before, "Miễn sinh hoạt");
    let base_before: usize = number_after(&before, "Phải có mặt khi sinh hoạt");

    let today = iso(crate::support::today());
    let v = app.member_version(member).await.to_string();
    // Without the confirmation, or without a reason, nothing happens.
    let r = app
        .post(
            &format!("/members/{member}/exempt"),
            &[
                ("on_date", &today),
                ("reason", "Tuổi cao, sức yếu"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("Vui lòng đánh dấu ô xác nhận."));
    let r = app
        .post(
            &format!("/members/{member}/exempt"),
            &[
                ("on_date", &today),
                ("reason", ""),
                ("confirm", "1"),
                ("version", &v),
            ],
        )
        .await;
    assert!(text(&r.text().await.unwrap()).contains("Vui lòng ghi lý do miễn sinh hoạt."));
    let r = app
        .post(
            &format!("/members/{member}/exempt"),
            &[
                ("on_date", &today),
                ("reason", "Tuổi cao, sức yếu"),
                ("reference", "05-QĐ/CB"),
                ("confirm", "1"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, after) = app.get(&format!("/units/{branch}/members")).await;
    let after = list_text(after);
    assert_eq!(number_after(&after, "Miễn sinh hoạt"), exempt_before + 1);
    assert_eq!(
        number_after(&after, "Phải có mặt khi sinh hoạt"),
        base_before - 1
    );
    // The same stale form a second time is refused.
    let r = app
        .post(
            &format!("/members/{member}/exempt"),
            &[
                ("on_date", &today),
                ("reason", "x"),
                ("confirm", "1"),
                ("version", &v),
            ],
        )
        .await;
    assert!(text(&r.text().await.unwrap()).contains("vừa được người khác thay đổi"));
    let v = app.member_version(member).await.to_string();
    let r = app
        .post(
            &format!("/members/{member}/end-exemption"),
            &[("on_date", &today), ("confirm", "1"), ("version", &v)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let kinds: Vec<String> = sqlx::query_scalar(
        "SELECT kind FROM member_events WHERE member_id = $1 ORDER BY created_at",
    )
    .bind(member)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(kinds, ["exempted", "exemption_ended"]);
    let (_, page) = app.get(&format!("/members/{member}")).await;
    let page = text(&page);
    assert!(
        page.contains("Miễn công tác và sinh hoạt đảng")
            && page.contains("05-QĐ/CB")
            && page.contains("Tuổi cao, sức yếu")
    );
}

#[tokio::test]
async fn recognition_waits_for_twelve_months() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    let today = crate::support::today();
    let admitted = today - Duration::days(400);
    let form = member_form(&[
        ("status", "probationary"),
        ("official_date", ""),
        ("card_no", ""),
        ("admission_date", &iso(admitted)),
        ("admission_decision_date", ""),
    ]);
    let r = app
        .post_form(&format!("/members/new?unit={branch}"), &form)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id = member_named(&app, "Chu Thị Nghiệm").await;
    let (_, page) = app.get(&format!("/members/{id}")).await;
    assert!(
        text(&page).contains("Quá hạn xét công nhận chính thức"),
        "overdue shown"
    );
    let early = iso(admitted + Duration::days(200));
    let v = app.member_version(id).await.to_string();
    let r = app
        .post(
            &format!("/members/{id}/recognise"),
            &[
                ("on_date", &early),
                ("reference", "12-QĐ/ĐU"),
                ("confirm", "1"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text(&r.text().await.unwrap()).contains("Ngày không thể trước ngày hết 12 tháng dự bị")
    );
    let r = app
        .post(
            &format!("/members/{id}/recognise"),
            &[
                ("on_date", &iso(today)),
                ("reference", "12-QĐ/ĐU"),
                ("confirm", "1"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let status: String = sqlx::query_scalar("SELECT status FROM members WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "full");
}

#[tokio::test]
async fn transfers_move_members_and_keep_the_old_branch_in_history() {
    let app = TestApp::spawn().await;
    crate::fixtures::login_ward_keeper(&app).await;
    let home = app.unit_id(BRANCH).await;
    let target = app.unit_id(NEIGHBOUR).await;
    let today = iso(crate::support::today());

    // Refused: the same branch, a closed branch, no letter number.
    let member = plain_member(&app, home).await;
    let v = app.member_version(member).await.to_string();
    let base = |target: String, reference: &str| {
        vec![
            ("kind".to_owned(), "permanent".to_owned()),
            ("target".to_owned(), target),
            ("on_date".to_owned(), today.clone()),
            ("reference".to_owned(), reference.to_owned()),
            ("confirm".to_owned(), "1".to_owned()),
            ("version".to_owned(), v.clone()),
        ]
    };
    let r = app
        .post_form(
            &format!("/members/{member}/transfer"),
            &base(home.to_string(), "01/GGT"),
        )
        .await;
    assert!(text(&r.text().await.unwrap()).contains("chính chi bộ hiện tại"));
    let r = app
        .post_form(
            &format!("/members/{member}/transfer"),
            &base(target.to_string(), ""),
        )
        .await;
    assert!(text(&r.text().await.unwrap()).contains("Vui lòng ghi số giấy giới thiệu."));
    let closed = chibo::org::store::create(
        &app.pool,
        None,
        chibo::org::store::NewUnit {
            parent_id: Some(app.unit_id(WARD).await),
            kind: chibo::org::domain::UnitKind::Branch,
            branch_type: Some(chibo::org::domain::BranchType::ToDanPho),
            name: "Chi bộ Tổ dân phố Cũ".into(),
            valid_from: crate::support::today(),
        },
    )
    .await
    .unwrap();
    chibo::org::store::close(&app.pool, None, closed, 1, crate::support::today(), &[])
        .await
        .unwrap();
    let r = app
        .post_form(
            &format!("/members/{member}/transfer"),
            &base(closed.to_string(), "01/GGT"),
        )
        .await;
    let body = text(&r.text().await.unwrap());
    assert!(
        body.contains("Chi bộ Tổ dân phố Cũ đã ngừng hoạt động."),
        "{body}"
    );
    assert_eq!(app.open_members(closed).await, 0);

    // Permanent: one open permanent membership, now in the target; the old one closed.
    let home_before = app.open_members(home).await;
    let r = app
        .post_form(
            &format!("/members/{member}/transfer"),
            &base(target.to_string(), "15/GGT"),
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.open_members(home).await, home_before - 1);
    let open: Vec<(Uuid, String)> = sqlx::query_as(
        "SELECT unit_id, kind FROM memberships WHERE member_id = $1 AND valid_to IS NULL",
    )
    .bind(member)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(open, vec![(target, "permanent".to_owned())]);
    let (_, page) = app.get(&format!("/members/{member}")).await;
    let page = text(&page);
    assert!(page.contains(BRANCH) && page.contains(NEIGHBOUR) && page.contains("15/GGT"));

    // Temporary: away at home, listed at the host but not in its đảng số.
    let member = plain_member(&app, home).await;
    let v = app.member_version(member).await.to_string();
    let (_, host_before) = app.get(&format!("/units/{target}/members")).await;
    let dang_so_before = number_after(&text(&host_before), "Đảng số");
    let form = vec![
        ("kind".to_owned(), "temporary".to_owned()),
        ("target".to_owned(), target.to_string()),
        ("on_date".to_owned(), today.clone()),
        ("reference".to_owned(), "16/GGT".to_owned()),
        ("confirm".to_owned(), "1".to_owned()),
        ("version".to_owned(), v),
    ];
    let r = app
        .post_form(&format!("/members/{member}/transfer"), &form)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, host) = app.get(&format!("/units/{target}/members")).await;
    let host = text(&host);
    assert_eq!(
        number_after(&host, "Đảng số"),
        dang_so_before,
        "not in the host's đảng số"
    );
    assert!(number_after(&host, "Sinh hoạt tạm thời tại chi bộ") >= 1);
    let state: String = sqlx::query_scalar("SELECT lifecycle_state FROM members WHERE id = $1")
        .bind(member)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(state, "away");
    let v = app.member_version(member).await.to_string();
    let r = app
        .post(
            &format!("/members/{member}/return"),
            &[("on_date", &today), ("confirm", "1"), ("version", &v)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let state: String = sqlx::query_scalar("SELECT lifecycle_state FROM members WHERE id = $1")
        .bind(member)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(state, "active");
}

#[tokio::test]
async fn striking_off_removes_from_the_list_and_keeps_the_record() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    let member = plain_member(&app, branch).await;
    let name: String = sqlx::query_scalar("SELECT full_name FROM members WHERE id = $1")
        .bind(member)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let before = app.open_members(branch).await;
    let v = app.member_version(member).await.to_string();
    let today = iso(crate::support::today());
    let r = app
        .post(
            &format!("/members/{member}/leave"),
            &[
                ("kind", "struck_off"),
                ("on_date", &today),
                ("reference", ""),
                ("confirm", "1"),
                ("version", &v),
            ],
        )
        .await;
    assert!(text(&r.text().await.unwrap()).contains("Vui lòng ghi số quyết định."));
    let r = app
        .post(
            &format!("/members/{member}/leave"),
            &[
                ("kind", "struck_off"),
                ("on_date", &today),
                ("reference", "07-QĐ/ĐU"),
                ("reason", "Bỏ sinh hoạt 3 tháng trong năm"),
                ("confirm", "1"),
                ("version", &v),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("/units/{branch}/members"));
    assert_eq!(app.open_members(branch).await, before - 1);
    let (_, page) = app.get(&format!("/members/{member}")).await;
    let page = text(&page);
    assert!(
        page.contains(&name) && page.contains("Đã xóa tên") && page.contains("07-QĐ/ĐU"),
        "{page}"
    );
}

#[tokio::test]
async fn committee_posts_follow_the_rules_and_show_warnings() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    let (status, page) = app.get(&format!("/units/{branch}/committee")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&page).contains("Bí thư"));
    let member = plain_member(&app, branch).await;
    let today = iso(crate::support::today());
    let r = app
        .post(
            &format!("/units/{branch}/committee"),
            &[
                ("member", &member.to_string()),
                ("role", "secretary"),
                ("valid_from", &today),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("Chi bộ đang có bí thư"));
    let outsider = plain_member(&app, app.unit_id(NEIGHBOUR).await).await;
    let r = app
        .post(
            &format!("/units/{branch}/committee"),
            &[
                ("member", &outsider.to_string()),
                ("role", "committee_member"),
                ("valid_from", &today),
            ],
        )
        .await;
    assert!(text(&r.text().await.unwrap()).contains("không phải đảng viên của chi bộ này"));
    let r = app
        .post(
            &format!("/units/{branch}/committee"),
            &[
                ("member", &member.to_string()),
                ("role", "deputy_secretary"),
                ("valid_from", &today),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get(&format!("/units/{branch}/committee")).await;
    assert!(
        text(&page).contains("2 phó bí thư; chỉ được có một."),
        "warning shown"
    );

    // An empty new branch: no secretary, fewer than 3 full members.
    let admin = app.other_browser();
    admin.login_as("admin").await;
    let ward = app.unit_id(WARD).await;
    admin
        .post(
            "/admin/units/new",
            &[
                ("parent", &ward.to_string()),
                ("name", "Chi bộ Tổ dân phố Mới Lập"),
                ("kind", "branch"),
                ("branch_type", "residential_group"),
                ("valid_from", &today),
            ],
        )
        .await;
    let new_branch = app.unit_id("Chi bộ Tổ dân phố Mới Lập").await;
    let (_, home) = admin.get(&format!("/units/{new_branch}")).await;
    let home = text(&home);
    assert!(
        home.contains("Chi bộ chưa có bí thư.") && home.contains("cần ít nhất 3"),
        "{home}"
    );
}

#[tokio::test]
async fn the_member_list_exports_to_excel() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    let r = app
        .client
        .get(app.url(&format!("/units/{branch}/members.xlsx")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(".xlsx")
    );
    let bytes = r.bytes().await.unwrap();
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes.to_vec())).unwrap();
    let sheet = wb.worksheet_range("Danh sách đảng viên").unwrap();
    let names: Vec<String> = sheet.rows().skip(3).map(|r| r[1].to_string()).collect();
    let expected = app.open_members(branch).await as usize;
    assert!(expected > 0, "the demo branch has members");
    assert_eq!(names.len(), expected);
    assert!(names.iter().all(|n| !n.is_empty()));
}

#[tokio::test]
async fn editing_keeps_the_old_values_and_refuses_a_stale_form() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    let member = plain_member(&app, branch).await;
    let (status, form) = app.get(&format!("/members/{member}/edit")).await;
    assert_eq!(status, StatusCode::OK);
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
    let old_phone = field("phone");
    for p in pairs.iter_mut().filter(|(k, _)| k == "phone") {
        p.1 = "0987 654 321".into();
    }
    let r = app
        .post_form(&format!("/members/{member}/edit"), &pairs)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (before, after): (serde_json::Value, serde_json::Value) = sqlx::query_as(
        "SELECT before, after FROM member_events WHERE member_id = $1 AND kind = 'edited'",
    )
    .bind(member)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(after["phone"], "0987654321");
    assert_eq!(before["phone"].as_str().unwrap_or(""), old_phone.as_str());
    // The same (now stale) form again: refused, the typed phone kept.
    for p in pairs.iter_mut().filter(|(k, _)| k == "phone") {
        p.1 = "0911 111 111".into();
    }
    let r = app
        .post_form(&format!("/members/{member}/edit"), &pairs)
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(text(&body).contains("vừa được người khác thay đổi"));
    assert_eq!(input_value(&body, "phone").as_deref(), Some("0911 111 111"));
}

#[tokio::test]
async fn a_second_open_permanent_branch_cannot_exist() {
    let app = TestApp::spawn().await;
    let branch = app.unit_id(BRANCH).await;
    let other = app.unit_id(NEIGHBOUR).await;
    let member = plain_member(&app, branch).await;
    let second = sqlx::query(
        "INSERT INTO memberships (id, member_id, unit_id, kind, valid_from) VALUES (uuid_v7(), $1, $2, 'permanent', $3)",
    )
    .bind(member)
    .bind(other)
    .bind(app.today())
    .execute(&app.pool)
    .await;
    assert!(
        second.is_err(),
        "the database refuses a second open permanent membership"
    );
}

/// A branch built for the test: exactly what was put in is what its pages count.
#[tokio::test]
async fn a_new_branch_counts_exactly_its_own_members() {
    let app = TestApp::spawn().await;
    app.login_as("phuong").await; // the ward's supervisor sees every branch of the ward
    let branch = fixtures::branch(&app, "Chi bộ Tổ dân phố Kiểm Thử", WARD).await;
    let ids = fixtures::members(
        &app,
        branch,
        &[(Status::Full, 3), (Status::Probationary, 1)],
    )
    .await;
    assert_eq!(ids.len(), 4);

    let (status, html) = app.get(&format!("/units/{branch}/members")).await;
    assert_eq!(status, StatusCode::OK);
    let list = text(&html);
    assert_eq!(number_after(&list, "Đảng số"), 4, "{list}");
    assert_eq!(number_after(&list, "Chính thức"), 3);
    assert_eq!(number_after(&list, "Dự bị"), 1);
    assert_eq!(number_after(&list, "Miễn sinh hoạt"), 0);
    assert_eq!(number_after(&list, "Phải có mặt khi sinh hoạt"), 4);
    assert!(list.contains("Hiển thị 4 / 4 người"), "{list}");
    for id in &ids {
        let name = fixtures::name_of(&app, *id).await;
        assert!(html.contains(&format!("/members/{id}")), "{name} is linked");
        assert!(list.contains(&name), "{name} in {list}");
    }
    let probationer = fixtures::name_of(&app, ids[3]).await;
    let (_, html) = app
        .get(&format!("/units/{branch}/members?status=probationary"))
        .await;
    let only = text(&html);
    assert!(
        only.contains("Hiển thị 1 / 4 người") && only.contains(&probationer),
        "{only}"
    );
    // A link saved before the codes were renamed filters the same; an unknown value, no one.
    let (_, html) = app
        .get(&format!("/units/{branch}/members?status=du_bi"))
        .await;
    assert!(text(&html).contains("Hiển thị 1 / 4 người"));
    let (_, html) = app
        .get(&format!("/units/{branch}/members?status=khong_co"))
        .await;
    assert!(text(&html).contains("Hiển thị 0 / 4 người"));

    // Its home: the same counts, no secretary yet, but enough full members.
    let (_, home) = app.get(&format!("/units/{branch}")).await;
    let home = text(&home);
    assert_eq!(number_after(&home, "Đảng số"), 4, "{home}");
    assert!(home.contains("Chi bộ chưa có bí thư."), "{home}");
    assert!(
        !home.contains("cần ít nhất 3"),
        "three full members are enough: {home}"
    );
    assert!(home.contains(&format!(
        "Chưa có kế hoạch sinh hoạt thường kỳ tháng {}",
        app.this_month().format("%m/%Y")
    )));

    // Two full members are not.
    let small = fixtures::branch(&app, "Chi bộ Tổ dân phố Kiểm Thử Nhỏ", WARD).await;
    fixtures::members(&app, small, &[(Status::Full, 2), (Status::Probationary, 2)]).await;
    let (_, home) = app.get(&format!("/units/{small}")).await;
    let home = text(&home);
    assert_eq!(number_after(&home, "Đảng số"), 4);
    assert!(
        home.contains("Chi bộ chỉ có 2 đảng viên chính thức (cần ít nhất 3)"),
        "{home}"
    );
}

#[tokio::test]
async fn a_second_temporary_transfer_is_refused_in_words_not_a_crash() {
    let app = TestApp::spawn().await;
    crate::fixtures::login_ward_keeper(&app).await;
    let home = app.unit_id(BRANCH).await;
    let host = app.unit_id(NEIGHBOUR).await;
    let member = plain_member(&app, home).await;
    // A record as older data may hold it: attached elsewhere for a time, still active at
    // home. The database allows one open temporary membership per member.
    let elsewhere: Uuid = sqlx::query_scalar(
        "SELECT id FROM units WHERE kind = 'branch' AND valid_to IS NULL AND id <> $1 AND id <> $2
          ORDER BY id LIMIT 1",
    )
    .bind(home)
    .bind(host)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "INSERT INTO memberships (id, member_id, unit_id, kind, valid_from) VALUES (uuid_v7(), $1, $2, 'temporary', $3)",
    )
    .bind(member)
    .bind(elsewhere)
    .bind(app.today() - chrono::Duration::days(30))
    .execute(&app.pool)
    .await
    .unwrap();
    let before = app
        .count(
            "SELECT count(*) FROM memberships WHERE member_id = $1",
            member,
        )
        .await;
    let v = app.member_version(member).await.to_string();
    let form = vec![
        ("kind".to_owned(), "temporary".to_owned()),
        ("target".to_owned(), host.to_string()),
        ("on_date".to_owned(), iso(app.today())),
        ("reference".to_owned(), "17/GGT".to_owned()),
        ("confirm".to_owned(), "1".to_owned()),
        ("version".to_owned(), v),
    ];
    let r = app
        .post_form(&format!("/members/{member}/transfer"), &form)
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    let page = text(&html);
    assert!(
        page.contains("đang sinh hoạt tạm thời ở một chi bộ khác"),
        "{page}"
    );
    assert!(
        html.contains("value=\"17/GGT\""),
        "the letter number typed is kept"
    );
    let after = app
        .count(
            "SELECT count(*) FROM memberships WHERE member_id = $1",
            member,
        )
        .await;
    assert_eq!(after, before, "nothing was written");
}

/// Eight registrations of one new card number at the same instant (a double click, two
/// secretaries typing the same card): one member is added, and every other form is shown
/// again with the card number's message on its field, whether the check before the write
/// or the unique index caught it — never a 500. Four rounds, each with its own number: a
/// round races past the check more often than not, so the rounds together nearly always
/// reach the index.
#[tokio::test]
async fn eight_registrations_of_one_new_card_number_at_once_add_one_member() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    const NAMES: [&str; 8] = ["An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Khoa", "Lâm"];
    for card in ["55550011", "55550012", "55550013", "55550014"] {
        let mut sent = tokio::task::JoinSet::new();
        for given in NAMES {
            let name = format!("Phan Văn {given}");
            let form = member_form(&[("card_no", card), ("full_name", &name)]);
            let (client, url) = (
                app.client.clone(),
                app.url(&format!("/members/new?unit={branch}")),
            );
            sent.spawn(async move {
                let r = client.post(url).form(&form).send().await.unwrap();
                let status = r.status();
                (status, text(&r.text().await.unwrap()))
            });
        }
        let answers = sent.join_all().await;
        let added = answers
            .iter()
            .filter(|(s, _)| *s == StatusCode::SEE_OTHER)
            .count();
        assert_eq!(added, 1, "card {card}: one member added: {answers:?}");
        for (status, page) in answers.iter().filter(|(s, _)| *s != StatusCode::SEE_OTHER) {
            assert_eq!(
                *status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "card {card}: {page}"
            );
            assert!(
                page.contains(&format!("Số thẻ {card} đã được cấp cho")),
                "card {card}: the card's message: {page}"
            );
        }
        let holders: i64 = sqlx::query_scalar("SELECT count(*) FROM members WHERE card_no = $1")
            .bind(card)
            .fetch_one(&app.pool)
            .await
            .unwrap();
        assert_eq!(holders, 1, "card {card}");
    }
}

/// A card number held by a member of a branch under the unit named `unit`, and the holder.
pub(crate) async fn card_held_under(app: &TestApp, unit: &str) -> (String, String) {
    sqlx::query_as(
        "SELECT m.card_no, m.full_name FROM members m
           JOIN memberships ms ON ms.member_id = m.id JOIN units u ON u.id = ms.unit_id
          WHERE m.card_no IS NOT NULL
            AND u.path <@ (SELECT path FROM units WHERE name = $1 ORDER BY valid_to DESC NULLS FIRST LIMIT 1)
          ORDER BY m.card_no LIMIT 1",
    )
    .bind(unit)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

/// Card numbers can be guessed: a refusal names the holder only to someone who may see
/// them. A secretary in Hưng Lợi typing a card number of a member of Đức Thọ learns that
/// the number is taken, not whose it is.
#[tokio::test]
async fn a_taken_card_names_no_member_outside_the_users_scope() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let branch = app.unit_id(BRANCH).await;
    let (card, holder) = card_held_under(&app, COMMUNE).await;
    let before = app.open_members(branch).await;
    let r = app
        .post_form(
            &format!("/members/new?unit={branch}"),
            &member_form(&[("card_no", &card)]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(&r.text().await.unwrap());
    assert!(
        page.contains(&format!(
            "Số thẻ {card} đã được cấp cho một đảng viên khác."
        )),
        "{page}"
    );
    assert!(!page.contains(&holder), "the holder is not named: {page}");
    assert_eq!(app.open_members(branch).await, before, "nothing written");
    // The same number typed by the commune's own committee names the holder.
    let commune_branch: Uuid = sqlx::query_scalar(
        "SELECT ms.unit_id FROM memberships ms JOIN members m ON m.id = ms.member_id
          WHERE m.card_no = $1 AND ms.valid_to IS NULL AND ms.kind = 'permanent'",
    )
    .bind(&card)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let commune = app.other_browser();
    crate::fixtures::login_keeper(&commune, COMMUNE).await;
    let r = commune
        .post_form(
            &format!("/members/new?unit={commune_branch}"),
            &member_form(&[("card_no", &card)]),
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(&r.text().await.unwrap());
    assert!(
        page.contains(&format!(
            "Số thẻ {card} đã được cấp cho đảng viên {holder}."
        )),
        "{page}"
    );
}
