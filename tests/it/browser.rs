//! A real Chromium, driven through chromedriver: log in, reach the branch home, read
//! Vietnamese text as rendered.
//!
//! Waits are for conditions, never for time: after a click that loads a page the test waits
//! until the old document is gone and the new one has loaded, then reads it; an element
//! that htmx swaps is found afresh at every poll and read in the same step, never held
//! across a swap.
//!
//! A machine without Chromium and chromedriver (or where they cannot start) prints
//! `BROWSER TEST SKIPPED` with the reason and the test passes, unless `CI` (CI sets
//! `CI=true`) or `CHIBO_REQUIRE_BROWSER=1` is set: then the test fails with the reason.

use std::future::Future;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

use crate::fixtures::demo::BRANCH;
use crate::support::{DEMO_PASSWORD, TestApp, months_ago, today};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// How long a condition may take to come true (a page on a loaded 2-core machine).
const WAIT: Duration = Duration::from_secs(20);
/// How often a condition is looked at again.
const POLL: Duration = Duration::from_millis(100);
/// Tries at a browser session before giving up (each with a fresh chromedriver).
const SESSION_TRIES: u32 = 3;

/// A chromedriver of this test, stopped when dropped.
struct Chromedriver {
    child: Child,
    port: u16,
    log: PathBuf,
}

impl Drop for Chromedriver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Chromedriver {
    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The end of its log, to explain a failure.
    fn log_tail(&self) -> String {
        let log = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = log.lines().collect();
        if lines.is_empty() {
            return "(empty)".to_owned();
        }
        lines[lines.len().saturating_sub(15)..].join("\n")
    }
}

