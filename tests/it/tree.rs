use chrono::NaiveDate;
use reqwest::StatusCode;
use uuid::Uuid;

use chibo::org::store;

use crate::fixtures::demo::{BRANCH, CLOSED_DISTRICT, COMMUNE, NEIGHBOUR, TOWN, WARD};
use crate::support::{TestApp, iso, location, text};

/// The subtree by walking parent links (a recursive query), to check the path index against.
async fn subtree_by_parents(app: &TestApp, root: Uuid) -> Vec<Uuid> {
    let mut ids: Vec<Uuid> = sqlx::query_scalar(
        "WITH RECURSIVE t AS (SELECT id FROM units WHERE id = $1
                              UNION ALL SELECT u.id FROM units u JOIN t ON u.parent_id = t.id)
         SELECT id FROM t",
    )
    .bind(root)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    ids.sort();
    ids
}

async fn subtree_by_path(app: &TestApp, root: Uuid) -> Vec<Uuid> {
    let unit = store::get(&app.pool, root).await.unwrap().unwrap();
    let mut ids: Vec<Uuid> = store::subtree(&app.pool, &unit.path)
        .await
        .unwrap()
        .into_iter()
        .map(|u| u.id)
        .collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn a_subtree_is_exactly_the_units_below() {
    let app = TestApp::spawn().await;
    let ward = app.unit_id(WARD).await;
    let by_path = subtree_by_path(&app, ward).await;
    assert_eq!(by_path.len(), 13, "the ward and its 12 branches");
    assert_eq!(by_path, subtree_by_parents(&app, ward).await);
    let town = app.unit_id(TOWN).await;
    let town_units = subtree_by_path(&app, town).await;
    assert_eq!(town_units.len(), 1 + 30 + 177, "the seed town's shape");
    assert_eq!(town_units, subtree_by_parents(&app, town).await);
    // The subtree query is served by the GiST index on the path.
    let mut conn = app.pool.acquire().await.unwrap();
    sqlx::query("SET enable_seqscan = off")
        .execute(&mut *conn)
        .await
        .unwrap();
    let unit = store::get(&app.pool, town).await.unwrap().unwrap();
    let plan: Vec<String> =
        sqlx::query_scalar("EXPLAIN SELECT id FROM units WHERE path <@ $1::text::ltree")
            .bind(&unit.path)
            .fetch_all(&mut *conn)
            .await
            .unwrap();
    assert!(plan.join("\n").contains("units_path_gist"), "{plan:?}");
}

#[tokio::test]
async fn moving_a_committee_carries_its_whole_subtree_and_changes_who_sees_it() {
    let app = TestApp::spawn().await;
    app.login_as("admin").await;
    let ward = app.unit_id(WARD).await;
    let new_parent = app.unit_id(COMMUNE).await;
    let before = subtree_by_path(&app, ward).await;
    assert_eq!(before.len(), 13, "the ward and its 12 branches");
    let members_before: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM memberships m JOIN units u ON u.id = m.unit_id
          WHERE m.valid_to IS NULL AND u.parent_id = $1",
    )
    .bind(ward)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let version = app.unit_version(ward).await.to_string();
    let r = app
        .post(
            &format!("/admin/units/{ward}/move"),
            &[("parent", &new_parent.to_string()), ("version", &version)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), format!("/units/{ward}"));
    assert_eq!(
        subtree_by_path(&app, ward).await,
        before,
        "the same units moved together"
    );
    let under_new: Vec<Uuid> = subtree_by_path(&app, new_parent).await;
    assert!(before.iter().all(|id| under_new.contains(id)));
    let under_town = subtree_by_path(&app, app.unit_id(TOWN).await).await;
    assert!(before.iter().all(|id| !under_town.contains(id)));
    let members_after: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM memberships m JOIN units u ON u.id = m.unit_id
          WHERE m.valid_to IS NULL AND u.parent_id = $1",
    )
    .bind(ward)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        members_before, members_after,
        "members stay with their branches"
    );
    // The town's supervisor no longer sees the ward; the commune's supervisor now does.
    let town = app.other_browser();
    town.login_as("thixa").await;
    assert_eq!(
        town.get(&format!("/units/{ward}")).await.0,
        StatusCode::NOT_FOUND
    );
    let commune = app.other_browser();
    commune.login_as("xaductho").await;
    assert_eq!(
        commune.get(&format!("/units/{}", before[0])).await.0,
        StatusCode::OK
    );
    let audit: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'unit_moved' AND entity_id = $1",
    )
    .bind(ward)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(audit, 1);
}

