//! Where the month's work begins: a secretary's home lists what is still owed from every
//! month, each a link; a supervisor's dashboard lists the scores waiting for approval,
//! the longest waiting first, one tap from the sheet, and opens on the last month while
//! this one has no meeting held.

use reqwest::StatusCode;
use uuid::Uuid;

use crate::fixtures::{self, demo::BRANCH, demo::TOWN};
use crate::support::{TestApp, months_ago, text, texts};

#[tokio::test]
async fn the_secretarys_home_lists_what_is_owed_from_every_month() {
    let app = TestApp::spawn().await;
    let branch = app.unit_id(BRANCH).await;
    // A meeting of this month held, its minutes open.
    let held = fixtures::meeting(&app, branch, fixtures::State::Held)
        .await
        .id;
    app.login_as("bithu").await;
    let (status, html) = app.get(&format!("/units/{branch}")).await;
    assert_eq!(status, StatusCode::OK);
    let owed = texts(&html, "section.owed li");
    let month = months_ago(0).format("%m/%Y").to_string();
    assert!(
        owed.iter()
            .any(|o| o == &format!("Biên bản sinh hoạt tháng {month} chưa khóa")),
        "{owed:?}"
    );
    assert!(html.contains(&format!("href=\"/meetings/{held}/minutes\"")));
    // Every item names its month or day and the list is as the record says: each closed,
    // scored and not sent-up meeting of the past year is there.
    let not_sent: Vec<(Uuid, chrono::NaiveDate)> = sqlx::query_as(
        "SELECT m.id, m.month FROM meetings m
           JOIN evaluations e ON e.meeting_id = m.id AND e.scorer = 'branch'
          WHERE m.unit_id = $1 AND m.state = 'closed' AND e.state IN ('draft', 'agreed')
            AND m.kind IN ('regular', 'combined') AND m.month >= $2",
    )
    .bind(branch)
    .bind(months_ago(12))
    .fetch_all(&app.pool)
    .await
    .unwrap();
    for (id, m) in &not_sent {
        let line = format!(
            "Bảng điểm tháng {} chưa gửi lên cấp trên",
            m.format("%m/%Y")
        );
        assert!(owed.contains(&line), "{line} in {owed:?}");
        assert!(html.contains(&format!("href=\"/meetings/{id}/evaluation\"")));
    }
    // Closing the minutes takes the item off the list.
    fixtures::write_item_minutes(&app, held).await;
    chibo::meetings::store::change_state(
        &app.pool,
        None,
        held,
        chibo::meetings::domain::MeetingState::Closed,
        None,
        crate::support::clock().now(),
    )
    .await
    .expect("close the minutes");
    let (_, html) = app.get(&format!("/units/{branch}")).await;
    let owed = texts(&html, "section.owed li");
    assert!(
        !owed
            .iter()
            .any(|o| o.starts_with("Biên bản sinh hoạt tháng") && o.contains(&month)),
        "{owed:?}"
    );
    assert!(
        owed.iter()
            .any(|o| o == &format!("Buổi sinh hoạt tháng {month} chưa tự chấm điểm")),
        "{owed:?}"
    );
    // A supervisor reads the branch without the secretary's list.
    app.login_as("phuong").await;
    let (_, html) = app.get(&format!("/units/{branch}")).await;
    assert!(texts(&html, "section.owed li").is_empty());
}

