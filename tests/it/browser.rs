//! A real Chromium, driven through chromedriver: log in, reach the branch home, read
//! Vietnamese text as rendered.

use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use thirtyfour::prelude::*;

use crate::support::{DEMO_PASSWORD, TestApp};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn start_chromedriver() -> (Driver, u16) {
    let port = free_port();
    let child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start chromedriver");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    (Driver(child), port)
}

/// Chromium driven by chromedriver, phone-sized; `None` (with the reason printed) when the
/// machine has neither.
async fn start_browser() -> Option<(Driver, WebDriver, tempfile::TempDir)> {
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        // CI installs both (.ci/run); say loudly when a machine does not have them.
        eprintln!(
            "BROWSER TEST SKIPPED: {CHROMIUM} or {CHROMEDRIVER} is missing. \
             Install them with: apt-get install -y chromium chromium-driver (or run .ci/run)."
        );
        return None;
    }
    let (chromedriver, port) = start_chromedriver().await;
    let profile = tempfile::tempdir().unwrap();
    let mut caps = DesiredCapabilities::chrome();
    caps.set_binary(CHROMIUM).unwrap();
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
        caps.add_arg(arg).unwrap();
    }
    caps.add_arg(&format!("--user-data-dir={}", profile.path().display()))
        .unwrap();
    let driver = WebDriver::new(format!("http://127.0.0.1:{port}"), caps)
        .await
        .expect("a Chromium session");
    Some((chromedriver, driver, profile))
}

async fn sign_in(driver: &WebDriver, app: &TestApp, user: &str) -> WebDriverResult<()> {
    driver.goto(app.url("/")).await?;
    let heading = driver.find(By::Tag("h1")).await?.text().await?;
    assert_eq!(heading, "Đăng nhập");
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
    driver
        .find(By::Css("main form button[type=submit]"))
        .await?
        .click()
        .await?;
    Ok(())
}

