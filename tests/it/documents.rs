//! The register of a branch's documents: a notice is entered once, with the next number of
//! the branch's term, dated the day it was entered; a reader is not offered it and cannot.

use reqwest::StatusCode;
use uuid::Uuid;

use crate::fixtures::{self, demo::BRANCH, demo::NEIGHBOUR};
use crate::support::{TestApp, text, today};

async fn numbers(app: &TestApp, meeting: Uuid) -> Vec<i32> {
    sqlx::query_scalar(
        "SELECT number FROM document_numbers WHERE doc_type = 'notice' AND meeting_id = $1",
    )
    .bind(meeting)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

/// Eight presses at once on one notice's button, as many secretaries' phones would.
async fn press_at_once(app: &TestApp, user: &str, meetings: &[Uuid]) -> Vec<StatusCode> {
    let mut posts = tokio::task::JoinSet::new();
    for i in 0..8 {
        let browser = app.other_browser();
        browser.login_as(user).await;
        let path = format!("/meetings/{}/notice/number", meetings[i % meetings.len()]);
        posts.spawn(async move { browser.post(&path, &[]).await.status() });
    }
    posts.join_all().await
}

fn in_words(day: chrono::NaiveDate) -> String {
    chibo::documents::heading::place_date(Some("Sông Trí"), day)
}

#[tokio::test]
async fn a_notice_is_entered_once_with_the_next_number_of_the_branchs_term() {
    let app = TestApp::spawn().await;
    let branch = app.unit_id(BRANCH).await;
    let first = fixtures::meeting(&app, branch, fixtures::State::Planned)
        .await
        .id;
    let others: Vec<Uuid> = sqlx::query_scalar(
        "SELECT m.id FROM meetings m WHERE m.unit_id = $1 AND m.id <> $2
          ORDER BY m.month DESC LIMIT 2",
    )
    .bind(branch)
    .bind(first)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    app.login_as("bithu").await;

    // Before: "Số …-TB/CB" and the button.
    let (status, html) = app.get(&format!("/meetings/{first}/notice")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text(&html).contains("Số …-TB/CB"), "{}", text(&html));
    assert!(html.contains(&format!("action=\"/meetings/{first}/notice/number\"")));

    // Eight presses at once: one number, given once.
    let statuses = press_at_once(&app, "bithu", &[first]).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::SEE_OTHER),
        "{statuses:?}"
    );
    assert_eq!(numbers(&app, first).await, [1]);
    let (_, html) = app.get(&format!("/meetings/{first}/notice")).await;
    let page = text(&html);
    assert!(page.contains("Số 01-TB/CB"), "{page}");
    assert!(page.contains(&in_words(today())), "{page}");
    assert!(!html.contains("/notice/number"), "no button once entered");

    // Two more notices at once: the next two numbers, one each.
    let statuses = press_at_once(&app, "bithu", &others).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::SEE_OTHER),
        "{statuses:?}"
    );
    let mut given: Vec<i32> = Vec::new();
    for m in &others {
        let n = numbers(&app, *m).await;
        assert_eq!(n.len(), 1, "{m}: {n:?}");
        given.extend(n);
    }
    given.sort();
    assert_eq!(given, [2, 3]);
    let audited: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'notice_numbered' AND entity_id = ANY($1)",
    )
    .bind([vec![first], others.clone()].concat())
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited, 3, "one audit row per number given");

    // The neighbour branch numbers its own notices from 01.
    let neighbour = app.unit_id(NEIGHBOUR).await;
    let theirs = fixtures::meeting(&app, neighbour, fixtures::State::Planned)
        .await
        .id;
    fixtures::login_keeper(&app, NEIGHBOUR).await;
    let r = app
        .post(&format!("/meetings/{theirs}/notice/number"), &[])
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(numbers(&app, theirs).await, [1]);
}

#[tokio::test]
async fn a_supervisor_reads_the_notice_but_does_not_enter_it() {
    let app = TestApp::spawn().await;
    let branch = app.unit_id(BRANCH).await;
    let m = fixtures::meeting(&app, branch, fixtures::State::Planned)
        .await
        .id;
    app.login_as("phuong").await;
    let (status, html) = app.get(&format!("/meetings/{m}/notice")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(!html.contains("/notice/number"), "not offered to a reader");
    let r = app.post(&format!("/meetings/{m}/notice/number"), &[]).await;
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(numbers(&app, m).await.is_empty());
    // Outside the ward: not found, whatever the meeting.
    app.login_as("xaductho").await;
    let r = app.post(&format!("/meetings/{m}/notice/number"), &[]).await;
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert!(numbers(&app, m).await.is_empty());
}

#[tokio::test]
async fn a_committees_report_names_who_signs_for_it() {
    let app = TestApp::spawn().await;
    let ward = app.unit_id(crate::fixtures::demo::WARD).await;
    let month = crate::support::months_ago(1).format("%Y-%m").to_string();
    app.login_as("phuong").await;
    let path = format!("/reports/monthly/{ward}?month={month}");
    let (_, html) = app.get(&path).await;
    assert!(
        text(&html).contains("T/M ĐẢNG ỦY BÍ THƯ"),
        "the post, before a name is given"
    );
    // A post no form offers: refused at the field, what was typed kept, nothing saved.
    let r = app
        .post(
            &path,
            &[
                ("summary", "Nhận xét của đảng ủy."),
                ("version", ""),
                ("signer_title", "chu_tich"),
                ("signer_name", "Trần Văn Ký"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert!(text(&html).contains("Vui lòng chọn chức vụ người ký."));
    assert!(html.contains("Nhận xét của đảng ủy."));
    assert!(html.contains("value=\"Trần Văn Ký\""));
    let saved: i64 = sqlx::query_scalar("SELECT count(*) FROM monthly_reports WHERE unit_id = $1")
        .bind(ward)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(saved, 0);
    let r = app
        .post(
            &path,
            &[
                ("summary", "Nhận xét của đảng ủy."),
                ("version", ""),
                ("signer_title", "deputy_secretary"),
                ("signer_name", "Trần Văn Ký"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.get(&path).await;
    let page = text(&html);
    assert!(
        page.contains("T/M ĐẢNG ỦY PHÓ BÍ THƯ Trần Văn Ký"),
        "{page}"
    );
}
