//! Supervision: the dashboard's figures against counts made here from the raw records, the
//! alerts, the monthly report and its workbook, the model-meeting programme, scope and bad
//! months.

use chrono::{Datelike, NaiveDate};
use reqwest::StatusCode;
use uuid::Uuid;

use crate::fixtures::demo::{BRANCH, CLOSED_DISTRICT, TOWN, WARD};
use crate::fixtures::{self, Presence, State, Status};
use crate::support::{
    TestApp, input_value, iso, last_month, location, month_value, months_ago, number_after, text,
    texts, this_month, today, word_after,
};

/// The month's figures counted from the raw rows (attendance, not the meeting's counters).
async fn counted(app: &TestApp, ward: Uuid, month: &str) -> (i64, i64, i64, i64, i64, i64) {
    sqlx::query_as(
        "WITH b AS (SELECT u.id FROM units u, units w WHERE w.id = $1 AND u.path <@ w.path
                      AND u.kind IN ('branch', 'grassroots_branch') AND u.valid_to IS NULL),
              m AS (SELECT mt.id FROM meetings mt JOIN b ON b.id = mt.unit_id
                     WHERE mt.month = ($2 || '-01')::date AND mt.kind IN ('regular', 'combined')
                       AND mt.state <> 'planned')
         SELECT (SELECT count(*) FROM b),
                (SELECT count(*) FROM m),
                (SELECT count(*) FROM attendance a JOIN m ON m.id = a.meeting_id
                  WHERE a.category = 'expected' AND a.presence IN ('present', 'late')),
                (SELECT count(*) FROM attendance a JOIN m ON m.id = a.meeting_id WHERE a.category = 'expected'),
                (SELECT count(*) FROM attendance a JOIN m ON m.id = a.meeting_id
                  WHERE a.category = 'expected' AND a.presence = 'absent_unexcused'),
                (SELECT count(*) FROM evaluations e JOIN m ON m.id = e.meeting_id
                  WHERE e.scorer = 'branch' AND coalesce(e.approved_class, e.class) = 'kha')",
    )
    .bind(ward)
    .bind(month)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

/// The first sheet of the monthly report's workbook for `ward` and `month` (`yyyy-mm`), as
/// downloaded (asserted 200) and read back.
async fn report_workbook(
    app: &TestApp,
    ward: Uuid,
    month: &str,
) -> calamine::Range<calamine::Data> {
    use calamine::{Reader, Xlsx};
    let r = app
        .client
        .get(app.url(&format!("/reports/monthly/{ward}.xlsx?month={month}")))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let bytes = r.bytes().await.unwrap();
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
    book.worksheet_range_at(0).unwrap().unwrap()
}

#[tokio::test]
async fn a_supervisor_lands_on_the_dashboard_and_its_figures_match_the_records() {
    let app = TestApp::spawn().await;
    app.login_as("phuong").await;
    let ward = app.unit_id(WARD).await;
    let r = app.client.get(app.url("/")).send().await.unwrap();
    assert_eq!(
        location(&r),
        format!("/dashboard/{ward}"),
        "the home of a supervisor"
    );
    let month = last_month();
    let (branches, held, present, expected, unexcused, kha) = counted(&app, ward, &month).await;
    assert_eq!(branches, 12, "the ward's branches");
    assert!(
        held > 0 && expected > 0,
        "last month's meetings are held in the demo"
    );
    let (status, html) = app.get(&format!("/dashboard/{ward}?month={month}")).await;
    assert_eq!(status, StatusCode::OK);
    let page = text(&html);
    assert_eq!(
        word_after(&page, "Đã sinh hoạt thường kỳ"),
        format!("{held}/{branches}")
    );
    let rate = format!("{:.1}%", 100.0 * present as f64 / expected as f64).replace('.', ",");
    assert_eq!(word_after(&page, "Tỷ lệ dự bình quân"), rate);
    assert_eq!(word_after(&page, "Vắng không lý do"), unexcused.to_string());
    assert!(page.contains(&format!("Khá {kha}")), "{kha} Khá in {page}");
    // One row per branch of the ward, each leading to the branch.
    assert_eq!(
        texts(&html, "table.dashboard tbody tr").len() as i64,
        branches
    );
    assert!(
        html.contains("<svg"),
        "the trend charts are drawn on the server"
    );

    // A tick on an attendance sheet moves the figures at once (the counters follow).
    let meeting: Uuid = sqlx::query_scalar(
        "SELECT mt.id FROM meetings mt JOIN units u ON u.id = mt.unit_id, units w
          WHERE w.id = $1 AND u.path <@ w.path AND mt.month = ($2 || '-01')::date
            AND mt.kind = 'regular' AND mt.state <> 'planned' LIMIT 1",
    )
    .bind(ward)
    .bind(&month)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    sqlx::query(
        "UPDATE attendance SET presence = 'absent_unexcused'
          WHERE meeting_id = $1 AND category = 'expected' AND presence IN ('present', 'late')",
    )
    .bind(meeting)
    .execute(&app.pool)
    .await
    .unwrap();
    let (_, _, present2, expected2, unexcused2, _) = counted(&app, ward, &month).await;
    assert!(unexcused2 > unexcused);
    let (_, html) = app.get(&format!("/dashboard/{ward}?month={month}")).await;
    let page = text(&html);
    assert_eq!(
        word_after(&page, "Vắng không lý do"),
        unexcused2.to_string()
    );
    let rate = format!("{:.1}%", 100.0 * present2 as f64 / expected2 as f64).replace('.', ",");
    assert_eq!(word_after(&page, "Tỷ lệ dự bình quân"), rate);
}