/// Starts chromedriver on a port the system picks (`--port=0`: no other process can be
/// handed the same one), reads that port from what it prints, and waits until its
/// `/status` says it is ready for new sessions.
async fn start_chromedriver(dir: &Path) -> Result<Chromedriver, String> {
    let log = dir.join("chromedriver.log");
    let mut child = Command::new(CHROMEDRIVER)
        .arg("--port=0")
        .arg(format!("--log-path={}", log.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("cannot run {CHROMEDRIVER}: {e}"))?;
    let stdout = child.stdout.take().expect("piped stdout");
    let (tx, rx) = tokio::sync::oneshot::channel();
    // Reads the port, then keeps draining what chromedriver prints until it exits.
    std::thread::spawn(move || {
        let mut tx = Some(tx);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let port = line
                .strip_prefix("ChromeDriver was started successfully on port ")
                .and_then(|p| p.trim_end_matches('.').parse::<u16>().ok());
            if let Some(port) = port
                && let Some(tx) = tx.take()
            {
                let _ = tx.send(port);
            }
        }
    });
    let mut driver = Chromedriver {
        child,
        port: 0,
        log,
    };
    driver.port = match tokio::time::timeout(WAIT, rx).await {
        Ok(Ok(port)) => port,
        Ok(Err(_)) => {
            let exit = driver
                .child
                .wait()
                .map(|s| s.to_string())
                .unwrap_or_default();
            return Err(format!(
                "{CHROMEDRIVER} ended ({exit}) before saying which port it listens on; its log:\n{}",
                driver.log_tail()
            ));
        }
        Err(_) => {
            return Err(format!(
                "{CHROMEDRIVER} did not say which port it listens on within {WAIT:?}; its log:\n{}",
                driver.log_tail()
            ));
        }
    };
    let status = format!("{}/status", driver.url());
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let deadline = Instant::now() + WAIT;
    loop {
        if let Ok(Some(exit)) = driver.child.try_wait() {
            return Err(format!(
                "{CHROMEDRIVER} exited ({exit}); its log:\n{}",
                driver.log_tail()
            ));
        }
        let ready = match client.get(&status).send().await {
            Ok(r) => r
                .json::<serde_json::Value>()
                .await
                .is_ok_and(|v| v["value"]["ready"] == true),
            Err(_) => false,
        };
        if ready {
            return Ok(driver);
        }
        if Instant::now() >= deadline {
            return Err(format!(
                "{status} did not answer ready within {WAIT:?}; chromedriver's log:\n{}",
                driver.log_tail()
            ));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// Chromium driven by chromedriver, phone-sized, with the chromedriver and the profile it
/// runs on (both removed when dropped).
pub(crate) struct Browser {
    pub(crate) driver: WebDriver,
    _chromedriver: Chromedriver,
    _dir: tempfile::TempDir,
}

/// Whether a browser that cannot start fails the test instead of skipping it: in CI (`CI`
/// set, as CI services do) or with `CHIBO_REQUIRE_BROWSER=1`.
fn browser_required() -> bool {
    let on = |name: &str| {
        std::env::var(name).is_ok_and(|v| {
            !matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "" | "0" | "false" | "no"
            )
        })
    };
    on("CI") || on("CHIBO_REQUIRE_BROWSER")
}

/// The browser, or `None` (with `BROWSER TEST SKIPPED` and the reason printed) when it
/// cannot start and nothing requires it; when something does, the test fails here.
pub(crate) async fn start_browser() -> Option<Browser> {
    match try_start_browser().await {
        Ok(browser) => Some(browser),
        Err(reason) if browser_required() => panic!(
            "the browser could not start, and CI or CHIBO_REQUIRE_BROWSER=1 requires it: {reason}"
        ),
        Err(reason) => {
            eprintln!(
                "BROWSER TEST SKIPPED: {reason} (set CHIBO_REQUIRE_BROWSER=1 to make this a failure)"
            );
            None
        }
    }
}

async fn try_start_browser() -> Result<Browser, String> {
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        return Err(format!(
            "{CHROMIUM} or {CHROMEDRIVER} is missing. Install them with: \
             apt-get install -y chromium chromium-driver (or run scripts/install-deps.sh)."
        ));
    }
    // One start at a time in this test binary: Chromium's start is the heaviest step of a
    // browser test on a small machine, and the starts then never compete.
    static STARTING: OnceLock<tokio::sync::Mutex<()>> = OnceLock::new();
    let _one_at_a_time = STARTING
        .get_or_init(|| tokio::sync::Mutex::new(()))
        .lock()
        .await;
    let mut failures = Vec::new();
    for attempt in 1..=SESSION_TRIES {
        let dir = tempfile::Builder::new()
            .prefix("chibo-browser-")
            .tempdir()
            .map_err(|e| format!("a temporary directory: {e}"))?;
        let chromedriver = match start_chromedriver(dir.path()).await {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("attempt {attempt}: {e}"));
                continue;
            }
        };
        match WebDriver::new(
            chromedriver.url(),
            capabilities(&dir.path().join("profile"))?,
        )
        .await
        {
            Ok(driver) => {
                return Ok(Browser {
                    driver,
                    _chromedriver: chromedriver,
                    _dir: dir,
                });
            }
            Err(e) => failures.push(format!(
                "attempt {attempt}: no Chromium session from {}: {e}; chromedriver's log:\n{}",
                chromedriver.url(),
                chromedriver.log_tail()
            )),
        }
    }
    Err(format!(
        "{SESSION_TRIES} tries to start Chromium failed:\n{}",
        failures.join("\n")
    ))
}

fn capabilities(profile: &Path) -> Result<thirtyfour::ChromeCapabilities, String> {
    let mut caps = DesiredCapabilities::chrome();
    let err = |e: WebDriverError| format!("Chromium's options: {e}");
    caps.set_binary(CHROMIUM).map_err(err)?;
    for arg in [
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=412,915", // a phone
        "--lang=vi",
    ] {
        caps.add_arg(arg).map_err(err)?;
    }
    caps.add_arg(&format!("--user-data-dir={}", profile.display()))
        .map_err(err)?;
    Ok(caps)
}

