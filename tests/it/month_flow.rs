//! What shortens a secretary's month, over HTTP (the phone walk itself is
//! `browser_month.rs`): the minutes start from the plan and from who usually chairs and
//! takes them, a vote from the hands up, the blank items marked in one save, each section
//! saved back at its own place; a first score sheet starts from last month's judgement only
//! when asked, and nothing of it is stored until saved.

use reqwest::StatusCode;
use uuid::Uuid;

use crate::browser_month::{SECRETARY, branch};
use crate::support::{
    TestApp, attr, created_id, input_value, location, month_value, text, texts, today,
};

/// Plans this month's meeting at 07:00 this morning and marks everyone present but
/// `absent` (unexcused). Returns the meeting.
async fn planned(app: &TestApp, branch: Uuid, absent: &[Uuid]) -> Uuid {
    let day = today().format("%Y-%m-%d").to_string();
    let r = app
        .plan_meeting(
            branch,
            &[
                ("kind", "regular"),
                ("month", &month_value(app.this_month())),
                ("agenda", "template"),
                ("planned_at", &format!("{day}T07:00")),
            ],
        )
        .await;
    let id = created_id(&r, "/meetings/");
    for &member in absent {
        mark_absent(app, id, member).await;
    }
    let version = app.meeting_version(id).await.to_string();
    let r = app
        .post(
            &format!("/meetings/{id}/all-present"),
            &[("version", &version)],
        )
        .await;
    assert!(r.status().is_redirection(), "everyone else present");
    id
}

/// Marks `member` absent without reason on the meeting's sheet, as a tap does.
async fn mark_absent(app: &TestApp, id: Uuid, member: Uuid) {
    let r = app
        .post(
            &format!("/meetings/{id}/attendance/{member}"),
            &[("presence", "absent_unexcused")],
        )
        .await;
    assert!(r.status().is_redirection(), "mark {member} absent");
}

fn selected(html: &str, select: &str) -> Option<String> {
    attr(html, &format!("select#{select} option[selected]"), "value")
}

