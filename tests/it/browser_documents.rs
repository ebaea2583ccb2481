//! The printed documents as a committee files them: each one printed to an A4 PDF by
//! Chromium (the party margins), read back with poppler's pdftotext, and checked for what a
//! reader sees on paper: the header lines, the motto on one line, the place and date in
//! words, the number, and no page that holds only the signatures. The first page of each is
//! kept as a PNG under target/tmp for review.

use std::path::{Path, PathBuf};
use std::process::Command;

use thirtyfour::common::print::{
    PrintMargins, PrintOrientation, PrintPage, PrintPageRange, PrintParameters,
};
use thirtyfour::prelude::*;
use uuid::Uuid;

use crate::browser::{heading, sign_in, start_browser};
use crate::fixtures::{self, demo::BRANCH};
use crate::support::{TestApp, months_ago};

/// A4 with the party margins (top 20, bottom 20, left 30, right 15 mm), as the documents'
/// `@page` rule asks of the browser's print dialog.
fn a4(orientation: PrintOrientation) -> PrintParameters {
    PrintParameters {
        orientation,
        scale: 1.0,
        background: false,
        page: PrintPage {
            width: 21.0,
            height: 29.7,
        },
        margin: PrintMargins {
            top: 2.0,
            bottom: 2.0,
            left: 3.0,
            right: 1.5,
        },
        page_ranges: std::sync::Arc::<[PrintPageRange]>::from(Vec::new()),
        shrink_to_fit: false,
    }
}

/// A printed document: its pages' text as pdftotext lays it out.
struct Printed {
    name: String,
    pages: Vec<String>,
}

impl Printed {
    fn first(&self) -> &str {
        self.pages.first().map(String::as_str).unwrap_or("")
    }

    fn lines(page: &str) -> impl Iterator<Item = &str> {
        page.lines().map(str::trim).filter(|l| !l.is_empty())
    }

    /// The motto whole on one line of the first page, and the place-and-date line in words.
    fn assert_header(&self, issuer: &str, place: &str) {
        let first = self.first();
        assert!(
            Self::lines(first).any(|l| l.contains("ĐẢNG CỘNG SẢN VIỆT NAM")),
            "{}: the motto on one line\n{first}",
            self.name
        );
        assert!(
            Self::lines(first).any(|l| l.contains(issuer)),
            "{}: the issuer {issuer} on a line of its own\n{first}",
            self.name
        );
        let dated = Self::lines(first).any(|l| {
            l.contains(&format!("{place}, ngày "))
                && l.contains(" tháng ")
                && l.contains(" năm ")
                && !l.contains('/')
        });
        assert!(
            dated,
            "{}: \"{place}, ngày … tháng … năm …\"\n{first}",
            self.name
        );
    }

    /// The page holding `marker` (the signature block's first line) holds text before it.
    fn assert_signatures_not_alone(&self, marker: &str) {
        let page = self
            .pages
            .iter()
            .find(|p| p.contains(marker))
            .unwrap_or_else(|| panic!("{}: no signature block ({marker})", self.name));
        let before = Self::lines(page)
            .take_while(|l| !l.contains(marker))
            .count();
        assert!(
            before > 0,
            "{}: a page holds only the signatures\n{page}",
            self.name
        );
    }
}