#[tokio::test]
async fn a_secretary_logs_in_adds_a_member_and_finds_them_in_the_sorted_list() {
    let Some((_chromedriver, driver, _profile)) = start_browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let result = async {
        // Not signed in: the app sends the browser to the login page.
        sign_in(&driver, &app, "bithu").await?;

        let h1 = driver
            .query(By::XPath("//h1[contains(., 'Hưng Lợi')]"))
            .wait(Duration::from_secs(10), Duration::from_millis(100))
            .first()
            .await?;
        assert_eq!(h1.text().await?, "Chi bộ Tổ dân phố Hưng Lợi");
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
        driver
            .find(By::LinkText("Thêm đảng viên"))
            .await?
            .click()
            .await?;
        driver
            .query(By::Id("full_name"))
            .first()
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
        driver
            .find(By::Css("input[name=status][value=full]"))
            .await?
            .click()
            .await?;
        driver
            .find(By::Id("hometown"))
            .await?
            .send_keys("Kỳ Anh, Hà Tĩnh")
            .await?;
        driver
            .find(By::Css("main form button[type=submit]"))
            .await?
            .click()
            .await?;
        let h1 = driver
            .query(By::XPath("//h1[contains(., 'Phan Văn Đức')]"))
            .wait(Duration::from_secs(10), Duration::from_millis(100))
            .first()
            .await?;
        assert_eq!(h1.text().await?, "Phan Văn Đức");
        driver
            .find(By::LinkText("Về danh sách"))
            .await?
            .click()
            .await?;
        driver
            .query(By::XPath("//h1[contains(., 'Danh sách đảng viên')]"))
            .first()
            .await?;
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
    driver.quit().await.ok();
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
    let Some((_chromedriver, driver, _profile)) = start_browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let result = async {
        sign_in(&driver, &app, "bithu").await?;
        driver
            .query(By::LinkText("Lên kế hoạch buổi sinh hoạt"))
            .first()
            .await?
            .click()
            .await?;
        driver.query(By::Id("kind")).first().await?;
        driver
            .find(By::Css("main form button.primary"))
            .await?
            .click()
            .await?;
        driver
            .query(By::LinkText("Điểm danh"))
            .first()
            .await?
            .click()
            .await?;
        driver.query(By::Id("sheet")).first().await?;

        // One tap per member; the counts change in place, without a page load.
        driver.execute("window.__samePage = 'yes'", vec![]).await?;
        let taps = driver
            .find_all(By::Css("ul.attendance li button[value=present]"))
            .await?;
        let to_tick = taps.len().min(5);
        for i in 0..to_tick {
            let buttons = driver
                .find_all(By::Css("ul.attendance li button[value=present]"))
                .await?;
            buttons[i].click().await?;
            let want = format!("{}/", i + 1);
            driver
                .query(By::XPath(format!(
                    "//dl[contains(@class,'counts')]//dd[starts-with(normalize-space(.), '{want}')]"
                )))
                .wait(Duration::from_secs(10), Duration::from_millis(100))
                .first()
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
        driver
            .goto(app.url(&format!("/meetings/{id}/minutes")))
            .await?;
        let day = chrono::Datelike::with_day(&crate::support::today(), 1)
            .unwrap()
            .format("%Y-%m-%d")
            .to_string();
        for (field, time) in [("started_at", "19:30"), ("ended_at", "21:05")] {
            driver
                .execute(
                    &format!("document.getElementById('{field}').value = '{day}T{time}'"),
                    vec![],
                )
                .await?;
        }
        driver
            .find(By::XPath("//button[normalize-space(.)='Lưu biên bản']"))
            .await?
            .click()
            .await?;
        driver
            .query(By::XPath("//button[normalize-space(.)='Xác nhận đã họp']"))
            .first()
            .await?
            .click()
            .await?;
        driver
            .query(By::XPath("//button[normalize-space(.)='Khóa biên bản']"))
            .first()
            .await?
            .click()
            .await?;
        driver
            .query(By::XPath("//button[normalize-space(.)='Mở lại biên bản']"))
            .first()
            .await?;

        // The printed minutes, saved as a PDF by Chromium's own print.
        driver
            .goto(app.url(&format!("/meetings/{id}/print")))
            .await?;
        let heading = driver.find(By::Tag("h1")).await?.text().await?;
        assert!(heading.starts_with("BIÊN BẢN"), "{heading}");
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
    driver.quit().await.ok();
    result.expect("the meeting flow");
}

/// A tap on an element brought to the middle of the screen, as a thumb would after
/// scrolling (the total bar stays at the bottom of a phone's screen).
async fn tap(driver: &WebDriver, el: &WebElement) -> WebDriverResult<()> {
    driver
        .execute(
            "arguments[0].scrollIntoView({block: 'center'})",
            vec![el.to_json()?],
        )
        .await?;
    el.click().await
}

#[tokio::test]
async fn a_secretary_scores_a_meeting_on_a_phone_and_sees_the_class() {
    let Some((_chromedriver, driver, _profile)) = start_browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let api = app.other_browser();
    api.login_as("bithu").await;
    let (id, _) = crate::evaluation::held_meeting(&api).await;
    let result = async {
        sign_in(&driver, &app, "bithu").await?;
        driver
            .query(By::LinkText("Lên kế hoạch buổi sinh hoạt"))
            .nowait()
            .exists()
            .await?;
        driver
            .goto(app.url(&format!("/meetings/{id}/evaluation")))
            .await?;
        let bar = driver.find(By::Id("score-bar")).await?.text().await?;
        assert!(bar.contains("Tổng điểm"), "{bar}");
        driver.execute("window.__samePage = 'yes'", vec![]).await?;

        // Groups are folded on a phone: a tap opens "Tổ chức sinh hoạt".
        let group = driver
            .find(By::XPath(
                "//details[contains(@class,'group')][.//span[contains(.,'Tổ chức sinh hoạt')]]",
            ))
            .await?;
        tap(&driver, &group.find(By::Tag("summary")).await?).await?;
        let field = driver.find(By::Id("v-noi_dung_thuong_ky")).await?;
        assert!(
            field.is_displayed().await?,
            "the opened group shows its criteria"
        );
        // The others opened the same way, then every judged criterion given.
        for summary in driver
            .find_all(By::Css("details.group:not([open]) > summary"))
            .await?
        {
            tap(&driver, &summary).await?;
        }
        for radio in driver
            .find_all(By::Css("input[type=radio][value='0']"))
            .await?
        {
            tap(&driver, &radio).await?;
        }
        for check in driver.find_all(By::Css("input[type=checkbox]")).await? {
            tap(&driver, &check).await?;
        }
        field.send_keys("8").await?;
        let dieu_hanh = driver.find(By::Id("v-dieu_hanh")).await?;
        dieu_hanh.send_keys("10").await?;
        tap(&driver, &driver.find(By::Id("remarks")).await?).await?;
        // The running total follows in place, with the projected class.
        let bar = driver
            .query(By::XPath(
                "//div[@id='score-bar'][contains(., 'Dự kiến xếp loại: Khá')]",
            ))
            .wait(Duration::from_secs(10), Duration::from_millis(100))
            .first()
            .await?
            .text()
            .await?;
        let same: String = driver
            .execute("return window.__samePage || 'reloaded'", vec![])
            .await?
            .convert()?;
        assert_eq!(same, "yes", "the total updates without a page load");
        assert!(bar.contains("/100"), "{bar}");
        let shot = Path::new(env!("CARGO_TARGET_TMPDIR")).join("cham-diem.png");
        std::fs::write(&shot, driver.screenshot_as_png().await?).unwrap();

        driver
            .find(By::XPath("//button[normalize-space(.)='Lưu bảng điểm']"))
            .await?
            .click()
            .await?;
        let saved = driver
            .query(By::XPath(
                "//section[@id='xet-duyet']//p[contains(., 'xếp loại')]",
            ))
            .first()
            .await?
            .text()
            .await?;
        assert!(saved.contains("xếp loại Khá"), "{saved}");
        assert!(saved.contains("Bản nháp"), "{saved}");
        WebDriverResult::Ok(())
    }
    .await;
    driver.quit().await.ok();
    result.expect("the scoring flow");
}

#[tokio::test]
async fn a_ward_supervisor_lands_on_the_dashboard_drills_down_and_prints_the_report() {
    let Some((_chromedriver, driver, _profile)) = start_browser().await else {
        return;
    };
    let app = TestApp::spawn().await;
    let result = async {
        sign_in(&driver, &app, "phuong").await?;
        let heading = driver.query(By::Tag("h1")).first().await?.text().await?;
        assert!(heading.starts_with("Sinh hoạt chi bộ tháng"), "{heading}");
        // Last month, then down to a branch.
        tap(&driver, &driver.find(By::LinkText("← Tháng trước")).await?).await?;
        let link = driver
            .query(By::Css("table.dashboard tbody tr th a"))
            .first()
            .await?;
        let branch = link.text().await?;
        tap(&driver, &link).await?;
        let heading = driver.query(By::Tag("h1")).first().await?.text().await?;
        assert_eq!(heading, branch, "the branch's home");
        driver.back().await?;
        tap(
            &driver,
            &driver.query(By::LinkText("Báo cáo tháng")).first().await?,
        )
        .await?;
        let heading = driver.query(By::Tag("h1")).first().await?.text().await?;
        assert!(heading.starts_with("BÁO CÁO"), "{heading}");
        let rows = driver.find_all(By::Css("table.report tbody tr")).await?;
        assert_eq!(rows.len(), 13, "12 branches and the totals");
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
    driver.quit().await.ok();
    result.expect("the supervisor's flow");
}