#[tokio::test]
async fn the_dashboard_lists_the_scores_waiting_oldest_first_one_tap_from_the_sheet() {
    let app = TestApp::spawn().await;
    let town = app.unit_id(TOWN).await;
    let waiting: Vec<(Uuid, String)> = sqlx::query_as(
        r#"SELECT m.id, b.name FROM evaluations e JOIN meetings m ON m.id = e.meeting_id
           JOIN units b ON b.id = m.unit_id, units t
          WHERE t.id = $1 AND b.path <@ t.path AND e.scorer = 'branch' AND e.state = 'submitted'
          ORDER BY e.updated_at, b.name COLLATE "vi-VN-x-icu", m.id"#,
    )
    .bind(town)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert!(!waiting.is_empty(), "the demo has scores waiting");
    app.login_as("thixa").await;
    let (status, html) = app
        .get(&format!(
            "/dashboard/{town}?month={}",
            months_ago(1).format("%Y-%m")
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    let links: Vec<String> = scraper::Html::parse_document(&html)
        .select(&scraper::Selector::parse("#cho-phe-duyet li a").unwrap())
        .filter_map(|a| a.value().attr("href").map(str::to_owned))
        .collect();
    let expected: Vec<String> = waiting
        .iter()
        .take(20)
        .map(|(id, _)| format!("/meetings/{id}/evaluation#xet-duyet"))
        .collect();
    assert_eq!(links, expected, "the longest waiting first, twenty at most");
    let page = text(&html);
    assert!(page.contains(&format!(
        "Bảng điểm chờ phê duyệt, mọi tháng ({})",
        waiting.len()
    )));
    if waiting.len() > 20 {
        assert!(
            page.contains(&format!("và {} bảng điểm khác", waiting.len() - 20)),
            "{page}"
        );
    }
    // The link leads to the sheet of its own month.
    let (status, sheet) = app.get(&expected[0].replace("#xet-duyet", "")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&sheet).contains(&waiting[0].1), "the branch's sheet");
}

#[tokio::test]
async fn the_dashboard_opens_on_the_last_month_until_a_branch_meets_in_this_one() {
    let app = TestApp::spawn().await;
    let ward = fixtures::committee(&app, "Đảng bộ phường Thử Tháng", TOWN).await;
    let branch = fixtures::branch(
        &app,
        "Chi bộ Tổ dân phố Thử Tháng",
        "Đảng bộ phường Thử Tháng",
    )
    .await;
    fixtures::members(&app, branch, &[(fixtures::Status::Full, 3)]).await;
    fixtures::login(
        &app,
        "giamsat-thu",
        chibo::auth::Role::Supervisor,
        Some(ward),
    )
    .await;
    app.login_as("giamsat-thu").await;
    let (status, html) = app.get(&format!("/dashboard/{ward}")).await;
    assert_eq!(status, StatusCode::OK);
    let page = text(&html);
    let (this, last) = (
        months_ago(0).format("%m/%Y").to_string(),
        months_ago(1).format("%m/%Y").to_string(),
    );
    assert!(
        page.contains(&format!("Sinh hoạt chi bộ tháng {last}")),
        "{page}"
    );
    assert!(
        page.contains(&format!("Tháng {this} chưa có chi bộ nào sinh hoạt")),
        "{page}"
    );
    // A month asked for is shown as asked.
    let (_, html) = app
        .get(&format!(
            "/dashboard/{ward}?month={}",
            months_ago(0).format("%Y-%m")
        ))
        .await;
    assert!(text(&html).contains(&format!("Sinh hoạt chi bộ tháng {this}")));
    // Once the branch has met this month, the dashboard opens on it.
    fixtures::meeting(&app, branch, fixtures::State::Held).await;
    let (_, html) = app.get(&format!("/dashboard/{ward}")).await;
    let page = text(&html);
    assert!(
        page.contains(&format!("Sinh hoạt chi bộ tháng {this}")),
        "{page}"
    );
    assert!(!page.contains("chưa có chi bộ nào sinh hoạt"));
}

#[tokio::test]
async fn a_drill_down_to_a_branch_keeps_the_month() {
    let app = TestApp::spawn().await;
    let ward = app.unit_id(crate::fixtures::demo::WARD).await;
    let branch = app.unit_id(BRANCH).await;
    app.login_as("phuong").await;
    let last = months_ago(1);
    let (_, html) = app
        .get(&format!("/dashboard/{ward}?month={}", last.format("%Y-%m")))
        .await;
    let link = format!("/units/{branch}?month={}", last.format("%Y-%m"));
    assert!(
        html.contains(&format!("href=\"{link}\"")),
        "the branch's row keeps the month"
    );
    let (status, page) = app.get(&link).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        text(&page).contains(&format!("Sinh hoạt tháng {}", last.format("%m/%Y"))),
        "{}",
        text(&page)
    );
    // A month not yet come is this month.
    let (_, page) = app.get(&format!("/units/{branch}?month=2999-01")).await;
    assert!(text(&page).contains(&format!(
        "Sinh hoạt tháng {}",
        months_ago(0).format("%m/%Y")
    )));
}
