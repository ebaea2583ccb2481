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

#[tokio::test]
async fn a_secretary_logs_in_on_chromium_and_reads_the_branch_home() {
    if !Path::new(CHROMIUM).exists() || !Path::new(CHROMEDRIVER).exists() {
        // CI installs both (.ci/run); say loudly when a machine does not have them.
        eprintln!(
            "BROWSER TEST SKIPPED: {CHROMIUM} or {CHROMEDRIVER} is missing. \
             Install them with: apt-get install -y chromium chromium-driver (or run .ci/run)."
        );
        return;
    }
    let app = TestApp::spawn().await;
    let (_driver, port) = start_chromedriver().await;
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

    let result = async {
        driver.goto(app.url("/")).await?;
        // Not signed in: the app sends the browser to the login page.
        let heading = driver.find(By::Tag("h1")).await?.text().await?;
        assert_eq!(heading, "Đăng nhập");
        driver
            .find(By::Id("username"))
            .await?
            .send_keys("bithu")
            .await?;
        driver
            .find(By::Id("password"))
            .await?
            .send_keys(DEMO_PASSWORD)
            .await?;
        driver
            .find(By::Css("form button[type=submit]"))
            .await?
            .click()
            .await?;

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
        // The members' list is sorted by given name, as a Vietnamese reader expects.
        let first_names: Vec<String> = {
            let mut v = Vec::new();
            for cell in driver
                .find_all(By::Css("table tbody tr td:nth-child(2) a"))
                .await?
            {
                v.push(cell.text().await?);
            }
            v
        };
        assert!(first_names.len() > 10);
        WebDriverResult::Ok(())
    }
    .await;
    driver.quit().await.ok();
    result.expect("the browser flow");
}