/// Polls `probe` until it gives a value, and returns it. An error while polling (an element
/// not there yet, a reference gone stale in a swap, a script run as the page changes) is
/// "not yet"; after [`WAIT`] the wait fails, naming `what` and the last thing seen.
pub(crate) async fn wait_for<T, F, Fut>(what: &str, mut probe: F) -> WebDriverResult<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = WebDriverResult<Option<T>>>,
{
    let deadline = Instant::now() + WAIT;
    loop {
        let last = match probe().await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => "not yet".to_owned(),
            Err(e) => e.to_string(),
        };
        if Instant::now() >= deadline {
            return Err(WebDriverError::Timeout(format!(
                "waited {WAIT:?} for {what}; last: {last}"
            )));
        }
        tokio::time::sleep(POLL).await;
    }
}

/// The text of the element `by` once `ok` holds for it. The element is found afresh at
/// every poll and read in the same step, so a swap between polls cannot leave the test
/// holding a stale reference.
pub(crate) async fn text_when(
    driver: &WebDriver,
    by: By,
    what: &str,
    ok: impl Fn(&str) -> bool,
) -> WebDriverResult<String> {
    let ok = &ok;
    wait_for(what, || {
        let by = by.clone();
        async move {
            let text = driver.find(by).await?.text().await?;
            Ok(ok(&text).then_some(text))
        }
    })
    .await
}

/// The page's heading once `ok` holds for it.
pub(crate) async fn heading(
    driver: &WebDriver,
    what: &str,
    ok: impl Fn(&str) -> bool,
) -> WebDriverResult<String> {
    text_when(driver, By::Tag("h1"), what, ok).await
}

/// A tap on an element brought to the middle of the screen, as a thumb would after
/// scrolling (the total bar stays at the bottom of a phone's screen).
pub(crate) async fn tap(driver: &WebDriver, el: &WebElement) -> WebDriverResult<()> {
    driver
        .execute(
            "arguments[0].scrollIntoView({block: 'center'})",
            vec![el.to_json()?],
        )
        .await?;
    el.click().await
}

/// A tap on a link or a submit button that loads the next page, and a wait until it has:
/// a mark left on the old document is gone and the new document is complete.
pub(crate) async fn tap_to_next_page(driver: &WebDriver, el: &WebElement) -> WebDriverResult<()> {
    driver
        .execute("window.__chiboOldPage = true", vec![])
        .await?;
    tap(driver, el).await?;
    wait_for("the next page to load", || async move {
        let loaded: bool = driver
            .execute(
                "return window.__chiboOldPage === undefined && document.readyState === 'complete'",
                vec![],
            )
            .await?
            .convert()?;
        Ok(loaded.then_some(()))
    })
    .await
}

pub(crate) async fn sign_in(driver: &WebDriver, app: &TestApp, user: &str) -> WebDriverResult<()> {
    // Not signed in: the app sends the browser to the login page.
    driver.goto(app.url("/")).await?;
    heading(driver, "the login page", |h| h == "Đăng nhập").await?;
    driver
        .find(By::Id("username"))
        .await?
        .send_keys(user)
        .await?;
    driver
        .find(By::Id("password"))
        .await?
        .send_keys(DEMO_PASSWORD)
        .await?;
    let submit = driver
        .find(By::Css("main form button[type=submit]"))
        .await?;
    tap_to_next_page(driver, &submit).await
}

