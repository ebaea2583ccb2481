//! The attendance sheet in a real Chromium on a 390×844 phone: three exceptions marked (one
//! excused with the code "ốm" and its detail saved by Enter, one unexcused, one late), then
//! "Tất cả có mặt"; the counts bar shows the figures and stays in view to the end of the
//! list; the sheet of the demo branch (35 members) is at most 3.5 screens tall.
//!
//! Waits are for conditions, never for time (see `browser.rs`).

use thirtyfour::prelude::*;

use crate::browser::{heading, sign_in, start_browser, tap, text_when, wait_for};
use crate::fixtures::demo::BRANCH;
use crate::fixtures::{self, State};
use crate::support::TestApp;

/// The phone: a 390×844 CSS-pixel viewport.
const WIDTH: i64 = 390;
const HEIGHT: i64 = 844;

/// The window resized so that its viewport is the phone's (a headless window may add
/// nothing around the page, or a frame: measured, then made up).
pub(crate) async fn phone(driver: &WebDriver) -> WebDriverResult<()> {
    driver
        .set_window_rect(0, 0, WIDTH as u32, HEIGHT as u32)
        .await?;
    let inner: Vec<i64> = driver
        .execute("return [window.innerWidth, window.innerHeight]", vec![])
        .await?
        .convert()?;
    let (w, h) = (2 * WIDTH - inner[0], 2 * HEIGHT - inner[1]);
    if (w, h) != (WIDTH, HEIGHT) {
        driver.set_window_rect(0, 0, w as u32, h as u32).await?;
    }
    Ok(())
}

/// Taps the element `css` once it is there (found afresh: the sheet is swapped after every
/// tap).
async fn tap_css(driver: &WebDriver, css: &str) -> WebDriverResult<()> {
    let el = wait_for(
        css,
        || async move { Ok(Some(driver.find(By::Css(css)).await?)) },
    )
    .await?;
    tap(driver, &el).await
}

/// Waits until the member's row carries the class of `presence`.
pub(crate) async fn row_is(
    driver: &WebDriver,
    member: uuid::Uuid,
    presence: &str,
) -> WebDriverResult<()> {
    let css = format!("li#m-{member}");
    wait_for(&format!("{css} to be {presence}"), || {
        let css = css.clone();
        async move {
            let class = driver.find(By::Css(&css)).await?.attr("class").await?;
            Ok(class
                .is_some_and(|c| c.split_whitespace().any(|k| k == presence))
                .then_some(()))
        }
    })
    .await
}

/// An attendance line as the database holds it: member, presence, reason code, reason.
type Line = (uuid::Uuid, Option<String>, Option<String>, Option<String>);

