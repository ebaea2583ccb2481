//! Issue 12: the province owns its rubrics (copy, edit, preview, publish from a date; 404
//! outside the scope; one timeline per code), and which rubric applies to a unit, when, and
//! why ("Bộ tiêu chí áp dụng", and the line on every score sheet).

use chrono::{Datelike, Days, NaiveDate};
use reqwest::StatusCode;
use uuid::Uuid;

use chibo::auth::Role;
use chibo::evaluation::rubric::Input;
use chibo::evaluation::store as registry;

use crate::fixtures::{
    self,
    demo::{BRANCH, PROVINCE},
};
use crate::support::{TestApp, input_value, location, text};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn vn(day: NaiveDate) -> String {
    day.format("%d/%m/%Y").to_string()
}

async fn rubric_id(app: &TestApp, code: &str, version: i32) -> Uuid {
    sqlx::query_scalar("SELECT id FROM rubrics WHERE code = $1 AND version = $2")
        .bind(code)
        .bind(version)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

/// Copies a rubric to a new draft through the page; returns the draft.
async fn copy(app: &TestApp, id: Uuid) -> Uuid {
    let r = app.post(&format!("/admin/rubrics/{id}/copy"), &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "copy {id}");
    let to = location(&r);
    let draft = to
        .trim_start_matches("/admin/rubrics/")
        .trim_end_matches("/edit");
    Uuid::parse_str(draft).unwrap()
}

/// Publishes a draft from `from` through its page's form.
async fn publish(app: &TestApp, draft: Uuid, from: &str) -> reqwest::Response {
    let (status, page) = app.get(&format!("/admin/rubrics/{draft}")).await;
    assert_eq!(status, StatusCode::OK);
    let lock = input_value(&page, "lock_version").unwrap();
    app.post(
        &format!("/admin/rubrics/{draft}/publish"),
        &[("lock_version", &lock), ("effective_from", from)],
    )
    .await
}

/// A complete sheet for any rubric: checks ticked, the first level chosen, numbers at max.
pub(crate) async fn sheet_form(app: &TestApp, rubric: Uuid) -> Vec<(String, String)> {
    let r = registry::rubric(&app.pool, rubric).await.unwrap().unwrap();
    let mut f = vec![
        ("version".to_owned(), String::new()),
        ("action".to_owned(), "save".to_owned()),
    ];
    for c in r.rubric.criteria() {
        let v = match &c.input {
            Input::Check => "on".to_owned(),
            Input::Choice { .. } => "0".to_owned(),
            Input::Number => c.max.to_string(),
            Input::Computed { .. } => continue,
        };
        f.push((format!("v-{}", c.code), v));
    }
    f
}

#[tokio::test]
async fn the_province_administrator_makes_a_new_version_of_its_rubric_from_a_date() {
    let app = TestApp::spawn().await;
    app.login_as("admin").await;
    let ht = rubric_id(&app, "HT-1193", 1).await;
    let province = app.unit_id(PROVINCE).await;
    let branch = app.unit_id(BRANCH).await;
    // The shipped Hà Tĩnh rubric belongs to the province: its administrator manages it.
    let (_, page) = app.get(&format!("/admin/rubrics/{ht}")).await;
    assert!(text(&page).contains(PROVINCE), "scoped to the province");
    assert!(text(&page).contains("Tạo phiên bản mới"));

    // Older sheets of the branch, scored before the new version.
    let older: Vec<(Uuid, Uuid)> = sqlx::query_as(
        "SELECT e.id, e.rubric_id FROM evaluations e JOIN meetings m ON m.id = e.meeting_id
          WHERE m.unit_id = $1 ORDER BY e.id",
    )
    .bind(branch)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(!older.is_empty(), "the demo history is scored");

    // Copy → draft → edit → preview → publish from this month's first day.
    let draft = copy(&app, ht).await;
    let (status, page) = app.get(&format!("/admin/rubrics/{draft}/edit")).await;
    assert_eq!(status, StatusCode::OK);
    let lock = input_value(&page, "lock_version").unwrap();
    let mut r = registry::rubric(&app.pool, draft)
        .await
        .unwrap()
        .unwrap()
        .rubric;
    r.title = "Tiêu chí đánh giá chất lượng sinh hoạt chi bộ của Tỉnh ủy Hà Tĩnh (sửa đổi)".into();
    let r2 = app
        .post(
            &format!("/admin/rubrics/{draft}/edit"),
            &[
                ("text", r.to_toml().as_str()),
                ("scope", &province.to_string()),
                ("lock_version", &lock),
            ],
        )
        .await;
    assert_eq!(
        r2.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(&r2.text().await.unwrap())
    );
    let (_, page) = app
        .get(&format!("/admin/rubrics/{draft}?attendance_rate=80"))
        .await;
    assert!(text(&page).contains("Xem thử trên một buổi sinh hoạt mẫu"));
    assert!(text(&page).contains("(sửa đổi)"));

    // A date that is not one: the message, the date kept, nothing published.
    let r3 = publish(&app, draft, "31/02/2027").await;
    assert_eq!(r3.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r3.text().await.unwrap();
    assert!(text(&body).contains("Ngày không hợp lệ"));
    assert_eq!(
        input_value(&body, "effective_from").as_deref(),
        Some("31/02/2027")
    );

    let from = app.this_month();
    let r4 = publish(&app, draft, &vn(from)).await;
    assert_eq!(
        r4.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(&r4.text().await.unwrap())
    );
    let (status, from_db): (String, NaiveDate) =
        sqlx::query_as("SELECT status, effective_from FROM rubrics WHERE id = $1")
            .bind(draft)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((status.as_str(), from_db), ("published", from));
    let in_force = |day: NaiveDate| {
        let pool = app.pool.clone();
        async move {
            registry::rubric_in_force(&pool, branch, "regular", day)
                .await
                .unwrap()
                .map(|r| r.id)
        }
    };
    assert_eq!(
        in_force(from).await,
        Some(draft),
        "the province's version wins from its date"
    );
    assert_ne!(in_force(from.pred_opt().unwrap()).await, Some(draft));

    // A meeting after that date is scored with the new version (through the pages).
    let bithu = app.other_browser();
    bithu.login_as("bithu").await;
    let (meeting, _) = crate::evaluation::held_meeting(&bithu).await;
    let form = sheet_form(&app, draft).await;
    let r5 = bithu
        .post_form(&format!("/meetings/{meeting}/evaluation"), &form)
        .await;
    assert_eq!(
        r5.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(&r5.text().await.unwrap())
    );
    let used: Uuid = sqlx::query_scalar(
        "SELECT rubric_id FROM evaluations WHERE meeting_id = $1 AND scorer = 'branch'",
    )
    .bind(meeting)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(used, draft);
    let (_, page) = bithu.get(&format!("/meetings/{meeting}/evaluation")).await;
    assert!(text(&page).contains(
        "Bộ tiêu chí riêng của Đảng bộ tỉnh Hà Tĩnh áp dụng cho đơn vị trực thuộc, thay cho khung toàn quốc."
    ));
    // The older sheets keep theirs.
    let after: Vec<(Uuid, Uuid)> =
        sqlx::query_as("SELECT id, rubric_id FROM evaluations WHERE id = ANY($1) ORDER BY id")
            .bind(older.iter().map(|o| o.0).collect::<Vec<_>>())
            .fetch_all(&app.pool)
            .await
            .unwrap();
    assert_eq!(after, older);

    // The next version from 40 days later ends this one the day before, with an audit row.
    let next = copy(&app, draft).await;
    let later = from + Days::new(40);
    let r6 = publish(&app, next, &vn(later)).await;
    assert_eq!(
        r6.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(&r6.text().await.unwrap())
    );
    let to: Option<NaiveDate> =
        sqlx::query_scalar("SELECT effective_to FROM rubrics WHERE id = $1")
            .bind(draft)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(to, later.pred_opt());
    let ended: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'rubric_ended' AND entity_id = $1",
    )
    .bind(draft)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(ended, 1);

    // A version from before the previous one's start is refused, its date kept.
    let early = copy(&app, next).await;
    let r7 = publish(&app, early, &vn(from)).await;
    assert_eq!(r7.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r7.text().await.unwrap();
    assert!(text(&body).contains(&format!(
        "Đã có phiên bản có hiệu lực từ {}; phiên bản mới phải có hiệu lực sau ngày đó.",
        vn(later)
    )));
    assert_eq!(input_value(&body, "effective_from"), Some(vn(from)));
    let status: String = sqlx::query_scalar("SELECT status FROM rubrics WHERE id = $1")
        .bind(early)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "draft");
}

#[tokio::test]
async fn outside_its_scope_a_rubric_names_nothing() {
    let app = TestApp::spawn().await;
    let nghe_an = fixtures::province(&app, "Đảng bộ tỉnh Nghệ An").await;
    fixtures::login(&app, "quantringhean", Role::Admin, Some(nghe_an)).await;
    fixtures::login(&app, "quantrihethong", Role::Admin, None).await;
    let ht = rubric_id(&app, "HT-1193", 1).await;
    let hd42 = rubric_id(&app, "HD42-KHUNG", 1).await;

    // Another province's administrator: the Hà Tĩnh rubric is not there.
    let other = app.other_browser();
    other.login_as("quantringhean").await;
    let (status, list) = other.get("/admin/rubrics").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!text(&list).contains("HT-1193") && text(&list).contains("HD42-KHUNG"));
    assert_eq!(
        other.get(&format!("/admin/rubrics/{ht}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        other
            .get(&format!("/admin/rubrics/{ht}/export/toml"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    let r = other.post(&format!("/admin/rubrics/{ht}/copy"), &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);

    // The province's administrator reads the national frame but does not change it: what it
    // reads, it is refused (403) rather than told it is not there.
    app.login_as("admin").await;
    let (status, page) = app.get(&format!("/admin/rubrics/{hd42}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!text(&page).contains("Tạo phiên bản mới"));
    let r = app.post(&format!("/admin/rubrics/{hd42}/copy"), &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    // A national draft (the system administrator's): not edited nor published by the province.
    let system = app.other_browser();
    system.login_as("quantrihethong").await;
    let national = copy(&system, hd42).await;
    let (status, page) = system.get(&format!("/admin/rubrics/{national}/edit")).await;
    assert_eq!(status, StatusCode::OK);
    let lock = input_value(&page, "lock_version").unwrap();
    assert_eq!(
        app.get(&format!("/admin/rubrics/{national}/edit")).await.0,
        StatusCode::FORBIDDEN
    );
    let r = app
        .post(
            &format!("/admin/rubrics/{national}/edit"),
            &[
                ("text", "code = \"HD42-KHUNG\""),
                ("scope", ""),
                ("lock_version", &lock),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let r = app
        .post(
            &format!("/admin/rubrics/{national}/publish"),
            &[("lock_version", &lock), ("effective_from", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    let status: String = sqlx::query_scalar("SELECT status FROM rubrics WHERE id = $1")
        .bind(national)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(status, "draft");
    // The system administrator publishes it.
    let r = publish(&system, national, &vn(app.this_month())).await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "{}",
        text(&r.text().await.unwrap())
    );
}

#[tokio::test]
async fn two_publications_of_one_code_at_once_leave_one_timeline() {
    let app = TestApp::spawn().await;
    app.login_as("admin").await;
    let ht = rubric_id(&app, "HT-1193", 1).await;
    let from = app.this_month();
    for round in 0..3u64 {
        let a = copy(&app, ht).await;
        let b = copy(&app, ht).await;
        let (la, lb) = (
            input_value(
                &app.get(&format!("/admin/rubrics/{a}")).await.1,
                "lock_version",
            )
            .unwrap(),
            input_value(
                &app.get(&format!("/admin/rubrics/{b}")).await.1,
                "lock_version",
            )
            .unwrap(),
        );
        let (da, db) = (
            vn(from + Days::new(100 * round + 10)),
            vn(from + Days::new(100 * round + 10 + round * 5)),
        );
        let other = app.other_browser();
        other.login_as("admin").await;
        let (pa, pb) = (
            format!("/admin/rubrics/{a}/publish"),
            format!("/admin/rubrics/{b}/publish"),
        );
        let fa = [
            ("lock_version", la.as_str()),
            ("effective_from", da.as_str()),
        ];
        let fb = [
            ("lock_version", lb.as_str()),
            ("effective_from", db.as_str()),
        ];
        let (ra, rb) = tokio::join!(app.post(&pa, &fa), other.post(&pb, &fb));
        let ok = [ra.status(), rb.status()]
            .iter()
            .filter(|s| **s == StatusCode::SEE_OTHER)
            .count();
        assert!(
            ok >= 1,
            "round {round}: {:?} {:?}",
            ra.status(),
            rb.status()
        );
        for s in [ra.status(), rb.status()] {
            assert!(
                s == StatusCode::SEE_OTHER || s == StatusCode::UNPROCESSABLE_ENTITY,
                "{s}"
            );
        }
    }
    // No two published periods of the code overlap.
    let periods: Vec<(NaiveDate, Option<NaiveDate>)> = sqlx::query_as(
        "SELECT effective_from, effective_to FROM rubrics
          WHERE code = 'HT-1193' AND status = 'published' ORDER BY effective_from",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(periods.len() >= 4);
    for w in periods.windows(2) {
        let end = w[0].1.expect("only the last is open");
        assert!(end < w[1].0, "{w:?}");
    }
    // The database refuses an overlap written past the registry.
    let err = sqlx::query(
        "UPDATE rubrics SET effective_to = NULL
          WHERE code = 'HT-1193' AND status = 'published' AND version = 1",
    )
    .execute(&app.pool)
    .await
    .unwrap_err();
    assert_eq!(
        err.as_database_error().and_then(|e| e.constraint()),
        Some("rubrics_published_periods")
    );
}

/// Hà Tĩnh's own 17-QĐ/TU rubric, from 02/06/2023: the shipped one if it is there, else a
/// province-scoped copy of the national frame published through the registry.
async fn ht17(app: &TestApp) -> Uuid {
    if let Some(id) = sqlx::query_scalar(
        "SELECT id FROM rubrics WHERE code = 'HT-17' AND status = 'published' ORDER BY version LIMIT 1",
    )
    .fetch_optional(&app.pool)
    .await
    .unwrap()
    {
        return id;
    }
    let hd42 = rubric_id(app, "HD42-KHUNG", 1).await;
    let mut r = registry::rubric(&app.pool, hd42)
        .await
        .unwrap()
        .unwrap()
        .rubric;
    r.code = "HT-17".into();
    r.title = "Tiêu chí đánh giá chất lượng sinh hoạt chi bộ theo Quy định 17-QĐ/TU".into();
    r.effective_from = d(2023, 6, 2);
    r.effective_to = None;
    let province = app.unit_id(PROVINCE).await;
    let admin: Uuid = sqlx::query_scalar("SELECT id FROM users WHERE username = 'admin'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let id = registry::create_draft(&app.pool, &r, Some(province), admin)
        .await
        .unwrap();
    registry::publish(&app.pool, id, 1, None, admin, chibo::clock::wall_now())
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn which_rubric_applies_when_and_why() {
    let app = TestApp::spawn().await;
    let branch = app.unit_id(BRANCH).await;
    let ht17 = ht17(&app).await;
    let ht1193 = rubric_id(&app, "HT-1193", 1).await;
    let hd42 = rubric_id(&app, "HD42-KHUNG", 1).await;
    let nghe_an = fixtures::province(&app, "Đảng bộ tỉnh Nghệ An").await;
    let _ = nghe_an;
    let other = fixtures::branch(&app, "Chi bộ Khối Nghệ An", "Đảng bộ tỉnh Nghệ An").await;
    let today = app.today();
    const OWN: &str = "Bộ tiêu chí riêng của Đảng bộ tỉnh Hà Tĩnh áp dụng cho đơn vị trực thuộc.";
    const OVER: &str = "Bộ tiêu chí riêng của Đảng bộ tỉnh Hà Tĩnh áp dụng cho đơn vị trực thuộc, thay cho khung toàn quốc.";
    const NATIONAL: &str =
        "Khung hướng dẫn toàn quốc (không có bộ tiêu chí riêng của tỉnh trong thời gian này).";
    const NOTHING: &str = "Không có bộ tiêu chí nào áp dụng cho loại cuộc họp này vào ngày này.";
    let table: Vec<(Uuid, NaiveDate, &str, Option<Uuid>, &str)> = vec![
        (branch, d(2023, 6, 1), "regular", Some(ht1193), OWN),
        (branch, d(2023, 6, 2), "regular", Some(ht17), OWN),
        (branch, d(2025, 10, 27), "thematic", Some(ht17), OWN),
        (branch, d(2025, 10, 28), "regular", Some(ht17), OVER),
        (branch, today, "combined", Some(ht17), OVER),
        (branch, today, "committee", None, NOTHING),
        (other, d(2023, 6, 2), "regular", None, NOTHING),
        (other, d(2025, 10, 28), "regular", Some(hd42), NATIONAL),
        (other, today, "regular", Some(hd42), NATIONAL),
    ];
    fixtures::login(&app, "quantrihethong", Role::Admin, None).await;
    app.login_as("quantrihethong").await;
    for (unit, day, kind, want, why) in table {
        let got = registry::rubric_in_force(&app.pool, unit, kind, day)
            .await
            .unwrap()
            .map(|r| r.id);
        assert_eq!(got, want, "{day} {kind}");
        let (status, page) = app
            .get(&format!(
                "/units/{unit}/rubrics?day={}&kind={kind}",
                vn(day)
            ))
            .await;
        assert_eq!(status, StatusCode::OK);
        let answer = crate::support::texts(&page, "#answer").join(" ");
        assert!(answer.contains(why), "{day} {kind}: {answer}");
        if let Some(w) = want {
            let r = registry::rubric(&app.pool, w).await.unwrap().unwrap();
            assert!(answer.contains(&r.rubric.title), "{day} {kind}: {answer}");
        }
    }

    // The timeline as the branch's secretary sees it, linked from the branch's page.
    let bithu = app.other_browser();
    bithu.login_as("bithu").await;
    let (_, home) = bithu.get(&format!("/units/{branch}")).await;
    assert!(home.contains(&format!("/units/{branch}/rubrics")));
    let (status, page) = bithu.get(&format!("/units/{branch}/rubrics")).await;
    assert_eq!(status, StatusCode::OK);
    let rows = crate::support::texts(&page, "#timeline tbody tr");
    assert!(
        rows.iter()
            .any(|r| r.contains("HT-1193") && r.contains("05/12/2019") && r.contains(PROVINCE))
    );
    assert!(
        rows.iter().any(|r| r.contains("HD42-KHUNG")
            && r.contains("28/10/2025")
            && r.contains("Toàn quốc"))
    );
    assert!(
        rows.iter()
            .any(|r| r.contains("HT-17") && r.contains("02/06/2023"))
    );

    // Bad input: a Vietnamese message on the field, the input kept.
    let r = bithu
        .client
        .get(bithu.url(&format!(
            "/units/{branch}/rubrics?day=31/02/2024&kind=regular"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = r.text().await.unwrap();
    assert!(text(&body).contains("Ngày không hợp lệ"));
    assert_eq!(input_value(&body, "day").as_deref(), Some("31/02/2024"));
    let r = bithu
        .client
        .get(bithu.url(&format!(
            "/units/{branch}/rubrics?day=02/06/2023&kind=party"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("Chọn một loại buổi sinh hoạt"));

    // Outside the scope: nothing.
    assert_eq!(
        bithu.get(&format!("/units/{other}/rubrics")).await.0,
        StatusCode::NOT_FOUND
    );
    let member = app.other_browser();
    member.login_as("dangvien").await;
    assert_eq!(
        member.get(&format!("/units/{branch}/rubrics")).await.0,
        StatusCode::NOT_FOUND
    );

    // Each score sheet says the same under its rubric's title, and links to the page.
    let (meeting, rubric_id, day): (Uuid, Uuid, NaiveDate) = sqlx::query_as(
        "SELECT m.id, e.rubric_id, m.month FROM evaluations e JOIN meetings m ON m.id = e.meeting_id
          WHERE m.unit_id = $1 AND e.scorer = 'branch' ORDER BY m.month DESC LIMIT 1",
    )
    .bind(branch)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let (_, page) = bithu.get(&format!("/meetings/{meeting}/evaluation")).await;
    let line = crate::support::texts(&page, "#rubric-reason").join(" ");
    assert!(line.contains(OVER) || line.contains(OWN), "{line}");
    if rubric_id != ht17 {
        assert!(
            line.contains("Bảng điểm giữ bộ tiêu chí đã dùng khi chấm lần đầu"),
            "{day}: {line}"
        );
    }
    assert!(page.contains(&format!("/units/{branch}/rubrics")));
    let _ = Datelike::year(&today);
}
