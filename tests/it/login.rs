use reqwest::StatusCode;

use crate::fixtures::demo::{BRANCH, WARD};
use crate::support::{DEMO_PASSWORD, TestApp, input_value, location, session_cookie, text};

#[tokio::test]
async fn the_right_password_signs_in_and_leads_to_the_users_branch() {
    let app = TestApp::spawn().await;
    let r = app.login("bithu", DEMO_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/");
    let r = app.client.get(app.url("/")).send().await.unwrap();
    let branch = app.unit_id(BRANCH).await;
    assert_eq!(location(&r), format!("/units/{branch}"));
    let (status, body) = app.get(&format!("/units/{branch}")).await;
    assert_eq!(status, StatusCode::OK);
    let page = text(&body);
    assert!(page.contains(BRANCH));
    assert!(
        page.contains("Bí thư chi bộ"),
        "the layout shows the role: {page}"
    );
}

#[tokio::test]
async fn a_wrong_password_shows_a_message_keeps_the_name_and_opens_no_session() {
    let app = TestApp::spawn().await;
    let r = app.login("bithu", "sai-mat-khau").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(
        session_cookie(&r).is_none(),
        "no session for a failed login"
    );
    let body = r.text().await.unwrap();
    assert!(text(&body).contains("Tên đăng nhập hoặc mật khẩu không đúng."));
    assert_eq!(input_value(&body, "username").as_deref(), Some("bithu"));
    // An unknown user gets the very same answer.
    let r = app.login("khong-co-ai", "sai-mat-khau").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(text(&r.text().await.unwrap()).contains("Tên đăng nhập hoặc mật khẩu không đúng."));
    // Still signed out.
    let r = app
        .client
        .get(app.url("/units/00000000-0000-0000-0000-000000000000"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert!(location(&r).starts_with("/login"));
}

#[tokio::test]
async fn five_wrong_passwords_lock_the_account_even_against_the_right_one() {
    let app = TestApp::spawn().await;
    for attempt in 1..=4 {
        let r = app.login("phuong", "sai").await;
        assert!(
            text(&r.text().await.unwrap()).contains("không đúng"),
            "attempt {attempt}"
        );
    }
    let r = app.login("phuong", "sai").await;
    let page = text(&r.text().await.unwrap());
    assert!(page.contains("không đúng"), "{page}");
    // Locked now: even the right password is refused, in the same words.
    let r = app.login("phuong", DEMO_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(
        session_cookie(&r).is_none(),
        "no session for a locked account"
    );
    assert!(text(&r.text().await.unwrap()).contains("Tên đăng nhập hoặc mật khẩu không đúng."));
    // Once the lock has run out the right password works again and the count is cleared.
    sqlx::query(
        "UPDATE login_failures SET locked_until = now() - interval '1 second'
          WHERE username = 'phuong'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let r = app.login("phuong", DEMO_PASSWORD).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let counted: i64 =
        sqlx::query_scalar("SELECT count(*) FROM login_failures WHERE username = 'phuong'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(counted, 0);
}

#[tokio::test]
async fn logging_out_ends_the_session_for_good() {
    let app = TestApp::spawn().await;
    let r = app.login("thixa", DEMO_PASSWORD).await;
    let old = session_cookie(&r).expect("a session cookie");
    let r = app.post("/logout", &[]).await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&r), "/login");
    let r = app.client.get(app.url("/")).send().await.unwrap();
    assert!(location(&r).starts_with("/login"));
    // The old cookie, replayed by someone who copied it, opens nothing.
    let thief = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = thief
        .get(app.url("/"))
        .header("cookie", format!("chibo_session={old}"))
        .send()
        .await
        .unwrap();
    assert!(location(&r).starts_with("/login"));
}

#[tokio::test]
async fn signing_in_renews_the_session_id() {
    let app = TestApp::spawn().await;
    let first = session_cookie(&app.login("thixa", DEMO_PASSWORD).await).expect("cookie");
    // Signing in again on the same browser (another user) must not keep the id.
    let second = session_cookie(&app.login("phuong", DEMO_PASSWORD).await).expect("cookie");
    assert_ne!(first, second);
    let other = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let r = other
        .get(app.url("/"))
        .header("cookie", format!("chibo_session={first}"))
        .send()
        .await
        .unwrap();
    assert!(
        location(&r).starts_with("/login"),
        "the previous id is dead"
    );
    // And the current session is phuong's.
    let r = app.client.get(app.url("/")).send().await.unwrap();
    let ward = app.unit_id(WARD).await;
    assert_eq!(location(&r), format!("/dashboard/{ward}"));
}

#[tokio::test]
async fn changing_the_password_checks_the_fields_and_signs_out_other_sessions() {
    let app = TestApp::spawn().await;
    app.login_as("bithu").await;
    let elsewhere = app.other_browser();
    elsewhere.login_as("bithu").await;

    let r = app
        .post(
            "/account/password",
            &[("current", "sai"), ("new", "ngan"), ("confirm", "other")],
        )
        .await;
    assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = text(&r.text().await.unwrap());
    assert!(page.contains("Mật khẩu hiện tại không đúng."));
    assert!(page.contains("ít nhất 8 ký tự"));
    assert!(page.contains("không khớp"));

    let new = "mật khẩu mới của bí thư";
    let r = app
        .post(
            "/account/password",
            &[("current", DEMO_PASSWORD), ("new", new), ("confirm", new)],
        )
        .await;
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let (status, body) = app.get("/account/password?done=1").await;
    assert_eq!(status, StatusCode::OK, "still signed in here");
    assert!(text(&body).contains("Đã đổi mật khẩu"));
    let r = elsewhere
        .client
        .get(elsewhere.url("/"))
        .send()
        .await
        .unwrap();
    assert!(
        location(&r).starts_with("/login"),
        "the other session ended"
    );
    let fresh = app.other_browser();
    assert_eq!(
        fresh.login("bithu", DEMO_PASSWORD).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        fresh.login("bithu", new).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn pages_need_a_login_and_return_to_where_the_user_was_going() {
    let app = TestApp::spawn().await;
    let ward = app.unit_id(WARD).await;
    let path = format!("/units/{ward}");
    let r = app.client.get(app.url(&path)).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::SEE_OTHER);
    let to = location(&r);
    assert!(to.starts_with("/login?next="), "{to}");
    let r = app
        .post(
            "/login",
            &[
                ("username", "phuong"),
                ("password", DEMO_PASSWORD),
                ("next", &path),
            ],
        )
        .await;
    assert_eq!(location(&r), path);
    // Never onward to another site.
    let r = app
        .other_browser()
        .post(
            "/login",
            &[
                ("username", "phuong"),
                ("password", DEMO_PASSWORD),
                ("next", "//evil.example/"),
            ],
        )
        .await;
    assert_eq!(location(&r), "/");
}

/// Accounts are created from the command line only (`create-user`; no page creates one):
/// eight creations of one username at once, all past the check before the write while
/// their passwords are hashed, make one account, and the others answer the typed refusal
/// the command prints, not a database error.
#[tokio::test]
async fn creating_one_username_eight_times_at_once_makes_one_account() {
    use chibo::auth::{AccountRefusal, Role};
    use chibo::error::StoreError;
    let app = TestApp::spawn().await;
    let branch = app.unit_id(BRANCH).await;
    let mut sent = tokio::task::JoinSet::new();
    for i in 0..8 {
        let pool = app.pool.clone();
        sent.spawn(async move {
            let display_name = format!("Người thứ {i}");
            let grants = [(Role::Secretary, Some(branch))];
            chibo::auth::store::create_user(
                &pool,
                chibo::auth::store::NewUser {
                    username: "cung.ten",
                    display_name: &display_name,
                    password: "mat-khau-dai-du",
                    member_id: None,
                    grants: &grants,
                },
            )
            .await
        });
    }
    let answers = sent.join_all().await;
    assert_eq!(
        answers.iter().filter(|a| a.is_ok()).count(),
        1,
        "{answers:?}"
    );
    for e in answers.into_iter().filter_map(Result::err) {
        let refusal = e
            .downcast_ref::<StoreError>()
            .and_then(|s| s.refusal::<AccountRefusal>());
        assert_eq!(
            refusal,
            Some(&AccountRefusal::UsernameTaken("cung.ten".into())),
            "a typed refusal, not {e:#}"
        );
        assert_eq!(e.to_string(), "Tên đăng nhập cung.ten đã được dùng.");
    }
    let accounts: i64 =
        sqlx::query_scalar("SELECT count(*) FROM users WHERE username = 'cung.ten'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(accounts, 1);
}

/// A signed-in user sent to `/login?next=…` is redirected at once: a tab or a newline in
/// `next` must lead home, not to another site (browsers drop them: `/\t/evil.example` is
/// `//evil.example`) and not to a 500.
#[tokio::test]
async fn next_leads_only_to_a_path_of_this_site_even_with_control_characters() {
    let app = TestApp::spawn().await;
    for (next, expected) in [
        ("/%09/evil.example", "/"),
        ("/%0a/x", "/"),
        ("/%0d%0aSet-Cookie:%20x=1", "/"),
        ("/%5c/evil.example", "/"),
        ("https://evil.example", "/"),
    ] {
        // Signed out: the form carries only a safe `next`, and posting it leads there.
        let anonymous = app.other_browser();
        let (status, body) = anonymous.get(&format!("/login?next={next}")).await;
        assert_eq!(status, StatusCode::OK, "next={next}");
        assert_eq!(input_value(&body, "next"), None, "next={next}: {body}");
        let decoded = percent_decode(next);
        let r = anonymous
            .post(
                "/login",
                &[
                    ("username", "phuong"),
                    ("password", DEMO_PASSWORD),
                    ("next", &decoded),
                ],
            )
            .await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "next={next}");
        assert_eq!(location(&r), expected, "next={next}");
        // Signed in: the login page redirects at once.
        let r = anonymous
            .client
            .get(app.url(&format!("/login?next={next}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "next={next}");
        assert_eq!(location(&r), expected, "next={next}");
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

/// Which names exist must not show: an unknown name, a wrong password and a locked account
/// (even with its right password) get the same page and status. Their time is not measured
/// here: `auth::store::check_login` takes the same steps on every path (the attempt
/// counted, the account looked up, one argon2 hash checked — a dummy one for an unknown
/// name).
#[tokio::test]
async fn an_unknown_name_a_wrong_password_and_a_locked_account_look_the_same() {
    let app = TestApp::spawn().await;
    sqlx::query(
        "INSERT INTO login_failures (username, address, failures, locked_until, last_failed_at)
         VALUES ('thixa', '127.0.0.1', 5, now() + interval '15 minutes', now())",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let mut answers = Vec::new();
    for (username, password) in [
        ("khong-co-ai", "sai-mat-khau"),
        ("phuong", "sai-mat-khau"),
        ("thixa", "sai-mat-khau"),
        ("thixa", DEMO_PASSWORD),
    ] {
        let r = app.login(username, password).await;
        let status = r.status();
        let page = text(&r.text().await.unwrap()).replace(username, "NAME");
        answers.push((username, password, status, page));
    }
    let (_, _, status, page) = &answers[0];
    assert_eq!(*status, StatusCode::UNAUTHORIZED);
    assert!(
        page.contains("Tên đăng nhập hoặc mật khẩu không đúng."),
        "{page}"
    );
    for (username, password, s, p) in &answers[1..] {
        assert_eq!(s, status, "{username}/{password}");
        assert_eq!(p, page, "{username}/{password}");
    }
}

/// The demo's `so-bien-ban` stands for the paper books' scorers; its password follows from
/// the public seed, so it must not sign in, whatever password is typed.
#[tokio::test]
async fn the_system_account_cannot_sign_in() {
    let app = TestApp::spawn().await;
    let hash: String =
        sqlx::query_scalar("SELECT password_hash FROM users WHERE username = 'so-bien-ban'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    // Whatever its password is, make it one the test knows, then try it.
    let known = chibo::auth::password::hash("mật khẩu của sổ".to_owned())
        .await
        .unwrap();
    assert_ne!(hash, known);
    sqlx::query("UPDATE users SET password_hash = $1 WHERE username = 'so-bien-ban'")
        .bind(&known)
        .execute(&app.pool)
        .await
        .unwrap();
    let r = app.login("so-bien-ban", "mật khẩu của sổ").await;
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert!(session_cookie(&r).is_none());
}
