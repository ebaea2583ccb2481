//! Issue 12: Hà Tĩnh's Quy định 17-QĐ/TU as the shipped rubric HT-17, which rubric applies
//! on which day here and in another province, provenance on the pages and the printed
//! sheet, the demo history scored on HT-17, the speaking share over the attendance base.

use chrono::NaiveDate;
use reqwest::StatusCode;
use uuid::Uuid;

use chibo::evaluation::rubric::{Confidence, Provenance, Rubric};
use chibo::org::domain::{BranchType, UnitKind};
use chibo::org::store as org_store;

use crate::evaluation::held_meeting;
use crate::fixtures::demo::BRANCH;
use crate::support::{TestApp, text};

const ASSUMED: &str = "Một số mức điểm là giả định, cần đối chiếu với văn bản gốc.";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// A province other than Hà Tĩnh with one branch, founded long before 2023.
async fn other_province_branch(app: &TestApp) -> Uuid {
    let new = |parent_id, kind, branch_type, name: &str| org_store::NewUnit {
        parent_id,
        kind,
        branch_type,
        name: name.into(),
        valid_from: d(2000, 1, 1),
    };
    let province = org_store::create(
        &app.pool,
        None,
        new(None, UnitKind::Province, None, "Đảng bộ tỉnh Quảng Bình"),
    )
    .await
    .unwrap();
    let ward = org_store::create(
        &app.pool,
        None,
        new(
            Some(province),
            UnitKind::GrassrootsCommittee,
            None,
            "Đảng bộ phường Đồng Hới",
        ),
    )
    .await
    .unwrap();
    org_store::create(
        &app.pool,
        None,
        new(
            Some(ward),
            UnitKind::Branch,
            Some(BranchType::ToDanPho),
            "Chi bộ Tổ dân phố 1",
        ),
    )
    .await
    .unwrap()
}

async fn code_at(app: &TestApp, unit: Uuid, day: NaiveDate) -> Option<String> {
    chibo::evaluation::store::rubric_in_force(&app.pool, unit, "regular", day)
        .await
        .unwrap()
        .map(|r| r.rubric.code)
}