#[tokio::test]
async fn a_secretary_logs_in_adds_a_member_and_finds_them_in_the_sorted_list() {
    let Some(browser) = start_browser().await else {
        return;
    };
    let driver = &browser.driver;
    let app = TestApp::spawn().await;
    let result = async {
        sign_in(driver, &app, "bithu").await?;
        heading(driver, "the branch home", |h| h == BRANCH).await?;
        let lang: String = driver
            .execute("return document.documentElement.lang", vec![])
            .await?
            .convert()?;
        assert_eq!(lang, "vi");
        let counts = driver.find(By::Css("dl.counts")).await?.text().await?;
        assert!(counts.contains("Đảng số"), "{counts}");
        let crumbs = driver.find(By::Css("nav.crumbs")).await?.text().await?;
        assert!(crumbs.contains("Đảng bộ phường Sông Trí"), "{crumbs}");
        let who = driver.find(By::Css("p.who")).await?.text().await?;
        assert!(who.contains("Bí thư chi bộ"), "{who}");
        // Add a member from the branch home, then find them in the sorted list.
        let add = driver.find(By::LinkText("Thêm đảng viên")).await?;
        tap_to_next_page(driver, &add).await?;
        driver
            .find(By::Id("full_name"))
            .await?
            .send_keys("Phan Văn Đức")
            .await?;
        for (id, value) in [
            ("birth_date", "1975-03-15"),
            ("admission_date", "2000-05-19"),
            ("official_date", "2001-05-19"),
        ] {
            driver
                .execute(
                    &format!("document.getElementById('{id}').value = '{value}'"),
                    vec![],
                )
                .await?;
        }
        let full = driver
            .find(By::Css("input[name=status][value=full]"))
            .await?;
        tap(driver, &full).await?;
        driver
            .find(By::Id("hometown"))
            .await?
            .send_keys("Kỳ Anh, Hà Tĩnh")
            .await?;
        let submit = driver
            .find(By::Css("main form button[type=submit]"))
            .await?;
        tap_to_next_page(driver, &submit).await?;
        heading(driver, "the new member's page", |h| h == "Phan Văn Đức").await?;
        let back = driver.find(By::LinkText("Về danh sách")).await?;
        tap_to_next_page(driver, &back).await?;
        heading(driver, "the member list", |h| h == "Danh sách đảng viên").await?;
        let mut names = Vec::new();
        for cell in driver
            .find_all(By::Css("table tbody tr td:nth-child(2) a"))
            .await?
        {
            names.push(cell.text().await?);
        }
        assert!(names.contains(&"Phan Văn Đức".to_owned()), "{names:?}");
        // Sorted by given name in the Vietnamese alphabet: Đ after D, Ơ after Ô after O ...
        let ranks: Vec<usize> = names
            .iter()
            .map(|n| vietnamese_rank(n.rsplit(' ').next().unwrap_or("")))
            .collect();
        assert!(
            ranks.windows(2).all(|w| w[0] <= w[1]),
            "not in Vietnamese order: {names:?}"
        );
        WebDriverResult::Ok(())
    }
    .await;
    browser.driver.quit().await.ok();
    result.expect("the browser flow");
}

/// The place of a word's first letter in the Vietnamese alphabet (tone marks ignored):
/// a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y.
fn vietnamese_rank(word: &str) -> usize {
    const LETTERS: [&str; 29] = [
        "aáàảãạ",
        "ăắằẳẵặ",
        "âấầẩẫậ",
        "b",
        "c",
        "d",
        "đ",
        "eéèẻẽẹ",
        "êếềểễệ",
        "g",
        "h",
        "iíìỉĩị",
        "k",
        "l",
        "m",
        "n",
        "oóòỏõọ",
        "ôốồổỗộ",
        "ơớờởỡợ",
        "p",
        "q",
        "r",
        "s",
        "t",
        "uúùủũụ",
        "ưứừửữự",
        "v",
        "x",
        "yýỳỷỹỵ",
    ];
    let first = word
        .chars()
        .next()
        .map(|c| c.to_lowercase().next().unwrap_or(c))
        .unwrap_or(' ');
    LETTERS
        .iter()
        .position(|group| group.contains(first))
        .unwrap_or(usize::MAX)
}

