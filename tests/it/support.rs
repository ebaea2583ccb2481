//! The test harness: one private Postgres cluster per test binary, a template database
//! migrated and filled with the demo once, and a fresh copy of it for every test (dropped
//! when the test ends), served by the real router on a real port.
//!
//! The date: every app runs on a clock pinned to one day for the whole binary, the real
//! day unless `CHIBO_TEST_TODAY` (yyyy-mm-dd) names another; the demo is generated around
//! it. `TEST_LOG=1` (or a filter such as `TEST_LOG=chibo=debug`) prints the server's log.
//!
//! Below the harness: the small helpers every test module uses (dates as the forms take
//! them, posting forms, reading ids and figures back, versions and counts). A helper only
//! one module needs stays in that module; data built for a test comes from `fixtures`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use chibo::clock::Clock;

use chibo::db::embedded::{EmbeddedPostgres, Options};
use reqwest::StatusCode;
use reqwest::redirect::Policy;
use sqlx::{Connection, PgConnection, PgPool};
use uuid::Uuid;

pub const DEMO_PASSWORD: &str = "mat-khau-thu-nghiem";
const TEMPLATE: &str = "chibo_template";

struct Cluster {
    server: EmbeddedPostgres,
}

static CLUSTER: OnceLock<Cluster> = OnceLock::new();
static CLOCK: OnceLock<Clock> = OnceLock::new();

/// The clock of every app in this test binary.
pub fn clock() -> Clock {
    *CLOCK.get_or_init(|| {
        let day = match std::env::var("CHIBO_TEST_TODAY") {
            Ok(raw) if !raw.trim().is_empty() => raw
                .trim()
                .parse()
                .unwrap_or_else(|_| panic!("CHIBO_TEST_TODAY is not yyyy-mm-dd: {raw}")),
            _ => Clock::system().today(),
        };
        Clock::starting_on(day)
    })
}

/// The tests' today: the day the apps' clock reads.
pub fn today() -> chrono::NaiveDate {
    clock().today()
}

/// A date as a form or a query takes it: `yyyy-mm-dd`.
pub fn iso(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A month as a form or a query takes it: `yyyy-mm`.
pub fn month_value(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

/// The first day of the month `n` months before the tests' month (0: this month).
pub fn months_ago(n: u32) -> chrono::NaiveDate {
    clock()
        .this_month()
        .checked_sub_months(chrono::Months::new(n))
        .expect("a representable month")
}

/// The tests' month, `yyyy-mm`.
pub fn this_month() -> String {
    month_value(months_ago(0))
}

/// The month before the tests' month, `yyyy-mm`.
pub fn last_month() -> String {
    month_value(months_ago(1))
}

fn init_log() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        if let Ok(filter) = std::env::var("TEST_LOG") {
            let filter = if matches!(filter.as_str(), "" | "1" | "true") {
                "info,sqlx=warn".to_owned()
            } else {
                filter
            };
            let _ = tracing_subscriber::fmt()
                .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
                .with_test_writer()
                .try_init();
        }
    });
}

/// Removes the clusters of earlier test runs whose process is gone.
fn remove_stale_clusters() {
    let Ok(entries) = std::fs::read_dir(std::env::temp_dir()) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if let Some(pid) = name
            .strip_prefix("chibo-test-")
            .and_then(|p| p.parse::<i32>().ok())
        {
            // SAFETY: signal 0 only probes for the process.
            if pid != std::process::id() as i32 && unsafe { libc::kill(pid, 0) } != 0 {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
}

fn cluster() -> &'static Cluster {
    CLUSTER.get_or_init(|| {
        init_log();
        remove_stale_clusters();
        let dir: PathBuf = std::env::temp_dir().join(format!("chibo-test-{}", std::process::id()));
        let server = EmbeddedPostgres::start(
            &dir,
            &Options {
                unsafe_fast: true,
                statement_stats: true,
            },
        )
        .expect("start the test cluster");
        let admin = server.connect_options("postgres");
        let template = server.connect_options(TEMPLATE);
        // Built on a thread of its own: the caller may be inside a test's runtime.
        std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async move {
                    let mut conn = PgConnection::connect_with(&admin).await.unwrap();
                    sqlx::query(&format!("CREATE DATABASE {TEMPLATE}"))
                        .execute(&mut conn)
                        .await
                        .unwrap();
                    conn.close().await.unwrap();
                    let pool = chibo::db::connect(template, 4).await.unwrap();
                    chibo::db::migrate(&pool).await.unwrap();
                    // For `statements.rs`: every test database can read its own counts.
                    sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
                        .execute(&pool)
                        .await
                        .unwrap();
                    chibo::demo::seed_if_empty(
                        &pool,
                        Some(&chibo::config::Secret::new(DEMO_PASSWORD)),
                        today(),
                    )
                    .await
                    .unwrap();
                    pool.close().await;
                })
        })
        .join()
        .expect("build the template database");
        Cluster { server }
    })
}

