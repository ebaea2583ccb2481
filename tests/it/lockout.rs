//! Wrong passwords lock a (name, address) pair, never the name's owner elsewhere; the
//! per-address rate limit on sign-ins; unlocking on the web and from the command line.

use reqwest::StatusCode;

use crate::fixtures::demo::COMMUNE;
use crate::support::{DEMO_PASSWORD, TestApp, location, text};

async fn failures(app: &TestApp, username: &str) -> Vec<(String, i32, bool)> {
    sqlx::query_as(
        "SELECT host(address), failures, coalesce(locked_until > now(), false)
           FROM login_failures WHERE username = $1 ORDER BY address",
    )
    .bind(username)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

async fn lock_out(app: &TestApp, username: &str) {
    for _ in 0..5 {
        let r = app.login(username, "sai-mat-khau").await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    }
}

/// An attacker who types the administrator's name with wrong passwords locks only their
/// own address out of it: the administrator signs in from their own address all the same.
#[tokio::test]
async fn wrong_passwords_from_one_address_never_lock_the_owner_out_from_another() {
    let app = TestApp::spawn().await;
    let attacker = app.browser_at("127.0.0.2");
    lock_out(&attacker, "admin").await;
    // The attacker's address is locked, even with the right password.
    let r = attacker.login("admin", DEMO_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        failures(&app, "admin").await,
        [("127.0.0.2".to_owned(), 5, true)]
    );
    // The owner, from elsewhere, is not.
    let owner = app.browser_at("127.0.0.1");
    let r = owner.login("admin", DEMO_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "the owner signs in");
    assert_eq!(
        failures(&app, "admin").await,
        [("127.0.0.2".to_owned(), 5, true)],
        "the owner's sign-in clears only the owner's address"
    );
}

/// Thirty wrong passwords at once for one name from one address: every attempt is counted
/// before its password is checked, under the pair's row lock, so the count stops at five
/// (the lock) and no answer is a 500.
#[tokio::test]
async fn thirty_parallel_wrong_passwords_are_counted_up_to_the_lock_and_no_further() {
    let app = TestApp::spawn().await;
    let mut sent = tokio::task::JoinSet::new();
    for _ in 0..30 {
        let browser = app.other_browser();
        sent.spawn(async move { browser.login("bithu", "sai-mat-khau").await.status() });
    }
    let statuses = sent.join_all().await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
    assert_eq!(
        failures(&app, "bithu").await,
        [("127.0.0.1".to_owned(), 5, true)]
    );
    let r = app.login("bithu", DEMO_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "locked");
}

/// The same person signing in on several devices behind one address at once: every right
/// password signs in. (A right password deletes the pair's row; a parallel attempt that
/// looked for the row it had just made found none and answered 500.)
#[tokio::test]
async fn parallel_right_passwords_from_one_address_all_sign_in() {
    let app = TestApp::spawn().await;
    for _round in 0..5 {
        let mut sent = tokio::task::JoinSet::new();
        for _ in 0..16 {
            let browser = app.other_browser();
            sent.spawn(async move { browser.login("bithu", DEMO_PASSWORD).await.status() });
        }
        let statuses = sent.join_all().await;
        assert!(
            statuses.iter().all(|s| *s == StatusCode::SEE_OTHER),
            "{statuses:?}"
        );
    }
    assert!(failures(&app, "bithu").await.is_empty());
}

/// A burst of sign-ins does not take the database from everyone else: an attempt holds a
/// connection (in a transaction, its pair's row locked) only while one of a few slots is
/// its (never more than half of the pool), so pages keep answering meanwhile.
#[tokio::test]
async fn a_burst_of_sign_ins_leaves_connections_for_the_pages() {
    // The test app's pool has 5 connections.
    const POOL: i64 = 5;
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let mut admin = app.cluster_admin().await;
    let db = app.database_name().to_owned();
    let mut sent = tokio::task::JoinSet::new();
    for i in 0..60 {
        let browser = app.other_browser();
        sent.spawn(async move {
            browser
                .login(&format!("khong-co-ai-{i}"), "sai")
                .await
                .status()
        });
    }
    // Until the burst has been answered: the app's connections in a transaction, and a page
    // asked for whenever one is seen (so while the burst holds what it may).
    let (mut most, mut pages, mut statuses) = (0, Vec::new(), Vec::new());
    while !sent.is_empty() {
        let held: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM pg_stat_activity
              WHERE datname = $1 AND application_name = 'chibo' AND xact_start IS NOT NULL",
        )
        .bind(&db)
        .fetch_one(&mut admin)
        .await
        .unwrap();
        most = most.max(held);
        if held > 0 && pages.len() < 5 {
            pages.push(app.get("/account/password").await.0);
        }
        while let Some(done) = sent.try_join_next() {
            statuses.push(done.unwrap());
        }
    }
    assert!(most > 0, "the burst was never seen holding a connection");
    assert!(
        most < POOL,
        "sign-ins held {most} of the {POOL} connections"
    );
    assert!(!pages.is_empty(), "no page was asked for during the burst");
    assert!(pages.iter().all(|s| *s == StatusCode::OK), "{pages:?}");
    assert_eq!(statuses.len(), 60);
    assert!(
        statuses.iter().all(|s| *s == StatusCode::UNAUTHORIZED),
        "{statuses:?}"
    );
}

