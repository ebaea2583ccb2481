//! The registry as of a date (issue 11): a meeting of any day lists its members as they stood
//! on that day — their life-cycle state from the dated history (`member_states`), their
//! status from the day of recognition — and the history itself is written by every step,
//! rebuilt by the migration's backfill, and true in the demo.

use chrono::{Days, NaiveDate};
use reqwest::StatusCode;
use uuid::Uuid;

use chibo::members::domain as member_domain;
use chibo::members::store as member_store;

use crate::fixtures::demo::WARD;
use crate::fixtures::{self, Status};
use crate::support::{TestApp, created_id, iso, month_value, months_ago, text};

/// Day `day` of the month `n` months before the tests' month.
fn day(n: u32, day: u64) -> NaiveDate {
    months_ago(n) + Days::new(day - 1)
}

/// A life-cycle step through its form (`/members/{id}/{action}`), as a user confirms it.
async fn step(
    app: &TestApp,
    member: Uuid,
    action: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let v = app.member_version(member).await.to_string();
    let mut form: Vec<(&str, &str)> = vec![("confirm", "1"), ("version", &v)];
    form.extend_from_slice(fields);
    app.post(&format!("/members/{member}/{action}"), &form)
        .await
}

/// Plans the regular meeting of the month `n` months ago, on its `at` day at 19:30 (or
/// undated); the new meeting's id.
async fn plan_past(app: &TestApp, branch: Uuid, n: u32, at: Option<u64>) -> Uuid {
    let planned = at
        .map(|d| format!("{}T19:30", iso(day(n, d))))
        .unwrap_or_default();
    let r = app
        .plan_meeting(
            branch,
            &[
                ("kind", "regular"),
                ("month", &month_value(months_ago(n))),
                ("planned_at", &planned),
                ("agenda", "template"),
            ],
        )
        .await;
    assert_eq!(
        r.status(),
        StatusCode::SEE_OTHER,
        "plan the meeting {n} months ago"
    );
    created_id(&r, "/meetings/")
}

/// A member's line on a meeting's list: (category, full member), if listed.
async fn line(app: &TestApp, meeting: Uuid, member: Uuid) -> Option<(String, bool)> {
    sqlx::query_as(
        "SELECT category, full_member FROM attendance WHERE meeting_id = $1 AND member_id = $2",
    )
    .bind(meeting)
    .bind(member)
    .fetch_optional(&app.pool)
    .await
    .unwrap()
}

fn expected() -> Option<(String, bool)> {
    Some(("expected".into(), true))
}