#[tokio::test]
async fn a_secretary_plans_ticks_closes_and_prints_a_meeting() {
    let Some(browser) = start_browser().await else {
        return;
    };
    let driver = &browser.driver;
    let app = TestApp::spawn().await;
    let result = async {
        sign_in(driver, &app, "bithu").await?;
        heading(driver, "the branch home", |h| h == BRANCH).await?;
        let plan = driver
            .find(By::LinkText("Lên kế hoạch buổi sinh hoạt"))
            .await?;
        tap_to_next_page(driver, &plan).await?;
        driver.find(By::Id("kind")).await?;
        let create = driver.find(By::Css("main form button.primary")).await?;
        tap_to_next_page(driver, &create).await?;
        let sheet = driver.find(By::LinkText("Điểm danh")).await?;
        tap_to_next_page(driver, &sheet).await?;
        driver.find(By::Id("sheet")).await?;

        // One tap per member; the counts change in place, without a page load.
        driver.execute("window.__samePage = 'yes'", vec![]).await?;
        let taps = driver
            .find_all(By::Css("ul.attendance li button[value=present]"))
            .await?;
        assert!(taps.len() >= 5, "five members to tick: {}", taps.len());
        for i in 0..5 {
            // The sheet was swapped by the previous tap: its buttons are found afresh.
            let buttons = driver
                .find_all(By::Css("ul.attendance li button[value=present]"))
                .await?;
            tap(driver, &buttons[i]).await?;
            let want = format!("{}/", i + 1);
            text_when(
                driver,
                By::Css("#sheet dl.counts dd"),
                &format!("{want} present on the sheet"),
                |t| t.starts_with(&want),
            )
            .await?;
        }
        let same: String = driver
            .execute("return window.__samePage || 'reloaded'", vec![])
            .await?
            .convert()?;
        assert_eq!(same, "yes", "ticks update the page in place");

        // Record the times, hold and close the minutes.
        let id = driver
            .current_url()
            .await?
            .path()
            .trim_start_matches("/meetings/")
            .trim_end_matches("/attendance")
            .to_owned();
        // The rest of the branch is ticked at another phone (a meeting is held only with
        // every member marked).
        sqlx::query(
            "UPDATE attendance SET presence = 'present'
              WHERE meeting_id = $1::uuid AND category = 'expected' AND presence IS NULL",
        )
        .bind(&id)
        .execute(&app.pool)
        .await
        .unwrap();
        // So is the minutes of each agenda item (the minutes close only with all of them).
        crate::fixtures::write_item_minutes(&app, id.parse().unwrap()).await;
        driver
            .goto(app.url(&format!("/meetings/{id}/minutes")))
            .await?;
        // This morning (the tests' clock reads 09:00): a meeting is held once it took place.
        let day = today().format("%Y-%m-%d").to_string();
        for (field, time) in [("started_at", "06:30"), ("ended_at", "08:05")] {
            driver
                .execute(
                    &format!("document.getElementById('{field}').value = '{day}T{time}'"),
                    vec![],
                )
                .await?;
        }
        // The chair and the minute-taker: the first and second on the list.
        for (field, index) in [("chair_id", 1), ("secretary_id", 2)] {
            driver
                .execute(
                    &format!("document.getElementById('{field}').selectedIndex = {index}"),
                    vec![],
                )
                .await?;
        }
        // Each step loads the minutes again, with the next step's button.
        for (button, what) in [
            ("Lưu biên bản", "the saved minutes"),
            ("Xác nhận đã họp", "the minutes of a held meeting"),
            ("Khóa biên bản", "the closed minutes"),
        ] {
            let b = driver
                .find(By::XPath(format!(
                    "//button[normalize-space(.)='{button}']"
                )))
                .await?;
            tap_to_next_page(driver, &b)
                .await
                .map_err(|e| WebDriverError::Timeout(format!("{what}: {e}")))?;
        }
        driver
            .find(By::XPath("//button[normalize-space(.)='Mở lại biên bản']"))
            .await?;

        // The printed minutes, saved as a PDF by Chromium's own print.
        driver
            .goto(app.url(&format!("/meetings/{id}/print")))
            .await?;
        heading(driver, "the printed minutes", |h| h.starts_with("BIÊN BẢN")).await?;
        let pdf = driver
            .print_page(thirtyfour::common::print::PrintParameters::default())
            .await?;
        assert!(pdf.starts_with(b"%PDF"), "a PDF");
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bien-ban-sinh-hoat.pdf");
        std::fs::write(&out, &pdf).unwrap();
        eprintln!(
            "printed minutes saved to {} ({} bytes)",
            out.display(),
            pdf.len()
        );
        WebDriverResult::Ok(())
    }
    .await;
    browser.driver.quit().await.ok();
    result.expect("the meeting flow");
}