#[tokio::test]
async fn merging_moves_open_members_and_keeps_the_old_unit_and_its_history() {
    let app = TestApp::spawn().await;
    app.login_as("admin").await;
    let source = app.unit_id(NEIGHBOUR).await;
    let target = app.unit_id(BRANCH).await;
    let source_members: Vec<Uuid> =
        sqlx::query_scalar("SELECT member_id FROM memberships WHERE unit_id = $1 AND valid_to IS NULL AND kind = 'permanent'")
            .bind(source)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert!(!source_members.is_empty());
    let target_before: i64 = app.open_members(target).await;
    let version = app.unit_version(source).await.to_string();
    // Merged today: the latest member of the source may have joined only days ago.
    let today = crate::support::today();
    let r = app
        .post(
            &format!("/admin/units/{source}/merge"),
            &[
                ("target", &target.to_string()),
                ("date", &iso(today)),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let target_after: i64 = app.open_members(target).await;
    let moved_in: i64 = sqlx::query_scalar("SELECT count(*) FROM memberships WHERE unit_id = $1 AND valid_to IS NULL AND valid_from = $2")
        .bind(target)
        .bind(today)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(moved_in as usize >= source_members.len());
    assert!(target_after >= target_before + source_members.len() as i64);
    // The old memberships are kept, closed on the merge date.
    let closed: i64 =
        sqlx::query_scalar("SELECT count(*) FROM memberships WHERE unit_id = $1 AND valid_to = $2")
            .bind(source)
            .bind(today)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(closed as usize >= source_members.len());
    let unit = store::get(&app.pool, source).await.unwrap().unwrap();
    assert_eq!(unit.valid_to, Some(today));
    // The pages tell the story both ways.
    let (_, old_page) = app.get(&format!("/units/{source}")).await;
    let old_page = text(&old_page);
    assert!(
        old_page.contains(&format!(
            "Đã ngừng hoạt động từ {}",
            chibo::web::vn_date(today)
        )),
        "{old_page}"
    );
    assert!(old_page.contains("Đơn vị kế thừa: Chi bộ Tổ dân phố Hưng Lợi"));
    let (_, new_page) = app.get(&format!("/units/{target}")).await;
    assert!(text(&new_page).contains("Tiếp nhận từ: Chi bộ Tổ dân phố Hưng Hòa"));
    let (_, member_page) = app.get(&format!("/members/{}", source_members[0])).await;
    let member_page = text(&member_page);
    assert!(member_page.contains(NEIGHBOUR) && member_page.contains(BRANCH));
    assert!(
        member_page.contains("Sáp nhập Chi bộ Tổ dân phố Hưng Hòa vào Chi bộ Tổ dân phố Hưng Lợi")
    );
}

#[tokio::test]
async fn the_demo_keeps_the_pre_2025_district_closed_with_its_communes_merged() {
    let app = TestApp::spawn().await;
    let district = store::get(&app.pool, app.unit_id(CLOSED_DISTRICT).await)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(district.valid_to, NaiveDate::from_ymd_opt(2025, 7, 1));
    let commune = store::get(&app.pool, app.unit_id(COMMUNE).await)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(commune.depth(), 2, "directly under the province");
    let successors: i64 =
        sqlx::query_scalar("SELECT count(*) FROM unit_successors WHERE successor_id = $1")
            .bind(commune.id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(successors, 3);
    let branches = store::children(&app.pool, &commune).await.unwrap();
    assert_eq!(
        branches.len(),
        11,
        "the old communes' branches now sit under the new commune"
    );
}

#[tokio::test]
async fn an_administrator_creates_renames_and_closes_a_unit() {
    let app = TestApp::spawn().await;
    app.login_as("admin").await;
    let ward = app.unit_id(WARD).await;
    let (status, form) = app.get(&format!("/admin/units/new?parent={ward}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&form).contains("Thêm đơn vị trực thuộc Đảng bộ phường Sông Trí"));
    let r = app
        .post(
            "/admin/units/new",
            &[
                ("parent", &ward.to_string()),
                ("name", "  Chi bộ   Tổ dân phố Mới "),
                ("kind", "branch"),
                ("branch_type", "residential_group"),
                ("valid_from", "2026-03-01"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let id = app.unit_id("Chi bộ Tổ dân phố Mới").await;
    assert_eq!(location(&r), format!("/units/{id}"));
    let r = app
        .post(
            &format!("/admin/units/{id}/rename"),
            &[("name", "Chi bộ Tổ dân phố Hưng Mới"), ("version", "1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app
        .post(
            &format!("/admin/units/{id}/close"),
            &[("date", "01/06/2026"), ("successor", ""), ("version", "2")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let unit = store::get(&app.pool, id).await.unwrap().unwrap();
    assert_eq!(unit.name, "Chi bộ Tổ dân phố Hưng Mới");
    assert_eq!(unit.valid_to, NaiveDate::from_ymd_opt(2026, 6, 1));
    let history: Vec<String> =
        sqlx::query_scalar("SELECT action FROM audit_log WHERE entity_id = $1 ORDER BY id")
            .bind(id)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(history, ["unit_created", "unit_renamed", "unit_closed"]);
    let (_, ward_page) = app.get(&format!("/units/{ward}")).await;
    assert!(text(&ward_page).contains("Đơn vị đã ngừng hoạt động (1)"));
}
