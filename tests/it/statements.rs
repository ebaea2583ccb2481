//! No page issues a statement per row: each page runs as many SQL statements for a branch
//! of 40 members as for one of 3, and for a committee of 6 branches as for one of 2. The
//! statements are counted by Postgres itself (pg_stat_statements, loaded in the test
//! cluster; each test's database counted apart), around one request at a time.

use reqwest::StatusCode;
use uuid::Uuid;

use crate::fixtures::{self, State, Status, demo};
use crate::support::TestApp;

/// The statements the test's database has run so far (this query included, once done).
async fn ran(app: &TestApp) -> i64 {
    sqlx::query_scalar(
        "SELECT coalesce(sum(s.calls), 0)::bigint FROM pg_stat_statements s
           JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = current_database()",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

/// The statements one GET of `path` runs (after a first GET that warms what is cached).
async fn statements(app: &TestApp, path: &str) -> i64 {
    let (status, _) = app.get(path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    let before = ran(app).await;
    let (status, _) = app.get(path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    // Less the counting query itself.
    ran(app).await - before - 1
}

/// A branch of `full` full members and one probationer under `under`, with this month's
/// meeting held and closed, everyone present.
async fn branch(app: &TestApp, name: &str, under: &str, full: usize) -> (Uuid, Uuid) {
    let id = fixtures::branch(app, name, under).await;
    fixtures::members(app, id, &[(Status::Full, full), (Status::Probationary, 1)]).await;
    let m = fixtures::meeting(app, id, State::Closed).await;
    (id, m.id)
}

#[tokio::test]
async fn a_page_runs_as_many_statements_for_many_rows_as_for_few() {
    let app = TestApp::spawn().await;
    let (small, small_meeting) = branch(&app, "Chi bộ Tổ dân phố Nhỏ", demo::WARD, 2).await;
    let (large, large_meeting) = branch(&app, "Chi bộ Tổ dân phố Lớn", demo::WARD, 39).await;
    let few = fixtures::committee(&app, "Đảng bộ phường Ít Chi Bộ", demo::TOWN).await;
    let many = fixtures::committee(&app, "Đảng bộ phường Nhiều Chi Bộ", demo::TOWN).await;
    let names = |ward: &str, n: usize| -> Vec<String> {
        (1..=n).map(|i| format!("Chi bộ {ward} số {i}")).collect()
    };
    for (ward, n) in [("Ít Chi Bộ", 2), ("Nhiều Chi Bộ", 6)] {
        for name in names(ward, n) {
            branch(&app, &name, &format!("Đảng bộ phường {ward}"), 4).await;
        }
    }
    fixtures::login_keeper(&app, demo::TOWN).await;

    let branch_pages = |b: Uuid, m: Uuid| {
        vec![
            format!("/units/{b}"),
            format!("/units/{b}/members"),
            format!("/units/{b}/meetings"),
            format!("/units/{b}/evaluations"),
            format!("/meetings/{m}"),
            format!("/meetings/{m}/attendance"),
            format!("/meetings/{m}/minutes"),
            format!("/meetings/{m}/evaluation"),
            format!("/meetings/{m}/print"),
            format!("/meetings/{m}/notice"),
            format!("/meetings/{m}/history"),
        ]
    };
    let committee_pages = |c: Uuid| {
        vec![
            format!("/units/{c}"),
            format!("/dashboard/{c}"),
            format!("/alerts/{c}"),
            format!("/reports/monthly/{c}"),
            format!("/reports/yearly/{c}"),
        ]
    };
    let mut table = Vec::new();
    let mut grows = Vec::new();
    for (a, b) in branch_pages(small, small_meeting)
        .into_iter()
        .zip(branch_pages(large, large_meeting))
        .chain(committee_pages(few).into_iter().zip(committee_pages(many)))
    {
        let (n_small, n_large) = (statements(&app, &a).await, statements(&app, &b).await);
        let shape = a
            .replace(&small.to_string(), "{chi bộ}")
            .replace(&small_meeting.to_string(), "{buổi họp}")
            .replace(&few.to_string(), "{đảng bộ}");
        table.push(format!("{n_small:>4} {n_large:>4}  {shape}"));
        if n_large != n_small {
            grows.push(format!("{a}: {n_small} → {b}: {n_large}"));
        }
    }
    eprintln!(
        "statements per page (few rows, many rows):\n{}",
        table.join("\n")
    );
    assert!(
        grows.is_empty(),
        "pages whose statements grow with their rows:\n{}",
        grows.join("\n")
    );
}

#[tokio::test]
async fn a_signed_in_request_reads_its_session_and_user_in_one_statement_and_sees_them_as_they_are()
{
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    // The password page reads nothing but who is signed in.
    assert_eq!(statements(&app, "/account/password").await, 1);
    let branch = app.unit_id(demo::BRANCH).await;
    let (status, _) = app.get(&format!("/units/{branch}")).await;
    assert_eq!(status, StatusCode::OK);
    // Nothing is kept from one request to the next: a grant withdrawn is gone at once...
    sqlx::query(
        "DELETE FROM role_grants WHERE user_id = (SELECT id FROM users WHERE username = 'bithu')",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let (status, _) = app.get(&format!("/units/{branch}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    // ... and so is an account closed: the next page asks to sign in.
    sqlx::query("UPDATE users SET is_active = false WHERE username = 'bithu'")
        .execute(&app.pool)
        .await
        .unwrap();
    let r = app
        .client
        .get(app.url("/account/password"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(
        crate::support::location(&r).starts_with("/login"),
        "{}",
        crate::support::location(&r)
    );
}