#[tokio::test]
async fn a_secretary_takes_attendance_on_a_phone_with_three_exceptions_then_all_present() {
    let Some(browser) = start_browser().await else {
        return;
    };
    let driver = &browser.driver;
    let app = TestApp::spawn().await;
    let branch = app.unit_id(BRANCH).await;
    let m = fixtures::meeting(&app, branch, State::Planned).await;
    let n = m.expected.len();
    let result = async {
        phone(driver).await?;
        sign_in(driver, &app, "bithu").await?;
        heading(driver, "the branch home", |h| h == BRANCH).await?;
        driver
            .goto(app.url(&format!("/meetings/{}/attendance", m.id)))
            .await?;
        heading(driver, "the attendance sheet", |h| h == "Điểm danh").await?;
        let listed: i64 = driver
            .execute("return document.querySelectorAll('li.att-row').length", vec![])
            .await?
            .convert()?;
        driver.execute("window.__samePage = 'yes'", vec![]).await?;
        let (ill, absent, late) = (m.expected[0], m.expected[1], m.expected[2]);

        // Excused: the tap needs nothing typed first; the codes then appear on the row.
        tap_css(driver, &format!("li#m-{ill} button[name=presence][value=absent_excused]")).await?;
        // The code's pill is its label (the radio inside it is drawn hidden).
        // The code is saved by its tap, before any word is typed.
        tap_css(driver, &format!("li#m-{ill} form.reason label:has(input[value=illness])")).await?;
        text_when(
            driver,
            By::Css(format!("li#m-{ill} .state")),
            "the code saved on the row",
            |t| t == "Ốm",
        )
        .await?;
        let detail = wait_for("the reason's text field", || async move {
            Ok(Some(driver.find(By::Id(format!("reason-{ill}"))).await?))
        })
        .await?;
        // Enter in the text saves the reason (the form's only button), never a presence.
        detail.send_keys("sốt cao" + Key::Enter).await?;
        text_when(
            driver,
            By::Css(format!("li#m-{ill} .state")),
            "the reason saved on the row",
            |t| t == "Ốm, sốt cao",
        )
        .await?;
        row_is(driver, ill, "absent_excused").await?;

        tap_css(driver, &format!("li#m-{absent} button[value=absent_unexcused]")).await?;
        row_is(driver, absent, "absent_unexcused").await?;
        // The sheet was swapped; the focus is back on the button tapped (a keyboard or a
        // screen reader goes on from there, not from the top of the page).
        let focused: String = driver
            .execute("return document.activeElement ? document.activeElement.id : ''", vec![])
            .await?
            .convert()?;
        assert_eq!(focused, format!("p-{absent}-absent_unexcused"));
        tap_css(driver, &format!("li#m-{late} button[value=late]")).await?;
        row_is(driver, late, "late").await?;

        tap_css(driver, "button.all-present").await?;
        let bar = text_when(
            driver,
            By::Css("#sheet .att-bar"),
            "everyone else present in the counts bar",
            |t| t.contains(&format!("Có mặt / phải có mặt\n{}/{n}", n - 2))
                || t.contains(&format!("Có mặt / phải có mặt {}/{n}", n - 2)),
        )
        .await?;
        let bar = bar.split_whitespace().collect::<Vec<_>>().join(" ");
        for figure in [
            "Muộn 1",
            "Vắng có lý do 1",
            "Vắng không lý do 1",
            "Chưa điểm danh 0",
        ] {
            assert!(bar.contains(figure), "{figure} in the bar: {bar}");
        }
        let same: String = driver
            .execute("return window.__samePage || 'reloaded'", vec![])
            .await?
            .convert()?;
        assert_eq!(same, "yes", "every tap updated the sheet in place");

        // To the end of the list: the counts are still in view.
        driver
            .execute("window.scrollTo(0, document.documentElement.scrollHeight)", vec![])
            .await?;
        let seen: Vec<f64> = wait_for("the end of the list, the bar in view", || async move {
            let v: Vec<f64> = driver
                .execute(
                    "const r = document.querySelector('#sheet .att-bar').getBoundingClientRect();
                     const end = window.scrollY + window.innerHeight
                         >= document.documentElement.scrollHeight - 1;
                     return end ? [r.top, r.bottom, window.innerHeight, window.scrollY] : null;",
                    vec![],
                )
                .await?
                .convert()
                .unwrap_or_default();
            Ok((!v.is_empty()).then_some(v))
        })
        .await?;
        assert!(
            seen[0] >= 0.0 && seen[1] <= seen[2] && seen[3] > 0.0,
            "the bar (top, bottom) {:?} within the screen of {} px, scrolled {}",
            &seen[..2],
            seen[2],
            seen[3]
        );

        let (height, width): (f64, f64) = {
            let v: Vec<f64> = driver
                .execute(
                    "return [document.documentElement.scrollHeight, window.innerWidth]",
                    vec![],
                )
                .await?
                .convert()?;
            (v[0], v[1])
        };
        let screens = height / HEIGHT as f64;
        // Where the height goes, to say what to trim should the sheet ever grow.
        let parts: String = driver
            .execute(
                "const h = s => Array.from(document.querySelectorAll(s)).map(e => Math.round(e.getBoundingClientRect().height));
                 return JSON.stringify({header: h('header.site'), footer: h('footer.site'),
                     crumbs: h('nav.crumbs'), h1: h('h1'), meta: h('main > p.meta'), bar: h('.att-bar'),
                     headings: h('h2.att-heading'), rows: h('li.att-row'), seg: h('.taps').slice(0, 3)});",
                vec![],
            )
            .await?
            .convert()?;
        eprintln!("attendance sheet parts (px): {parts}");
        if let Ok(png) = driver.screenshot_as_png().await {
            let path = std::env::temp_dir().join("chibo-attendance-phone.png");
            if std::fs::write(&path, png).is_ok() {
                eprintln!("attendance sheet screenshot: {}", path.display());
            }
        }
        eprintln!(
            "attendance sheet of {BRANCH}: {listed} members listed, {height} px at {width} px wide = {screens:.2} screens of {HEIGHT} px"
        );
        assert_eq!(listed, 35, "the demo branch lists 35 members");
        assert!(screens <= 3.5, "{height} px is {screens:.2} screens");

        // The session ended meanwhile: a tap leads to the sign-in page (the sheet is never
        // swapped for nothing), and changes nothing.
        sqlx::query("DELETE FROM sessions")
            .execute(&app.pool)
            .await
            .unwrap();
        tap_css(driver, &format!("li#m-{late} button[value=present]")).await?;
        heading(driver, "the sign-in page", |h| h == "Đăng nhập").await?;
        WebDriverResult::Ok(())
    }
    .await;
    browser.driver.quit().await.ok();
    result.expect("the attendance sheet on a phone");

    // As the database holds it: the exceptions as tapped, the reason by its code.
    let rows: Vec<Line> = sqlx::query_as(
        "SELECT member_id, presence, reason_code, reason FROM attendance
          WHERE meeting_id = $1 AND category = 'expected' ORDER BY member_id",
    )
    .bind(m.id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    for (member, presence, code, reason) in rows {
        let want = if member == m.expected[0] {
            ("absent_excused", Some("illness"), Some("sốt cao"))
        } else if member == m.expected[1] {
            ("absent_unexcused", None, None)
        } else if member == m.expected[2] {
            ("late", None, None)
        } else {
            ("present", None, None)
        };
        assert_eq!(
            (presence.as_deref(), code.as_deref(), reason.as_deref()),
            (Some(want.0), want.1, want.2),
            "{member}"
        );
    }
}
