//! The supervisor's forms through the router: the model-meeting plan and review (refused with
//! the reason, the input kept, nothing written; a plan raced twice is written once), and the
//! thresholds and the monthly report stamped with the application clock's time.

use reqwest::StatusCode;
use uuid::Uuid;

use crate::fixtures::{self, demo::WARD};
use crate::support::{TestApp, input_value, iso, month_value, text, this_month, today};

async fn plans_of(app: &TestApp, branch: Uuid) -> i64 {
    app.count(
        "SELECT count(*) FROM model_meetings WHERE branch_id = $1",
        branch,
    )
    .await
}

#[tokio::test]
async fn a_model_meeting_plan_is_refused_with_its_reason_and_raced_twice_is_written_once() {
    let app = TestApp::spawn().await;
    app.login_as("phuong").await;
    let ward = app.unit_id(WARD).await;
    let path = format!("/model-meetings/{ward}");
    let month = this_month();

    // Neither a branch nor a month: both messages at once, the month kept as typed.
    let r = app
        .post(&path, &[("branch", "x"), ("month", "tháng sau")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    let page = text(&html);
    assert!(page.contains("Chọn một chi bộ đang hoạt động thuộc đơn vị."));
    assert!(page.contains("Chọn tháng (tháng/năm)."));
    assert_eq!(input_value(&html, "month").as_deref(), Some("tháng sau"));

    // The ward itself is not a branch: refused by the store, nothing written.
    let r = app
        .post(&path, &[("branch", &ward.to_string()), ("month", &month)])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        text(&r.text().await.unwrap()).contains("Chọn một chi bộ đang hoạt động thuộc đơn vị.")
    );
    assert_eq!(plans_of(&app, ward).await, 0);

    // Two supervisors plan the same branch and month at once: one plan, one refusal.
    let branch = fixtures::branch(&app, "Chi bộ Tổ dân phố Làm Điểm", WARD).await;
    let other = app.other_browser();
    other.login_as("phuong").await;
    let fields = [("branch", branch.to_string()), ("month", month.clone())];
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (a, b) = tokio::join!(app.post(&path, &form), other.post(&path, &form));
    let mut statuses = [a.status(), b.status()];
    statuses.sort();
    assert_eq!(
        statuses,
        [StatusCode::SEE_OTHER, StatusCode::UNPROCESSABLE_ENTITY]
    );
    let refused = if a.status() == StatusCode::UNPROCESSABLE_ENTITY {
        a
    } else {
        b
    };
    let shown = today().format("%m/%Y").to_string();
    assert!(text(&refused.text().await.unwrap()).contains(&format!(
        "Chi bộ này đã có kế hoạch sinh hoạt điểm tháng {shown}."
    )));
    assert_eq!(plans_of(&app, branch).await, 1);
}

#[tokio::test]
async fn a_model_meeting_review_is_checked_then_saved_from_its_version() {
    let app = TestApp::spawn().await;
    app.login_as("phuong").await;
    let ward = app.unit_id(WARD).await;
    let branch = fixtures::branch(&app, "Chi bộ Tổ dân phố Rút Kinh Nghiệm", WARD).await;
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
    let review = format!("{path}/{planned}");
    let tomorrow = today().succ_opt().unwrap();
    let version = version.to_string();

    // No text and a day to come: both messages on the plan's form, nothing written.
    let r = app
        .post(
            &review,
            &[
                ("review", "  "),
                ("reviewed_at", &iso(tomorrow)),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(&r.text().await.unwrap());
    assert!(page.contains("Ghi nội dung rút kinh nghiệm."), "{page}");
    assert!(page.contains("Ngày rút kinh nghiệm chưa đến."));
    let reviewed = "SELECT count(*) FROM model_meetings WHERE id = $1 AND review IS NOT NULL";
    assert_eq!(app.count(reviewed, planned).await, 0);

    let good = |version: &str| {
        vec![
            ("upper_attendees", "Đồng chí Phó Bí thư Đảng ủy".to_owned()),
            ("reviewed_at", iso(today())),
            ("review", "Chuẩn bị chu đáo.".to_owned()),
            ("version", version.to_owned()),
        ]
    };
    // A planned meeting of no programme of this ward: not found.
    let r = post(&app, &format!("{path}/{}", Uuid::now_v7()), &good(&version)).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    // Saved from its version; a second save from the same version is stale.
    let r = post(&app, &review, &good(&version)).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = post(&app, &review, &good(&version)).await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("vừa được người khác thay đổi"));
    let (text_saved, day): (String, chrono::NaiveDate) =
        sqlx::query_as("SELECT review, reviewed_at FROM model_meetings WHERE id = $1")
            .bind(planned)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((text_saved.as_str(), day), ("Chuẩn bị chu đáo.", today()));
}

async fn post(app: &TestApp, to: &str, fields: &[(&str, String)]) -> reqwest::Response {
    let form: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    app.post(to, &form).await
}

/// The day, in Vietnam, of a row's `updated_at`.
async fn updated_on(app: &TestApp, sql: &str, id: Uuid) -> chrono::NaiveDate {
    sqlx::query_scalar(sql)
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn thresholds_and_the_monthly_report_are_stamped_by_the_application_clock() {
    let app = TestApp::spawn().await;
    app.login_as("admin").await;
    let (_, form) = app.get("/admin/alerts").await;
    let version = input_value(&form, "version").unwrap();
    let r = app
        .post(
            "/admin/alerts",
            &[
                ("minutes_open_days", "4"),
                ("score_unsent_days", "7"),
                ("approval_days", "10"),
                ("unexcused_months", "3"),
                ("materials_days_before", "1"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let day: chrono::NaiveDate = sqlx::query_scalar(
        "SELECT (updated_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date FROM alert_settings",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(day, today());

    let supervisor = app.other_browser();
    supervisor.login_as("phuong").await;
    let ward = app.unit_id(WARD).await;
    let month = month_value(today());
    let report = format!("/reports/monthly/{ward}?month={month}");
    let long = "ệ".repeat(20_001);
    let r = supervisor
        .post(&report, &[("summary", &long), ("version", "")])
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("Phần nhận xét dài quá 20.000 ký tự."));
    let r = supervisor
        .post(&report, &[("summary", " Đạt yêu cầu. "), ("version", "")])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let sql = "SELECT (updated_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date FROM monthly_reports WHERE unit_id = $1";
    assert_eq!(updated_on(&app, sql, ward).await, today());
    let r = supervisor
        .post(
            &report,
            &[("summary", "Đạt yêu cầu, có tiến bộ."), ("version", "1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(updated_on(&app, sql, ward).await, today());
    let (summary, version): (String, i32) =
        sqlx::query_as("SELECT summary, version FROM monthly_reports WHERE unit_id = $1")
            .bind(ward)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((summary.as_str(), version), ("Đạt yêu cầu, có tiến bộ.", 2));
}

/// A model meeting planned for next month cannot have been reviewed yet: the review is
/// refused, nothing written, and the programme's coverage does not move.
#[tokio::test]
async fn a_review_dated_before_the_model_meetings_month_is_refused() {
    let app = TestApp::spawn().await;
    app.login_as("phuong").await;
    let ward = app.unit_id(WARD).await;
    let branch = fixtures::branch(&app, "Chi bộ Tổ dân phố Tháng Sau", WARD).await;
    let path = format!("/model-meetings/{ward}");
    let next_month = month_value(
        app.this_month()
            .checked_add_months(chrono::Months::new(1))
            .unwrap(),
    );
    let r = app
        .post(
            &path,
            &[("branch", &branch.to_string()), ("month", &next_month)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (planned, version): (Uuid, i32) =
        sqlx::query_as("SELECT id, version FROM model_meetings WHERE branch_id = $1")
            .bind(branch)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let r = post(
        &app,
        &format!("{path}/{planned}"),
        &[
            ("reviewed_at", iso(today())),
            ("review", "Rút kinh nghiệm trước khi họp.".to_owned()),
            ("version", version.to_string()),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(&r.text().await.unwrap());
    assert!(
        page.contains("ngày rút kinh nghiệm không thể trước tháng đó"),
        "{page}"
    );
    let reviewed = "SELECT count(*) FROM model_meetings WHERE id = $1 AND review IS NOT NULL";
    assert_eq!(app.count(reviewed, planned).await, 0);
}

/// A branch cannot host a model meeting in a month before it was founded (one whose
/// founding is entered ahead, from the middle of next month).
#[tokio::test]
async fn a_model_meeting_before_the_branch_was_founded_is_refused() {
    use chibo::org::domain::{BranchType, UnitKind};
    use chibo::org::store as org_store;
    let app = TestApp::spawn().await;
    app.login_as("phuong").await;
    let ward = app.unit_id(WARD).await;
    let founded = app
        .this_month()
        .checked_add_months(chrono::Months::new(1))
        .unwrap()
        + chrono::Days::new(14);
    let branch = org_store::create(
        &app.pool,
        None,
        org_store::NewUnit {
            parent_id: Some(ward),
            kind: UnitKind::Branch,
            branch_type: Some(BranchType::ToDanPho),
            name: "Chi bộ Tổ dân phố Sắp Lập".to_owned(),
            valid_from: founded,
        },
    )
    .await
    .unwrap();
    let r = app
        .post(
            &format!("/model-meetings/{ward}"),
            &[("branch", &branch.to_string()), ("month", &this_month())],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(
        text(&html).contains(&format!(
            "Chi bộ này thành lập ngày {}",
            founded.format("%d/%m/%Y")
        )),
        "{}",
        text(&html)
    );
    assert_eq!(input_value(&html, "month"), Some(this_month()));
    assert_eq!(plans_of(&app, branch).await, 0);
    // From the month it is founded, the plan is taken.
    let r = app
        .post(
            &format!("/model-meetings/{ward}"),
            &[
                ("branch", &branch.to_string()),
                ("month", &month_value(founded)),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(plans_of(&app, branch).await, 1);
}