fn out_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("documents");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Prints the page at `path` to a PDF, keeps it and a PNG of its first page under
/// target/tmp/documents, and reads it back.
async fn print(
    driver: &WebDriver,
    app: &TestApp,
    path: &str,
    name: &str,
    orientation: PrintOrientation,
) -> WebDriverResult<Printed> {
    driver.goto(app.url(path)).await?;
    heading(driver, name, |h| !h.is_empty()).await?;
    let pdf = driver.print_page(a4(orientation)).await?;
    assert!(pdf.starts_with(b"%PDF"), "{name}: a PDF");
    let file = out_dir().join(format!("{name}.pdf"));
    std::fs::write(&file, &pdf).unwrap();
    let text = Command::new("pdftotext")
        .args(["-layout", "-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils; scripts/install-deps.sh installs it)");
    assert!(text.status.success(), "pdftotext {name}");
    let png = Command::new("pdftoppm")
        .args(["-png", "-r", "60", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&file)
        .arg(out_dir().join(name))
        .status()
        .expect("pdftoppm");
    assert!(png.success(), "pdftoppm {name}");
    let mut pages: Vec<String> = String::from_utf8_lossy(&text.stdout)
        .split('\u{c}')
        .map(str::to_owned)
        .collect();
    // pdftotext ends the last page with a form feed too.
    if pages.last().is_some_and(|p| p.trim().is_empty()) {
        pages.pop();
    }
    eprintln!("{name}: {} page(s), {}", pages.len(), file.display());
    Ok(Printed {
        name: name.to_owned(),
        pages,
    })
}

/// The demo branch's latest approved meeting (closed, scored, approved by the ward).
async fn approved_meeting(app: &TestApp) -> Uuid {
    sqlx::query_scalar(
        "SELECT m.id FROM meetings m JOIN units u ON u.id = m.unit_id
          WHERE u.name = $1 AND m.state = 'closed' AND m.approved_at IS NOT NULL
          ORDER BY m.month DESC LIMIT 1",
    )
    .bind(BRANCH)
    .fetch_one(&app.pool)
    .await
    .expect("an approved demo meeting")
}

#[tokio::test]
async fn browser_the_meeting_documents_print_in_the_party_layout() {
    let Some(browser) = start_browser().await else {
        return;
    };
    let driver = &browser.driver;
    let app = TestApp::spawn().await;
    let meeting = approved_meeting(&app).await;
    let result = async {
        sign_in(driver, &app, "bithu").await?;
        let issuer = "CHI BỘ TỔ DÂN PHỐ HƯNG LỢI";
        let minutes = print(
            driver,
            &app,
            &format!("/meetings/{meeting}/print"),
            "bien-ban",
            PrintOrientation::Portrait,
        )
        .await?;
        minutes.assert_header(issuer, "Sông Trí");
        assert!(minutes.first().contains("ĐẢNG BỘ PHƯỜNG SÔNG TRÍ"));
        minutes.assert_signatures_not_alone("NGƯỜI GHI BIÊN BẢN");

        let notice = print(
            driver,
            &app,
            &format!("/meetings/{meeting}/notice"),
            "thong-bao",
            PrintOrientation::Portrait,
        )
        .await?;
        notice.assert_header(issuer, "Sông Trí");
        assert!(notice.first().contains("-TB/CB"), "{}", notice.first());
        assert_eq!(notice.pages.len(), 1, "the notice fits one page");
        notice.assert_signatures_not_alone("Nơi nhận");

        let sheet = print(
            driver,
            &app,
            &format!("/meetings/{meeting}/evaluation/print"),
            "phieu-cham-diem",
            PrintOrientation::Portrait,
        )
        .await?;
        sheet.assert_header(issuer, "Sông Trí");
        sheet.assert_signatures_not_alone("T/M CHI BỘ");
        // The ward scored it: the ward's committee signs for the upper level.
        assert!(
            sheet.pages.iter().any(|p| p.contains("T/M ĐẢNG ỦY")),
            "{:?}",
            sheet.pages
        );
        // On screen a print button and a way back; on paper neither.
        let back = driver
            .find(By::Css("nav.doc-tools a"))
            .await?
            .text()
            .await?;
        assert_eq!(back, "← Trở lại trang chấm điểm");
        let button = driver.find(By::Css("button[data-print]")).await?;
        assert!(button.is_displayed().await?, "the print button is shown");
        for p in [&minutes, &notice, &sheet] {
            assert!(
                p.pages
                    .iter()
                    .all(|t| !t.contains("In văn bản") && !t.contains("Trở lại")),
                "{}: the tools are not printed",
                p.name
            );
        }
        WebDriverResult::Ok(())
    }
    .await;
    browser.driver.quit().await.ok();
    result.expect("the meeting's documents");
}

#[tokio::test]
async fn browser_the_committees_reports_are_issued_by_their_committees() {
    let Some(browser) = start_browser().await else {
        return;
    };
    let driver = &browser.driver;
    let app = TestApp::spawn().await;
    let month = months_ago(1).format("%Y-%m").to_string();
    let result = async {
        for (user, unit, name, issuer, symbol, place) in [
            (
                "phuong",
                fixtures::demo::WARD,
                "bao-cao-phuong",
                "ĐẢNG ỦY PHƯỜNG SÔNG TRÍ",
                "-BC/ĐU",
                "Sông Trí",
            ),
            (
                "thixa",
                fixtures::demo::TOWN,
                "bao-cao-thi-xa",
                "THỊ ỦY KỲ ANH",
                "-BC/TU",
                "Kỳ Anh",
            ),
            (
                "admin",
                fixtures::demo::PROVINCE,
                "bao-cao-tinh",
                "TỈNH ỦY HÀ TĨNH",
                "-BC/TU",
                "Hà Tĩnh",
            ),
        ] {
            driver.delete_all_cookies().await?;
            sign_in(driver, &app, user).await?;
            let id = app.unit_id(unit).await;
            let report = print(
                driver,
                &app,
                &format!("/reports/monthly/{id}?month={month}"),
                name,
                PrintOrientation::Portrait,
            )
            .await?;
            report.assert_header(issuer, place);
            assert!(report.first().contains(symbol), "{}", report.first());
            // The town's committee is not headed as the town's đảng bộ.
            assert!(
                !report.first().contains(&unit.to_uppercase()),
                "{}",
                report.first()
            );
            report.assert_signatures_not_alone("Nơi nhận");
        }
        WebDriverResult::Ok(())
    }
    .await;
    browser.driver.quit().await.ok();
    result.expect("the committees' reports");
}

/// However long the minutes run, the signatures never stand alone on a page: the closing
/// lines go over with them. The minutes grow a line at a time across page ends.
#[tokio::test]
async fn browser_the_signatures_of_the_minutes_never_stand_alone_on_a_page() {
    let Some(browser) = start_browser().await else {
        return;
    };
    let driver = &browser.driver;
    let app = TestApp::spawn().await;
    let branch = app.unit_id(BRANCH).await;
    let m = fixtures::meeting(&app, branch, fixtures::State::Closed).await;
    let result = async {
        sign_in(driver, &app, "bithu").await?;
        let mut pages_seen = std::collections::BTreeSet::new();
        for lines in (0..48).step_by(2) {
            let text: Vec<String> = (1..=lines)
                .map(|i| format!("Ý kiến thứ {i} của đảng viên về nội dung sinh hoạt."))
                .collect();
            sqlx::query(
                "UPDATE agenda_items SET minutes = $2
                  WHERE id = (SELECT id FROM agenda_items WHERE meeting_id = $1
                               ORDER BY id LIMIT 1)",
            )
            .bind(m.id)
            .bind(if text.is_empty() {
                "Đã ghi biên bản.".to_owned()
            } else {
                text.join("\n")
            })
            .execute(&app.pool)
            .await
            .unwrap();
            let printed = print(
                driver,
                &app,
                &format!("/meetings/{}/print", m.id),
                &format!("bien-ban-{lines:02}-dong"),
                PrintOrientation::Portrait,
            )
            .await?;
            pages_seen.insert(printed.pages.len());
            printed.assert_signatures_not_alone("NGƯỜI GHI BIÊN BẢN");
        }
        // The minutes did cross a page end.
        assert!(pages_seen.len() > 1, "{pages_seen:?}");
        WebDriverResult::Ok(())
    }
    .await;
    browser.driver.quit().await.ok();
    result.expect("the minutes at every length");
}