#[tokio::test]
async fn the_rubric_in_force_in_ha_tinh_and_in_another_province() {
    let app = TestApp::spawn().await;
    let ha_tinh = app.unit_id(BRANCH).await;
    let other = other_province_branch(&app).await;
    let today = app.today();
    let table: [(NaiveDate, Option<&str>, Option<&str>); 5] = [
        (d(2023, 6, 1), Some("HT-1193"), None),
        (d(2023, 6, 2), Some("HT-17"), None),
        (d(2025, 10, 27), Some("HT-17"), None),
        (d(2025, 10, 28), Some("HT-17"), Some("HD42-KHUNG")),
        (today, Some("HT-17"), Some("HD42-KHUNG")),
    ];
    for (day, here, elsewhere) in table {
        assert_eq!(
            code_at(&app, ha_tinh, day).await.as_deref(),
            here,
            "Hà Tĩnh on {day}"
        );
        assert_eq!(
            code_at(&app, other, day).await.as_deref(),
            elsewhere,
            "another province on {day}"
        );
    }
    // HT-17 is scoped to the province's unit, which the demo created after the migration.
    let (scope, province): (Option<Uuid>, Uuid) = sqlx::query_as(
        "SELECT r.scope_unit_id, (SELECT id FROM units WHERE parent_id IS NULL AND name = 'Đảng bộ tỉnh Hà Tĩnh')
           FROM rubrics r WHERE r.code = 'HT-17'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(scope, Some(province));
}

#[tokio::test]
async fn ht17_ships_with_the_seven_weights_and_passes_the_checks() {
    let app = TestApp::spawn().await;
    let id: Uuid = sqlx::query_scalar("SELECT id FROM rubrics WHERE code = 'HT-17'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let r = chibo::evaluation::store::rubric(&app.pool, id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(r.rubric.validate(), vec![]);
    let weights: Vec<String> = r.rubric.groups.iter().map(|g| g.max.to_string()).collect();
    assert_eq!(weights, ["15", "5", "5", "45", "15", "10", "5"]);
    assert_eq!(r.rubric.effective_from, d(2023, 6, 2));
    assert_eq!(r.rubric.effective_to, None);
    assert!(
        r.rubric
            .groups
            .iter()
            .all(|g| g.provenance.confidence == Confidence::Secondary)
    );
    assert!(
        r.rubric
            .criteria()
            .all(|c| c.provenance.confidence == Confidence::Assumed)
    );
    let before: Option<NaiveDate> =
        sqlx::query_scalar("SELECT effective_to FROM rubrics WHERE code = 'HT-1193'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(before, Some(d(2023, 6, 1)));
}

#[tokio::test]
async fn the_demo_history_since_june_2023_is_scored_on_ht17() {
    let app = TestApp::spawn().await;
    let (on_ht17, other): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE r.code = 'HT-17'), count(*) FILTER (WHERE r.code <> 'HT-17')
           FROM evaluations e JOIN rubrics r ON r.id = e.rubric_id
           JOIN meetings m ON m.id = e.meeting_id JOIN units u ON u.id = m.unit_id
           JOIN units p ON p.path = subpath(u.path, 0, 1)
          WHERE p.name = 'Đảng bộ tỉnh Hà Tĩnh'
            AND (coalesce(m.started_at, m.planned_at) AT TIME ZONE 'Asia/Ho_Chi_Minh')::date >= DATE '2023-06-02'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(
        on_ht17 > 1000,
        "the demo history is scored on HT-17: {on_ht17}"
    );
    assert_eq!(
        other, 0,
        "no Hà Tĩnh sheet since 02/06/2023 on another rubric"
    );
}

/// Sets every provenance of HT-17 to the official text (as a province would after checking
/// it against 17-QĐ/TU).
async fn make_official(app: &TestApp) {
    let id: Uuid = sqlx::query_scalar("SELECT id FROM rubrics WHERE code = 'HT-17'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let mut r: Rubric = chibo::evaluation::store::rubric(&app.pool, id)
        .await
        .unwrap()
        .unwrap()
        .rubric;
    let official = Provenance {
        confidence: Confidence::Official,
        source: "Quy định 17-QĐ/TU, Phụ lục".into(),
    };
    for g in &mut r.groups {
        g.provenance = official.clone();
        for c in &mut g.criteria {
            c.provenance = official.clone();
        }
    }
    for b in &mut r.bands {
        b.provenance = official.clone();
    }
    for g in &mut r.gates {
        g.provenance = official.clone();
    }
    sqlx::query("UPDATE rubrics SET sheet = $2 WHERE id = $1")
        .bind(id)
        .bind(serde_json::to_value(r.sheet()).unwrap())
        .execute(&app.pool)
        .await
        .unwrap();
}

/// The score form, the rubric page and the printed sheet of a held meeting scored on HT-17.
async fn pages(app: &TestApp) -> (String, String, String) {
    let (id, _) = held_meeting(app).await;
    let (status, form) = app.get(&format!("/meetings/{id}/evaluation")).await;
    assert_eq!(status, StatusCode::OK);
    // Score it, so that the sheet prints.
    sqlx::query(
        "INSERT INTO evaluations (meeting_id, rubric_id, scorer, scored_by, state, items, total_tenths, band, class)
         SELECT $1, r.id, 'branch', (SELECT id FROM users WHERE username = 'bithu'), 'draft', '[]', 700, 'kha', 'kha'
           FROM rubrics r WHERE r.code = 'HT-17'",
    )
    .bind(id)
    .execute(&app.pool)
    .await
    .unwrap();
    let (status, sheet) = app.get(&format!("/meetings/{id}/evaluation/print")).await;
    assert_eq!(status, StatusCode::OK);
    let rubric: Uuid = sqlx::query_scalar("SELECT id FROM rubrics WHERE code = 'HT-17'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    app.login_as("admin").await;
    let (status, page) = app.get(&format!("/admin/rubrics/{rubric}")).await;
    assert_eq!(status, StatusCode::OK);
    app.login_as("bithu").await;
    (form, page, sheet)
}

#[tokio::test]
async fn ht17_says_which_numbers_are_assumed_on_the_form_the_rubric_page_and_the_sheet() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let (form, page, sheet) = pages(&app).await;
    let marker = |html: &str| {
        let doc = scraper::Html::parse_document(html);
        let sel = scraper::Selector::parse("#tc-phat_bieu sup.provenance").unwrap();
        doc.select(&sel)
            .next()
            .and_then(|e| e.value().attr("title").map(str::to_owned))
    };
    // The form: the line at the top, a marker beside each criterion with its source.
    assert!(text(&form).contains(ASSUMED), "{}", text(&form));
    let title = marker(&form).expect("a marker beside the speaking criterion");
    assert!(
        title.starts_with("Giả định, cần đối chiếu: Giả định của nhóm phát triển"),
        "{title}"
    );
    assert!(
        text(&form).contains("Nguồn thứ cấp: Trọng số 7 nhóm theo bản tóm tắt Quy định 17-QĐ/TU")
    );
    // The rubric page: the line, each group's and criterion's confidence and source.
    let p = text(&page);
    assert!(p.contains(ASSUMED), "{p}");
    assert!(
        p.contains("Số điểm của nhóm: Nguồn thứ cấp · Trọng số 7 nhóm"),
        "{p}"
    );
    assert!(p.contains("laaivay.com"), "{p}");
    assert!(
        p.contains("Giả định, cần đối chiếu Giả định của nhóm phát triển"),
        "{p}"
    );
    assert!(
        p.contains("Thường gặp ở nơi khác, chưa xác nhận cho Hà Tĩnh"),
        "{p}"
    );
    // The printed sheet: the line, the footnote numbers and the footnotes.
    let s = text(&sheet);
    assert!(s.contains(ASSUMED), "{s}");
    assert!(s.contains("Công tác chuẩn bị sinh hoạt chi bộ (1)"), "{s}");
    assert!(
        s.contains("Nguồn của các mức điểm chưa phải văn bản chính thức:"),
        "{s}"
    );
    assert!(
        s.contains("Nguồn thứ cấp: Trọng số 7 nhóm theo bản tóm tắt Quy định 17-QĐ/TU"),
        "{s}"
    );
    assert!(
        s.contains("Giả định, cần đối chiếu: Thường gặp ở nơi khác"),
        "{s}"
    );
}

#[tokio::test]
async fn a_rubric_whose_numbers_are_all_official_shows_no_such_line() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    make_official(&app).await;
    let (form, page, sheet) = pages(&app).await;
    for html in [&form, &page, &sheet] {
        let t = text(html);
        assert!(!t.contains(ASSUMED), "{t}");
        assert!(!t.contains("chưa phải văn bản chính thức"), "{t}");
        assert!(!html.contains("class=\"provenance\""), "no marker");
    }
    assert!(text(&page).contains("Văn bản chính thức"));
}

#[tokio::test]
async fn the_speaking_share_counts_only_the_attendance_base() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let (id, _) = held_meeting(&app).await;
    let share = |html: &str| {
        let doc = scraper::Html::parse_document(html);
        let sel = scraper::Selector::parse("#tc-phat_bieu .computed").unwrap();
        doc.select(&sel)
            .next()
            .map(|e| e.text().collect::<String>())
            .unwrap()
    };
    let (present, spoke): (i64, i64) = sqlx::query_as(
        "SELECT count(*) FILTER (WHERE presence IN ('present', 'late')),
                count(*) FILTER (WHERE presence IN ('present', 'late') AND spoke)
           FROM attendance WHERE meeting_id = $1 AND category = 'expected'",
    )
    .bind(id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let expected = chibo::rate::Rate::label(chibo::rate::Rate::of(spoke, present));
    let (_, before) = app.get(&format!("/meetings/{id}/evaluation")).await;
    assert!(
        share(&before).contains(&expected),
        "{} vs {expected}",
        share(&before)
    );
    // Three members attached from elsewhere and one who is exempt come and all speak.
    let guests: Vec<Uuid> = sqlx::query_scalar(
        "SELECT id FROM members WHERE id NOT IN (SELECT member_id FROM attendance WHERE meeting_id = $1)
          ORDER BY id LIMIT 4",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    for (i, g) in guests.iter().enumerate() {
        sqlx::query(
            "INSERT INTO attendance (meeting_id, member_id, category, full_member, presence, spoke)
             VALUES ($1, $2, $3, true, 'present', true)",
        )
        .bind(id)
        .bind(g)
        .bind(if i == 0 { "exempt" } else { "attached" })
        .execute(&app.pool)
        .await
        .unwrap();
    }
    let (_, after) = app.get(&format!("/meetings/{id}/evaluation")).await;
    assert_eq!(
        share(&after),
        share(&before),
        "guests who spoke are not in the share"
    );
}