/// The score bar's text once no htmx request is in flight and `ok` holds for it. The bar
/// is replaced by every preview, so it is looked up and read in one script at every poll.
async fn settled_score_bar(
    driver: &WebDriver,
    what: &str,
    ok: impl Fn(&str) -> bool,
) -> WebDriverResult<String> {
    let ok = &ok;
    wait_for(what, || async move {
        let text: Option<String> = driver
            .execute(
                "const bar = document.getElementById('score-bar');
                 return bar && !document.querySelector('.htmx-request') ? bar.innerText : null;",
                vec![],
            )
            .await?
            .convert()?;
        Ok(text.filter(|t| ok(t)))
    })
    .await
}

#[tokio::test]
async fn a_secretary_scores_a_meeting_on_a_phone_and_sees_the_class() {
    let Some(browser) = start_browser().await else {
        return;
    };
    let driver = &browser.driver;
    let app = TestApp::spawn().await;
    let api = app.other_browser();
    api.login_as("bithu").await;
    let (id, _) = crate::evaluation::held_meeting(&api).await;
    let result = async {
        sign_in(driver, &app, "bithu").await?;
        heading(driver, "the branch home", |h| h == BRANCH).await?;
        driver
            .goto(app.url(&format!("/meetings/{id}/evaluation")))
            .await?;
        settled_score_bar(driver, "the total bar", |t| t.contains("Tổng điểm")).await?;
        driver.execute("window.__samePage = 'yes'", vec![]).await?;

        // Groups are folded on a phone: a tap opens "Tổ chức sinh hoạt".
        let group = driver
            .find(By::XPath(
                "//details[contains(@class,'group')][.//span[contains(.,'Tổ chức sinh hoạt')]]",
            ))
            .await?;
        tap(driver, &group.find(By::Tag("summary")).await?).await?;
        assert!(
            driver
                .find(By::Id("v-noi_dung_thuong_ky"))
                .await?
                .is_displayed()
                .await?,
            "the opened group shows its criteria"
        );
        // The others opened the same way, then every judged criterion given. Only the bar
        // is swapped by the previews: the form's own fields stay the same elements.
        let folded = driver
            .find_all(By::Css("details.group:not([open]) > summary"))
            .await?;
        assert!(!folded.is_empty(), "more groups to open");
        for summary in folded {
            tap(driver, &summary).await?;
        }
        let radios = driver
            .find_all(By::Css("input[type=radio][value='0']"))
            .await?;
        assert!(!radios.is_empty(), "criteria judged by level");
        for radio in radios {
            tap(driver, &radio).await?;
        }
        let checks = driver.find_all(By::Css("input[type=checkbox]")).await?;
        assert!(!checks.is_empty(), "criteria judged met or not");
        for check in checks {
            tap(driver, &check).await?;
        }
        driver
            .find(By::Id("v-noi_dung_thuong_ky"))
            .await?
            .send_keys("8")
            .await?;
        driver
            .find(By::Id("v-dieu_hanh"))
            .await?
            .send_keys("10")
            .await?;
        tap(driver, &driver.find(By::Id("remarks")).await?).await?;
        // The running total follows in place, with the projected class.
        let bar = settled_score_bar(driver, "the projected class Khá", |t| {
            t.contains("Dự kiến xếp loại: Khá")
        })
        .await?;
        let same: String = driver
            .execute("return window.__samePage || 'reloaded'", vec![])
            .await?
            .convert()?;
        assert_eq!(same, "yes", "the total updates without a page load");
        assert!(bar.contains("/100"), "{bar}");
        // Each group's points follow too: they add up to the running total.
        let (groups, total): (f64, f64) = driver
            .execute(
                "const n = s => parseFloat(s.split('/')[0].replace(',', '.'));
                 const groups = [...document.querySelectorAll('summary .group-points')]
                     .reduce((a, e) => a + n(e.innerText), 0);
                 const total = n(document.querySelector('#score-bar strong').innerText);
                 return [Math.round(groups * 10) / 10, total];",
                vec![],
            )
            .await?
            .convert()?;
        assert_eq!(groups, total, "the groups' points add up to the total");
        let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cham-diem.png");
        std::fs::write(&shot, driver.screenshot_as_png().await?).unwrap();

        let save = driver
            .find(By::XPath("//button[normalize-space(.)='Lưu bảng điểm']"))
            .await?;
        tap_to_next_page(driver, &save).await?;
        let saved = text_when(
            driver,
            By::XPath("//section[@id='xet-duyet']//p[contains(., 'xếp loại')]"),
            "the saved sheet",
            |t| t.contains("xếp loại"),
        )
        .await?;
        assert!(saved.contains("xếp loại Khá"), "{saved}");
        assert!(saved.contains("Bản nháp"), "{saved}");
        WebDriverResult::Ok(())
    }
    .await;
    browser.driver.quit().await.ok();
    result.expect("the scoring flow");
}