#[tokio::test]
async fn the_minutes_start_from_the_plan_and_the_usual_hands_and_nothing_is_saved_until_saved() {
    let app = TestApp::spawn().await;
    let b = branch(&app).await;
    app.login_as(SECRETARY).await;
    let id = planned(&app, b.id, &[b.members[9]]).await;
    let (status, html) = app.get(&format!("/meetings/{id}/minutes")).await;
    assert_eq!(status, StatusCode::OK);
    let day = today().format("%Y-%m-%d").to_string();
    assert_eq!(
        input_value(&html, "started_at"),
        Some(format!("{day}T07:00"))
    );
    assert_eq!(input_value(&html, "ended_at").as_deref(), Some(""));
    assert_eq!(selected(&html, "chair_id"), Some(b.members[0].to_string()));
    assert_eq!(
        selected(&html, "secretary_id"),
        Some(b.members[1].to_string())
    );
    // 27 full members, one of them absent: 26 hands up; probationers do not vote.
    assert_eq!(input_value(&html, "votes_for").as_deref(), Some("26"));
    assert_eq!(input_value(&html, "against").as_deref(), Some("0"));
    let (started, chair): (Option<chrono::DateTime<chrono::Utc>>, Option<Uuid>) =
        sqlx::query_as("SELECT started_at, chair_id FROM meetings WHERE id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((started, chair), (None, None), "offered, not written");
    let page = text(&html);
    assert!(
        page.contains("Theo giờ dự kiến; sửa nếu họp giờ khác."),
        "{page}"
    );
    assert!(page.contains("Như buổi trước (hoặc bí thư); chọn lại nếu khác."));

    // Last month chaired by another member: that member is offered while here; once
    // marked absent, the bí thư.
    sqlx::query("UPDATE meetings SET chair_id = $2 WHERE id = $1")
        .bind(b.last_month)
        .bind(b.members[2])
        .execute(&app.pool)
        .await
        .unwrap();
    let (_, html) = app.get(&format!("/meetings/{id}/minutes")).await;
    assert_eq!(selected(&html, "chair_id"), Some(b.members[2].to_string()));
    mark_absent(&app, id, b.members[2]).await;
    let (_, html) = app.get(&format!("/meetings/{id}/minutes")).await;
    assert_eq!(selected(&html, "chair_id"), Some(b.members[0].to_string()));
    assert_eq!(input_value(&html, "votes_for").as_deref(), Some("25"));

    // The usual chair and minute-taker absent this month: nobody is offered.
    mark_absent(&app, id, b.members[0]).await;
    mark_absent(&app, id, b.members[1]).await;
    let (_, html) = app.get(&format!("/meetings/{id}/minutes")).await;
    assert_eq!(selected(&html, "chair_id"), None);
    assert_eq!(selected(&html, "secretary_id"), None);
    assert_eq!(input_value(&html, "votes_for").as_deref(), Some("23"));

    // A vote goes back to its own section; a refused one keeps what was typed, in place.
    let r = app
        .post(
            &format!("/meetings/{id}/votes"),
            &[
                ("subject", "Thông qua nghị quyết"),
                ("votes_for", "23"),
                ("against", "0"),
                ("abstain", "0"),
            ],
        )
        .await;
    assert_eq!(location(&r), format!("/meetings/{id}/minutes#bieu-quyet"));
    let r = app
        .post(
            &format!("/meetings/{id}/votes"),
            &[
                ("subject", "Kết nạp quần chúng"),
                ("votes_for", "40"),
                ("against", "0"),
                ("abstain", "0"),
            ],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = r.text().await.unwrap();
    assert_eq!(
        input_value(&html, "subject").as_deref(),
        Some("Kết nạp quần chúng")
    );
    assert!(
        texts(&html, "#record")
            .concat()
            .contains("Tổng số phiếu (40) nhiều hơn số đảng viên có quyền biểu quyết (27)."),
        "the refusal is inside the block htmx swaps"
    );
    assert!(
        texts(&html, "#page-errors")
            .concat()
            .contains("Chưa lưu được"),
        "and the page's message box says so"
    );

    // The second save marks every item left blank, and only those.
    let items: Vec<Uuid> =
        sqlx::query_scalar("SELECT id FROM agenda_items WHERE meeting_id = $1 ORDER BY position")
            .bind(id)
            .fetch_all(&app.pool)
            .await
            .unwrap();
    let version = app.meeting_version(id).await.to_string();
    let written = format!("minutes-{}", items[6]);
    let r = app
        .post(
            &format!("/meetings/{id}/minutes"),
            &[
                ("version", version.as_str()),
                (written.as_str(), "Ba đồng chí phát biểu."),
                ("rest_empty", "1"),
            ],
        )
        .await;
    assert!(
        r.status().is_redirection(),
        "{}",
        text(&r.text().await.unwrap())
    );
    let marks: Vec<(bool, Option<String>)> = sqlx::query_as(
        "SELECT nothing_to_record, minutes FROM agenda_items WHERE meeting_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(marks.iter().filter(|m| m.0).count(), 10);
    assert_eq!(marks[6], (false, Some("Ba đồng chí phát biểu.".to_owned())));
}

#[tokio::test]
async fn a_first_sheet_starts_from_last_months_judgement_only_when_asked_and_only_for_the_branch() {
    let app = TestApp::spawn().await;
    let b = branch(&app).await;
    app.login_as(SECRETARY).await;
    let id = planned(&app, b.id, &[]).await;
    sqlx::query(
        "UPDATE meetings SET started_at = ($4::date + time '06:30') AT TIME ZONE 'Asia/Ho_Chi_Minh',
                ended_at = ($4::date + time '08:15') AT TIME ZONE 'Asia/Ho_Chi_Minh',
                chair_id = $2, secretary_id = $3 WHERE id = $1",
    )
    .bind(id)
    .bind(b.members[0])
    .bind(b.members[1])
    .bind(today())
    .execute(&app.pool)
    .await
    .unwrap();
    let r = app
        .post(&format!("/meetings/{id}/state"), &[("to", "held")])
        .await;
    assert!(
        r.status().is_redirection(),
        "{}",
        text(&r.text().await.unwrap())
    );
    let last = crate::support::months_ago(1).format("%m/%Y").to_string();
    let offer = format!("Điền các tiêu chí đánh giá như tháng {last}");
    let ticked = |html: &str| texts(html, "input[type=checkbox][checked]").len();

    // Last month's sheet returned by the ward: not a judgement to start from.
    sqlx::query("UPDATE evaluations SET state = 'returned' WHERE meeting_id = $1")
        .bind(b.last_month)
        .execute(&app.pool)
        .await
        .unwrap();
    let (_, returned) = app.get(&format!("/meetings/{id}/evaluation")).await;
    assert!(!text(&returned).contains(&offer));
    sqlx::query("UPDATE evaluations SET state = 'agreed' WHERE meeting_id = $1")
        .bind(b.last_month)
        .execute(&app.pool)
        .await
        .unwrap();
    let (_, plain) = app.get(&format!("/meetings/{id}/evaluation")).await;
    assert!(text(&plain).contains(&offer));
    assert_eq!(ticked(&plain), 0, "a new sheet starts empty");
    let (_, filled) = app
        .get(&format!("/meetings/{id}/evaluation?start=earlier"))
        .await;
    assert!(text(&filled).contains(&format!("đã điền theo bảng tự chấm tháng {last}")));
    assert!(!text(&filled).contains(&offer));
    assert_eq!(ticked(&filled), 9, "last month's nine ticks");
    assert_eq!(
        input_value(&filled, "v-noi_dung_thuong_ky").as_deref(),
        Some("8"),
        "and its figures"
    );
    // The computed criteria are this meeting's, without last month's override.
    assert_eq!(input_value(&filled, "o-hoan_thanh").as_deref(), Some(""));
    let sheets: i64 = sqlx::query_scalar("SELECT count(*) FROM evaluations WHERE meeting_id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(sheets, 0, "nothing stored until saved");
    let (status, other) = app
        .get(&format!("/meetings/{id}/evaluation?start=anything"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(ticked(&other), 0);

    // The ward's supervisor scores their own sheet from nothing.
    let ward = app.other_browser();
    ward.login_as("phuong").await;
    let (status, upper) = ward
        .get(&format!("/meetings/{id}/evaluation?start=earlier"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(!text(&upper).contains(&offer) && !text(&upper).contains("đã điền theo"));
    assert_eq!(ticked(&upper), 0);

    // Once the branch has a sheet, it is the sheet that shows, with no offer.
    let mut sheet = crate::evaluation::full_form("");
    sheet.retain(|(k, _)| *k != "v-noi_dung_thuong_ky");
    sheet.push(("v-noi_dung_thuong_ky", "6".into()));
    // Last month's tasks are not reviewed yet: that criterion is given by hand.
    sheet.push(("o-hoan_thanh", "5".into()));
    sheet.push(("r-hoan_thanh", "Kiểm điểm nhiệm vụ ở buổi sau.".into()));
    let r = app
        .post_form(&format!("/meetings/{id}/evaluation"), &sheet)
        .await;
    assert!(
        r.status().is_redirection(),
        "{}",
        text(&r.text().await.unwrap())
    );
    let (_, saved) = app
        .get(&format!("/meetings/{id}/evaluation?start=earlier"))
        .await;
    assert!(!text(&saved).contains(&offer) && !text(&saved).contains("đã điền theo"));
    assert_eq!(
        input_value(&saved, "v-noi_dung_thuong_ky").as_deref(),
        Some("6")
    );
}