/// Issue 11, seen: "a member transferred away on 01/06/2026 is 'away' in a March 2026
/// meeting". Two members leave the attendance base two months ago (one on temporary
/// transfer, one exempted); a meeting planned now for three months ago expects both, the one
/// of last month lists them apart, and so do its figures.
#[tokio::test]
async fn a_past_meeting_lists_members_as_they_stood_on_its_day() {
    let app = TestApp::spawn().await;
    crate::fixtures::login_ward_keeper(&app).await;
    let branch = fixtures::branch(&app, "Chi bộ Tổ dân phố Ngày Trước", WARD).await;
    let host = fixtures::branch(&app, "Chi bộ Tổ dân phố Nơi Tạm Trú", WARD).await;
    let ids = fixtures::members(&app, branch, &[(Status::Full, 4)]).await;
    let (away, exempt) = (ids[0], ids[1]);
    let left_on = iso(day(2, 5));
    let r = step(
        &app,
        away,
        "transfer",
        &[
            ("kind", "temporary"),
            ("target", &host.to_string()),
            ("on_date", &left_on),
            ("reference", "21/GGT"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = step(
        &app,
        exempt,
        "exempt",
        &[
            ("on_date", &left_on),
            ("reason", "Tuổi cao, sức yếu"),
            ("reference", "03-QĐ/CB"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    // Three months ago both were active: expected, in the base, on the sheet as such.
    let before = plan_past(&app, branch, 3, Some(10)).await;
    assert_eq!(line(&app, before, away).await, expected());
    assert_eq!(line(&app, before, exempt).await, expected());
    let (_, sheet) = app.get(&format!("/meetings/{before}/attendance")).await;
    let sheet = text(&sheet);
    assert!(sheet.contains("Đảng viên phải có mặt (4)"), "{sheet}");
    assert!(
        !sheet.contains("Miễn sinh hoạt (")
            && !sheet.contains("Đang sinh hoạt tạm thời nơi khác ("),
        "nobody listed apart: {sheet}"
    );
    assert!(
        sheet.contains(&format!(
            "Danh sách theo tình trạng đảng viên ngày {}",
            chibo::web::vn_date(day(3, 10))
        )),
        "the sheet says which day it is for: {sheet}"
    );
    let kept: (i32, i32) =
        sqlx::query_as("SELECT expected_count, dang_so_count FROM meetings WHERE id = $1")
            .bind(before)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(kept, (4, 4), "the base and đảng số of that day");
    // Nor was the away member attached to the host yet.
    let host_before = plan_past(&app, host, 3, Some(10)).await;
    assert_eq!(line(&app, host_before, away).await, None);

    // Last month both were out of the base: listed apart, at home and at the host.
    let after = plan_past(&app, branch, 1, Some(10)).await;
    assert_eq!(line(&app, after, away).await, Some(("away".into(), true)));
    assert_eq!(
        line(&app, after, exempt).await,
        Some(("exempt".into(), true))
    );
    let (_, sheet) = app.get(&format!("/meetings/{after}/attendance")).await;
    let sheet = text(&sheet);
    assert!(
        sheet.contains("Đảng viên phải có mặt (2)")
            && sheet.contains("Miễn sinh hoạt (1)")
            && sheet.contains("Đang sinh hoạt tạm thời nơi khác (1)"),
        "{sheet}"
    );
    let kept: (i32, i32) =
        sqlx::query_as("SELECT expected_count, dang_so_count FROM meetings WHERE id = $1")
            .bind(after)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(kept, (2, 4));
    let host_after = plan_past(&app, host, 1, Some(10)).await;
    assert_eq!(
        line(&app, host_after, away).await,
        Some(("attached".into(), true))
    );
}

/// Issue 11, seen: "a member recognised on 15/03/2026 is counted as a full member (and a
/// voter) in January 2026". Recognised last month, the member is dự bị at a meeting of three
/// months ago: marked "dự bị" on its sheet, outside the eligible base of its votes.
#[tokio::test]
async fn a_member_recognised_after_a_meetings_day_is_probationary_there() {
    let app = TestApp::spawn().await;
    crate::fixtures::login_ward_keeper(&app).await;
    let branch = fixtures::branch(&app, "Chi bộ Tổ dân phố Công Nhận", WARD).await;
    let full = fixtures::members(&app, branch, &[(Status::Full, 3)]).await;
    let admitted = months_ago(14);
    let record = member_domain::MemberRecord {
        full_name: "Mai Thị Xuân Hồng".into(),
        gender: member_domain::Gender::Female,
        birth_date: NaiveDate::from_ymd_opt(1996, 4, 2).unwrap(),
        hometown: None,
        phone: None,
        card_no: None,
        admission_date: admitted,
        admission_decision_date: None,
        official_date: None,
        status: member_domain::Status::Probationary,
    };
    let newcomer = member_store::create(
        &app.pool,
        None,
        None,
        branch,
        &record,
        member_domain::EventKind::Created,
        app.today(),
    )
    .await
    .unwrap();
    let r = step(
        &app,
        newcomer,
        "recognise",
        &[("on_date", &iso(months_ago(1))), ("reference", "12-QĐ/ĐU")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let before = plan_past(&app, branch, 3, Some(10)).await;
    assert_eq!(
        line(&app, before, newcomer).await,
        Some(("expected".into(), false))
    );
    for m in full.iter().chain([&newcomer]) {
        let r = app
            .post(
                &format!("/meetings/{before}/attendance/{m}"),
                &[("presence", "present")],
            )
            .await;
        assert!(
            r.status().is_success() || r.status().is_redirection(),
            "{}",
            r.status()
        );
    }
    let (_, sheet) = app.get(&format!("/meetings/{before}/attendance")).await;
    assert!(
        text(&sheet).contains("Mai Thị Xuân Hồng dự bị"),
        "{}",
        text(&sheet)
    );
    let (_, minutes) = app.get(&format!("/meetings/{before}/minutes")).await;
    assert!(
        text(&minutes).contains("Có quyền biểu quyết: 3 đảng viên chính thức"),
        "{}",
        text(&minutes)
    );
    // All four present, but four votes are more than the three who may vote.
    let vote = |n: &'static str| {
        [
            ("subject", "Thông qua nghị quyết"),
            ("votes_for", n),
            ("against", "0"),
            ("abstain", "0"),
        ]
    };
    let r = app
        .post(&format!("/meetings/{before}/votes"), &vote("4"))
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(text(&r.text().await.unwrap()).contains("nhiều hơn số đảng viên có quyền biểu quyết"));
    let r = app
        .post(&format!("/meetings/{before}/votes"), &vote("2"))
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let recorded: (i32, bool) =
        sqlx::query_as("SELECT eligible, passed FROM votes WHERE meeting_id = $1")
            .bind(before)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(recorded, (3, true), "2 of 3 eligible: passed");

    // From the day of recognition on, a full member and a voter.
    let after = plan_past(&app, branch, 1, Some(10)).await;
    assert_eq!(line(&app, after, newcomer).await, expected());
    let (_, minutes) = app.get(&format!("/meetings/{after}/minutes")).await;
    assert!(text(&minutes).contains("Có quyền biểu quyết: 4 đảng viên chính thức"));
}

/// The minutes give the day a meeting was held; when that is another day than the list was
/// taken for, the unmarked lines follow the registry on the new day and the marked ones stay.
#[tokio::test]
async fn moving_a_meetings_day_retakes_the_unmarked_lines_of_its_list() {
    let app = TestApp::spawn().await;
    crate::fixtures::login_ward_keeper(&app).await;
    let branch = fixtures::branch(&app, "Chi bộ Tổ dân phố Dời Ngày", WARD).await;
    let other = fixtures::branch(&app, "Chi bộ Tổ dân phố Chuyển Đến", WARD).await;
    let ids = fixtures::members(&app, branch, &[(Status::Full, 4)]).await;
    let (marked, exempt, moved) = (ids[0], ids[1], ids[3]);
    let r = step(
        &app,
        exempt,
        "exempt",
        &[("on_date", &iso(day(2, 15))), ("reason", "Ốm dài ngày")],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = step(
        &app,
        moved,
        "transfer",
        &[
            ("kind", "permanent"),
            ("target", &other.to_string()),
            ("on_date", &iso(day(2, 12))),
            ("reference", "30/GGT"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    // Undated: listed on the 1st, when all four were there and active.
    let id = plan_past(&app, branch, 2, None).await;
    assert_eq!(line(&app, id, exempt).await, expected());
    assert_eq!(line(&app, id, moved).await, expected());

    let save = async |start_day: u64| {
        let v = app.meeting_version(id).await.to_string();
        let at = |h: &str| format!("{}T{h}", iso(day(2, start_day)));
        let r = app
            .post(
                &format!("/meetings/{id}/minutes"),
                &[
                    ("version", v.as_str()),
                    ("started_at", &at("19:30")),
                    ("ended_at", &at("21:15")),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "save the minutes");
    };
    // Held on the 20th: the exempt member is listed apart, the one who moved away is gone.
    save(20).await;
    assert_eq!(line(&app, id, exempt).await, Some(("exempt".into(), true)));
    assert_eq!(line(&app, id, moved).await, None);
    let (_, sheet) = app.get(&format!("/meetings/{id}/attendance")).await;
    let sheet = text(&sheet);
    assert!(
        sheet.contains("Đảng viên phải có mặt (2)") && sheet.contains("Miễn sinh hoạt (1)"),
        "{sheet}"
    );
    // One member marked; then the date corrected to the 10th: the rest follow that day.
    let r = app
        .post(
            &format!("/meetings/{id}/attendance/{marked}"),
            &[("presence", "late")],
        )
        .await;
    assert!(r.status().is_success() || r.status().is_redirection());
    save(10).await;
    assert_eq!(line(&app, id, exempt).await, expected());
    assert_eq!(line(&app, id, moved).await, expected());
    let presence: Option<String> = sqlx::query_scalar(
        "SELECT presence FROM attendance WHERE meeting_id = $1 AND member_id = $2",
    )
    .bind(id)
    .bind(marked)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(presence.as_deref(), Some("late"), "the mark stays");
    let kept: i32 = sqlx::query_scalar("SELECT expected_count FROM meetings WHERE id = $1")
        .bind(id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(kept, 4);
}

/// The history is a sequence: a step dated before the member's current state began (struck
/// off before the exemption it would end) is refused on its date, and nothing is written.
#[tokio::test]
async fn a_step_dated_before_the_members_last_change_is_refused() {
    let app = TestApp::spawn().await;
    crate::fixtures::login_ward_keeper(&app).await;
    let branch = fixtures::branch(&app, "Chi bộ Tổ dân phố Thứ Tự", WARD).await;
    let member = fixtures::members(&app, branch, &[(Status::Full, 1)]).await[0];
    let exempt_on = day(1, 10);
    let r = step(
        &app,
        member,
        "exempt",
        &[
            ("on_date", &iso(exempt_on)),
            ("reason", "Tuổi cao, sức yếu"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let r = step(
        &app,
        member,
        "leave",
        &[
            ("kind", "struck_off"),
            ("on_date", &iso(day(1, 5))),
            ("reference", "09-QĐ/ĐU"),
        ],
    )
    .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let body = text(&r.text().await.unwrap());
    assert!(
        body.contains(&format!(
            "Ngày không thể trước lần thay đổi trước ({}).",
            chibo::web::vn_date(exempt_on)
        )),
        "{body}"
    );
    let state: (String, i64) = sqlx::query_as(
        "SELECT lifecycle_state, (SELECT count(*) FROM member_events e WHERE e.member_id = m.id AND e.kind = 'struck_off')
           FROM members m WHERE id = $1",
    )
    .bind(member)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(state, ("exempt".into(), 0), "nothing written");
    assert_eq!(app.open_members(branch).await, 1);
}

type Period = (Uuid, String, NaiveDate, Option<NaiveDate>);

async fn periods(app: &TestApp, members: &[Uuid]) -> Vec<Period> {
    sqlx::query_as(
        "SELECT member_id, state, valid_from, valid_to FROM member_states
          WHERE member_id = ANY ($1) ORDER BY member_id, valid_from",
    )
    .bind(members)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

/// The store writes the dated history with every step; the migration's backfill, run again
/// on the same members from their events alone, rebuilds exactly those periods (and, for a
/// record changed without events, takes the current state from state_since).
#[tokio::test]
async fn the_backfill_rebuilds_the_history_the_steps_wrote() {
    let app = TestApp::spawn().await;
    crate::fixtures::login_ward_keeper(&app).await;
    let branch = fixtures::branch(&app, "Chi bộ Tổ dân phố Lịch Sử", WARD).await;
    let host = fixtures::branch(&app, "Chi bộ Tổ dân phố Nơi Khác", WARD).await;
    let ids = fixtures::members(&app, branch, &[(Status::Full, 5)]).await;
    let (many, same_day, out, moved, unrecorded) = (ids[0], ids[1], ids[2], ids[3], ids[4]);
    let ok = |r: reqwest::Response| assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let host_s = host.to_string();
    // Exempt, back, away, back, struck off.
    ok(step(
        &app,
        many,
        "exempt",
        &[("on_date", &iso(day(6, 3))), ("reason", "Ốm")],
    )
    .await);
    ok(step(&app, many, "end-exemption", &[("on_date", &iso(day(5, 3)))]).await);
    let temporary = [
        ("kind", "temporary"),
        ("target", host_s.as_str()),
        ("reference", "40/GGT"),
    ];
    let mut form = temporary.to_vec();
    let away_on = iso(day(4, 1));
    form.push(("on_date", &away_on));
    ok(step(&app, many, "transfer", &form).await);
    ok(step(&app, many, "return", &[("on_date", &iso(day(3, 1)))]).await);
    ok(step(
        &app,
        many,
        "leave",
        &[
            ("kind", "struck_off"),
            ("on_date", &iso(day(1, 1))),
            ("reference", "11-QĐ/ĐU"),
        ],
    )
    .await);
    // Exempted and back on one day (the exemption leaves no period), then out of chibo.
    ok(step(
        &app,
        same_day,
        "exempt",
        &[("on_date", &iso(day(4, 7))), ("reason", "Ốm")],
    )
    .await);
    ok(step(
        &app,
        same_day,
        "end-exemption",
        &[("on_date", &iso(day(4, 7)))],
    )
    .await);
    ok(step(
        &app,
        same_day,
        "transfer",
        &[
            ("kind", "permanent"),
            ("target", "elsewhere"),
            ("on_date", &iso(day(2, 2))),
            ("reference", "41/GGT"),
        ],
    )
    .await);
    // Deceased.
    ok(step(
        &app,
        out,
        "leave",
        &[("kind", "deceased"), ("on_date", &iso(day(2, 20)))],
    )
    .await);
    // Moved to another branch (the state unchanged), then exempted there.
    ok(step(
        &app,
        moved,
        "transfer",
        &[
            ("kind", "permanent"),
            ("target", host_s.as_str()),
            ("on_date", &iso(day(3, 9))),
            ("reference", "42/GGT"),
        ],
    )
    .await);
    ok(step(
        &app,
        moved,
        "exempt",
        &[("on_date", &iso(day(1, 9))), ("reason", "Ốm")],
    )
    .await);
    // A record made exempt without any event (as the demo and older data did).
    sqlx::query("UPDATE members SET lifecycle_state = 'exempt', state_since = $2 WHERE id = $1")
        .bind(unrecorded)
        .bind(day(2, 14))
        .execute(&app.pool)
        .await
        .unwrap();

    let admitted = NaiveDate::from_ymd_opt(2010, 1, 1).unwrap();
    let p = |m: Uuid, s: &str, from: NaiveDate, to: Option<NaiveDate>| (m, s.to_owned(), from, to);
    let written = periods(&app, &ids).await;
    let mut want = vec![
        p(many, "active", admitted, Some(day(6, 3))),
        p(many, "exempt", day(6, 3), Some(day(5, 3))),
        p(many, "active", day(5, 3), Some(day(4, 1))),
        p(many, "away", day(4, 1), Some(day(3, 1))),
        p(many, "active", day(3, 1), Some(day(1, 1))),
        p(many, "struck_off", day(1, 1), None),
        p(same_day, "active", admitted, Some(day(2, 2))),
        p(same_day, "transferred_out", day(2, 2), None),
        p(out, "active", admitted, Some(day(2, 20))),
        p(out, "deceased", day(2, 20), None),
        p(moved, "active", admitted, Some(day(1, 9))),
        p(moved, "exempt", day(1, 9), None),
        p(unrecorded, "active", admitted, None),
    ];
    want.sort();
    let mut sorted = written.clone();
    sorted.sort();
    assert_eq!(sorted, want, "the periods the steps wrote");

    // The backfill, as the migration runs it, on these members' events alone.
    sqlx::query("DELETE FROM member_states WHERE member_id = ANY ($1)")
        .bind(&ids[..])
        .execute(&app.pool)
        .await
        .unwrap();
    let migration = include_str!("../../migrations/20261202000011_registry_history.sql");
    let backfill = migration
        .split("-- backfill:begin")
        .nth(1)
        .and_then(|rest| rest.split("-- backfill:end").next())
        .expect("the backfill's markers");
    sqlx::raw_sql(backfill).execute(&app.pool).await.unwrap();
    let mut rebuilt = periods(&app, &ids).await;
    rebuilt.sort();
    let mut want_rebuilt: Vec<Period> = want
        .into_iter()
        .filter(|(m, ..)| *m != unrecorded)
        .collect();
    want_rebuilt.push(p(unrecorded, "active", admitted, Some(day(2, 14))));
    want_rebuilt.push(p(unrecorded, "exempt", day(2, 14), None));
    want_rebuilt.sort();
    assert_eq!(rebuilt, want_rebuilt);
}

/// The demo's history follows the same rules: every member's current period is their state,
/// every exemption and temporary transfer has its event, and each past meeting listed its
/// members as they stood on its day (so members away or exempt now were expected before).
#[tokio::test]
async fn the_demos_history_is_the_registry_on_each_day() {
    let app = TestApp::spawn().await;
    let count = async |sql: &str| -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(&app.pool)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    };
    let wrong_current = count(
        "SELECT count(*) FROM members m
           LEFT JOIN member_states s ON s.member_id = m.id AND s.valid_to IS NULL
          WHERE s.state IS DISTINCT FROM m.lifecycle_state",
    )
    .await;
    assert_eq!(
        wrong_current, 0,
        "members whose current period is not their state"
    );
    let without_event = count(
        "SELECT count(*) FROM members m
          WHERE m.lifecycle_state IN ('exempt', 'away')
            AND NOT EXISTS (SELECT 1 FROM member_events e
                             WHERE e.member_id = m.id AND e.on_date = m.state_since
                               AND e.kind = CASE m.lifecycle_state WHEN 'exempt' THEN 'exempted'
                                                                   ELSE 'temporary_transfer' END)",
    )
    .await;
    assert_eq!(without_event, 0, "exempt or away members without the event");
    assert!(count("SELECT count(*) FROM members WHERE lifecycle_state = 'away'").await > 0);
    let off_the_day = count(
        "SELECT count(*) FROM attendance a JOIN meetings mt ON mt.id = a.meeting_id
          WHERE a.category <> 'attached'
            AND a.category <> CASE coalesce(member_state_on(a.member_id,
                                       (mt.started_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date), 'active')
                              WHEN 'exempt' THEN 'exempt' WHEN 'away' THEN 'away' ELSE 'expected' END",
    )
    .await;
    assert_eq!(
        off_the_day, 0,
        "attendance lines not as the registry stood on the day"
    );
    let expected_before = count(
        "SELECT count(*) FROM attendance a JOIN members m ON m.id = a.member_id
          WHERE m.lifecycle_state IN ('exempt', 'away') AND a.category = 'expected'",
    )
    .await;
    assert!(
        expected_before > 0,
        "members who left the base were expected before they left"
    );
}

/// The demo's meetings follow the meeting's rules (issue 11): none held before it took
/// place or without its times, chair, minute-taker and every listed member marked; every
/// closed one with each item's minutes written or marked empty; preparation no later than
/// the meeting's day; an approved score only on closed minutes.
#[tokio::test]
async fn the_demos_meetings_follow_the_meeting_rules() {
    let app = TestApp::spawn().await;
    let now = crate::support::clock().now();
    // The one parameter a check may take is the tests' now.
    let count = async |what: &str, sql: &str| -> i64 {
        let q = sqlx::query_scalar(sql);
        let q = if sql.contains("$1") { q.bind(now) } else { q };
        q.fetch_one(&app.pool)
            .await
            .unwrap_or_else(|e| panic!("{what}: {sql}: {e}"))
    };
    let held = "mt.state IN ('held', 'closed')";
    let checks = [
        (
            "held without both times, or before it started",
            format!(
                "SELECT count(*) FROM meetings mt WHERE {held}
                   AND (mt.started_at IS NULL OR mt.ended_at IS NULL OR mt.started_at > $1)"
            ),
        ),
        (
            "held without a chair or a minute-taker",
            format!(
                "SELECT count(*) FROM meetings mt WHERE {held}
                   AND (mt.chair_id IS NULL OR mt.secretary_id IS NULL)"
            ),
        ),
        (
            "held with a listed member unmarked",
            format!(
                "SELECT count(*) FROM meetings mt JOIN attendance a ON a.meeting_id = mt.id
                  WHERE {held} AND a.category = 'expected' AND a.presence IS NULL"
            ),
        ),
        (
            "closed with an item neither written nor marked empty",
            "SELECT count(*) FROM meetings mt JOIN agenda_items i ON i.meeting_id = mt.id
              WHERE mt.state = 'closed' AND NOT i.nothing_to_record
                AND coalesce(btrim(i.minutes), '') = ''"
                .to_owned(),
        ),
        (
            "prepared after the meeting's day",
            "SELECT count(*) FROM meetings mt
              WHERE mt.started_at IS NOT NULL
                AND greatest(mt.prepared_on, mt.committee_met_on, mt.notice_sent_on,
                             mt.materials_posted_on, mt.draft_resolution_on)
                    > (mt.started_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date"
                .to_owned(),
        ),
        (
            "an approved score on minutes not closed",
            "SELECT count(*) FROM evaluations e JOIN meetings mt ON mt.id = e.meeting_id
              WHERE e.state = 'approved' AND mt.state <> 'closed'"
                .to_owned(),
        ),
    ];
    for (what, sql) in &checks {
        assert_eq!(count(what, sql).await, 0, "demo meetings {what}");
    }
    // The checks above look at something: the demo has held, closed and approved meetings.
    assert!(
        count(
            "closed meetings",
            "SELECT count(*) FROM meetings WHERE state = 'closed'"
        )
        .await
            > 100
    );
    assert!(
        count(
            "approved scores",
            "SELECT count(*) FROM evaluations WHERE state = 'approved'"
        )
        .await
            > 0
    );
}