/// A running app on its own fresh database.
pub struct TestApp {
    pub addr: SocketAddr,
    pub pool: PgPool,
    pub client: reqwest::Client,
    _db: Arc<TestDb>,
}

/// The test's database: dropped with the last `TestApp` that uses it.
struct TestDb {
    name: String,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let admin = cluster().server.connect_options("postgres");
        let sql = format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name);
        // Drop cannot await, and the test's runtime may be shutting down: a thread of its own.
        let dropped = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?
                .block_on(async move {
                    let mut conn = PgConnection::connect_with(&admin).await?;
                    sqlx::query(&sql).execute(&mut conn).await?;
                    conn.close().await?;
                    Ok::<_, anyhow::Error>(())
                })
        })
        .join();
        if let Ok(Err(err)) = dropped {
            eprintln!("dropping test database {}: {err:#}", self.name);
        }
    }
}

/// A browser of the app at `addr`: cookies kept, redirects not followed, and the `Origin`
/// header every supported browser sends with a form (chibo refuses a POST without it).
pub fn client(addr: SocketAddr) -> reqwest::Client {
    client_from(addr, None)
}

/// A browser whose connections leave from `local` (another address of the loopback, such
/// as 127.0.0.2: the server sees another client address), or from the default address.
pub fn client_from(addr: SocketAddr, local: Option<std::net::IpAddr>) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        reqwest::header::ORIGIN,
        format!("http://{addr}").parse().unwrap(),
    );
    reqwest::Client::builder()
        .default_headers(headers)
        .cookie_store(true)
        .redirect(Policy::none())
        .local_address(local)
        .build()
        .unwrap()
}

/// A sign-in rate limit no test reaches by accident (every test signs in from 127.0.0.1).
const NO_LIMIT: chibo::config::LoginLimit = chibo::config::LoginLimit {
    burst: 100_000,
    every: std::time::Duration::from_millis(1),
};

impl TestApp {
    /// The app with a sign-in rate limit no test reaches by accident (every test signs in
    /// from 127.0.0.1); `spawn_with_login_limit` for the tests of the limit.
    pub async fn spawn() -> TestApp {
        Self::spawn_full(axum::Router::new(), chibo::app::REQUEST_TIMEOUT, NO_LIMIT).await
    }

    pub async fn spawn_with_login_limit(login_limit: chibo::config::LoginLimit) -> TestApp {
        Self::spawn_full(
            axum::Router::new(),
            chibo::app::REQUEST_TIMEOUT,
            login_limit,
        )
        .await
    }

    /// An app with `extra` routes served inside every layer (a route that panics, one that
    /// answers slowly) and the request timeout given.
    pub async fn spawn_with(
        extra: axum::Router<chibo::state::AppState>,
        request_timeout: std::time::Duration,
    ) -> TestApp {
        Self::spawn_full(extra, request_timeout, NO_LIMIT).await
    }

    async fn spawn_full(
        extra: axum::Router<chibo::state::AppState>,
        request_timeout: std::time::Duration,
        login_limit: chibo::config::LoginLimit,
    ) -> TestApp {
        let c = cluster();
        let name = format!("t_{}", Uuid::new_v4().simple());
        let mut conn = PgConnection::connect_with(&c.server.connect_options("postgres"))
            .await
            .unwrap();
        sqlx::query(&format!("CREATE DATABASE {name} TEMPLATE {TEMPLATE}"))
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.unwrap();
        let pool = chibo::db::connect(c.server.connect_options(&name), 5)
            .await
            .unwrap();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state =
            chibo::state::AppState::new(pool.clone(), clock(), false).with_login_limit(login_limit);
        let app = chibo::app::router_with(state.clone(), extra, request_timeout);
        tokio::spawn(chibo::app::serve_router(
            listener,
            state,
            app,
            std::future::pending(),
        ));
        TestApp {
            addr,
            pool,
            client: client(addr),
            _db: Arc::new(TestDb { name }),
        }
    }

    /// The name of this test's database in the test cluster.
    pub fn database_name(&self) -> &str {
        &self._db.name
    }

    /// A connection to the test cluster's `postgres` database, as its superuser (to close
    /// this test's database to connections and open it again).
    pub async fn cluster_admin(&self) -> PgConnection {
        PgConnection::connect_with(&cluster().server.connect_options("postgres"))
            .await
            .unwrap()
    }