#[tokio::test]
async fn the_town_dashboard_has_one_row_per_ward_and_drills_down() {
    let app = TestApp::spawn().await;
    app.login_as("thixa").await;
    let town = app.unit_id(TOWN).await;
    let ward = app.unit_id(WARD).await;
    let month = last_month();
    let (_, html) = app
        .get(&format!("/dashboard/{town}?month={month}&sort=diem"))
        .await;
    let wards: i64 =
        sqlx::query_scalar("SELECT count(*) FROM units WHERE parent_id = $1 AND valid_to IS NULL")
            .bind(town)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(wards > 1, "the town has wards and communes");
    assert_eq!(texts(&html, "table.dashboard tbody tr").len() as i64, wards);
    assert!(
        html.contains(&format!("/dashboard/{ward}?month={month}")),
        "a ward row leads to its dashboard"
    );
    // Filter by branch type: only residential groups (tổ dân phố) are counted.
    let (_, html) = app
        .get(&format!(
            "/dashboard/{town}?month={month}&type=residential_group"
        ))
        .await;
    let tdp: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM units u, units t WHERE t.id = $1 AND u.path <@ t.path
            AND u.kind IN ('branch', 'grassroots_branch') AND u.branch_type = 'residential_group' AND u.valid_to IS NULL",
    )
    .bind(town)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(text(&html).contains(&format!("· {tdp} chi bộ")), "{tdp}");
}

#[tokio::test]
async fn dashboards_stay_inside_the_scope_and_refuse_bad_months() {
    let app = TestApp::spawn().await;
    let town = app.unit_id(TOWN).await;
    let ward = app.unit_id(WARD).await;
    for (who, path) in [
        ("phuong", format!("/dashboard/{town}")),
        ("phuong", format!("/reports/monthly/{town}")),
        ("phuong", format!("/alerts/{town}")),
        ("xaductho", format!("/dashboard/{ward}")),
        ("dangvien", format!("/dashboard/{ward}")),
        ("dangvien", format!("/reports/monthly/{ward}.xlsx")),
    ] {
        let c = app.other_browser();
        c.login_as(who).await;
        assert_eq!(c.get(&path).await.0, StatusCode::NOT_FOUND, "{who} {path}");
    }
    app.login_as("phuong").await;
    let next = month_value(
        months_ago(0)
            .checked_add_months(chrono::Months::new(1))
            .unwrap(),
    );
    for (q, message) in [
        ("thang-muoi", "“thang-muoi” không phải một tháng"),
        (next.as_str(), "chưa đến"),
        ("2001-01", "được thành lập ngày"),
    ] {
        for page in ["dashboard", "reports/monthly", "alerts"] {
            let (status, html) = app.get(&format!("/{page}/{ward}?month={q}")).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{page} {q}");
            assert!(text(&html).contains(message), "{page} {q}: {}", text(&html));
        }
    }
    // A closed unit's report is the report as of that month.
    let admin = app.other_browser();
    admin.login_as("admin").await;
    let district = app.unit_id(CLOSED_DISTRICT).await;
    let (status, html) = admin
        .get(&format!("/reports/monthly/{district}?month=2025-06"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&html).contains("tháng 06/2025"));
}