/// More sign-ins from one address than the limit allows: 429 with the page saying how long
/// to wait, before any password is checked (nothing counted); another address is not held.
#[tokio::test]
async fn too_many_sign_ins_from_one_address_are_answered_429() {
    let app = TestApp::spawn_with_login_limit(chibo::config::LoginLimit {
        burst: 5,
        every: std::time::Duration::from_secs(3600),
    })
    .await;
    let mut sent = tokio::task::JoinSet::new();
    for i in 0..30 {
        let browser = app.other_browser();
        // Names of nobody, so that the lock-out plays no part.
        sent.spawn(async move {
            let r = browser.login(&format!("khong-co-ai-{i}"), "sai").await;
            let status = r.status();
            let retry = r
                .headers()
                .get("retry-after")
                .map(|v| v.to_str().unwrap().to_owned());
            (status, retry, text(&r.text().await.unwrap()))
        });
    }
    let answers = sent.join_all().await;
    let refused: Vec<_> = answers
        .iter()
        .filter(|(s, _, _)| *s == StatusCode::TOO_MANY_REQUESTS)
        .collect();
    let checked = answers
        .iter()
        .filter(|(s, _, _)| *s == StatusCode::UNAUTHORIZED)
        .count();
    assert_eq!((checked, refused.len()), (5, 25), "{answers:?}");
    for (_, retry, page) in &refused {
        assert!(retry.is_some(), "Retry-After");
        assert!(
            page.contains("Quá nhiều lần đăng nhập từ địa chỉ này. Vui lòng thử lại sau"),
            "{page}"
        );
        assert!(
            page.contains("phút"),
            "an hour's wait is said in minutes: {page}"
        );
    }
    let counted: i64 = sqlx::query_scalar("SELECT count(*) FROM login_failures")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(counted, 5, "refused attempts are not even counted");
    // The page itself still opens, and another address signs in.
    let (status, _) = app.get("/login").await;
    assert_eq!(status, StatusCode::OK);
    let r = app
        .browser_at("127.0.0.3")
        .login("phuong", DEMO_PASSWORD)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

/// Wrong current passwords on the change-password page count as wrong sign-ins of the
/// account from that address: the fifth locks it, the password cannot be changed then,
/// and the sign-in from that address is locked too.
#[tokio::test]
async fn wrong_current_passwords_on_the_change_password_page_lock_too() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let new = "mật khẩu mới của bí thư";
    for attempt in 1..=4 {
        let r = app
            .post(
                "/account/password",
                &[("current", "sai"), ("new", new), ("confirm", new)],
            )
            .await;
        assert_eq!(
            r.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "attempt {attempt}"
        );
        assert!(text(&r.text().await.unwrap()).contains("Mật khẩu hiện tại không đúng."));
    }
    let r = app
        .post(
            "/account/password",
            &[("current", "sai"), ("new", new), ("confirm", new)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(&r.text().await.unwrap());
    assert!(
        page.contains("Đã nhập sai mật khẩu hiện tại quá nhiều lần. Vui lòng thử lại sau 15 phút."),
        "{page}"
    );
    // Locked: even the right current password changes nothing.
    let r = app
        .post(
            "/account/password",
            &[("current", DEMO_PASSWORD), ("new", new), ("confirm", new)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        failures(&app, "bithu").await,
        [("127.0.0.1".to_owned(), 5, true)]
    );
    let r = app.other_browser().login("bithu", DEMO_PASSWORD).await;
    assert_eq!(
        r.status(),
        StatusCode::UNAUTHORIZED,
        "the sign-in is locked too"
    );
    // The password is unchanged: from another address the old one signs in.
    let r = app
        .browser_at("127.0.0.2")
        .login("bithu", DEMO_PASSWORD)
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
}

/// An administrator over the account's units unlocks it on the web (audited, by them); a
/// supervisor, or an administrator of another commune, gets 404 and changes nothing.
#[tokio::test]
async fn an_administrator_unlocks_an_account_on_the_web() {
    let app = TestApp::spawn().await;
    lock_out(&app.other_browser(), "bithu").await;
    let bithu: uuid::Uuid = sqlx::query_scalar("SELECT id FROM users WHERE username = 'bithu'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let unlock = format!("/admin/users/{bithu}/unlock");

    let supervisor = app.other_browser();
    supervisor.login_as("phuong").await;
    assert_eq!(
        supervisor.post(&unlock, &[]).await.status(),
        StatusCode::NOT_FOUND
    );
    let commune = app.unit_id(COMMUNE).await;
    crate::fixtures::login(&app, "qtv.ductho", chibo::auth::Role::Admin, Some(commune)).await;
    let elsewhere = app.other_browser();
    elsewhere.login_as("qtv.ductho").await;
    let (status, body) = elsewhere.get("/admin/locks").await;
    assert_eq!(status, StatusCode::OK);
    assert!(!text(&body).contains("bithu"), "not theirs to see");
    assert_eq!(
        elsewhere.post(&unlock, &[]).await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(failures(&app, "bithu").await.len(), 1, "still locked");

    let admin = app.other_browser();
    admin.login_as("admin").await;
    let (status, body) = admin.get("/admin").await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("href=\"/admin/locks\""));
    let (status, body) = admin.get("/admin/locks").await;
    assert_eq!(status, StatusCode::OK);
    let page = text(&body);
    assert!(
        page.contains("bithu") && page.contains("127.0.0.1"),
        "{page}"
    );
    assert!(body.contains(&format!("action=\"{unlock}\"")));
    let r = admin.post(&unlock, &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = location(&r);
    let (_, body) = admin.get(&to).await;
    let page = text(&body);
    assert!(page.contains("Đã mở khóa tài khoản bithu."), "{page}");
    assert!(
        page.contains("Không có tài khoản nào bị tạm khóa."),
        "{page}"
    );

    // The notice names the account only to one who manages it: the same link opened by
    // the other commune's administrator names nobody.
    assert_eq!(to, format!("/admin/locks?unlocked={bithu}"));
    let (_, body) = elsewhere.get(&to).await;
    assert!(!text(&body).contains("bithu"), "not theirs to see");
    assert!(failures(&app, "bithu").await.is_empty());
    let by: Option<String> = sqlx::query_scalar(
        "SELECT u.username FROM audit_log a JOIN users u ON u.id = a.user_id
          WHERE a.action = 'user_unlocked' AND a.entity_id = $1",
    )
    .bind(bithu)
    .fetch_optional(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        by.as_deref(),
        Some("admin"),
        "audited, by the administrator"
    );
    let r = app.other_browser().login("bithu", DEMO_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER, "unlocked");
}

/// `chibo unlock-user NAME` clears the account's locks from every address and says so; an
/// unknown name is refused in words.
#[tokio::test]
async fn chibo_unlock_user_clears_the_lock() {
    let app = TestApp::spawn().await;
    lock_out(&app.other_browser(), "phuong").await;
    lock_out(&app.browser_at("127.0.0.2"), "phuong").await;
    let run = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_chibo"))
            .args(args)
            .args(["--database-url", &app.database_url()])
            .env("RUST_LOG", "warn")
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, out, err) = run(&["unlock-user", "phuong"]);
    assert!(ok, "{err}");
    assert!(
        out.contains("Đã mở khóa tài khoản phuong (2 địa chỉ)."),
        "{out}"
    );
    assert!(failures(&app, "phuong").await.is_empty());
    let actions: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM audit_log WHERE action = 'user_unlocked' AND user_id IS NULL",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(actions, 1);
    let r = app.other_browser().login("phuong", DEMO_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);

    let (ok, _, err) = run(&["unlock-user", "khong-co-ai"]);
    assert!(!ok);
    assert!(err.contains("Không có tài khoản khong-co-ai."), "{err}");
}

/// A name with a NUL or another control character (no account has one) is answered as an
/// unknown name — the same page, counted — never a 500.
#[tokio::test]
async fn a_name_with_a_control_character_is_an_unknown_name() {
    let app = TestApp::spawn().await;
    let r = app.login("khong-co-ai", "sai").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    let unknown = text(&r.text().await.unwrap()).replace("khong-co-ai", "NAME");
    for name in ["ad\0min", "admin\u{7}", "\u{1b}[31madmin"] {
        let r = app.login(name, DEMO_PASSWORD).await;
        assert_eq!(r.status(), StatusCode::UNAUTHORIZED, "{name:?}");
        let page = text(&r.text().await.unwrap());
        assert!(
            page.contains("Tên đăng nhập hoặc mật khẩu không đúng."),
            "{name:?}: {page}"
        );
    }
    assert!(unknown.contains("Tên đăng nhập hoặc mật khẩu không đúng."));
    let counted: i64 = sqlx::query_scalar("SELECT count(*) FROM login_failures")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(counted, 4, "every attempt counted, the odd names too");
}