    /// The day the app's clock reads.
    pub fn today(&self) -> chrono::NaiveDate {
        today()
    }

    /// The first day of the app's month.
    pub fn this_month(&self) -> chrono::NaiveDate {
        clock().this_month()
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// A libpq URL of the test's database (for `chibo … --database-url`).
    pub fn database_url(&self) -> String {
        cluster().server.url(&self._db.name)
    }

    /// The same app seen by another browser whose connections come from `ip` (another
    /// loopback address, 127.0.0.2 …): to the server, another client address.
    pub fn browser_at(&self, ip: &str) -> TestApp {
        TestApp {
            addr: self.addr,
            pool: self.pool.clone(),
            client: client_from(self.addr, Some(ip.parse().expect("an IP address"))),
            _db: self._db.clone(),
        }
    }

    /// The same app seen by another browser (its own cookies).
    pub fn other_browser(&self) -> TestApp {
        TestApp {
            addr: self.addr,
            pool: self.pool.clone(),
            client: client(self.addr),
            _db: self._db.clone(),
        }
    }

    pub async fn login(&self, username: &str, password: &str) -> reqwest::Response {
        self.post("/login", &[("username", username), ("password", password)])
            .await
    }

    /// Signs in as a demo user and checks that it worked.
    pub async fn login_as(&self, username: &str) {
        let r = self.login(username, DEMO_PASSWORD).await;
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "login as {username}");
    }

    pub async fn get(&self, path: &str) -> (StatusCode, String) {
        let r = self.client.get(self.url(path)).send().await.unwrap();
        let status = r.status();
        (status, r.text().await.unwrap())
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.post_form(path, form).await
    }

    /// Posts any form body (pairs of owned or borrowed strings, repeated names allowed).
    pub async fn post_form<F: serde::Serialize + ?Sized>(
        &self,
        path: &str,
        form: &F,
    ) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Plans a meeting of `branch` through the planning form (`kind`, `month`, `topic`, ...).
    pub async fn plan_meeting(&self, branch: Uuid, fields: &[(&str, &str)]) -> reqwest::Response {
        self.post(&format!("/meetings/new?unit={branch}"), fields)
            .await
    }

    /// `SELECT count(*) ...` with one uuid parameter (`$1`).
    pub async fn count(&self, sql: &str, id: Uuid) -> i64 {
        sqlx::query_scalar(sql)
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
    }

    /// The members whose branch (permanent or temporary) `unit` is today.
    pub async fn open_members(&self, unit: Uuid) -> i64 {
        self.count(
            "SELECT count(*) FROM memberships WHERE unit_id = $1 AND valid_to IS NULL",
            unit,
        )
        .await
    }