#[tokio::test]
async fn the_monthly_report_lists_every_branch_and_its_workbook_holds_the_same_numbers() {
    let app = TestApp::spawn().await;
    app.login_as("phuong").await;
    let ward = app.unit_id(WARD).await;
    let month = last_month();
    let (branches, held, present, expected, unexcused, _) = counted(&app, ward, &month).await;
    assert_eq!(branches, 12, "the ward's branches");
    let (status, html) = app
        .get(&format!("/reports/monthly/{ward}?month={month}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    let page = text(&html);
    assert!(page.contains("ĐẢNG CỘNG SẢN VIỆT NAM"));
    assert!(
        page.contains("Số …-BC/ĐU"),
        "not numbered before it is saved"
    );
    assert!(page.contains(&format!(
        "Toàn đảng bộ có {branches} chi bộ; {held} chi bộ đã sinh hoạt thường kỳ"
    )));
    assert_eq!(
        texts(&html, "table.report tbody tr.line").len() as i64,
        branches,
        "a row per branch"
    );
    assert_eq!(texts(&html, "table.report tbody tr.total").len(), 1);
    let total = texts(&html, "table.report tbody tr.total").join(" ");
    assert!(
        total.starts_with("Tổng cộng ")
            && total.contains(&format!(" {held}/{branches} {present}/{expected} ")),
        "{total}"
    );

    // The workbook, read back.
    use calamine::Data;
    let sheet = report_workbook(&app, ward, &month).await;
    let cell = |r: u32, c: u32| sheet.get_value((r, c)).cloned().unwrap_or(Data::Empty);
    assert_eq!(cell(3, 1), Data::String("Chi bộ".into()));
    assert_eq!(cell(3, 6), Data::String("Tỷ lệ dự (%)".into()));
    let total_row = 4 + branches as u32;
    assert_eq!(cell(total_row, 1), Data::String("Tổng cộng".into()));
    assert_eq!(cell(total_row, 4), Data::Float(present as f64));
    assert_eq!(cell(total_row, 5), Data::Float(expected as f64));
    assert_eq!(cell(total_row, 7), Data::Float(unexcused as f64));
    let names: Vec<String> = (0..branches as u32)
        .map(|i| cell(4 + i, 1).to_string())
        .collect();
    for n in &names {
        assert!(page.contains(n.as_str()), "{n} in the printed report too");
    }

    // The supervisor's text, numbered on first save; a stale save keeps what was typed.
    let r = app
        .post(
            &format!("/reports/monthly/{ward}?month={month}"),
            &[
                ("summary", "Các chi bộ duy trì sinh hoạt đều."),
                ("version", ""),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = app
        .get(&format!("/reports/monthly/{ward}?month={month}"))
        .await;
    let page = text(&html);
    assert!(page.contains("Số 01-BC/ĐU"), "{page}");
    assert!(page.contains("Các chi bộ duy trì sinh hoạt đều."));
    let r = app
        .post(
            &format!("/reports/monthly/{ward}?month={month}"),
            &[("summary", "Bản cũ"), ("version", "")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(text(&html).contains("vừa được người khác thay đổi"));
    assert!(html.contains("Bản cũ"));
    // The next month's report takes the next number of the term.
    let earlier = month_value(months_ago(2));
    app.post(
        &format!("/reports/monthly/{ward}?month={earlier}"),
        &[("summary", ""), ("version", "")],
    )
    .await;
    let (_, html) = app
        .get(&format!("/reports/monthly/{ward}?month={earlier}"))
        .await;
    assert!(text(&html).contains("Số 02-BC/ĐU"));
    // A branch secretary cannot write the ward's report.
    let bithu = app.other_browser();
    bithu.login_as("bithu").await;
    let r = bithu
        .post(
            &format!("/reports/monthly/{ward}?month={month}"),
            &[("summary", "x"), ("version", "1")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_alerts_page_names_each_problem_and_where_to_act() {
    let app = TestApp::spawn().await;
    app.login_as("phuong").await;
    let ward = app.unit_id(WARD).await;
    let month = last_month();
    // A member of the ward absent without reason in three months of a year: last month's
    // year when three of its months have passed by then, else December of the year before
    // (in January and February the year has only one or two months behind it).
    let last = months_ago(1);
    let absent_by = if last.month() >= 3 {
        last
    } else {
        NaiveDate::from_ymd_opt(last.year() - 1, 12, 1).unwrap()
    };
    let (member, name, branch): (Uuid, String, Uuid) = sqlx::query_as(
        "SELECT mb.id, mb.full_name, u.id FROM members mb
           JOIN memberships ms ON ms.member_id = mb.id AND ms.valid_to IS NULL AND ms.kind = 'permanent'
           JOIN units u ON u.id = ms.unit_id, units w
          WHERE w.id = $1 AND u.path <@ w.path AND mb.lifecycle_state = 'active'
            AND (SELECT count(*) FROM attendance a JOIN meetings m ON m.id = a.meeting_id
                  WHERE a.member_id = mb.id AND m.unit_id = u.id AND m.kind = 'regular'
                    AND a.category = 'expected' AND m.month <= $2
                    AND date_trunc('year', m.month) = date_trunc('year', $2::date)) >= 3
          ORDER BY mb.id LIMIT 1",
    )
    .bind(ward)
    .bind(absent_by)
    .fetch_one(&app.pool)
    .await
    .expect("a member of the ward expected at three regular meetings of the year");
    let months: Vec<Uuid> = sqlx::query_scalar(
        "SELECT a.meeting_id FROM attendance a JOIN meetings m ON m.id = a.meeting_id
          WHERE a.member_id = $1 AND m.unit_id = $2 AND m.kind = 'regular' AND a.category = 'expected'
            AND m.month <= $3 AND date_trunc('year', m.month) = date_trunc('year', $3::date)
          ORDER BY m.month DESC LIMIT 3",
    )
    .bind(member)
    .bind(branch)
    .bind(absent_by)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(months.len(), 3, "{months:?}");
    sqlx::query("UPDATE attendance SET presence = 'absent_unexcused' WHERE member_id = $1 AND meeting_id = ANY($2)")
        .bind(member)
        .bind(&months)
        .execute(&app.pool)
        .await
        .unwrap();
    let (status, html) = app
        .get(&format!("/alerts/{ward}?month={}", month_value(absent_by)))
        .await;
    assert_eq!(status, StatusCode::OK);
    let page = text(&html);
    assert!(
        page.contains(&format!("Đồng chí {name} vắng không lý do")),
        "{page}"
    );
    assert!(html.contains(&format!("/members/{member}")));

    let (status, html) = app.get(&format!("/alerts/{ward}?month={month}")).await;
    assert_eq!(status, StatusCode::OK);
    let page = text(&html);
    assert!(
        page.contains("Chưa khóa biên bản"),
        "last month's minutes are open in the demo"
    );
    // The administrator raises a threshold: the minutes alert goes away.
    let admin = app.other_browser();
    admin.login_as("admin").await;
    let (_, form) = admin.get("/admin/alerts").await;
    let version = input_value(&form, "version").unwrap();
    let r = admin
        .post(
            "/admin/alerts",
            &[
                ("minutes_open_days", "61"),
                ("score_unsent_days", "7"),
                ("approval_days", "10"),
                ("unexcused_months", "3"),
                ("materials_days_before", "1"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY, "out of range");
    let html = r.text().await.unwrap();
    assert!(text(&html).contains("nhập số nguyên từ 1 đến 60"));
    assert_eq!(
        input_value(&html, "minutes_open_days").as_deref(),
        Some("61")
    );
    let r = admin
        .post(
            "/admin/alerts",
            &[
                ("minutes_open_days", "60"),
                ("score_unsent_days", "7"),
                ("approval_days", "10"),
                ("unexcused_months", "3"),
                ("materials_days_before", "1"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.get(&format!("/alerts/{ward}?month={month}")).await;
    assert!(!text(&html).contains("Chưa khóa biên bản"));
    // A second save from the old form is stale.
    let r = admin
        .post(
            "/admin/alerts",
            &[
                ("minutes_open_days", "5"),
                ("score_unsent_days", "7"),
                ("approval_days", "10"),
                ("unexcused_months", "3"),
                ("materials_days_before", "1"),
                ("version", &version),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("vừa được người khác thay đổi"));
}

#[tokio::test]
async fn the_model_meeting_programme_rolls_through_the_branches() {
    let app = TestApp::spawn().await;
    app.login_as("phuong").await;
    let ward = app.unit_id(WARD).await;
    let branch = app.unit_id(BRANCH).await;
    let this_month = this_month();
    let path = format!("/model-meetings/{ward}");
    let r = app
        .post(
            &path,
            &[("branch", &branch.to_string()), ("month", &this_month)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = app
        .post(
            &path,
            &[("branch", &branch.to_string()), ("month", &this_month)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("đã có kế hoạch sinh hoạt điểm"));
    let r = app
        .post(
            &path,
            &[("branch", &branch.to_string()), ("month", "2020-01")],
        )
        .await;
    assert!(text(&r.text().await.unwrap()).contains("đã qua"));
    // A branch of another ward is not a choice.
    let other: Uuid = sqlx::query_scalar(
        "SELECT u.id FROM units u, units w WHERE w.id = $1 AND NOT u.path <@ w.path
            AND u.kind = 'branch' AND u.valid_to IS NULL LIMIT 1",
    )
    .bind(ward)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let r = app
        .post(
            &path,
            &[("branch", &other.to_string()), ("month", &this_month)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let (_, html) = app.get(&path).await;
    assert!(text(&html).contains("Đã tổ chức và rút kinh nghiệm: 0/12"));
    let planned: (Uuid, i32) =
        sqlx::query_as("SELECT id, version FROM model_meetings WHERE branch_id = $1")
            .bind(branch)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let r = app
        .post(
            &format!("{path}/{}", planned.0),
            &[
                ("upper_attendees", "Đồng chí Bí thư Đảng ủy phường"),
                ("reviewed_at", &iso(today())),
                (
                    "review",
                    "Chuẩn bị chu đáo; cần dành thêm thời gian thảo luận.",
                ),
                ("version", &planned.1.to_string()),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.get(&path).await;
    let page = text(&html);
    assert!(
        page.contains("Đã tổ chức và rút kinh nghiệm: 1/12"),
        "{page}"
    );
    assert!(page.contains("Chuẩn bị chu đáo"));
}

#[tokio::test]
async fn the_yearly_report_rolls_up_each_branch() {
    let app = TestApp::spawn().await;
    app.login_as("phuong").await;
    let ward = app.unit_id(WARD).await;
    let year = today().year();
    let (status, html) = app
        .get(&format!("/reports/yearly/{ward}?year={year}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(texts(&html, "table.report tbody tr").len(), 12);
    assert!(text(&html).contains(&format!(
        "kết quả đánh giá chất lượng sinh hoạt chi bộ năm {year}"
    )));
    assert_eq!(
        app.get(&format!("/reports/yearly/{ward}?year={}", year + 1))
            .await
            .0,
        StatusCode::BAD_REQUEST
    );
}

/// Two branches built for the test, one with a held meeting: the ward's figures for this
/// month move by exactly what they hold, and each has its own row.
#[tokio::test]
async fn new_branches_and_a_held_meeting_move_this_months_figures() {
    let app = TestApp::spawn().await;
    app.login_as("phuong").await;
    let ward = app.unit_id(WARD).await;
    let path = format!("/dashboard/{ward}?month={}", this_month());
    let (status, before) = app.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    let before = text(&before);
    let held_of = |page: &str| {
        let shown = word_after(page, "Đã sinh hoạt thường kỳ");
        let (held, branches) = shown
            .split_once('/')
            .unwrap_or_else(|| panic!("held/branches, not {shown}"));
        (
            held.parse::<usize>().unwrap(),
            branches.parse::<usize>().unwrap(),
        )
    };
    let (held_before, branches_before) = held_of(&before);
    let unexcused_before = number_after(&before, "Vắng không lý do");
    let unscored_before = number_after(&before, "Đã họp, chưa chấm");

    // Three of four present, the fourth absent without reason; the minutes closed.
    let met = fixtures::branch(&app, "Chi bộ Tổ dân phố Đã Họp", WARD).await;
    let ids = fixtures::members(&app, met, &[(Status::Full, 3), (Status::Probationary, 1)]).await;
    fixtures::meeting_with(
        &app,
        met,
        State::Closed,
        &[
            (ids[0], Presence::Present),
            (ids[1], Presence::Late),
            (ids[2], Presence::Present),
            (ids[3], Presence::AbsentUnexcused),
        ],
    )
    .await;
    // Planned only: not held.
    let waiting = fixtures::branch(&app, "Chi bộ Tổ dân phố Chưa Họp", WARD).await;
    fixtures::members(&app, waiting, &[(Status::Full, 3)]).await;
    fixtures::meeting(&app, waiting, State::Planned).await;

    let (_, html) = app.get(&path).await;
    let page = text(&html);
    assert_eq!(
        held_of(&page),
        (held_before + 1, branches_before + 2),
        "{page}"
    );
    assert_eq!(
        number_after(&page, "Vắng không lý do"),
        unexcused_before + 1
    );
    assert_eq!(
        number_after(&page, "Đã họp, chưa chấm"),
        unscored_before + 1
    );
    // Branch, held, thematic in the quarter, attendance rate, absent without reason, score.
    let cells = |name: &str| -> Vec<String> {
        let rows = texts(&html, "table.dashboard tbody tr");
        let row = rows
            .iter()
            .find_map(|r| r.strip_prefix(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no row for {name}: {rows:?}"));
        row.split_whitespace().take(6).map(str::to_owned).collect()
    };
    assert_eq!(
        cells("Chi bộ Tổ dân phố Đã Họp"),
        ["1", "1", "0", "75,0%", "1", "—"],
        "late counts as present"
    );
    assert_eq!(
        cells("Chi bộ Tổ dân phố Chưa Họp"),
        ["1", "0", "0", "—", "0", "—"]
    );
}

/// One rate, stated one way: 15 present of 17 expected (20 in the đảng số, 3 exempt) reads
/// 88,2% on the meeting page, the branch's list, the print, the dashboard, the report and
/// its workbook; the report's "có mặt" column is over the same base as its rate, with the
/// đảng số in its own column, and the report's averages are the dashboard's.
#[tokio::test]
async fn a_meetings_rate_reads_the_same_on_every_page_print_and_workbook() {
    let app = TestApp::spawn().await;
    app.login_as("phuong").await;
    let ward = app.unit_id(WARD).await;
    let branch = fixtures::branch(&app, "Chi bộ Tổ dân phố Một Tỷ Lệ", WARD).await;
    let ids = fixtures::members(&app, branch, &[(Status::Full, 20)]).await;
    // Exempt from the 1st, the day the month's meeting lists its members.
    for &id in &ids[17..] {
        let version = app.member_version(id).await;
        chibo::members::store::set_exempt(
            &app.pool,
            None,
            chibo::members::store::Step {
                member_id: id,
                version,
                on_date: app.this_month(),
                reference: Some("01-QĐ/CB"),
                reason: Some("Tuổi cao, sức yếu"),
            },
            true,
        )
        .await
        .unwrap();
    }
    let mut marks: Vec<(Uuid, Presence)> = ids[..15]
        .iter()
        .map(|&id| (id, Presence::Present))
        .collect();
    marks.extend(ids[15..17].iter().map(|&id| (id, Presence::AbsentExcused)));
    let m = fixtures::meeting_with(&app, branch, State::Closed, &marks).await;
    assert_eq!(m.expected.len(), 17, "the three exempt are not expected");

    let (_, html) = app.get(&format!("/meetings/{}", m.id)).await;
    assert!(
        text(&html).contains("88,2%"),
        "meeting page: {}",
        text(&html)
    );
    let (_, html) = app.get(&format!("/units/{branch}/meetings")).await;
    assert!(
        text(&html).contains("88,2%"),
        "branch list: {}",
        text(&html)
    );
    let (_, html) = app.get(&format!("/meetings/{}/print", m.id)).await;
    assert!(
        text(&html).contains("Có mặt: 15 (tỷ lệ 88,2%)"),
        "print: {}",
        text(&html)
    );

    let month = this_month();
    let (_, html) = app.get(&format!("/dashboard/{ward}?month={month}")).await;
    let rows = texts(&html, "table.dashboard tbody tr");
    let row = rows
        .iter()
        .find(|r| r.starts_with("Chi bộ Tổ dân phố Một Tỷ Lệ "))
        .unwrap_or_else(|| panic!("no dashboard row: {rows:?}"));
    assert!(row.contains(" 88,2% "), "dashboard row: {row}");
    let dashboard = text(&html);
    let dash_rate = word_after(&dashboard, "Tỷ lệ dự bình quân");
    let dash_avg = word_after(&dashboard, "Điểm bình quân");

    let (_, html) = app
        .get(&format!("/reports/monthly/{ward}?month={month}"))
        .await;
    let rows = texts(&html, "table.report tbody tr.line");
    let row = rows
        .iter()
        .find(|r| r.contains("Chi bộ Tổ dân phố Một Tỷ Lệ"))
        .unwrap_or_else(|| panic!("no report row: {rows:?}"));
    // TT, name, đảng số, day, có mặt/phải có mặt, rate.
    assert!(
        row.contains("Chi bộ Tổ dân phố Một Tỷ Lệ 20 ") && row.contains(" 15/17 88,2%"),
        "report row: {row}"
    );
    let report = text(&html);
    assert!(
        report.contains(&format!(
            "Tỷ lệ đảng viên dự sinh hoạt bình quân {dash_rate};"
        )),
        "the report's rate is the dashboard's {dash_rate}: {report}"
    );
    assert!(
        report.contains(&format!("Điểm bình quân {dash_avg};")),
        "the report's average is the dashboard's {dash_avg}: {report}"
    );

    use calamine::Data;
    let sheet = report_workbook(&app, ward, &month).await;
    let row = (4..sheet.height() as u32)
        .find(|&r| {
            sheet.get_value((r, 1)) == Some(&Data::String("Chi bộ Tổ dân phố Một Tỷ Lệ".into()))
        })
        .expect("the branch's row in the workbook");
    assert_eq!(sheet.get_value((row, 2)), Some(&Data::Float(20.0)));
    assert_eq!(sheet.get_value((row, 6)), Some(&Data::Float(88.2)));
}

/// The alerts of a past month are those of that month, whatever today is: a probation is
/// measured at the month's end (one that ran out later is not yet overdue there), and a
/// quarter that is over is judged on all its months (a thematic meeting in its last month
/// answers its first month too).
#[tokio::test]
async fn a_past_months_alerts_are_judged_as_of_that_month() {
    let app = TestApp::spawn().await;
    app.login_as("phuong").await;
    let branch = fixtures::branch(&app, "Chi bộ Tổ dân phố Nhìn Lại", WARD).await;
    let ids = fixtures::members(
        &app,
        branch,
        &[(Status::Full, 3), (Status::Probationary, 1)],
    )
    .await;
    let probationer = fixtures::name_of(&app, ids[3]).await;

    // Viewed month: three months ago. The probation ends ten days after that month's end:
    // running then, overdue now (at least 50 days later).
    let viewed = months_ago(3);
    let viewed_end = viewed
        .checked_add_months(chrono::Months::new(1))
        .unwrap()
        .pred_opt()
        .unwrap();
    let admitted = (viewed_end + chrono::Days::new(10))
        .checked_sub_months(chrono::Months::new(12))
        .unwrap();
    sqlx::query("UPDATE members SET admission_date = $2 WHERE id = $1")
        .bind(ids[3])
        .bind(admitted)
        .execute(&app.pool)
        .await
        .unwrap();
    let overdue_names = |html: &str| -> Vec<String> {
        texts(html, "section.alert-group")
            .into_iter()
            .filter(|g| g.starts_with("Quá hạn xét công nhận đảng viên chính thức"))
            .collect()
    };
    let ward = app.unit_id(WARD).await;
    let (_, now) = app
        .get(&format!("/alerts/{ward}?month={}", this_month()))
        .await;
    assert!(
        overdue_names(&now).iter().any(|g| g.contains(&probationer)),
        "overdue today: {:?}",
        overdue_names(&now)
    );
    let (status, then) = app
        .get(&format!("/alerts/{ward}?month={}", month_value(viewed)))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        !overdue_names(&then)
            .iter()
            .any(|g| g.contains(&probationer)),
        "still running at the end of {}: {:?}",
        month_value(viewed),
        overdue_names(&then)
    );

    // A meeting of that month whose minutes were closed only today: at the month's end they
    // were still open, and that month's alerts say so.
    let (late, late_branch): (Uuid, String) = sqlx::query_as(
        "SELECT m.id, u.name FROM meetings m JOIN units u ON u.id = m.unit_id, units w
          WHERE w.id = $1 AND u.path <@ w.path AND m.month = $2 AND m.kind = 'regular'
            AND m.state = 'closed' ORDER BY u.name LIMIT 1",
    )
    .bind(ward)
    .bind(viewed)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let minutes_open = |html: &str| -> bool {
        texts(html, "section.alert-group")
            .iter()
            .any(|g| g.starts_with("Chưa khóa biên bản") && g.contains(&late_branch))
    };
    assert!(!minutes_open(&then), "closed within the month in the demo");
    // Meeting events are append-only: the test rewrites one as the database's owner would.
    let now = crate::support::clock().now().to_rfc3339();
    crate::support::rewrite_history(
        &app,
        &format!(
            "UPDATE meeting_events SET at = '{now}' WHERE meeting_id = $1 AND kind = 'closed'"
        ),
        late,
    )
    .await;
    let (_, then) = app
        .get(&format!("/alerts/{ward}?month={}", month_value(viewed)))
        .await;
    assert!(
        minutes_open(&then),
        "open at the end of {}",
        month_value(viewed)
    );

    // The last quarter that is over: a thematic meeting held in its last month.
    let this_quarter = months_ago(0).with_day(1).unwrap();
    let quarter_start = NaiveDate::from_ymd_opt(
        this_quarter.year(),
        (this_quarter.month() - 1) / 3 * 3 + 1,
        1,
    )
    .unwrap();
    let last_q_first = quarter_start
        .checked_sub_months(chrono::Months::new(3))
        .unwrap();
    let last_q_last = quarter_start
        .checked_sub_months(chrono::Months::new(1))
        .unwrap();
    let thematic = chibo::meetings::store::create(
        &app.pool,
        None,
        branch,
        chibo::meetings::forms::NewMeeting {
            kind: chibo::meetings::domain::MeetingKind::Thematic,
            month: last_q_last,
            is_model: false,
            topic: Some("Học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh".into()),
            planned_at: None,
            location: None,
            copy_last: false,
        },
        crate::support::clock().now(),
    )
    .await
    .unwrap();
    sqlx::query(
        "UPDATE meetings SET state = 'held',
                started_at = ($2::date + time '08:00') AT TIME ZONE 'Asia/Ho_Chi_Minh',
                ended_at = ($2::date + time '10:00') AT TIME ZONE 'Asia/Ho_Chi_Minh'
          WHERE id = $1",
    )
    .bind(thematic)
    .bind(last_q_last + chrono::Days::new(9))
    .execute(&app.pool)
    .await
    .unwrap();
    let no_thematic = |html: &str| -> bool {
        texts(html, "section.alert-group")
            .iter()
            .any(|g| g.starts_with("Chưa sinh hoạt chuyên đề trong quý") && g.contains("Nhìn Lại"))
    };
    let (_, first) = app
        .get(&format!(
            "/alerts/{ward}?month={}",
            month_value(last_q_first)
        ))
        .await;
    assert!(
        !no_thematic(&first),
        "the quarter of {} had its thematic meeting in {}",
        month_value(last_q_first),
        month_value(last_q_last)
    );
    // The branch had no regular meeting in that month: that alert stays.
    assert!(texts(&first, "section.alert-group").iter().any(|g| {
        g.starts_with("Chưa sinh hoạt thường kỳ trong tháng") && g.contains("Nhìn Lại")
    }));
}