#[tokio::test]
async fn a_ward_supervisor_lands_on_the_dashboard_drills_down_and_prints_the_report() {
    let Some(browser) = start_browser().await else {
        return;
    };
    let driver = &browser.driver;
    let app = TestApp::spawn().await;
    let result = async {
        // The dashboard opens on this month once a branch of the ward has met in it, on the
        // last month before.
        let ward = app.unit_id(crate::fixtures::demo::WARD).await;
        let met: bool = sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM meetings m JOIN units b ON b.id = m.unit_id, units w
                             WHERE w.id = $1 AND b.path <@ w.path AND m.month = $2
                               AND m.state <> 'planned')",
        )
        .bind(ward)
        .bind(months_ago(0))
        .fetch_one(&app.pool)
        .await
        .unwrap();
        let landing = if met { 0 } else { 1 };
        sign_in(driver, &app, "phuong").await?;
        let this_month = format!(
            "Sinh hoạt chi bộ tháng {}",
            months_ago(landing).format("%m/%Y")
        );
        let last_month = format!(
            "Sinh hoạt chi bộ tháng {}",
            months_ago(landing + 1).format("%m/%Y")
        );
        heading(driver, "the landing month's dashboard", |h| h == this_month).await?;
        // Last month, then down to a branch.
        let previous = driver.find(By::LinkText("← Tháng trước")).await?;
        tap_to_next_page(driver, &previous).await?;
        heading(driver, "last month's dashboard", |h| h == last_month).await?;
        let link = driver
            .find(By::Css("table.dashboard tbody tr th a"))
            .await?;
        let branch = link.text().await?;
        tap_to_next_page(driver, &link).await?;
        heading(driver, "the branch's home", |h| h == branch).await?;
        driver.back().await?;
        heading(driver, "last month's dashboard again", |h| h == last_month).await?;
        let report = driver.find(By::LinkText("Báo cáo tháng")).await?;
        tap_to_next_page(driver, &report).await?;
        heading(driver, "the monthly report", |h| h.starts_with("BÁO CÁO")).await?;
        let rows = driver
            .find_all(By::Css("table.report tbody tr.line"))
            .await?;
        assert_eq!(rows.len(), 12, "the ward's 12 branches");
        let pdf = driver
            .print_page(thirtyfour::common::print::PrintParameters::default())
            .await?;
        assert!(pdf.starts_with(b"%PDF"), "a PDF");
        let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bao-cao-thang.pdf");
        std::fs::write(&out, &pdf).unwrap();
        eprintln!(
            "monthly report saved to {} ({} bytes)",
            out.display(),
            pdf.len()
        );
        WebDriverResult::Ok(())
    }
    .await;
    browser.driver.quit().await.ok();
    result.expect("the supervisor's flow");
}