    pub async fn unit_id(&self, name: &str) -> Uuid {
        sqlx::query_scalar("SELECT id FROM units WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await
            .unwrap_or_else(|e| panic!("unit {name}: {e}"))
    }

    /// The version a unit's forms must carry.
    pub async fn unit_version(&self, id: Uuid) -> i32 {
        self.version_of("units", id).await
    }

    /// The version a member's forms must carry.
    pub async fn member_version(&self, id: Uuid) -> i32 {
        self.version_of("members", id).await
    }

    /// The version a meeting's forms (minutes) must carry.
    pub async fn meeting_version(&self, id: Uuid) -> i32 {
        self.version_of("meetings", id).await
    }

    async fn version_of(&self, table: &str, id: Uuid) -> i32 {
        sqlx::query_scalar(&format!("SELECT version FROM {table} WHERE id = $1"))
            .bind(id)
            .fetch_one(&self.pool)
            .await
            .unwrap_or_else(|e| panic!("the version of {table} {id}: {e}"))
    }
}

/// Runs `sql` (one uuid parameter, `$1`) on the test's database with the append-only
/// triggers of the histories set aside, in one transaction: only a test rewrites history,
/// as the database's owner could; nothing in the app can.
pub async fn rewrite_history(app: &TestApp, sql: &str, id: Uuid) {
    let mut tx = app.pool.begin().await.unwrap();
    for table in ["audit_log", "member_events", "meeting_events"] {
        sqlx::query(&format!(
            "ALTER TABLE {table} DISABLE TRIGGER {table}_append_only"
        ))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    sqlx::query(sql)
        .bind(id)
        .execute(&mut *tx)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    for table in ["audit_log", "member_events", "meeting_events"] {
        sqlx::query(&format!(
            "ALTER TABLE {table} ENABLE TRIGGER {table}_append_only"
        ))
        .execute(&mut *tx)
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
}

pub fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default()
}

/// The id a creating form redirected to: `/meetings/{id}` with `prefix` "/meetings/".
pub fn created_id(r: &reqwest::Response, prefix: &str) -> Uuid {
    let to = location(r);
    to.strip_prefix(prefix)
        .and_then(|rest| rest.split(['/', '?']).next())
        .and_then(|id| id.parse().ok())
        .unwrap_or_else(|| panic!("{} redirected to {to:?}, not {prefix}{{id}}", r.url()))
}

/// The session cookie's value as the client holds it after `r`.
pub fn session_cookie(r: &reqwest::Response) -> Option<String> {
    r.cookies()
        .find(|c| c.name() == "chibo_session")
        .map(|c| c.value().to_owned())
}

/// The text of an HTML page without its tags, for "the user sees ..." assertions.
pub fn text(html: &str) -> String {
    let doc = scraper::Html::parse_document(html);
    doc.root_element()
        .text()
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The text of every element `css` selects, tags removed and spaces collapsed (the rows of
/// a table: `texts(html, "table.report tbody tr")`).
pub fn texts(html: &str, css: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(css).unwrap_or_else(|e| panic!("selector {css}: {e}"));
    doc.select(&sel)
        .map(|e| {
            e.text()
                .collect::<Vec<_>>()
                .join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

/// The attribute `attr` of the first element that `css` selects.
pub fn attr(html: &str, css: &str, attr: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(css).unwrap_or_else(|e| panic!("selector {css}: {e}"));
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr(attr).map(str::to_owned))
}

/// The `value` of the input named `name`.
pub fn input_value(html: &str, name: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse(&format!("input[name=\"{name}\"]")).unwrap();
    doc.select(&sel)
        .next()
        .and_then(|e| e.value().attr("value").map(str::to_owned))
}

/// The word shown right after `label` in a page's text (a figure: "Đảng số 35" gives "35").
pub fn word_after(page: &str, label: &str) -> String {
    let at = page
        .find(label)
        .unwrap_or_else(|| panic!("{label:?} is not on the page: {page}"));
    page[at + label.len()..]
        .split_whitespace()
        .next()
        .unwrap_or_else(|| panic!("nothing after {label:?}"))
        .to_owned()
}

/// The number shown right after `label` in a page's text.
pub fn number_after(page: &str, label: &str) -> usize {
    let word = word_after(page, label);
    word.parse()
        .unwrap_or_else(|_| panic!("{label:?} is followed by {word:?}, not a number"))
}

/// An empty database in the test cluster (no tables, no demo), dropped when this is: what a
/// production `DATABASE_URL` points to on the first start.
pub struct EmptyDatabase {
    /// A libpq URL of it, as `DATABASE_URL` takes it.
    pub url: String,
    _db: TestDb,
}

pub async fn empty_database() -> EmptyDatabase {
    let c = cluster();
    let name = format!("e_{}", Uuid::new_v4().simple());
    let mut conn = PgConnection::connect_with(&c.server.connect_options("postgres"))
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .unwrap();
    conn.close().await.unwrap();
    EmptyDatabase {
        url: c.server.url(&name),
        _db: TestDb { name },
    }
}

/// The paths of this site a page links to.
pub fn links_of(html: &str) -> Vec<String> {
    let doc = scraper::Html::parse_document(html);
    let sel = scraper::Selector::parse("a[href]").unwrap();
    doc.select(&sel)
        .filter_map(|a| {
            let href = a.value().attr("href")?.split('#').next()?;
            (href.starts_with('/') && !href.starts_with("//")).then(|| href.to_owned())
        })
        .collect()
}

/// A path's shape: its ids replaced, so that pages of one kind are visited once.
pub fn shape(path: &str) -> String {
    path.split('?')
        .next()
        .unwrap_or("")
        .split('/')
        .map(|seg| {
            if seg.parse::<uuid::Uuid>().is_ok() {
                "{id}"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// xorshift64*: small, deterministic, good enough to pick the steps of a random sequence
/// (no crate needed).
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    pub fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// The seed of a random sequence: `CHIBO_TEST_SEED` (hex with `0x`, or decimal) when set,
/// else the test's own.
pub fn seed_or(default: u64) -> u64 {
    match std::env::var("CHIBO_TEST_SEED") {
        Ok(raw) if !raw.trim().is_empty() => {
            let raw = raw.trim();
            let parsed = match raw.strip_prefix("0x") {
                Some(hex) => u64::from_str_radix(&hex.replace('_', ""), 16),
                None => raw.parse(),
            };
            parsed.unwrap_or_else(|_| panic!("CHIBO_TEST_SEED is not a number: {raw}"))
        }
        _ => default,
    }
}
